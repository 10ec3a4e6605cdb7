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
        "statut": "confirme",
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


def test_history_shows_each_values_statut() -> None:
    result = runner.invoke(app, ["param", "mtp"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "statut" in result.stdout and "source secondaire" in result.stdout and "non vérifié" in result.stdout


def test_a_table_and_a_barème_read_by_line() -> None:
    result = runner.invoke(app, ["param", "apa.plafond", "--date", "2025-03-01"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Valeur le 01/03/2025 (en vigueur depuis le 01/01/2024) :\n  gir1 : 1,615\n  gir2 : 1,306\n  gir3 : 0,944\n  gir4 : 0,63\n" in result.stdout
    assert "Statut : confirmé" in result.stdout  # CASF R. 232-10 (version of 1 January 2024) read
    result = runner.invoke(app, ["param", "recouvrement_indus.bareme", "--date", "2025-03-01"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for line in ("  de 0\u00a0€ à 266\u00a0€ : 0\u00a0%", "  de 266\u00a0€ à 397\u00a0€ : 25\u00a0%", "  au-delà de 793\u00a0€ : 60\u00a0%"):
        assert line in result.stdout, line
    result = runner.invoke(app, ["param", "af.tranche"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "2 : deuxieme_enfant 16\u00a0% ; enfant_suivant 20,5\u00a0%" in result.stdout


def test_json_of_a_table_and_a_barème_is_exact_text() -> None:
    data = json.loads(runner.invoke(app, ["param", "af.tranche", "--json"]).stdout)
    assert data["type"] == "table" and data["values"][0]["statut"] == "confirme"
    assert data["values"][0]["value"]["3"] == {"deuxieme_enfant": "0.08", "enfant_suivant": "0.1025", "majoration_age": "0.04", "forfait": "0.05059"}
    data = json.loads(runner.invoke(app, ["param", "recouvrement_indus.bareme", "--date", "2025-01-01", "--json"]).stdout)
    assert data["value"][1] == {"seuil": "266", "taux": "0.25"} and data["statut"] == "non-verifie"


def test_non_verifies_lists_every_value_not_confirmed_by_domain_and_the_tariffs() -> None:
    from secu.core.parameters import parameters
    from secu.maladie.tarifs import tarifs

    expected = [(p.domain, p.name, v.date_effet.isoformat()) for p in parameters() for v in p.values if v.statut != "confirme"]
    rows = [r for r in tarifs().rows if r.statut != "confirme"]
    assert expected and rows  # the tree still has some: the listing is not vacuous
    result = runner.invoke(app, ["param", "--non-verifies", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    listed = [(domain, v["name"], v["date_effet"]) for domain, values in data["parametres"]["par_domaine"].items() for v in values]
    assert sorted(listed) == sorted(expected) and data["parametres"]["count"] == len(expected)
    assert all(v["statut"] in ("secondaire", "non-verifie") and v["reference"] for vs in data["parametres"]["par_domaine"].values() for v in vs)
    assert data["tarifs"]["count"] == len(rows) and data["count"] == len(expected) + len(rows)
    assert [(r["acte"], r["date_effet"]) for r in data["tarifs"]["lignes"]] == [(r.acte, r.date_effet.isoformat()) for r in rows]
    assert "confirme" not in {r["statut"] for r in data["tarifs"]["lignes"]}

    result = runner.invoke(app, ["param", "--non-verifies"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"Valeurs non confirmées dans le texte officiel : {len(expected) + len(rows)} "
                          f"({len(expected)} valeur(s) de paramètres, {len(rows)} ligne(s) de tarifs)")
    assert "\nautonomie — " in out and "\nfamille — " in out and f"\nmaladie, tarifs (maladie/data/tarifs.csv) — {len(rows)} ligne(s)" in out
    assert "  apa.participation.abattement_a2 — 01/03/2016 — non vérifié\n    Référence : Décret n° 2016-210" in out
    assert "smic.horaire — 01/06/2026 — source secondaire" in out
    assert "smic.horaire — 01/01/2026" not in out  # décret n° 2025-1228, confirmed


def test_non_verifies_alone_and_a_name_otherwise() -> None:
    result = runner.invoke(app, ["param", "smic.horaire", "--non-verifies"])
    assert result.exit_code == 2 and "--non-verifies s'emploie seul" in result.stderr
    result = runner.invoke(app, ["param"])
    assert result.exit_code == 2 and "indiquer le nom d'un paramètre" in result.stderr


def test_every_parameter_of_the_tree_displays_and_serialises() -> None:
    from secu.core.parameters import json_value, parameters, value_lines

    for parameter in parameters():
        for value in parameter.values:
            lines = value_lines(parameter, value.value)
            assert lines and all(line.strip() for line in lines), parameter.name
            json.dumps(json_value(value.value))
    result = runner.invoke(app, ["param", "aeeh.majoration_isole", "--json"])
    assert json.loads(result.stdout)["values"][0]["value"]["categorie_6"] == "1.07"
