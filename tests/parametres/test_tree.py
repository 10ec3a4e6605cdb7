"""The package's tree of parameters: every file well formed, every value sourced, the seeded values right."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from secu.core.parameters import (
    PARAMETRES_ROOT,
    load_parameters,
    parameter_name,
    parameters,
    read_yaml,
)

FILES = sorted(PARAMETRES_ROOT.rglob("*.yaml"))
TEXT = re.compile(r"\b(Décret|Arrêté|Loi|Instruction|Circulaire|Ordonnance|CSS|Code)\b")


def test_the_tree_is_not_empty_and_has_no_stray_files() -> None:
    assert len(FILES) >= 5
    assert not list(PARAMETRES_ROOT.rglob("*.yml"))
    assert (PARAMETRES_ROOT / "README.md").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PARAMETRES_ROOT).as_posix())
def test_every_value_has_a_date_and_a_reference_and_dates_increase(path: Path) -> None:
    """Read the raw YAML, independently of the loader's own checks."""
    data = read_yaml(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("description"), str) and data["description"].strip()
    values = data.get("values")
    assert isinstance(values, list) and values, "values doit être une liste non vide"
    previous: date | None = None
    for number, entry in enumerate(values, start=1):
        assert isinstance(entry.get("date_effet"), date), f"valeur n° {number} : date_effet absente ou invalide"
        reference = entry.get("reference")
        assert isinstance(reference, str) and reference.strip(), f"valeur n° {number} : référence absente"
        assert TEXT.search(reference), f"valeur n° {number} : la référence ne nomme aucun texte : {reference!r}"
        assert "value" in entry, f"valeur n° {number} : value absente"
        assert not isinstance(entry["value"], float), f"valeur n° {number} : lue comme float"
        if previous is not None:
            assert entry["date_effet"] > previous, f"valeur n° {number} : dates non croissantes"
        previous = entry["date_effet"]


def test_the_whole_tree_loads() -> None:
    loaded = load_parameters()
    assert loaded.names() == parameters().names()
    assert set(loaded.names()) == {parameter_name(p.relative_to(PARAMETRES_ROOT)) for p in FILES}


@pytest.mark.parametrize("name", ["smic.horaire", "smic.mensuel", "pss.annuel", "pss.mensuel", "bmaf"])
def test_seeded_parameters_cover_2023_to_2026(name: str) -> None:
    parameter = parameters().get(name)
    assert parameter.values[0].date_effet <= date(2023, 1, 1)
    day = date(2023, 1, 1)
    while day <= date(2026, 12, 31):
        assert parameter.at(day).value is not None
        day += timedelta(days=1)


# (name, date d'effet, value in force from that day, value the day before)
BOUNDARIES = [
    ("smic.horaire", date(2023, 1, 1), "11.27", "11.07"),
    ("smic.horaire", date(2023, 5, 1), "11.52", "11.27"),
    ("smic.horaire", date(2024, 1, 1), "11.65", "11.52"),
    ("smic.horaire", date(2024, 11, 1), "11.88", "11.65"),
    ("smic.horaire", date(2026, 1, 1), "12.02", "11.88"),
    ("smic.horaire", date(2026, 6, 1), "12.31", "12.02"),
    ("smic.mensuel", date(2023, 1, 1), "1709.28", "1678.95"),
    ("smic.mensuel", date(2023, 5, 1), "1747.20", "1709.28"),
    ("smic.mensuel", date(2024, 1, 1), "1766.92", "1747.20"),
    ("smic.mensuel", date(2024, 11, 1), "1801.80", "1766.92"),
    ("smic.mensuel", date(2026, 1, 1), "1823.03", "1801.80"),
    ("smic.mensuel", date(2026, 6, 1), "1867.02", "1823.03"),
    ("pss.annuel", date(2023, 1, 1), "43992", "41136"),
    ("pss.annuel", date(2024, 1, 1), "46368", "43992"),
    ("pss.annuel", date(2025, 1, 1), "47100", "46368"),
    ("pss.annuel", date(2026, 1, 1), "48060", "47100"),
    ("pss.mensuel", date(2023, 1, 1), "3666", "3428"),
    ("pss.mensuel", date(2024, 1, 1), "3864", "3666"),
    ("pss.mensuel", date(2025, 1, 1), "3925", "3864"),
    ("pss.mensuel", date(2026, 1, 1), "4005", "3925"),
    ("bmaf", date(2022, 7, 1), "439.17", "422.28"),
    ("bmaf", date(2023, 4, 1), "445.93", "439.17"),
    ("bmaf", date(2024, 4, 1), "466.44", "445.93"),
    ("bmaf", date(2025, 4, 1), "474.37", "466.44"),
    ("bmaf", date(2026, 4, 1), "478.16", "474.37"),
]


