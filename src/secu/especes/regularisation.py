"""The CSG, CRDS and CASA of the months already paid, revised once the pension's tax situation is known (issue 13 §5).

Until the tax administration's revenu fiscal de référence (RFR) reaches the caisse, a pension bears the taux normal
(:data:`secu.especes.rules.CATEGORIE_CSG_DEFAUT`). The contributions are due for the period the pension pays, at the
rate and thresholds of that period (CSS L. 136-1 and R. 242-1 as in force since 1 January 2018; the caisses' rule as
the CNRACL states it: « les cotisations sont calculées par référence à la période au titre de laquelle la pension
est due », juris-cnracl.retraites.fr, « CSG/CRDS/CASA - Taux et seuils pour les pensions dues en 2024 », 5 December
2023; no CNAM or CNAV circular on the refund itself was read); the RFR of N-2 sets the rate of the pensions of year
N (L. 136-8, III). So, once the RFR (or the category) is recorded (:func:`secu.especes.invalidite.situation_csg`),
the months of the same calendar year already paid are computed again at the rate it gives, and the next monthly
payment carries the difference: refunded when less was due, recovered when more was (never more than that payment's
net: what is left is carried by the next one).

Nothing is stored beside the payments themselves: for a pension and a year, the difference is what is due on the
months already paid (their pension after the cumul, the situation recorded now) minus what their payments withheld,
regularisations included. Computed from the stored payments at each run, it is paid once whatever runs again (a
payment row per pension and month, :class:`~secu.especes.invalidite.VersementInvalidite`), and a revision after a
revision is the difference again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from secu.core.explication import Etape, Etapes
from secu.especes.invalidite import PensionInvalidite, VersementInvalidite
from secu.especes.rules import prelevements_pension

REF_REGULARISATION = (
    "CSS art. L. 136-1 et R. 242-1 (contributions dues pour la période au titre de laquelle la pension est attribuée) ; "
    "L. 136-8, III (RFR de l'avant-dernière année)"
)
CONTRIBUTIONS = ("csg", "crds", "casa")


@dataclass(frozen=True)
class Regularisation:
    """What the next payment gives back (positive) or takes (negative) of each contribution, and the months revised."""

    csg: int
    crds: int
    casa: int
    mois: tuple[date, ...]

    @property
    def total(self) -> int:
        return self.csg + self.crds + self.casa


def regularisations(session: Session, pensions: Iterable[PensionInvalidite], mois: date) -> dict[int, Regularisation]:
    """Per pension whose months of ``mois``'s year already paid bore other contributions than its situation now gives:
    the difference, withheld minus due (only the pensions with one)."""
    by_id = {p.id: p for p in pensions}
    if not by_id:
        return {}
    paid = session.execute(
        select(VersementInvalidite.pension_id, VersementInvalidite.mois, VersementInvalidite.pension_cents, VersementInvalidite.reduction_cents,
               VersementInvalidite.csg_cents, VersementInvalidite.crds_cents, VersementInvalidite.casa_cents)
        .where(VersementInvalidite.pension_id.in_(by_id), VersementInvalidite.mois >= date(mois.year, 1, 1), VersementInvalidite.mois < mois)
        .order_by(VersementInvalidite.pension_id, VersementInvalidite.mois)
    ).all()  # fmt: skip
    if not paid:
        return {}
    frame = pl.DataFrame(
        {
            "pension": [r[0] for r in paid],
            "mois": [r[1] for r in paid],
            "montant": [max(int(r[2]) - int(r[3]), 0) for r in paid],
            "categorie_csg": [by_id[r[0]].categorie_csg for r in paid],
            "rfr": [by_id[r[0]].rfr_cents for r in paid],
            "parts": [None if by_id[r[0]].parts is None else float(by_id[r[0]].parts) for r in paid],  # type: ignore[arg-type]
            "retenu_csg": [int(r[4]) for r in paid],
            "retenu_crds": [int(r[5]) for r in paid],
            "retenu_casa": [int(r[6]) for r in paid],
        },
        schema={"pension": pl.Int64, "mois": pl.Date, "montant": pl.Int64, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64,
                "retenu_csg": pl.Int64, "retenu_crds": pl.Int64, "retenu_casa": pl.Int64},
    )  # fmt: skip
    due = prelevements_pension(frame)
    sums = due.group_by("pension").agg(
        *((pl.col(f"retenu_{c}") - pl.col(c)).sum().alias(c) for c in CONTRIBUTIONS),
        pl.col("mois").sort().alias("mois"),
    )
    out = {}
    for row in sums.iter_rows(named=True):
        regul = Regularisation(row["csg"], row["crds"], row["casa"], tuple(row["mois"]))
        if any((regul.csg, regul.crds, regul.casa)):
            out[int(row["pension"])] = regul
    return out


def appliquer(retenue: Mapping[str, Any], regul: Regularisation | None) -> tuple[dict[str, int], list[Etape]]:
    """The month's withholdings (a :func:`~secu.especes.rules.prelevements_pension` row) with the regularisation:
    ``csg``, ``crds``, ``casa`` withheld this month (negative: given back) and the ``net`` paid, and the steps that
    explain it. A recovery takes at most the month's net; the rest stays owed and is carried by the next payment."""
    montants = {c: int(retenue[c]) for c in CONTRIBUTIONS}
    net = int(retenue["net"])
    if regul is None:
        return montants | {"net": net}, []
    delta = {"csg": regul.csg, "crds": regul.crds, "casa": regul.casa}
    if regul.total < 0 and -regul.total > net:  # a recovery beyond the month's net: up to the net, CSG first
        reste = net
        for c in CONTRIBUTIONS:
            pris = min(-delta[c], reste) if delta[c] < 0 else 0
            reste -= pris
            delta[c] = -pris if delta[c] < 0 else delta[c]
    steps = Etapes()
    periode = f"{regul.mois[0]:%m/%Y}" if len(regul.mois) == 1 else f"{regul.mois[0]:%m/%Y} à {regul.mois[-1]:%m/%Y}"
    sens = "remboursée" if sum(delta.values()) >= 0 else "récupérée"
    steps.ajoute(f"Régularisation des prélèvements des mois déjà payés ({periode}) au taux de la situation fiscale reçue", None, REF_REGULARISATION)
    for c, libelle in (("csg", "CSG"), ("crds", "CRDS"), ("casa", "CASA")):
        if delta[c]:
            steps.ajoute(f"{libelle} {'remboursée' if delta[c] > 0 else 'récupérée'} sur ces mois", abs(delta[c]), REF_REGULARISATION)
    total = sum(delta.values())
    net += total
    steps.ajoute(f"Montant net versé, régularisation {sens} comprise", net, None)
    return {c: montants[c] - delta[c] for c in CONTRIBUTIONS} | {"net": net}, list(steps)


__all__ = ["REF_REGULARISATION", "Regularisation", "appliquer", "regularisations"]
