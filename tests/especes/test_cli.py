"""`secu ij`: one arrêt's IJ for people and machines; bad input gets a French message naming the option, exit code 2.

Expected amounts: 3 × 2 000 € ÷ 91,25 × 50 % = 32,88 € (R. 323-4, R. 323-5); maximum 41,47 € for arrêts from
2025-04-01 (décret n° 2025-160); CSG 6,2 % and CRDS 0,5 % of the gross, each rounded half up.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from secu.cli import app

runner = CliRunner()


def test_json_keys_in_euros():
    result = runner.invoke(app, ["ij", "--risque", "maladie", "--debut", "2025-05-05", "--fin", "2025-05-18", "--salaires", "2000,2000,2000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("ij_journaliere", "jours_indemnises", "jours_carence", "montant_brut", "csg", "crds", "montant_net")} == {
        "ij_journaliere": 32.88, "jours_indemnises": 11, "jours_carence": 3, "montant_brut": 361.68,
        "csg": 22.42, "crds": 1.81, "montant_net": 337.45,
    }
    assert all(step["reference"] for step in data["explication"][:4])


def test_ald_has_no_carence_and_text_output_cites_the_decret():
    result = runner.invoke(app, ["ij", "--risque", "maladie", "--debut", "2025-05-05", "--fin", "2025-05-18", "--salaires", "6000,6000,6000", "--ald"])
    assert result.exit_code == 0, result.output
    assert "Jours de carence         : 0" in result.output and "Jours indemnisés         : 14" in result.output
    assert "41,47" in result.output and "2025-160" in result.output


def test_atmp_json_gives_the_day_29_amount():
    result = runner.invoke(app, ["ij", "--risque", "atmp", "--debut", "2023-03-01", "--fin", "2023-04-09", "--salaires", "20000,20000,20000", "--json"])
    data = json.loads(result.output)
    assert (data["ij_journaliere"], data["ij_journaliere_majoree"], data["jours_majores"]) == (220.14, 293.51, 12)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--risque", "grippe"], "--risque"),
        (["--fin", "2025-04-01"], "--fin"),
        (["--debut", "2025-13-01"], "--debut"),
        (["--salaires", "2000,-5,2000"], "--salaires"),
        (["--salaires", "2000,2000"], "--salaires"),
        (["--salaires", "2000,abc,2000"], "--salaires"),
    ],
)
def test_bad_input_exit_2_naming_the_option(args, option):
    base = {"--risque": "maladie", "--debut": "2025-05-05", "--fin": "2025-05-18", "--salaires": "2000,2000,2000"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = runner.invoke(app, ["ij", *[x for kv in base.items() for x in kv]])
    assert result.exit_code == 2
    assert result.output.startswith(option) or option in result.output