@pytest.mark.parametrize(("name", "day", "value", "before"), BOUNDARIES, ids=lambda x: str(x))
def test_values_at_boundaries(name: str, day: date, value: str, before: str) -> None:
    parameter = parameters().get(name)
    assert parameter.at(day).value == Decimal(value)
    assert parameter.at(day).date_effet == day
    assert parameter.at(day - timedelta(days=1)).value == Decimal(before)
    assert parameter.at(day + timedelta(days=1)).value == Decimal(value)


CENT = Decimal("0.01")
ROUNDINGS = {
    "horaire × 35 × 52 / 12, au centime le plus proche": lambda h: (h * 35 * 52 / 12).quantize(CENT, ROUND_HALF_UP),
    "horaire × 35 × 52 / 12, au centime inférieur": lambda h: (h * 35 * 52 / 12).quantize(CENT, ROUND_FLOOR),
    "horaire × 35 × 52 / 12, au centime supérieur": lambda h: (h * 35 * 52 / 12).quantize(CENT, ROUND_CEILING),
    "horaire × 151,67, au centime le plus proche": lambda h: (h * Decimal("151.67")).quantize(CENT, ROUND_HALF_UP),
}


def test_smic_mensuel_is_recomputed_from_smic_horaire() -> None:
    """Which rounding gives the official monthly SMIC for every value? Only the nearest cent of 35 × 52 / 12."""
    horaire = parameters().get("smic.horaire")
    mensuel = parameters().get("smic.mensuel")
    # smic.horaire goes back to 1972 (quarters of the old-age insurance, R. 351-9); smic.mensuel from 2022, on the same dates
    first = mensuel.values[0].date_effet
    assert [v.date_effet for v in mensuel.values] == [v.date_effet for v in horaire.values if v.date_effet >= first]
    matching = []
    for label, compute in ROUNDINGS.items():
        if all(compute(horaire.at(v.date_effet).value) == v.value for v in mensuel.values):
            matching.append(label)
    assert matching == ["horaire × 35 × 52 / 12, au centime le plus proche"], matching
    # The official values named in the brief, one by one.
    official = ["1709.28", "1747.20", "1766.92", "1801.80", "1823.03", "1867.02"]
    recent = [v for v in mensuel.values if v.date_effet >= date(2023, 1, 1)]
    assert [str(v.value) for v in recent] == official
    # 151.67 h would be one cent off for 11.27 €/h (1709.32) and 11.65 €/h (1766.96).
    assert ROUNDINGS["horaire × 151,67, au centime le plus proche"](Decimal("11.65")) == Decimal("1766.96")


def test_pss_annuel_is_twelve_times_pss_mensuel() -> None:
    """CSS D. 242-19: valeur annuelle = valeur mensuelle × 12."""
    annuel = parameters().get("pss.annuel")
    mensuel = parameters().get("pss.mensuel")
    # pss.annuel goes back to 1970 (salaries porté au compte, R. 351-29); pss.mensuel from 2021, on the same dates
    first = mensuel.values[0].date_effet
    recent = [a for a in annuel.values if a.date_effet >= first]
    assert [v.date_effet for v in recent] == [v.date_effet for v in mensuel.values]
    for a, m in zip(recent, mensuel.values, strict=True):
        assert a.value == m.value * 12  # type: ignore[operator]


