"""The invalidity pension in service, its cumul with earnings, its end at the legal age, and the capital décès's
order of beneficiaries: the rules of secu.especes.rules appended for issue 13 §5-§6 (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.especes import rules


def _pension(mois: date, date_effet: date, categorie: int, sam: int) -> dict:  # type: ignore[type-arg]
    frame = pl.DataFrame({"mois": [mois], "date_effet": [date_effet], "categorie": [categorie], "sam": [sam]})
    return rules.pension_en_service(frame).row(0, named=True)


def test_category_2_at_the_2025_maximum() -> None:
    """50 % of the SAM, at most 50 % of the PASS ÷ 12 (CSS R. 341-5): with the PASS 2025 of 47 100 €, the maximum of the
    2e catégorie is 1 962,50 € a month. Published: « en 2025, elle ouvre droit à une pension comprise entre 335 € et
    1 962 € par mois » (synonyme-du-mot.com, « Quel sera le montant de la pension d'invalidité », a secondary source
    quoting the Assurance Maladie); the same rule gave the 1 634,50 € the CNAM published for 2017 (ASH n° 2993,
    « Pensions d'invalidité : montants maximaux applicables en 2017 »: 50 % × 39 228 € ÷ 12), and the minimum of 335,29 €
    (journaldesseniors.20minutes.fr, 2025) is the parameter ``invalidite.minimum``."""
    row = _pension(date(2025, 5, 1), date(2025, 5, 1), 2, 6_000_000)
    assert (row["liquidation_base"], row["liquidation_plafond"], row["pension_mensuelle"]) == (250_000, 196_250, 196_250)


def test_category_2_below_the_maximum_is_half_the_sam_over_twelve() -> None:
    """SAM 24 000 € in 2e catégorie: 24 000 × 50 % ÷ 12 = 1 000 € (CSS L. 341-4, R. 341-5); 1re catégorie 30 %: 600 €."""
    assert _pension(date(2025, 5, 1), date(2025, 5, 1), 2, 2_400_000)["pension_mensuelle"] == 100_000
    assert _pension(date(2025, 5, 1), date(2025, 5, 1), 1, 2_400_000)["pension_mensuelle"] == 60_000


def test_the_minimum_and_the_mtp() -> None:
    """A small SAM gets the minimum of L. 341-5 (335,29 € in 2025); the 3e catégorie adds the MTP (1 288,13 € from 2025-04-01)."""
    row = _pension(date(2025, 5, 1), date(2025, 5, 1), 3, 300_000)
    assert (row["montant_revalorise"], row["pension_minimum"], row["mtp"], row["pension_mensuelle"]) == (12_500, 33_529, 128_813, 33_529 + 128_813)


def test_revaluation_each_first_of_april_rounded_each_time() -> None:
    """L. 341-6 and L. 161-25: a pension of 1 000 € from 2024-06-01 stays 1 000 € until March 2025 and is 1 017 € from
    April 2025 (× 1,017); a pension from 2023-01-01 of 1 250 € passes 2023-04 (× 1,015385 = 1 269,23 €), 2024-04
    (× 1,046 = 1 327,61 €), 2025-04 (× 1,017 = 1 350,18 €), each rounded to the cent."""
    assert _pension(date(2025, 3, 1), date(2024, 6, 1), 2, 2_400_000)["pension_mensuelle"] == 100_000
    april = _pension(date(2025, 4, 1), date(2024, 6, 1), 2, 2_400_000)
    assert april["pension_mensuelle"] == 101_700 and (april["revalorisation_20240401"], april["revalorisation_20250401"]) == (None, 101_700)
    row = _pension(date(2025, 5, 1), date(2023, 1, 1), 2, 3_000_000)
    assert [row[f"revalorisation_{y}0401"] for y in (2023, 2024, 2025)] == [126_923, 132_761, 135_018]
    assert row["pension_mensuelle"] == 135_018


def test_a_month_before_the_date_d_effet_is_refused() -> None:
    with pytest.raises(InvalidField) as error:
        _pension(date(2025, 4, 1), date(2025, 5, 1), 2, 2_400_000)
    assert error.value.field == "mois"


def _cumul(**values: object) -> dict:  # type: ignore[type-arg]
    base = {
        "mois": date(2025, 5, 1),
        "pension_mensuelle": 125_000,
        "pensions_reference": 1_500_000,
        "revenus_reference": 2_000_000,
        "sam": 3_000_000,
        "salaire_annee_precedente": 3_200_000,
        "annee_precedente": 2021,
    }
    return rules.cumul_invalidite(pl.DataFrame([base | values])).row(0, named=True)


def test_cumul_reduces_the_pension_by_half_the_excess() -> None:
    """R. 341-17 (since 2022-04-01; 1,5 PASS from 2023-07-30): seuil = max(SAM 30 000 €, min(32 000 €, 1,5 × PASS 2021
    41 136 € = 61 704 €)) = 32 000 €; pension 15 000 € + earnings 20 000 € = 35 000 €, excess 3 000 €, reduced by half:
    1 500 € a year, 125 € a month: 1 250 € → 1 125 €."""
    row = _cumul()
    assert (row["limite_salaire_precedent"], row["seuil_cumul"], row["depassement"]) == (6_170_400, 3_200_000, 300_000)
    assert (row["reduction_annuelle"], row["reduction_mensuelle"], row["pension_versee"]) == (150_000, 12_500, 112_500)


def test_cumul_ceiling_of_the_previous_salary_is_one_pass_before_2023_07_30() -> None:
    """Before the décret n° 2023-684 the salary of the year before was capped at 1 PASS (41 136 € in 2021): a salary of
    80 000 € gives a seuil of 41 136 € in June 2023, of 61 704 € in August 2023."""
    assert _cumul(mois=date(2023, 6, 1), salaire_annee_precedente=8_000_000)["seuil_cumul"] == 4_113_600
    assert _cumul(mois=date(2023, 8, 1), salaire_annee_precedente=8_000_000)["seuil_cumul"] == 6_170_400


def test_cumul_never_below_zero_and_nothing_without_earnings() -> None:
    assert _cumul(revenus_reference=50_000_000)["pension_versee"] == 0
    assert _cumul(revenus_reference=0, pensions_reference=9_000_000)["reduction_mensuelle"] == 0


def test_conversion_at_62_the_first_of_the_next_month() -> None:
    """L. 341-15: the pension ends at the legal age (62 for the invalid, loi n° 2023-270); secu hands over on the first day
    of the month after the birthday; born 29 February: the birthday of a common year is 28 February (secu.core.ages)."""
    frame = pl.DataFrame({"date_naissance": [date(1963, 5, 17), date(1964, 2, 29)], "mois": [date(2025, 5, 1), date(2026, 3, 1)]})
    rows = rules.conversion_retraite(frame).to_dicts()
    assert [(r["date_anniversaire"], r["date_conversion"], r["en_service"]) for r in rows] == [
        (date(2025, 5, 17), date(2025, 6, 1), True),
        (date(2026, 2, 28), date(2026, 3, 1), False),
    ]


def test_capital_deces_conditions_in_the_three_months_before_death() -> None:
    """L. 361-1: salaried activity, unemployment benefit, invalidity pension, rente AT/MP of at least 66,66 %, maintien
    de droits, less than three months before death."""
    frame = pl.DataFrame(
        {
            "date_deces": [date(2025, 6, 10)] * 4,
            "activite_salariee": [date(2025, 3, 10), date(2025, 3, 9), None, None],
            "rente_atmp": [None, None, date(2025, 6, 1), date(2025, 6, 1)],
            "taux_rente_atmp": [None, None, Decimal("0.5"), Decimal("0.7")],
        },
        schema_overrides={"taux_rente_atmp": pl.Decimal(38, 9)},
    )
    rows = rules.conditions_capital_deces(frame).to_dicts()
    assert [(r["droit_ouvert"], r["situation_retenue"]) for r in rows] == [(True, "activite_salariee"), (False, None), (False, None), (True, "rente_atmp")]


def _beneficiaires(claims: list[tuple[str, bool, date]], decision: date = date(2025, 8, 1), separe: bool = False) -> list[tuple]:  # type: ignore[type-arg]
    frame = pl.DataFrame(
        {
            "deces": [1] * len(claims),
            "date_deces": [date(2025, 6, 10)] * len(claims),
            "capital": [397_700] * len(claims),
            "date_decision": [decision] * len(claims),
            "demande": list(range(1, len(claims) + 1)),
            "lien": [c[0] for c in claims],
            "a_charge": [c[1] for c in claims],
            "separe": [separe] * len(claims),
            "date_demande": [c[2] for c in claims],
        }
    )
    out = rules.beneficiaires_capital_deces(frame).sort("demande")
    return [(r["lien"], r["ordre"], r["montant"]) for r in out.to_dicts()]


def test_capital_deces_priority_to_persons_a_charge_within_the_month() -> None:
    """L. 361-4: the persons à charge who claim within a month come first (among them, R. 361-3: conjoint, children,
    ascendants); two children à charge share the 3 977 € of a death in June 2025 equally."""
    assert _beneficiaires(
        [
            ("conjoint", False, date(2025, 6, 20)),
            ("enfant", True, date(2025, 6, 25)),
            ("enfant", True, date(2025, 7, 1)),
            ("ascendant", False, date(2025, 6, 15)),
        ]
    ) == [("conjoint", None, 0), ("enfant", "prioritaire", 198_850), ("enfant", "prioritaire", 198_850), ("ascendant", None, 0)]


def test_capital_deces_without_priority_the_spouse_then_descendants_then_ascendants() -> None:
    """A person à charge claiming after the month loses the priority: the conjoint takes it; no conjoint: the descendants
    share (the remainder cent to the first claim); a separated spouse has no right (L. 361-4)."""
    late = date(2025, 7, 15)
    assert _beneficiaires([("enfant", True, late), ("conjoint", False, late)]) == [("enfant", None, 0), ("conjoint", "non_prioritaire", 397_700)]
    assert _beneficiaires([("enfant", False, late), ("descendant", False, late), ("enfant", False, late), ("ascendant", False, late)]) == [
        ("enfant", "non_prioritaire", 132_567),
        ("descendant", "non_prioritaire", 132_567),
        ("enfant", "non_prioritaire", 132_566),
        ("ascendant", None, 0),
    ]
    assert _beneficiaires([("conjoint", False, late), ("ascendant", False, late)], separe=True)[1] == ("ascendant", "non_prioritaire", 397_700)


def test_capital_deces_windows() -> None:
    """Nothing is decided during the priority month; a claim more than two years after the death is prescribed (L. 332-1)."""
    frame = _beneficiaires([("conjoint", False, date(2025, 6, 20))], decision=date(2025, 7, 1))
    assert frame == [("conjoint", None, 0)]
    assert _beneficiaires([("conjoint", False, date(2027, 6, 11)), ("enfant", False, date(2027, 6, 1))], decision=date(2027, 7, 1)) == [
        ("conjoint", None, 0),
        ("enfant", "non_prioritaire", 397_700),
    ]


def test_the_years_of_the_sam_capped_revalued_and_the_best_kept() -> None:
    """R. 341-4: a DSN year is capped at its PASS (2022: 41 136 €) and revalued to the date d'effet (L. 341-6: × 1,015385,
    × 1,046, × 1,017 for a pension from 2025-05-01); a year the claim gives is taken as given; the 10 best count."""
    frame = pl.DataFrame(
        {
            "annee": [2022, *range(2008, 2019)],
            "salaire": [5_000_000, *[1_000_000 + 10_000 * i for i in range(11)]],
            "brut": [True, *[False] * 11],
            "date_effet": [date(2025, 5, 1)] * 12,
        }
    )
    rows = rules.annees_sam(frame).to_dicts()
    assert rows[0]["salaire_sam"] == 4_443_298  # 4 113 600 → 4 176 887,7 → 4 176 888 → 4 369 025 → 4 443 298 cents (each rounded)
    assert [r["retenue"] for r in rows] == [True, False, False, *[True] * 9] and rows[0]["nombre"] == 10  # 2008, 2009 the lowest
