"""A new branch plugs in with its own comptes module: the batch job, the simulated year and the analyst pages read it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from secu import branches
from secu.batch import jobs
from secu.simulation import run

MARS = date(2025, 3, 1)
SEED = 11
ESSAI = "tests.simulation.branche_essai"


@pytest.fixture
def essai() -> Iterator[None]:
    branches.register(ESSAI)
    try:
        yield
    finally:
        branches.unregister(ESSAI)


def test_every_branch_declares_its_accounts_and_its_caisse() -> None:
    codes = [b.code for b in branches.branches()]
    assert codes[:2] == ["maladie", "atmp"] and {"vieillesse", "famille", "autonomie", "recouvrement"} <= set(codes)
    # The national caisses are the organismes' (no copied map): CNAM carries maladie and AT/MP, the CNAV the retraite.
    assert {b.grand_livre: branches.caisse_nationale(b.grand_livre) for b in branches.branches()} == {
        "maladie": "CNAM", "atmp": "CNAM", "retraite": "CNAV", "famille": "CNAF", "autonomie": "CNSA", "recouvrement": "URSSAF-CN",
        "fsv": "FSV"}  # the FSV is a fund, not a caisse: its branch names it (secu.retraite.comptes)
    assert branches.hors_grand_livre() == {"agirc_arrco"}


def test_a_new_branch_reaches_the_job_the_ledger_and_the_pages(essai: None, dataset: Path) -> None:
    from secu.web import analyste

    people = pl.read_parquet(jobs.partition_path(dataset, "personnes", 0)).height
    month = jobs.mois(dataset, 0, MARS, SEED)
    mine = month.filter(pl.col("branche") == "essai")
    assert sorted(mine.select("sens", "poste", "montant_cents").rows()) == [
        ("charge", "prestations.essai", 100 * people), ("produit", "cotisations", 100 * people)]
    year = jobs.annee(dataset, 0, MARS, SEED)
    assert year.filter(pl.col("branche") == "essai").height == 6  # two lines for each month, January to March
    # The simulated year books it on its ledger branch, at the caisse the organismes give that branch.
    p = run.Parametres(2025, Decimal("0.00002"), 1368, SEED)
    books = {(line.branche, line.organisme_code, line.compte): line.montant_cents
             for entry in run.entries(month, p, "essai") for line in entry.lignes}
    assert books[("autonomie", "CNSA", "simulation.charges.prestations.essai")] == 100 * people
    assert books[("autonomie", "CNSA", "simulation.produits.cotisations")] == -100 * people
    # The report shows it as a branch (without published accounts), not as a third party.
    doc = run.rapport(run.Resultat(p, dataset, month))
    assert "essai" in doc["branches"] and "essai" not in doc["tiers"] and doc["branches"]["essai"]["publie"] == {}
    assert analyste._branches_simulees()["essai"] == "Essai"
    assert analyste.comparaison(doc)["lignes"][-1]["branche"] == "Essai"
