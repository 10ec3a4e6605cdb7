"""A fake branch for tests/simulation/test_branches.py: what a new branch's ``comptes`` module declares, nothing more."""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.jobs import CHARGE, PRODUIT, Partition, months_to, rows
from secu.branches import Branche

BRANCHES = (Branche("essai", "Branche d'essai", "Essai", "autonomie"),)


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """One euro of benefit per person of the partition, and the same as produit."""
    people = partition.personnes.height
    return rows([("essai", CHARGE, "prestations.essai", 100 * people, people), ("essai", PRODUIT, "cotisations", 100 * people, people)], mois)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    return pl.concat([du_mois(partition, m) for m in months_to(jusqu_au)])