def test_older_pss_annuel_is_the_sum_of_the_monthly_plafonds_in_euros() -> None:
    """Before 2002 the plafond was in francs (1982-1996: raised on 1 January and 1 July); converted at 6,55957.

    Francs per month from the décrets as openfisca-france lists them (plafond_securite_sociale_mensuel.yaml).
    """
    annuel = parameters().get("pss.annuel")
    assert annuel.at(date(1970, 6, 30)).value == (Decimal(12 * 1500) / Decimal("6.55957")).quantize(CENT, ROUND_HALF_UP)
    assert annuel.at(date(1990, 12, 31)).value == (Decimal(6 * 10800 + 6 * 11040) / Decimal("6.55957")).quantize(CENT, ROUND_HALF_UP)
    assert annuel.at(date(1990, 12, 31)).value == Decimal("19976.92")
    assert annuel.at(date(2002, 1, 1)).value == Decimal(12 * 2352)
    assert annuel.at(date(2020, 12, 31)).value == Decimal("41136")


def test_bmaf_early_revaluation_of_july_2022_is_four_percent() -> None:
    bmaf = parameters().get("bmaf")
    before = bmaf.at(date(2022, 6, 30)).value
    assert (before * Decimal("1.04")).quantize(CENT, ROUND_HALF_UP) == bmaf.at(date(2022, 7, 1)).value  # type: ignore[operator]


# --------------------------------------------------------------------------
# The tables and barèmes of the tree: the values of the texts, and the columns the rules read


def test_af_tranche_holds_the_rates_of_d521_1_and_d521_2() -> None:
    """CSS D521-1, I (1°, 2°, 3°: a) 32/16/8 %, b) 41/20,5/10,25 %, majoration 16/8/4 %) and D521-2, I (forfait 20,234/10,117/5,059 %)."""
    value = parameters().get("af.tranche").at(date(2026, 1, 1))
    expected = {
        "1": ("0.32", "0.41", "0.16", "0.20234"),
        "2": ("0.16", "0.205", "0.08", "0.10117"),
        "3": ("0.08", "0.1025", "0.04", "0.05059"),
    }
    for tranche, rates in expected.items():
        got = tuple(value.leaf(tranche, k) for k in ("deuxieme_enfant", "enfant_suivant", "majoration_age", "forfait"))
        assert got == tuple(Decimal(r) for r in rates), tranche
    assert value.date_effet == date(2015, 7, 1) and value.statut == "confirme"


def test_recouvrement_bareme_of_d553_1() -> None:
    """Arrêté du 20 décembre 2019, art. 5: 25 % from 266 €, 35 % from 397 €, 45 % from 594 €, 60 % from 793 €."""
    bareme = parameters().get("recouvrement_indus.bareme").at(date(2025, 7, 1)).bareme()
    assert [(t.seuil, t.taux) for t in bareme.tranches] == [
        (0, 0), (266, Decimal("0.25")), (397, Decimal("0.35")), (594, Decimal("0.45")), (793, Decimal("0.60"))]
    # 1 000 € of weighted income, by hand: 32,75 + 68,95 + 89,55 + 124,20 = 315,45 €
    assert bareme.montant(1000_00) == 315_45


def test_the_rules_columns_are_kept_by_the_tables() -> None:
    import polars as pl

    from secu.core.parameters import join_parameters

    names = ["af.tranche", "aeeh.complement", "mtp", "aeeh.majoration_isole", "apa.plafond", "recouvrement_indus.parts"]
    out = join_parameters(pl.DataFrame({"date": [date(2026, 4, 15)]}), names)
    expected = [
        *(f"af_tranche_{t}_{k}" for t in (1, 2, 3) for k in ("deuxieme_enfant", "enfant_suivant", "majoration_age", "forfait")),
        *(f"aeeh_complement_categorie_{c}" for c in range(1, 6)),
        "mtp",  # the 6e catégorie is the MTP itself (D541-2), one parameter with the APA's
        *(f"aeeh_majoration_isole_categorie_{c}" for c in range(2, 7)),
        *(f"apa_plafond_gir{g}" for g in range(1, 5)),
    ]
    assert set(expected) <= set(out.columns)
    row = out.row(0, named=True)
    assert row["aeeh_complement_categorie_4"] == Decimal("1.4257") and row["mtp"] == 1298_43
    assert row["aeeh_majoration_isole_categorie_6"] == Decimal("1.07") and row["apa_plafond_gir4"] == Decimal("0.63")
    assert row["recouvrement_indus_parts_enfant_rang_3"] == 1
