"""What the famille branch books: the benefits its rules pay, as accounts (``src/secu/batch/README.md`` §3).

:func:`secu.famille.rules.droits` then :func:`~secu.famille.rules.par_prestation`:
charges ``prestations.<benefit>`` gross; the AAH, paid by the CAF for the
State (CSS L821-1), on the branch ``etat``; the CRDS withheld on the benefits
as a produit of the ``cades`` (``crds.prestations``). ``volume`` counts the
benefits paid. In the ledger both stay with the CNAF, which advances the one
and owes the other (:data:`GRAND_LIVRE`).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.jobs import CHARGE, PRODUIT, Partition, empty, months_to, rows
from secu.branches import Branche

BRANCHES = (Branche("famille", "Famille", "Famille", "famille"),)

GRAND_LIVRE = {
    ("etat", CHARGE, "prestations.aah"): ("famille", "creances.etat.aah"),  # advanced for the State, owed back
    ("cades", PRODUIT, "crds.prestations"): ("famille", "dettes.attributaires.cades"),  # withheld, owed to the CADES
}


def comptes_des_droits(foyers: pl.DataFrame, enfants: pl.DataFrame, mois: date) -> pl.DataFrame:
    """The month's rights of the households → charges ``prestations.<benefit>`` and the CRDS withheld."""
    from secu.famille.rules import SANS_CRDS, droits, par_prestation

    if foyers.height == 0:
        return empty()
    paid = par_prestation(droits(foyers, enfants))
    summary = (
        paid.group_by("prestation").agg(pl.col("brut").sum(), pl.col("crds").sum(), pl.len().alias("volume"))
        .with_columns(pl.col("prestation").cast(pl.String)).sort("prestation")
    )
    found = []
    crds = volume_crds = 0
    for r in summary.iter_rows(named=True):
        p = r["prestation"]
        # The AAH is paid by the CAF for the State (CSS L821-1: a State benefit); the others are the branch's.
        found.append(("etat" if p == "aah" else "famille", CHARGE, f"prestations.{p}", int(r["brut"]), int(r["volume"])))
        if p not in SANS_CRDS:
            crds += int(r["crds"])
            volume_crds += int(r["volume"])
    if crds:
        found.append(("cades", PRODUIT, "crds.prestations", crds, volume_crds))
    return rows(found, mois)


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's rights of the partition's households → charges and the CRDS withheld."""
    from secu.synth import evenements

    return comptes_des_droits(*evenements.famille(partition.personnes, partition.foyers, mois), mois)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """Each month's rights from January to ``jusqu_au`` (they do not cumulate over the year)."""
    return pl.concat([du_mois(partition, m) for m in months_to(jusqu_au)], how="vertical")
