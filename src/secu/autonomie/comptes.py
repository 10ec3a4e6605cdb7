"""What the autonomie branch books in the simulated year.

Its produits (the CSA, its share of the CSG) come from the payslips
(:mod:`secu.recouvrement.comptes`). Its expenses are not simulated: the
dataset contract (``src/secu/batch/README.md`` §1) carries no GIR, plan
d'aide or resources of the elderly, which :mod:`secu.autonomie.rules` needs;
inventing them here would be a second generator. The CNSA carries the branch
in the ledger.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.jobs import Partition, empty
from secu.branches import Branche

BRANCHES = (Branche("autonomie", "Autonomie", "Autonomie", "autonomie"),)


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    return empty()


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    return empty()
