"""`secu route`, as a person types it (Typer's CliRunner on secu.cli.app)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from secu.cli import app

runner = CliRunner()


def test_text_output() -> None:
    result = runner.invoke(app, ["route", "--departement", "2A", "--branche", "maladie"])
    assert result.exit_code == 0, result.output
    assert "CPAM-2A" in result.stdout and "CPAM de la Corse-du-Sud" in result.stdout


def test_json_output() -> None:
    result = runner.invoke(app, ["route", "--departement", "2a", "--branche", "Retraite", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "code": "CARSAT-SUD-EST",
        "nom": "Carsat Sud-Est",
        "type": "CARSAT",
        "branches": ["atmp", "retraite"],
        "departement": "2A",
        "branche": "retraite",
    }


def test_commune_and_regime() -> None:
    result = runner.invoke(app, ["route", "--departement", "59", "--branche", "maladie", "--commune", "59512", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "CPAM-59-ROUBAIX"
    result = runner.invoke(app, ["route", "--departement", "59", "--branche", "famille", "--regime", "agricole"])
    assert result.exit_code == 0 and "MSA-59" in result.stdout and "MSA Nord-Pas de Calais" in result.stdout


def test_refusals_exit_2_with_the_french_message_on_stderr() -> None:
    result = runner.invoke(app, ["route", "--departement", "20", "--branche", "maladie"])
    assert result.exit_code == 2
    assert "2A (Corse-du-Sud) et 2B (Haute-Corse)" in result.stderr and result.stdout == ""

    result = runner.invoke(app, ["route", "--departement", "59", "--branche", "maladie"])
    assert result.exit_code == 2
    assert "commune : le département 59 relève de plusieurs caisses" in result.stderr

    result = runner.invoke(app, ["route", "--departement", "75", "--branche", "sante", "--json"])
    assert result.exit_code == 2
    assert "branche inconnue : sante" in result.stderr and result.stdout == ""

    result = runner.invoke(app, ["route", "--departement", "975", "--branche", "famille"])
    assert result.exit_code == 2 and "collectivité d'outre-mer" in result.stderr


def test_help_lists_the_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "route" in result.stdout
