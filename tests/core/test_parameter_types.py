"""Table and barème parameters: the loader's refusals, the model, and the wide and keyed joins."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import polars as pl
import pytest

from secu.core.bareme import Bareme, Tranche, bareme_expr
from secu.core.errors import InvalidField, NotFound
from secu.core.parameters import (
    InvalidParameterFile,
    Parameters,
    bareme_columns,
    join_parameters,
    load_parameters,
)


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip(), encoding="utf-8")


PLAFOND = """
description: Plafond par GIR, en multiple de la MTP.
type: table
unit: coefficient
values:
  - date_effet: 2024-01-01
    value: {gir1: "1.615", gir2: "1.306", gir3: "0.944", gir4: "0.630"}
    reference: Décret n° 2024-2, art. 1er
    statut: confirme
  - date_effet: 2025-01-01
    value: {gir4: "0.7", gir3: "1", gir2: "2", gir1: "3"}
    reference: Décret n° 2025-9, art. 1er
    statut: secondaire
"""

TRANCHE = """
description: Taux par tranche de ressources et par enfant, en part de la BMAF.
type: table
unit: taux
values:
  - date_effet: 2015-07-01
    value:
      "1": {deuxieme_enfant: "0.32", enfant_suivant: "0.41"}
      "2": {deuxieme_enfant: "0.16", enfant_suivant: "0.205"}
      "3": {deuxieme_enfant: "0.08", enfant_suivant: "0.1025"}
    reference: CSS art. D. 521-1, I
    statut: confirme
"""

FORFAITS = """
description: Montants par catégorie.
type: table
unit: eur
values:
  - date_effet: 2020-01-01
    value: {petit: 10.5, grand: 20}
    reference: Arrêté A
    statut: confirme
  - date_effet: 2022-01-01
    value: null
    reference: Arrêté B (abrogation)
    statut: confirme
"""

RETENUE = """
description: Barème de retenue par tranche de revenu mensuel pondéré.
type: bareme
unit: taux
unit_seuil: eur
values:
  - date_effet: 2020-01-01
    value:
      - {seuil: 0, taux: 0}
      - {seuil: 266, taux: "0.25"}
      - {seuil: 397, taux: "0.35"}
      - {seuil: 594, taux: "0.45"}
      - {seuil: 793, taux: "0.60"}
    reference: Arrêté du 20 décembre 2019, art. 5
    statut: confirme
  - date_effet: 2021-01-01
    value:
      - {seuil: 0, taux: "0.1"}
      - {seuil: 100.50, taux: "0.5"}
    reference: Arrêté imaginaire de test
    statut: non-verifie
