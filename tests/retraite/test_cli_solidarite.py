"""`secu retraite reversion | veuvage | aspa | aspa-recuperation` (run here through ``secu.retraite.cli_solidarite.app``).

Expected amounts are those of the worked examples of test_reversion.py, test_veuvage.py and test_aspa.py (their
sources are cited there): a réversion of 540 € under the 2025 ceiling, écrêtée to 392,53 €; an allocation veuvage
of 713,17 € reduced to 558,13 €; an ASPA of 1 034,28 € less 600 € of resources; 22 383,40 € recovered on an estate
of 130 000 €. Bad input: a French message naming the option on stderr, exit code 2.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from secu.retraite.cli_solidarite import EXIT_BAD_INPUT, app, register

runner = CliRunner()

REVERSION = ["reversion", "--deces", "2025-01-10", "--naissance", "1958-03-02", "--pension-defunt", "1000", "--trimestres-defunt", "160"]


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_reversion_json_under_the_ceiling_and_ecretee():
    sous = _json([*REVERSION, "--ressources-3-mois", "4500"])
    assert (sous["date_effet"], sous["reversion_mensuelle"], sous["ecretee"]) == ("2025-02-01", 540.0, False)
    ecretee = _json([*REVERSION, "--ressources-3-mois", "5000"])
    assert (ecretee["depassement"], ecretee["reversion_annuelle"], ecretee["reversion_mensuelle"], ecretee["ecretee"]) == (1769.6, 4710.4, 392.53, True)
    assert all(step["reference"] for step in ecretee["explication"][:3])


def test_reversion_text_output_prints_the_steps_and_articles():
    result = runner.invoke(app, [*REVERSION, "--ressources-3-mois", "5000"])
    assert result.exit_code == 0, result.output
    assert "392,53" in result.output and "D. 353-1-1" in result.output and "L. 353-1, al. 1 et 4" in result.output


def test_veuvage_json_reduced():
    data = _json(["veuvage", "--deces", "2025-02-10", "--naissance", "1980-06-01", "--mois", "2025-06", "--affiliation-mois", "12",
                  "--ressources-trimestre", "1000"])
    assert (data["droit"], data["plafond_trimestriel"], data["reduction_mensuelle"], data["allocation_mensuelle"]) == (True, 2674.39, 155.04, 558.13)


def test_aspa_json_single_and_couple():
    seul = _json(["aspa", "--date-effet", "2025-03-01", "--naissance", "1955-01-01", "--ressources-3-mois", "1800"])
    assert (seul["aspa_mensuelle"], seul["aspa_annuelle"]) == (434.28, 5211.44)
    couple = _json(["aspa", "--date-effet", "2025-03-01", "--naissance", "1955-01-01", "--couple", "--conjoint-demandeur",
                    "--naissance-conjoint", "1957-06-01", "--ressources-3-mois", "3000"])
    assert (couple["aspa_mensuelle"], couple["aspa_mensuelle_allocataire"], couple["allocataires"]) == (605.73, 302.86, 2)


def test_aspa_recuperation_json():
    data = _json(["aspa-recuperation", "--deces", "2025-06-01", "--actif-net", "130000", "--aspa-versee", "100000", "--mois-versement", "120"])
    assert (data["seuil_recuperation"], data["recuperation"]) == (107616.6, 22383.4)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([*REVERSION[:2], "2025-02-30", *REVERSION[3:]], "--deces"),
        ([*REVERSION, "--pension-defunt", "mille"], "--pension-defunt"),
        ([*REVERSION, "--ressources-3-mois", "-5"], "--ressources-3-mois"),
        ([*REVERSION, "--ressources-3-mois", "7000"], "--revenus-activite-12-mois"),
        ([*REVERSION, "--date-effet", "2024-12-01"], "--date-effet"),
        ([*REVERSION, "--duree-mariage", "900", "--duree-mariages-total", "500"], "--duree-mariage"),
        (["veuvage", "--deces", "2025-02-10", "--naissance", "1980-06-01", "--mois", "2025-13", "--affiliation-mois", "12"], "--mois"),
        (["veuvage", "--deces", "2025-02-10", "--naissance", "1980-06-01", "--mois", "2024-06", "--affiliation-mois", "12"], "--mois"),
        (["aspa", "--date-effet", "2025-03-01", "--naissance", "1955-01-01", "--conjoint-demandeur"], "--conjoint-demandeur"),
        (["aspa", "--date-effet", "2025-03-01", "--naissance", "1955-01-01", "--couple", "--conjoint-demandeur"], "--naissance-conjoint"),
        (["aspa-recuperation", "--deces", "2025-06-01", "--actif-net", "cent mille", "--aspa-versee", "1", "--mois-versement", "1"], "--actif-net"),
        (["aspa-recuperation", "--deces", "2025-06-01", "--actif-net", "1", "--aspa-versee", "1", "--mois-versement", "-1"], "--mois-versement"),
    ],
)
def test_bad_input_exit_2_naming_the_option_in_french(args, option):
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.output.startswith(option), result.output


def test_register_adds_the_four_commands():
    host = typer.Typer()
    register(host)
    assert sorted(c.name for c in host.registered_commands) == ["aspa", "aspa-recuperation", "reversion", "veuvage"]


def test_runnable_as_a_module():
    done = subprocess.run([sys.executable, "-m", "secu.retraite.cli_solidarite", *REVERSION, "--ressources-3-mois", "4500", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reversion_mensuelle"] == 540.0
