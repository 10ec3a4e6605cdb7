"""The aggregates of the répertoire, counted in the database and hidden by the secret statistique."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from secu.register.models import Affiliation, Ald, Personne, Rattachement
from secu.statistiques.rules import secret_statistique

TRANCHES = ((0, 19, "0-19"), (20, 59, "20-59"), (60, 74, "60-74"), (75, 200, "75+"))
"""Age bands of the published aggregates: a statistical presentation (not a constant of law)."""


def _in_force(model: Any, today: date) -> Any:
    return (model.date_debut <= today) & (model.date_fin.is_(None) | (model.date_fin >= today))


def population(session: Session, today: date) -> tuple[dict[str, int | None], list[dict[str, Any]]]:
    """Totals (persons alive, covered, in ALD) and cells by département, sex and age band, on a date."""
    age = today.year - func.extract("year", Personne.date_naissance)  # âge atteint dans l'année
    tranche = case(*[(age.between(lo, hi), label) for lo, hi, label in TRANCHES], else_="75+")
    alive = Personne.date_deces.is_(None) | (Personne.date_deces >= today)
    totals = {
        "total": session.scalar(select(func.count()).select_from(Personne).where(alive)) or 0,
        "couverts": session.scalar(select(func.count(func.distinct(Affiliation.personne_id))).where(_in_force(Affiliation, today))) or 0,
        "en_ald": session.scalar(select(func.count(func.distinct(Ald.personne_id))).where(_in_force(Ald, today))) or 0,
    }
    rows = session.execute(
        select(Personne.departement, Personne.sexe, tranche, func.count())
        .where(alive)
        .group_by(Personne.departement, Personne.sexe, tranche)
        .order_by(Personne.departement, Personne.sexe, tranche)
    ).all()
    shown = secret_statistique(pl.DataFrame({"nom": list(totals), "effectif": list(totals.values())}).with_columns(date=pl.lit(today)))
    cells = pl.DataFrame(
        [tuple(row) for row in rows],
        schema={"departement": pl.String, "sexe": pl.String, "tranche_age": pl.String, "effectif": pl.Int64},
        orient="row",
    ).with_columns(date=pl.lit(today))
    published = secret_statistique(cells).drop("date")
    return dict(zip(shown["nom"], shown["effectif"], strict=True)), published.to_dicts()


def per_organism(session: Session, today: date) -> list[dict[str, Any]]:
    """Persons attached to each organism and branch."""
    rows = session.execute(
        select(Rattachement.organisme_code, Rattachement.branche, func.count())
        .group_by(Rattachement.organisme_code, Rattachement.branche)
        .order_by(Rattachement.organisme_code, Rattachement.branche)
    ).all()
    cells = pl.DataFrame(
        [tuple(row) for row in rows],
        schema={"organisme_code": pl.String, "branche": pl.String, "effectif": pl.Int64},
        orient="row",
    ).with_columns(date=pl.lit(today))
    return secret_statistique(cells).drop("date").to_dicts()