"""


@pytest.fixture
def law(tmp_path: Path) -> Parameters:
    write(tmp_path, "autonomie/apa/plafond.yaml", PLAFOND)
    write(tmp_path, "famille/af/tranche.yaml", TRANCHE)
    write(tmp_path, "famille/forfaits.yaml", FORFAITS)
    write(tmp_path, "famille/retenue.yaml", RETENUE)
    return load_parameters(tmp_path)


# --------------------------------------------------------------------------
# The model


def test_a_table_reads_as_a_mapping_of_exact_numbers(law: Parameters) -> None:
    plafond = law.get("apa.plafond")
    assert plafond.kind == "table" and plafond.keys == ("gir1", "gir2", "gir3", "gir4") and plafond.subkeys == ()
    value = plafond.at(date(2024, 6, 1)).value
    assert value == {"gir1": Decimal("1.615"), "gir2": Decimal("1.306"), "gir3": Decimal("0.944"), "gir4": Decimal("0.630")}
    with pytest.raises(TypeError):
        value["gir1"] = Decimal(0)  # type: ignore[index]
    assert plafond.columns == ("apa_plafond_gir1", "apa_plafond_gir2", "apa_plafond_gir3", "apa_plafond_gir4")
    tranche = law.get("af.tranche")
    assert tranche.keys == ("1", "2", "3") and tranche.subkeys == ("deuxieme_enfant", "enfant_suivant")
    assert tranche.at(date(2026, 1, 1)).value["2"]["enfant_suivant"] == Decimal("0.205")  # type: ignore[index]
    assert tranche.columns[:2] == ("af_tranche_1_deuxieme_enfant", "af_tranche_1_enfant_suivant")
    assert tranche.keyed_columns() == ("af_tranche_deuxieme_enfant", "af_tranche_enfant_suivant")


def test_a_bareme_reads_as_tranches(law: Parameters) -> None:
    retenue = law.get("retenue")
    assert retenue.kind == "bareme" and retenue.unit == "taux" and retenue.unit_seuil == "eur" and retenue.tranches == 5
    value = retenue.at(date(2020, 3, 1)).value
    assert isinstance(value, Bareme)
    assert value.tranches[1] == Tranche(Decimal("266"), Decimal("0.25"))
    assert value.seuils() == (0, 266_00, 397_00, 594_00, 793_00)
    assert retenue.columns[:4] == ("retenue_seuil_1", "retenue_taux_1", "retenue_seuil_2", "retenue_taux_2")


def test_a_table_ceases_to_apply_as_a_whole(law: Parameters) -> None:
    forfaits = law.get("forfaits")
    assert forfaits.at(date(2021, 12, 31)).value == {"petit": Decimal("10.5"), "grand": Decimal("20")}
    with pytest.raises(NotFound, match="aucune valeur de forfaits en vigueur le 01/01/2022"):
        forfaits.at(date(2022, 1, 1))


# --------------------------------------------------------------------------
# The loader's refusals

TABLE_HEAD = "description: x\ntype: table\nunit: eur\nvalues:\n  - date_effet: 2024-01-01\n    reference: R\n    statut: confirme\n"
BAREME_HEAD = "description: x\ntype: bareme\nunit: taux\nunit_seuil: eur\nvalues:\n  - date_effet: 2024-01-01\n    reference: R\n    statut: confirme\n"
SECOND_DATE = "  - date_effet: 2025-01-01\n    reference: R2\n    statut: confirme\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(TABLE_HEAD + "    value: 3\n", "la valeur d'une table doit être un dictionnaire non vide", id="table-scalar"),
        pytest.param(TABLE_HEAD + "    value: {}\n", "la valeur d'une table doit être un dictionnaire non vide", id="table-empty"),
        pytest.param(TABLE_HEAD + "    value: {1: 3}\n", "clé 1 à écrire entre guillemets (\"1\")", id="table-int-key"),
        pytest.param(TABLE_HEAD + "    value: {Gir1: 3}\n", "clé 'Gir1' invalide (minuscules, chiffres et _ seulement)", id="table-bad-key"),
        pytest.param(TABLE_HEAD + "    value: {reference: 3}\n", "clé 'reference' réservée", id="table-reserved-key"),
        pytest.param(TABLE_HEAD + "    value: {a: {b: {c: 1}}}\n", "a.b : une table a deux niveaux de clés au plus", id="table-three-levels"),
        pytest.param(TABLE_HEAD + "    value: {a: {}}\n", "a est un dictionnaire vide", id="table-empty-row"),
        pytest.param(TABLE_HEAD + "    value: {a: {x: 1}, b: 2}\n", "toutes les clés doivent avoir les mêmes sous-clés", id="table-mixed"),
        pytest.param(TABLE_HEAD + "    value: {a: {x: 1}, b: {y: 2}}\n", "a : x; b : y", id="table-not-rectangular"),
        pytest.param(TABLE_HEAD + "    value: {a: null}\n", "a : valeur absente", id="table-null-leaf"),
        pytest.param(TABLE_HEAD + "    value: {a: 1.005}\n", "a : valeur Decimal('1.005') a 3 décimales", id="table-leaf-unit"),
        pytest.param(TABLE_HEAD + "    value: {a: {x: -1}}\n", "a.x : valeur -1 négative", id="table-subleaf-unit"),
        pytest.param(TABLE_HEAD + "    value: {a: 1, b: 2}\n" + SECOND_DATE + "    value: {a: 1, c: 2}\n",
                     "les clés doivent être les mêmes à chaque date (au 2024-01-01 : a : nombre; b : nombre ; "
                     "au 2025-01-01 : a : nombre; c : nombre)", id="table-keys-change"),
        pytest.param(TABLE_HEAD + "    value: {a: {x: 1}}\n" + SECOND_DATE + "    value: {a: {y: 1}}\n",
                     "les clés doivent être les mêmes à chaque date", id="table-subkeys-change"),
        pytest.param(TABLE_HEAD.replace("unit: eur", "unit: eur\nunit_seuil: eur") + "    value: {a: 1}\n",
                     "unit_seuil ne s'emploie que pour un paramètre de type 'bareme'", id="table-unit-seuil"),
        pytest.param(TABLE_HEAD + "    value: null\n", "une valeur nulle (fin d'application) doit suivre une valeur non nulle", id="table-null-first"),
        pytest.param(BAREME_HEAD.replace("unit: taux", "unit: eur") + "    value: [{seuil: 0, taux: 1}]\n",
                     "unité 'eur' refusée pour les taux d'un barème (admises : taux, coefficient)", id="bareme-rate-unit"),
        pytest.param(BAREME_HEAD.replace("unit_seuil: eur\n", "") + "    value: [{seuil: 0, taux: 1}]\n",
                     "clé obligatoire absente pour un barème : unit_seuil", id="bareme-no-unit-seuil"),
        pytest.param(BAREME_HEAD.replace("unit_seuil: eur", "unit_seuil: heures") + "    value: [{seuil: 0, taux: 1}]\n",
                     "unit_seuil 'heures' refusée (admises : eur, nombre, jours)", id="bareme-bad-unit-seuil"),
        pytest.param(BAREME_HEAD + "    value: {seuil: 0, taux: 1}\n", "la valeur d'un barème doit être une liste non vide", id="bareme-mapping"),
        pytest.param(BAREME_HEAD + "    value: []\n", "la valeur d'un barème doit être une liste non vide", id="bareme-empty"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0}]\n", "tranche n° 1 : une tranche a exactement deux clés, seuil et taux", id="bareme-no-rate"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0, taux: 1, plafond: 3}]\n", "exactement deux clés", id="bareme-extra-key"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 10, taux: 1}]\n", "tranche n° 1 : la première tranche commence à 0 (seuil: 0), pas à 10",
                     id="bareme-not-from-zero"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0, taux: 1}, {seuil: 20, taux: 1}, {seuil: 20, taux: 1}]\n",
                     "tranche n° 3 : les seuils doivent être strictement croissants (20 après 20)", id="bareme-not-increasing"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0, taux: 1}, {seuil: 2.001, taux: 1}]\n",
                     "tranche n° 2, seuil : valeur Decimal('2.001') a 3 décimales", id="bareme-seuil-unit"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0, taux: '0.1234567891'}]\n",
                     "tranche n° 1, taux : valeur '0.1234567891' a 10 décimales", id="bareme-rate-decimals"),
        pytest.param(BAREME_HEAD + "    value: [{seuil: 0, taux: null}]\n", "tranche n° 1, taux : valeur absente", id="bareme-null-rate"),
        pytest.param(BAREME_HEAD.replace("unit_seuil: eur", "unit_seuil: nombre") + "    value: [{seuil: -1, taux: 1}]\n",
                     "tranche n° 1 : seuil -1 négatif", id="bareme-negative-seuil"),
    ],
)
def test_loader_refuses_malformed_tables_and_baremes(tmp_path: Path, text: str, problem: str) -> None:
    write(tmp_path, "commun/mauvais.yaml", text)
    with pytest.raises(InvalidParameterFile) as caught:
        load_parameters(tmp_path)
    assert caught.value.path == "commun/mauvais.yaml"
    assert problem in caught.value.message, caught.value.message
    assert caught.value.message.startswith("valeur n° ") or "unit" in caught.value.message


def test_a_table_column_may_not_be_another_parameters_column(tmp_path: Path) -> None:
    write(tmp_path, "famille/af/tranche.yaml", TRANCHE)
    write(tmp_path, "famille/af/tranche/deuxieme_enfant.yaml", TABLE_HEAD.replace("type: table\n", "") + "    value: 1\n")
    with pytest.raises(InvalidParameterFile, match="la colonne af_tranche_deuxieme_enfant serait aussi celle de af.tranche"):
        load_parameters(tmp_path)


# --------------------------------------------------------------------------
# Joins

DAYS = [date(2024, 12, 31), date(2025, 1, 1), date(2024, 1, 1), date(2026, 7, 14)]


def test_a_table_joins_wide_one_column_per_leaf_as_of_each_date(law: Parameters) -> None:
    frame = pl.DataFrame({"date": DAYS})
    out = join_parameters(frame, ["apa.plafond", "af.tranche"], params=law, with_references=True)
    assert out.columns == ["date", "apa_plafond_gir1", "apa_plafond_gir2", "apa_plafond_gir3", "apa_plafond_gir4",
                           "apa_plafond_reference", *law.get("af.tranche").columns, "af_tranche_reference"]
    assert out["apa_plafond_gir1"].to_list() == [Decimal("1.615"), Decimal(3), Decimal("1.615"), Decimal(3)]
    assert out["apa_plafond_gir4"].to_list() == [Decimal("0.63"), Decimal("0.7"), Decimal("0.63"), Decimal("0.7")]
    assert out["apa_plafond_reference"].to_list() == ["Décret n° 2024-2, art. 1er", "Décret n° 2025-9, art. 1er"] * 2
    assert out.schema["apa_plafond_gir1"] == pl.Decimal(38, 9)
    assert out["af_tranche_2_enfant_suivant"].to_list() == [Decimal("0.205")] * 4
    assert out["af_tranche_3_deuxieme_enfant"].to_list() == [Decimal("0.08")] * 4


def test_a_table_in_euros_joins_in_cents_and_refuses_dates_where_it_ceased(law: Parameters) -> None:
    out = join_parameters(pl.DataFrame({"date": [date(2021, 12, 31)]}), ["forfaits"], params=law)
    assert out.row(0, named=True) == {"date": date(2021, 12, 31), "forfaits_petit": 10_50, "forfaits_grand": 20_00}
    with pytest.raises(NotFound, match="aucune valeur de forfaits en vigueur le 01/01/2022"):
        join_parameters(pl.DataFrame({"date": [date(2021, 6, 1), date(2022, 1, 1)]}), ["forfaits"], params=law)


def test_a_keyed_join_picks_each_rows_leaf(law: Parameters) -> None:
    frame = pl.DataFrame({"date": DAYS, "gir": [1, 4, 2, 3], "tranche": [3, 1, None, 2]})
    out = join_parameters(frame, ["apa.plafond", "af.tranche"], params=law,
                          by={"apa.plafond": pl.format("gir{}", pl.col("gir")), "af.tranche": "tranche"}, with_references=True)
    assert out.columns == ["date", "gir", "tranche", "apa_plafond", "apa_plafond_reference",
                           "af_tranche_deuxieme_enfant", "af_tranche_enfant_suivant", "af_tranche_reference"]
    # 2024-12-31 GIR 1 (2024 values); 2025-01-01 GIR 4 (2025); 2024-01-01 GIR 2; 2026-07-14 GIR 3 (2025 values)
    assert out["apa_plafond"].to_list() == [Decimal("1.615"), Decimal("0.7"), Decimal("1.306"), Decimal(1)]
    assert out["af_tranche_deuxieme_enfant"].to_list() == [Decimal("0.08"), Decimal("0.32"), None, Decimal("0.16")]
    assert out["af_tranche_enfant_suivant"].to_list() == [Decimal("0.1025"), Decimal("0.41"), None, Decimal("0.205")]


def test_a_keyed_join_refuses_a_key_the_table_does_not_have(law: Parameters) -> None:
    frame = pl.DataFrame({"date": [date(2025, 1, 1)] * 3, "gir": ["gir1", "gir5", "gir6"]})
    with pytest.raises(InvalidField) as caught:
        join_parameters(frame, ["apa.plafond"], params=law, by={"apa.plafond": "gir"})
    assert caught.value.field == "gir"
    assert caught.value.message == "clé(s) absente(s) de la table apa.plafond : 'gir5', 'gir6' (clés : gir1, gir2, gir3, gir4)"
    # A null key is the rule saying "no category": null, not an error.
    out = join_parameters(frame.with_columns(pl.when(pl.col("gir") == "gir1").then(pl.col("gir")).alias("g")),
                          ["apa.plafond"], params=law, by={"apa.plafond": "g"})
    assert out["apa_plafond"].to_list() == [Decimal("3"), None, None]


def test_a_keyed_join_stays_lazy_and_checks_at_call_time(law: Parameters) -> None:
    lazy = pl.LazyFrame({"date": [date(2025, 3, 1), date(2024, 3, 1)], "tranche": [2, 1]})
    out = join_parameters(lazy, ["af.tranche"], params=law, by={"af.tranche": pl.col("tranche")})
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["af_tranche_deuxieme_enfant"].to_list() == [Decimal("0.16"), Decimal("0.32")]
    with pytest.raises(InvalidField, match="'4'"):
        join_parameters(lazy.with_columns(pl.lit(4).alias("tranche")), ["af.tranche"], params=law, by={"af.tranche": "tranche"})


def test_keyed_join_misuse_is_refused(law: Parameters) -> None:
    frame = pl.DataFrame({"date": [date(2025, 1, 1)], "k": ["gir1"], "apa_plafond": [1]})
    with pytest.raises(ValueError, match="by : 'retenue' n'est pas une table"):
        join_parameters(frame, ["retenue"], params=law, by={"retenue": "k"})
    with pytest.raises(ValueError, match="by : 'af.tranche' n'est pas parmi les paramètres joints"):
        join_parameters(frame, ["apa.plafond"], params=law, by={"af.tranche": "k"})
    with pytest.raises(ValueError, match="colonne\\(s\\) déjà présente\\(s\\) dans le tableau : apa_plafond"):
        join_parameters(frame, ["apa.plafond"], params=law, by={"apa.plafond": "k"})


def test_a_bareme_joins_wide_and_computes_per_row(law: Parameters) -> None:
    frame = pl.DataFrame({"date": [date(2020, 6, 1), date(2021, 6, 1), date(2020, 6, 1), date(2020, 6, 1)],
                          "base": [500_00, 500_00, 265_99, None]})
    out = join_parameters(frame, ["retenue"], params=law)
    assert out.columns[2:6] == ["retenue_seuil_1", "retenue_taux_1", "retenue_seuil_2", "retenue_taux_2"]
    assert out["retenue_seuil_2"].to_list() == [266_00, 100_50, 266_00, 266_00]
    assert out["retenue_seuil_3"].to_list() == [397_00, None, 397_00, 397_00]  # 2021 has two tranches only
    amounts = out.select(bareme_expr(pl.col("base"), *bareme_columns("retenue", params=law)))["bareme"].to_list()
    # 2020: 25 % × (397 - 266) + 35 % × (500 - 397) = 32,75 + 36,05 = 68,80 €
    # 2021: 10 % × 100,50 + 50 % × (500 - 100,50) = 10,05 + 199,75 = 209,80 €
    assert amounts == [68_80, 209_80, 0, None]
    with pytest.raises(ValueError, match="'apa.plafond' n'est pas un barème"):
        bareme_columns("apa.plafond", params=law)


def test_typed_accessors_say_what_the_value_is_not(law: Parameters) -> None:
    plafond = law.get("apa.plafond").at(date(2024, 6, 1))
    assert plafond.leaf("gir2") == Decimal("1.306")
    with pytest.raises(KeyError, match="clé 'gir5' absente de la table \\(clés : gir1, gir2, gir3, gir4\\)"):
        plafond.leaf("gir5")
    with pytest.raises(KeyError, match="pas de sous-clé"):
        plafond.leaf("gir1", "x")
    tranche = law.get("af.tranche").at(date(2025, 6, 1))
    assert tranche.leaf("3", "enfant_suivant") == Decimal("0.1025")
    with pytest.raises(KeyError, match="une sous-clé est attendue"):
        tranche.leaf("3")
    with pytest.raises(KeyError, match="sous-clé 'forfait' absente"):
        tranche.leaf("3", "forfait")
    with pytest.raises(TypeError, match="n'est pas un barème"):
        plafond.bareme()
    with pytest.raises(TypeError, match="n'est pas un nombre"):
        plafond.number()
    retenue = law.get("retenue").at(date(2025, 6, 1))
    assert retenue.bareme().montant(100_50) == 10_05  # 10 % × 100,50 €
    with pytest.raises(TypeError, match="n'est pas une table"):
        retenue.leaf("1")
