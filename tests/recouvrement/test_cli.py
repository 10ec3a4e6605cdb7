"""`secu cotisations`: the quick check, for people (Rich table) and machines (--json); French errors, exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from secu.cli import app

runner = CliRunner()


def test_table_shows_every_line_and_the_net() -> None:
    result = runner.invoke(app, ["cotisations", "--brut", "3000", "--mois", "2025-03", "--effectif", "30", "--taux-atmp", "0.0208"])
    assert result.exit_code == 0, result.output
    for text in ("maladie", "vieillesse_plafonnee", "csg_deductible", "crds", "Salaire net avant impôt", "2\u00a0374,79\u00a0€"):
        assert text in result.output


def test_json_in_cents_with_exact_rates() -> None:
    result = runner.invoke(app, ["cotisations", "--brut", "1823,03", "--mois", "2026-01", "--effectif", "60", "--taux-atmp", "0.0208", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    lines = {line["code"]: line for line in data["lignes"]}
    assert lines["reduction_generale"]["montant_patronal_cents"] == -73304  # 0,4021 × 1 823,03 (RGDU at the SMIC)
    assert lines["reduction_generale"]["taux_patronal"] == "-0.4021"
    assert lines["maladie"]["taux_patronal"] == "0.13"
    assert data["net_avant_impot_cents"] == data["brut_cents"] - sum(line["montant_salarial_cents"] for line in data["lignes"])
    assert all(line["reference"] for line in data["lignes"])


def test_cadre_part_time_and_atmp_options() -> None:
    result = runner.invoke(app, ["cotisations", "--brut", "6000", "--mois", "2025-03", "--effectif", "100", "--cadre",
                                 "--taux-atmp", "0.0150", "--json"])
    lines = {line["code"]: line for line in json.loads(result.output)["lignes"]}
    assert {"apec", "cet", "agirc_arrco_t2"} <= set(lines)
    assert lines["atmp"]["montant_patronal_cents"] == 9000
    result = runner.invoke(app, ["cotisations", "--brut", "1000", "--mois", "2025-03", "--effectif", "10", "--taux-atmp", "0.0208", "--heures", "75.84",
                                 "--heures-contrat", "75.84", "--json"])
    data = json.loads(result.output)
    assert data["plafond_cents"] == 196263 and data["coefficient_reduction"] == "0.2351"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (["--brut", "-3000", "--mois", "2025-03", "--effectif", "30", "--taux-atmp", "0.0208"], "brut"),
        (["--brut", "trois mille", "--mois", "2025-03", "--effectif", "30", "--taux-atmp", "0.0208"], "brut"),
        (["--brut", "3000", "--mois", "2025-13", "--effectif", "30", "--taux-atmp", "0.0208"], "mois"),
        (["--brut", "3000", "--mois", "2022-12", "--effectif", "30", "--taux-atmp", "0.0208"], "mois"),
        (["--brut", "3000", "--mois", "2025-03", "--effectif", "-1", "--taux-atmp", "0.0208"], "effectif"),
        (["--brut", "3000", "--mois", "2025-03", "--effectif", "30", "--taux-atmp", "2,08 %"], "taux_atmp"),
        (["--brut", "3000", "--mois", "2025-03", "--effectif", "30", "--taux-atmp", "0.0208", "--heures", "abc"], "heures"),
        (["--brut", "3000", "--mois", "2025-03", "--effectif", "30"], "taux_atmp"),  # the rate notified by the Carsat: never a silent default
    ],
)
def test_bad_input_french_message_exit_2(arguments: list[str], field: str) -> None:
    result = runner.invoke(app, ["cotisations", *arguments])
    assert result.exit_code == 2
    assert field in result.output
