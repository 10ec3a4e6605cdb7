"""Aggregates for the analysts of the DSS: counts only, no name, no NIR, small cells hidden."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import case, func, select

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, transaction
from secu.register.models import Affiliation, Ald, Personne, Rattachement

router = APIRouter(prefix="/statistiques", tags=["statistiques"])

# Cells under this count are not published (secret statistique), so no one can be singled out.
SEUIL_SECRET = 10

TRANCHES = ((0, 19, "0-19"), (20, 59, "20-59"), (60, 74, "60-74"), (75, 200, "75+"))


class Cellule(BaseModel):
    departement: str
    sexe: str
    tranche_age: str
    effectif: int | None  # None: fewer than SEUIL_SECRET people
    secret: bool


class Population(BaseModel):
    date: date
    seuil_secret: int
    total: int
    couverts: int
    en_ald: int
    cellules: list[Cellule]


class ParOrganisme(BaseModel):
    organisme_code: str
    branche: str
    effectif: int | None
    secret: bool


def _mask(count: int) -> tuple[int | None, bool]:
    return (None, True) if 0 < count < SEUIL_SECRET else (count, False)


@router.get("/population", response_model=Population, summary="Population du répertoire par département, sexe et âge")
def population(request: Request, caller: CallerDep) -> Population:
    exiger(caller, Permission.LIRE_STATISTIQUES)
    today = date.today()
    age = today.year - func.extract("year", Personne.date_naissance)  # âge atteint dans l'année
    tranche = case(*[(age.between(lo, hi), label) for lo, hi, label in TRANCHES], else_="75+")
    alive = (Personne.date_deces.is_(None)) | (Personne.date_deces >= today)
    in_force = lambda model: (model.date_debut <= today) & ((model.date_fin.is_(None)) | (model.date_fin >= today))  # noqa: E731
    with transaction(request) as session:
        total = session.scalar(select(func.count()).select_from(Personne).where(alive)) or 0
        couverts = session.scalar(select(func.count(func.distinct(Affiliation.personne_id))).where(in_force(Affiliation))) or 0
        en_ald = session.scalar(select(func.count(func.distinct(Ald.personne_id))).where(in_force(Ald))) or 0
        rows = session.execute(
            select(Personne.departement, Personne.sexe, tranche, func.count())
            .where(alive)
            .group_by(Personne.departement, Personne.sexe, tranche)
            .order_by(Personne.departement, Personne.sexe, tranche)
        ).all()
    cellules = []
    for departement, sexe, label, count in rows:
        effectif, secret = _mask(count)
        cellules.append(Cellule(departement=departement, sexe=sexe, tranche_age=label, effectif=effectif, secret=secret))
    en_ald_shown, _ = _mask(en_ald)
    return Population(date=today, seuil_secret=SEUIL_SECRET, total=total, couverts=couverts, en_ald=en_ald_shown or 0, cellules=cellules)


@router.get("/organismes", response_model=list[ParOrganisme], summary="Personnes rattachées par organisme et branche")
def per_organism(request: Request, caller: CallerDep) -> list[ParOrganisme]:
    exiger(caller, Permission.LIRE_STATISTIQUES)
    with transaction(request) as session:
        rows = session.execute(
            select(Rattachement.organisme_code, Rattachement.branche, func.count())
            .group_by(Rattachement.organisme_code, Rattachement.branche)
            .order_by(Rattachement.organisme_code, Rattachement.branche)
        ).all()
    out = []
    for code, branche, count in rows:
        effectif, secret = _mask(count)
        out.append(ParOrganisme(organisme_code=code, branche=branche, effectif=effectif, secret=secret))
    return out
