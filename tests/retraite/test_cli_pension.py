"""`secu retraite pension`: one person's pension for people and machines; bad input: a French message naming the option, exit 2.

Expected amounts: 25 000 € × (50 − 10 × 0,625) % × 160 / 170 = 10 294,12 € (L. 351-1, D. 351-1-2), + 10 % for three
children (L. 351-12) = 11 323,53 € a year, 943,63 € a month; the generation 1964 under the LFSS 2026 suspension
(pension from 2026-09-01): 62 ans et 9 mois, 170 quarters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from secu.cli import app
from secu.retraite.cli import CLES_JSON

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["retraite", "pension", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_gives_the_keys_of_the_issue_in_euros_and_percent() -> None:
    code, out, _ = _run("--naissance", "1964-05-15", "--depart", "2027-03-01", "--sam", "25000", "--trimestres", "160", "--enfants", "3", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert set(CLES_JSON) <= set(data)
    assert {k: data[k] for k in CLES_JSON} == {
        "sam": 25000.0, "trimestres": 160, "duree_requise": 170, "taux": 43.75, "decote_trimestres": 10, "surcote_trimestres": 0,
        "prorata": round(160 / 170, 6), "minimum_contributif": False, "pension_annuelle": 11323.53, "pension_mensuelle": 943.63,
    }
    assert data["majoration_enfants"] == 1029.41
    assert all(step["reference"] for step in data["explication"][:-2])


def test_text_output_prints_each_step_with_its_article() -> None:
    code, out, _ = _run("--naissance", "1964-05-15", "--depart", "2027-03-01", "--sam", "25000", "--trimestres", "160")
    assert code == 0
    assert "Taux                     : 43,75\u00a0%" in out and "Pension mensuelle brute  : 857,84\u00a0€" in out  # 10 294,12 ÷ 12
    assert "D. 351-1-2" in out and "loi n° 2025-1403" in out


def test_trimestres_rg_and_cotises_default_to_the_total_and_can_be_given() -> None:
    code, out, _ = _run("--naissance", "1961-01-01", "--depart", "2026-01-01", "--sam", "8000", "--trimestres", "168",
                        "--trimestres-rg", "84", "--trimestres-cotises", "80", "--json")
    data = json.loads(out)
    assert code == 0 and (data["trimestres_rg"], data["trimestres_cotises"], data["prorata_numerateur"]) == (84, 80, 84)
    # 8 000 × 50 % × 84 / 168 = 2 000 €, brought to the minimum prorated, not majoré (80 cotisés < 120): 9 075,50 × 84 / 168
    assert data["pension_annuelle"] == 4537.75
    assert data["minimum_contributif"] is True


def test_carriere_file_computes_the_sam_and_the_quarters(tmp_path: Path) -> None:
    fichier = tmp_path / "carriere.json"
    fichier.write_text(json.dumps({"annees": [{"annee": 2023, "salaire": 40000}, {"annee": 2024, "salaire": 30000.5},
                                              {"annee": 2025, "salaire": 1000, "trimestres_assimiles": 2}],
                                   "trimestres_majoration": 8}), encoding="utf-8")
    code, out, err = _run("--naissance", "1963-05-15", "--depart", "2026-03-01", "--carriere", str(fichier), "--json")
    assert code == 0, err
    data = json.loads(out)
    # 2023: 40 000 × 1,085 = 43 400; 2024: 30 000,50 × 1,031 = 30 930,52; 2025 validates no quarter by its salary: left out.
    assert data["sam"] == round((43_400.00 + 30_930.52) / 2, 2)
    assert (data["trimestres"], data["trimestres_rg"], data["trimestres_cotises"]) == (4 + 4 + 2 + 8, 18, 8)
    assert data["explication"][0]["etape"].startswith("Salaire 2023 plafonné (40\u00a0000,00\u00a0€) × 1,085 : retenue")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--naissance", "1964-05-15", "--depart", "2027-02-01", "--sam", "25000", "--trimestres", "160"), "--depart : départ avant l'âge légal"),
        (("--naissance", "1964-05-15", "--depart", "1960-01-01", "--sam", "25000", "--trimestres", "160"), "--depart"),
        (("--naissance", "1964-13-15", "--depart", "2027-04-01", "--sam", "25000", "--trimestres", "160"), "--naissance"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-15", "--sam", "25000", "--trimestres", "160"), "--depart : une pension prend effet"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "25000", "--trimestres", "160", "--trimestres-rg", "170"), "--trimestres-rg"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "25000", "--trimestres", "260"), "--trimestres : plus de trimestres cotisés"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "25000", "--trimestres", "160", "--trimestres-cotises", "170"),
         "--trimestres-cotises"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "25000", "--trimestres", "-1"), "--trimestres"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "douze", "--trimestres", "160"), "--sam"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--trimestres", "160"), "--sam"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--sam", "1", "--trimestres", "160", "--carriere-longue", "17"), "--carriere-longue"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--carriere", "/nonexistent.json"), "--carriere"),
        (("--naissance", "1964-05-15", "--depart", "2027-04-01", "--carriere", "x.json", "--sam", "1"), "--carriere"),
    ],
)
def test_bad_input_exits_2_with_a_french_message_naming_the_option(args: tuple[str, ...], option: str) -> None:
    code, _, err = _run(*args)
    assert code == 2
    assert err.startswith(option), err


def test_bad_career_files_name_the_option(tmp_path: Path) -> None:
    for contenu in ("[]", '{"annees": []}', '{"annees": [{"annee": 1971, "salaire": 100}]}', '{"annees": [{"annee": 2020, "salaire": "x"}]}',
                    '{"annees": [{"annee": 2020}]}', '{"annees": [{"annee": 2020, "salaire": 1, "bonus": 2}]}', "pas du json"):
        fichier = tmp_path / "c.json"
        fichier.write_text(contenu, encoding="utf-8")
        code, _, err = _run("--naissance", "1961-05-15", "--depart", "2024-06-01", "--carriere", str(fichier))
        assert code == 2 and err.startswith("--carriere"), (contenu, err)


def test_the_group_also_holds_the_solidarity_commands() -> None:
    result = runner.invoke(app, ["retraite", "--help"])
    assert result.exit_code == 0
    for commande in ("pension", "reversion", "veuvage", "aspa"):
        assert commande in result.stdout
