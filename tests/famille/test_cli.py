"""`secu famille`: a household's benefits for one month, for people and machines; French errors naming the field, exit code 2.

Expected amounts are the law's: BMAF of 1 April 2025 = 474,37 € (Instruction
DSS/2A/2C/2025/32); AF for three children, tranche 1 = 73 % of the BMAF (CSS
D521-1); PAJE allocation de base taux plein = 41,65 % (D531-3); ARS = 89,72 %
(6–10 years) and 94,67 % (11–14 years) (D543-1); CRDS 0,5 % (ordonnance 96-50,
art. 14 and 19) rounded down to the cent, each other amount to the nearest cent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from secu.cli import app

runner = CliRunner()

FAMILLE = {
    "parents": ["1985-03-01", "1987-07-01"],
    "enfants": [
        {"date_naissance": "2012-05-01", "garde_alternee": False, "salaire_net_mensuel": 0},
        {"date_naissance": "2016-09-12"},
        {"date_naissance": "2024-02-01"},
    ],
    "ressources_n2": 40000,
    "biactif": False,
}


def _file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "foyer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _json(tmp_path: Path, mois: str, data: object = FAMILLE) -> dict:
    result = runner.invoke(app, ["famille", "--mois", mois, "--foyer", _file(tmp_path, data), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_june_2025_af_and_allocation_de_base(tmp_path: Path) -> None:
    data = _json(tmp_path, "2025-06")
    amounts = {p["prestation"]: (p["brut_cents"], p["crds_cents"], p["net_cents"]) for p in data["prestations"]}
    assert amounts == {
        "af": (34629, 173, 34456),  # 474,37 × 73 % = 346,29 ; CRDS 1,73
        "paje_base": (19758, 98, 19660),  # 474,37 × 41,65 % = 197,58 (40 000 € ≤ 43 945 €, plafond taux plein, 3 enfants)
    }
    assert data["total_net_cents"] == 34456 + 19660
    for benefit in data["prestations"]:
        steps = benefit["explication"]
        assert steps[-1]["montant_cents"] == benefit["net_cents"]
        assert any(step["reference"] for step in steps)


def test_august_adds_the_allocation_de_rentree_scolaire(tmp_path: Path) -> None:
    data = _json(tmp_path, "2025-08")
    ars = next(p for p in data["prestations"] if p["prestation"] == "ars")
    assert ars["brut_cents"] == 44909 + 42560  # 13 ans : 94,67 % ; 8 ans : 89,72 % ; le bébé n'y a pas droit
    assert ars["crds_cents"] == 437


def test_table_for_people(tmp_path: Path) -> None:
    result = runner.invoke(app, ["famille", "--mois", "2025-06", "--foyer", _file(tmp_path, FAMILLE)])
    assert result.exit_code == 0, result.output
    for text in ("Allocations familiales", "346,29\u00a0€", "344,56\u00a0€", "Allocation de base (PAJE)", "CRDS"):
        assert text in result.output


@pytest.mark.parametrize(
    ("mois", "data", "field"),
    [
        ("2025-06", {**FAMILLE, "parents": []}, "parents"),
        ("2025-06", {**FAMILLE, "ressources_n2": -1}, "ressources_n2"),
        ("2025-06", {**FAMILLE, "enfants": [{"date_naissance": "2025-09-01"}]}, "enfants[0].date_naissance"),
        ("2025-13", FAMILLE, "mois"),
    ],
)
def test_bad_input_names_the_field(tmp_path: Path, mois: str, data: object, field: str) -> None:
    result = runner.invoke(app, ["famille", "--mois", mois, "--foyer", _file(tmp_path, data)])
    assert result.exit_code == 2
    assert field in result.output


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "foyer.json"
    path.write_text("{pas du json", encoding="utf-8")
    result = runner.invoke(app, ["famille", "--mois", "2025-06", "--foyer", str(path)])
    assert result.exit_code == 2
    assert "JSON illisible" in result.output
