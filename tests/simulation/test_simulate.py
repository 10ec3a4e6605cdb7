"""`secu simulate` as a person runs it: the table, the JSON, the ledger booked once, the refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from secu.cli import app
from secu.simulation import publies
from secu.simulation import run as simulation

runner = CliRunner()
SCALE = "0.00002"  # 1 368 people


def _simulate(*args: str) -> object:
    return runner.invoke(app, ["simulate", "--scale", SCALE, "--seed", "5", *args], env={"COLUMNS": "200"})


def _expected_entries(doc: dict) -> int:
    """One entry per month for each branch that moved money, and one for what the URSSAF collects for others."""
    moving = [b for b, row in doc["branches"].items() if row["simule"]["recettes_cents"] or row["simule"]["depenses_cents"]]
    return 12 * (len(moving) + 1)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'secu.db'}"


@pytest.fixture(scope="module")
def run_2025(tmp_path_factory: pytest.TempPathFactory, database: str) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sim") / "2025"
    result = _simulate("--year", "2025", "--out", str(out), "--database", database, "--json")
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_the_json_puts_each_branch_beside_its_published_accounts(run_2025: tuple[Path, dict]) -> None:
    out, doc = run_2025
    assert (doc["annee"], doc["personnes"], doc["echelle"]) == (2025, 1368, SCALE)
    assert doc["publie"]["perimetre"] == "ROBSS" and "LFSS 2026" in doc["publie"]["source"]
    published = publies.annee(2025)
    for name in publies.BRANCHES:
        branch = doc["branches"][name]
        s, x, r = branch["simule"], branch["extrapole"], branch["ratio"]
        assert s["solde_cents"] == s["recettes_cents"] - s["depenses_cents"]
        # Scaled back by 68 400 000 / 1 368 = 50 000 exactly.
        assert x["recettes_cents"] == s["recettes_cents"] * 50_000 and x["depenses_cents"] == s["depenses_cents"] * 50_000
        assert Decimal(branch["publie"]["recettes_md"]) == published.branches[name].recettes
        assert r["recettes"] == pytest.approx(x["recettes_cents"] / (float(published.branches[name].recettes) * 1e11), abs=5e-4)
        assert branch["perimetre_simule"]["recettes"] and branch["perimetre_simule"]["depenses"]
        # AT/MP earns only when the employers have a rate (the generator gives one: 0 would be its bug, not ours).
        assert s["recettes_cents"] > 0 or name == "atmp", name
    # The pensions of the synthetic retirees are paid (secu.retraite.comptes), the ASPA on the FSV's account.
    assert doc["branches"]["vieillesse"]["simule"]["depenses_cents"] > 0 and doc["branches"]["vieillesse"]["ratio"]["depenses"] > 0
    assert "pensions de droit propre" in doc["branches"]["vieillesse"]["perimetre_simule"]["depenses"]
    assert "fsv" in doc["tiers"]
    assert doc["branches"]["maladie"]["simule"]["depenses_cents"] > 0 and doc["branches"]["famille"]["simule"]["depenses_cents"] > 0
    assert {"unedic", "cades", "etat", "agirc_arrco"} <= set(doc["tiers"])
    assert json.loads((out / "resultat.json").read_text()) == doc


def test_the_ledger_balances_and_a_second_run_books_nothing_twice(run_2025: tuple[Path, dict], database: str) -> None:
    out, doc = run_2025
    entries = _expected_entries(doc)
    assert doc["grand_livre"]["ecritures"] == doc["grand_livre"]["nouvelles"] == entries
    engine = sa.create_engine(database)

    def ledger() -> tuple[int, list[tuple[str, int]], dict[str, int]]:
        with engine.connect() as c:
            count = c.execute(sa.text("select count(*) from ecriture where cle_idempotence like 'simulation:%'")).scalar_one()
            sums = c.execute(sa.text("select ecriture_id, sum(montant_cents) from ligne_ecriture group by ecriture_id")).all()
            produits = dict(c.execute(sa.text(
                "select branche, -sum(montant_cents) from ligne_ecriture where compte like 'simulation.produits.%' group by branche")).all())
        return count, sums, produits

    count, sums, produits = ledger()
    assert count == entries and all(total == 0 for _, total in sums)
    # The ledger carries the accounts: the maladie branch's produits are the simulated revenues.
    assert produits["maladie"] == doc["branches"]["maladie"]["simule"]["recettes_cents"]
    assert produits["retraite"] == doc["branches"]["vieillesse"]["simule"]["recettes_cents"]

    again = _simulate("--year", "2025", "--out", str(out), "--database", database, "--json")
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)
    assert second["grand_livre"] == {**doc["grand_livre"], "nouvelles": 0}
    assert second["branches"] == doc["branches"]
    assert ledger() == (count, sums, produits)
    engine.dispose()


def test_the_table_for_2024_reads_against_the_executed_accounts(tmp_path: Path, database: str) -> None:
    result = _simulate("--year", "2024", "--out", str(tmp_path / "2024"), "--database", database)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Année simulée 2024" in text and "1\u202f368 personnes" in text
    for label in ("Maladie", "AT-MP", "Vieillesse", "Famille", "Autonomie", "recettes", "dépenses", "solde", "Ratio"):
        assert label in text
    # The 2024 executed ROBSS figures, with their source and perimeter.
    assert "253,0" in text and "288,2" in text and "exécuté" in text and "ROBSS" in text
    assert "pensions de droit propre et de réversion du régime général" in text and "ni hôpital" in text
    assert "écriture(s) équilibrée(s), une par branche et par mois" in text
    # The IJ beside the published IJ (DREES 2023: 10,2 + 2,7 + 4,1 = 17,0 Md€), with their source.
    assert "Prestations en espèces" in text and "Total des IJ" in text and "17,0" in text and "Les arrêts maladie indemnisés en 2023" in text


@pytest.mark.parametrize(("args", "field", "words"), [
    (["--year", "2025", "--scale", "0"], "echelle", "impossible"),
    (["--year", "2025", "--scale", "-0.5"], "echelle", "impossible"),
    (["--year", "2025", "--scale", "1.5"], "echelle", "impossible"),
    (["--year", "2025", "--scale", "0.000000001"], "echelle", "moins d'une personne"),
    (["--year", "2025", "--scale", "beaucoup"], "echelle", "illisible"),
    (["--year", "2022"], "annee", "pas de paramètres légaux pour 2022"),
    (["--year", "2027"], "annee", "pas de paramètres légaux pour 2027"),
    (["--year", "2025", "--engine", "hadoop"], "engine", "moteur inconnu"),
])
def test_impossible_input_is_refused_in_french(tmp_path: Path, args: list[str], field: str, words: str) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["simulate", "--out", str(out), "--database", f"sqlite:///{tmp_path / 'db.sqlite'}", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{field} : ") and words in result.stderr
    assert not out.exists() and not (tmp_path / "db.sqlite").exists()  # nothing written


def test_a_folder_holding_something_else_is_refused_and_kept(run_2025: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = run_2025
    before = sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*"))
    other = runner.invoke(app, ["simulate", "--year", "2024", "--scale", SCALE, "--seed", "5", "--out", str(out),
                                "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    assert other.exit_code == 2 and "out : " in other.stderr and "autre simulation" in other.stderr and "année 2025" in other.stderr
    assert sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*")) == before
    busy = tmp_path / "occupe"
    busy.mkdir()
    (busy / "notes.txt").write_text("à garder")
    refused = runner.invoke(app, ["simulate", "--year", "2025", "--scale", SCALE, "--out", str(busy),
                                  "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    assert refused.exit_code == 2 and "n'est pas vide" in refused.stderr
    assert [p.name for p in busy.iterdir()] == ["notes.txt"] and (busy / "notes.txt").read_text() == "à garder"


def test_the_published_accounts_carry_source_and_perimeter() -> None:
    assert publies.annees() == tuple(range(simulation.ANNEE_MIN, simulation.ANNEE_MAX + 1))
    for year in publies.annees():
        published = publies.annee(year)
        assert published.source and published.perimetre == "ROBSS" and set(published.branches) == set(publies.BRANCHES)
        for name, c in published.branches.items():
            # Published figures are rounded to 0.1 Md€: the balance may differ from their difference by 0.1.
            assert abs(c.recettes - c.depenses - c.solde) <= Decimal("0.1"), (year, name)
    assert publies.annee(2024).statut == "exécuté"
    assert simulation.personnes_pour(Decimal("0.001")) == 68_400
