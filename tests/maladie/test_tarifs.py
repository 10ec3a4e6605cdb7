"""The tariff tables: every row sourced and dated, the categories tied to defined parameters, the join by (acte, date)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from secu.core.errors import InvalidField, NotFound
from secu.core.parameters import parameters
from secu.maladie.rules import build_law_table, law_table
from secu.maladie.tarifs import (
    CATEGORIES_PATH,
    COUVERTURE_DEBUT,
    KEY,
    STATUTS,
    TARIFS_PATH,
    InvalidTariffFile,
    join_tarifs,
    load_tarifs,
    tarifs,
)

ROWS = list(csv.DictReader(TARIFS_PATH.read_text(encoding="utf-8").splitlines()))


def test_every_row_has_a_reference_a_status_and_increasing_dates() -> None:
    assert len(ROWS) >= 50
    last: dict[str, date] = {}
    for number, row in enumerate(ROWS, start=2):
        assert row["reference"].strip(), f"ligne {number} sans référence"
        assert row["statut"] in STATUTS, number
        day = date.fromisoformat(row["date_effet"])
        assert day >= COUVERTURE_DEBUT - timedelta(days=1) or row["acte"], number
        if row["acte"] in last:
            assert day > last[row["acte"]], f"ligne {number} : dates non croissantes"
        last[row["acte"]] = day
        if row["statut"] == "non-verifie":
            assert "NON VÉRIFIÉ" in row["note"], f"ligne {number} : une valeur non vérifiée le dit dans sa note"


def test_the_table_covers_2023_to_2026_for_the_main_acts() -> None:
    table = tarifs()
    for acte in ("G", "VG", "CS", "APC", "CNPSY", "TCG", "C-SF", "SF", "C-CD", "AMI", "AMK", "B", "PH4", "LPP", "TAX", "GHS", "FJH"):
        assert table.history(acte)[0].date_effet <= COUVERTURE_DEBUT, acte
        assert table.at(acte, date(2026, 12, 31)).acte == acte


# (acte, date d'effet, tarif in cents from that day, the day before)
BOUNDARIES = [
    ("G", date(2023, 11, 1), 2650, 2500),
    ("G", date(2024, 12, 22), 3000, 2650),
    ("APC", date(2023, 11, 1), 5650, 5500),
    ("APC", date(2024, 12, 22), 6000, 5650),
    ("CNPSY", date(2026, 1, 1), 5700, 5500),
    ("CSP2", date(2026, 1, 1), 4000, 3900),
    ("AMK", date(2024, 2, 22), 221, 215),
    ("C-SF", date(2024, 2, 22), 2650, 2500),
    ("FJH", date(2026, 3, 1), 2300, 2000),
]


@pytest.mark.parametrize(("acte", "day", "value", "before"), BOUNDARIES, ids=lambda x: str(x))
def test_values_at_boundaries(acte: str, day: date, value: int, before: int) -> None:
    table = tarifs()
    assert table.at(acte, day).tarif_cents == value
    assert table.at(acte, day - timedelta(days=1)).tarif_cents == before
    frame = pl.DataFrame({"acte": [acte, acte, acte], "date_soins": [day - timedelta(days=1), day, day + timedelta(days=400)]})
    joined = join_tarifs(frame)
    assert joined["tarif_cents"].to_list() == [before, value, value]
    assert joined["tarif_date_effet"][1] == day


def test_unknown_act_and_date_before_the_tariff() -> None:
    with pytest.raises(InvalidField) as unknown:
        tarifs().at("ZZZ", date(2025, 1, 1))
    assert (unknown.value.field, unknown.value.message) == ("acte", "acte inconnu : ZZZ")
    with pytest.raises(NotFound):
        tarifs().at("G", date(2022, 12, 31))
    with pytest.raises(NotFound):
        tarifs().at("CSGER", date(2023, 10, 31))  # the gériatre's row starts on 2023-11-01
    frame = pl.DataFrame({"acte": ["G", "ZZZ"], "date_soins": [date(2025, 1, 1), date(2025, 1, 1)]})
    with pytest.raises(InvalidField) as strict:
        join_tarifs(frame)
    assert strict.value.message == "acte inconnu : ZZZ"
    lenient = join_tarifs(frame, strict=False)
    assert lenient["tarif_cents"].to_list() == [3000, None]
    with pytest.raises(NotFound):
        join_tarifs(pl.DataFrame({"acte": ["G"], "date_soins": [date(2022, 6, 1)]}))


def test_join_is_vectorized_over_many_dates_and_keeps_the_row_order() -> None:
    table = tarifs()
    days = [COUVERTURE_DEBUT + timedelta(days=i) for i in range(0, 1400, 7)]
    codes = ["G", "AMI", "CNPSY", "FJH"]
    frame = pl.DataFrame({"acte": [codes[i % 4] for i in range(len(days))], "date_soins": list(reversed(days))})
    joined = join_tarifs(frame.lazy()).collect()
    expected = [table.at(a, d).tarif_cents for a, d in zip(frame["acte"], frame["date_soins"], strict=True)]
    assert joined["tarif_cents"].to_list() == expected
    assert joined["acte"].to_list() == frame["acte"].to_list()


def test_categories_use_defined_rate_parameters() -> None:
    table = tarifs()
    known = parameters()
    for category in table.categories.values():
        if category.taux:
            assert known.get(category.taux).unit == "taux"
    assert {row.categorie for row in table.rows} <= set(table.categories)
    assert list(table.exonerations) == ["atmp", "maternite", "ALD", "invalidite", "nouveau-ne", "c2s"]


def test_dense_tables_are_keyed_by_position() -> None:
    dense = tarifs().daily()
    assert dense[KEY].to_list() == list(range(dense.height))
    law = law_table()
    assert law.height == dense.height and law[KEY].to_list() == list(range(law.height))


def test_law_table_carries_the_rates_and_the_doubling_of_the_franchises() -> None:
    law = law_table().with_columns(pl.col(KEY))
    dense = tarifs().daily().select(KEY, "acte", "jour")
    joined = dense.join(law, on=KEY)
    g = joined.filter((pl.col("acte") == "G") & (pl.col("jour") == date(2024, 5, 15))).row(0, named=True)
    assert (g["__pf_montant"], g["__pf_max_jour"], g["__pf_plafond"]) == (200, 4, 5000)
    box = joined.filter((pl.col("acte") == "PH4") & pl.col("jour").is_in([date(2024, 3, 30), date(2024, 3, 31)])).sort("jour")
    assert box["__fr_unitaire"].to_list() == [50, 100]
    taxi = joined.filter((pl.col("acte") == "TAX") & (pl.col("jour") == date(2024, 3, 31))).row(0, named=True)
    assert (taxi["__fr_unitaire"], taxi["__fr_plafond_jour"]) == (400, 800)


def _copy_tables(tmp_path: Path, mutate_csv=None, mutate_yaml=None) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    text = TARIFS_PATH.read_text(encoding="utf-8")
    categories = CATEGORIES_PATH.read_text(encoding="utf-8")
    if mutate_csv:
        text = mutate_csv(text)
    if mutate_yaml:
        categories = mutate_yaml(categories)
    (tmp_path / "tarifs.csv").write_text(text, encoding="utf-8")
    (tmp_path / "categories.yaml").write_text(categories, encoding="utf-8")
    return tmp_path / "tarifs.csv", tmp_path / "categories.yaml"


def test_the_package_tables_load(tmp_path: Path) -> None:
    loaded = load_tarifs(*_copy_tables(tmp_path))
    assert loaded.codes() == tarifs().codes()
    assert build_law_table(loaded).height == law_table().height


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace('"Convention nationale des médecins libéraux du 25 août 2016 (approuvée par arrêté du 20 octobre 2016), NGAP"', '""', 1),
         "la référence juridique est obligatoire"),
        (lambda t: t.replace("G,Consultation du médecin généraliste (G),medecin,2023-11-01", "G,Consultation du médecin généraliste (G),medecin,2022-11-01", 1),
         "les dates d'effet doivent croître"),
        (lambda t: t.replace("G,Consultation du médecin généraliste (G),medecin,2023-11-01",
                             "G,Consultation du médecin généraliste (G),inconnue,2023-11-01", 1),
         "catégorie 'inconnue' inconnue"),
        (lambda t: t.replace(",26.50,", ",26.505,", 1), "deux décimales"),
        (lambda t: t.replace("confirme", "peut-etre", 1), "statut 'peut-etre' inconnu"),
    ],
)
def test_malformed_tariff_rows_are_refused(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTariffFile) as error:
        load_tarifs(*_copy_tables(tmp_path, mutate_csv=mutate))
    assert message in error.value.message and error.value.path == "tarifs.csv"


def test_a_category_must_name_a_defined_rate(tmp_path: Path) -> None:
    with pytest.raises(InvalidTariffFile) as error:
        load_tarifs(*_copy_tables(tmp_path, mutate_yaml=lambda t: t.replace("taux_remboursement.medecins", "taux_remboursement.inexistant", 1)))
    assert "n'est pas un paramètre de taux défini" in error.value.message
