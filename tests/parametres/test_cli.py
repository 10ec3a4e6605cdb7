"""`secu param`, as a person types it (Typer's CliRunner on secu.cli.app)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from secu.cli import app

runner = CliRunner()


def test_history_as_a_table() -> None:
    result = runner.invoke(app, ["param", "smic.horaire"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "smic.horaire" in out
    for text in ("01/01/2023", "11,27", "01/01/2026", "12,02", "Décret n° 2025-1228", "date d'effet", "référence"):
        assert text in out, text


def test_value_on_a_date() -> None:
    result = runner.invoke(app, ["param", "smic.horaire", "--date", "2026-01-15"])
    assert result.exit_code == 0, result.output
    assert "Valeur le 15/01/2026 : 12,02\u00a0€ par heure (en vigueur depuis le 01/01/2026)" in result.stdout
    assert "Référence : Décret n° 2025-1228 du 17 décembre 2025 portant relèvement du salaire minimum de croissance" in result.stdout


def test_json_history() -> None:
    result = runner.invoke(app, ["param", "bmaf", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == "bmaf" and data["unit"] == "eur" and data["description"]
    assert {"date_effet": "2026-04-01", "value": "478.16"}.items() <= data["values"][-1].items()
    assert all(isinstance(v["value"], str) and v["reference"] for v in data["values"])


def test_json_on_a_date() -> None:
    result = runner.invoke(app, ["param", "smic.mensuel", "--date", "2023-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {
        "name": "smic.mensuel",
        "unit": "eur",
        "date": "2023-01-01",
        "date_effet": "2023-01-01",
        "value": "1709.28",
        "reference": data["reference"],
    }
    assert data["reference"].startswith("Décret n° 2022-1608 du 22 décembre 2022")


def test_unknown_name_lists_close_names_and_exits_2() -> None:
    result = runner.invoke(app, ["param", "smic.horair"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "paramètre inconnu : 'smic.horair'" in result.stderr
    assert "Noms proches : smic.horaire" in result.stderr


def test_bad_date_exits_2() -> None:
    for bad in ("2026-13-01", "15/01/2026", "2026-1-5", "demain"):
        result = runner.invoke(app, ["param", "smic.horaire", "--date", bad])
        assert result.exit_code == 2, bad
        assert "n'est pas une date valide" in result.stderr and "AAAA-MM-JJ" in result.stderr


def test_date_before_first_value_exits_2() -> None:
    result = runner.invoke(app, ["param", "bmaf", "--date", "2020-01-01"])
    assert result.exit_code == 2
    assert "aucune valeur de bmaf en vigueur le 01/01/2020" in result.stderr
