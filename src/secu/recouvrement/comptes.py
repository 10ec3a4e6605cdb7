"""What the recouvrement books: the payslips' contributions, as the produits of each branch and third party.

Payslips through :func:`secu.recouvrement.rules.contributions`, then
:func:`secu.recouvrement.rules.financement` (the rule a DSN's declaration
uses too): the réduction générale imputed on the contributions it reduces pro
rata of their rates in T (CSS L241-13, D241-7), the CSG split by CSS L131-8,
payslip by payslip. Each branch gets its produits ``cotisations`` (``csa``
for the autonomie) and ``csg``; what is collected for others goes to them:
``unedic`` (chômage, CSG share), ``ags``, ``etat`` (``fnal``: the FNAL is a
State fund), ``cades`` (``crds``, ``csg``), ``agirc_arrco``, ``apec``,
``dialogue_social``. ``volume`` counts the month's payslips.

:data:`RECIPIENTS` is also how a DSN's money is booked in the ledger
(:func:`secu.recouvrement.financement.ledger_lines`). The vieillesse branch
is declared by :mod:`secu.retraite.comptes` (its pensions); its produits are
the contributions collected for it here.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.jobs import PRODUIT, Partition, empty, months_to, rows
from secu.branches import Branche
from secu.core.errors import InvalidField
from secu.recouvrement import rules

BRANCHES = (
    Branche("recouvrement", "Recouvrement", "Recouvrement", "recouvrement", simulee=False),
)

HORS_GRAND_LIVRE = frozenset({"agirc_arrco"})
"""Recipients the URSSAF does not collect for: the Agirc-Arrco institutions are paid by the employer directly."""

RECIPIENTS = {
    # recipient of a payslip line (rules.ATTRIBUTAIRES) → (branche, poste) in the accounts
    "maladie": ("maladie", "cotisations"),
    "atmp": ("atmp", "cotisations"),
    "vieillesse": ("vieillesse", "cotisations"),
    "famille": ("famille", "cotisations"),
    "autonomie": ("autonomie", "csa"),  # the only contribution on salaries for the CNSA (CSS L137-40)
    "cades": ("cades", "crds"),
    "fnal": ("etat", "fnal"),  # the FNAL is a State fund managed outside the régime général (CCH L813-1)
    "unedic": ("unedic", "cotisations"),
    "ags": ("ags", "cotisations"),
    "agirc_arrco": ("agirc_arrco", "cotisations"),
    "apec": ("apec", "cotisations"),
    "dialogue_social": ("dialogue_social", "contribution"),
}
RECIPIENTS_BY_LINE = {line: recipient for recipient, line in RECIPIENTS.items()}
CSG = {"maladie": "maladie", "autonomie": "autonomie", "famille": "famille", "unedic": "unedic", "cades": "cades"}
"""Recipient of a share of the CSG (rules.CSG_PARTS) → its ``branche`` in the accounts (poste ``csg``)."""


def comptes_des_bulletins(payslips: pl.DataFrame, mois: date) -> pl.DataFrame:
    """Payslips of the year up to ``mois`` → the month's produits of each branch and of each third party.

    The earlier months feed the cumulative rules (plafond, régularisation, réduction générale); only
    ``mois``'s lines are counted.
    """
    count = payslips.filter(pl.col("mois") == mois).height
    if count == 0:
        return empty()
    return _recouvrement_du_mois(rules.contributions(payslips).filter(pl.col("mois") == mois), mois, count)


def comptes_des_bulletins_de_l_annee(payslips: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """Payslips of the year up to ``jusqu_au`` through the rules at once → the produits of each month."""
    if payslips.height == 0:
        return empty()
    lines = rules.contributions(payslips)
    counts = payslips.group_by("mois").len()
    frames = [
        _recouvrement_du_mois(lines.filter(pl.col("mois") == month), month, int(count))
        for month, count in counts.sort("mois").iter_rows()
        if date(jusqu_au.year, 1, 1) <= month <= jusqu_au
    ]
    return pl.concat(frames, how="vertical") if frames else empty()


def _recouvrement_du_mois(lines: pl.DataFrame, mois: date, count: int) -> pl.DataFrame:
    """One month's contribution lines → its produits per recipient (:func:`secu.recouvrement.rules.financement`)."""
    found = []
    for r in rules.financement(lines, by=("mois",)).iter_rows(named=True):
        recipient, produit = r["attributaire"], r["produit"]
        place = (CSG[recipient], "csg") if produit == "csg" else RECIPIENTS.get(recipient)
        if place is None:  # a new recipient in the rules must be given a place, never dropped
            raise InvalidField("attributaire", f"attributaire sans place dans les comptes : {recipient!r}")
        found.append((place[0], PRODUIT, place[1], int(r["cents"]), count))
    return rows(sorted(found), mois)


def _payslips(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    from secu.synth import evenements

    def paie(month: date) -> pl.DataFrame:
        return partition.events("paie", month, lambda: evenements.paie(partition.personnes, partition.employeurs, month, partition.seed))

    return pl.concat([paie(m) for m in months_to(jusqu_au)], how="vertical_relaxed")


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's payslips of a partition (with the year's earlier ones) → produits per recipient."""
    return comptes_des_bulletins(_payslips(partition, mois), mois)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """The payslips of every month from January to ``jusqu_au`` → the produits of each month."""
    return comptes_des_bulletins_de_l_annee(_payslips(partition, jusqu_au), jusqu_au)
