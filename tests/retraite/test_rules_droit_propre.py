"""The pension rule's mechanics: ages and durées by generation and date d'effet, taux, prorata, maximum, minimum.

Amounts are checked in test_worked_examples_droit_propre.py against published examples; here each case names the
text or the published table it follows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secu.core.errors import InvalidField
from secu.retraite.explication import etapes_pension
from secu.retraite.rules.droit_propre import mois_revolus, pension_droit_propre


def _pension(**row: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"sam": 2_000_000, "trimestres": 172, "trimestres_rg": 172, "trimestres_cotises": 172}
    base.update(row)
    columns = {key: [value] for key, value in base.items()}
    schema = {"total_pensions_mensuel": pl.Int64, "trimestres_apres_age_legal": pl.Int64, "age_debut_activite": pl.Int64}
    frame = pl.DataFrame(columns, schema_overrides={k: v for k, v in schema.items() if k in columns})
    return pension_droit_propre(frame).row(0, named=True)


# --------------------------------------------------------------------------
# Âge légal and durée (L. 161-17-2, L. 161-17-3; LFSS 2026 art. 105 for pensions from 2026-09-01)


@pytest.mark.parametrize(
    ("naissance", "effet", "age_mois", "duree"),
    [
        (date(1960, 5, 10), date(2023, 3, 1), 744, 167),   # 62 ans, 167 (loi n° 2014-40)
        (date(1961, 3, 10), date(2023, 10, 1), 744, 168),  # born before 1 September 1961: unchanged by the 2023 reform
        (date(1961, 10, 15), date(2024, 2, 1), 747, 169),  # 62 ans et 3 mois, 169 (loi n° 2023-270)
        (date(1962, 6, 1), date(2025, 1, 1), 750, 169),    # 62 ans et 6 mois
        (date(1963, 3, 1), date(2026, 1, 1), 753, 170),    # 62 ans et 9 mois, 170
        (date(1964, 6, 1), date(2027, 4, 1), 753, 170),    # suspension: 62 ans et 9 mois, 170 (2023 schedule: 63 ans, 171)
        (date(1965, 2, 1), date(2027, 11, 1), 753, 170),   # suspension: 1 January - 31 March 1965 like 1963
        (date(1965, 6, 1), date(2028, 6, 1), 756, 171),    # suspension: 63 ans, 171
        (date(1966, 6, 1), date(2030, 1, 1), 759, 172),    # suspension: 63 ans et 3 mois
        (date(1968, 6, 1), date(2032, 4, 1), 765, 172),    # suspension: 63 ans et 9 mois
        (date(1969, 6, 1), date(2033, 7, 1), 768, 172),    # 64 ans from generation 1969 (LFSS 2026 art. 105, I, 1°)
    ],
)
def test_age_legal_and_duree_follow_the_generation_and_the_law_of_the_date_d_effet(naissance: date, effet: date, age_mois: int, duree: int) -> None:
    """Schedules of f2p.fr « LFSS pour 2026 : volet retraite » and of the fiche de référence § 2.4."""
    row = _pension(naissance=naissance, date_effet=effet, sam=2_000_000)
    assert (row["age_legal_mois"], row["duree_requise"]) == (age_mois, duree)


def test_a_1964_generation_before_september_2026_keeps_the_2023_schedule() -> None:
    """A pension taking effect before 2026-09-01 follows the 2023 law: born January 1964 → 63 ans (January 2027)."""
    with pytest.raises(InvalidField) as caught:
        _pension(naissance=date(1963, 12, 1), date_effet=date(2026, 8, 1))  # 62 ans et 8 mois under the 2023 schedule (62 ans et 9 mois)
    assert caught.value.field == "date_effet"
    assert "62 ans et 9 mois" in caught.value.message


def test_a_departure_before_the_age_legal_is_refused_naming_date_effet() -> None:
    with pytest.raises(InvalidField) as caught:
        _pension(naissance=date(1964, 6, 15), date_effet=date(2027, 3, 1))  # 62 ans et 8 mois and a half
    assert caught.value.field == "date_effet"
    assert "âge légal (62 ans et 9 mois" in caught.value.message
    assert _pension(naissance=date(1964, 6, 15), date_effet=date(2027, 4, 1))["age_effet_mois"] == 753


def test_born_on_the_first_of_a_month_may_start_on_the_day_the_age_is_reached() -> None:
    assert _pension(naissance=date(1964, 6, 1), date_effet=date(2027, 3, 1))["age_effet_mois"] == 753


# --------------------------------------------------------------------------
# Taux: décote (D. 351-1-2) and taux plein (R. 351-27, L. 351-8)


def test_the_decote_is_the_lesser_of_the_two_counts() -> None:
    # Born 1 January 1963: 67 on 1 January 2030. On 1 January 2026 (63 ans): 16 quarters to 67; 20 missing to 170.
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 1, 1), trimestres=150, trimestres_rg=150, trimestres_cotises=150)
    assert row["decote_trimestres"] == 16
    assert row["taux"] == Decimal("0.4")  # 50 − 16 × 0,625
    # A begun quarter counts: on 1 February 2026, 47 months to 67 → 16 quarters still.
    assert _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 2, 1), trimestres=150, trimestres_rg=150,
                    trimestres_cotises=150)["decote_trimestres"] == 16
    # Four quarters missing only: 4.
    assert _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 1, 1), trimestres=166, trimestres_rg=166,
                    trimestres_cotises=166)["decote_trimestres"] == 4


def test_the_decote_stops_at_20_quarters_and_37_5_percent() -> None:
    row = _pension(naissance=date(1961, 1, 1), date_effet=date(2023, 1, 1), trimestres=120, trimestres_rg=120, trimestres_cotises=100)
    assert row["decote_trimestres"] == 20
    assert row["taux"] == Decimal("0.375")


def test_taux_plein_at_67_whatever_the_duree() -> None:
    row = _pension(naissance=date(1958, 4, 1), date_effet=date(2025, 4, 1), trimestres=100, trimestres_rg=100, trimestres_cotises=100)
    assert row["taux_plein"] and row["decote_trimestres"] == 0 and row["age_taux_plein_mois"] == 804


@pytest.mark.parametrize("motif", ["inaptitude", "ex_invalide"])
def test_inaptitude_and_ex_invalides_have_the_taux_plein_at_the_age_legal(motif: str) -> None:
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2025, 10, 1), trimestres=120, trimestres_rg=120, trimestres_cotises=100, **{motif: True})
    assert row["taux_plein"] and row["taux"] == Decimal("0.5")
    assert row["age_taux_plein_mois"] == 753
    with pytest.raises(InvalidField):  # but not before the âge légal
        _pension(naissance=date(1963, 1, 1), date_effet=date(2025, 9, 1), trimestres=120, trimestres_rg=120, trimestres_cotises=100, **{motif: True})


# --------------------------------------------------------------------------
# Surcote (L. 351-1-2)


def test_surcote_counts_quarters_after_the_age_legal_beyond_the_duree() -> None:
    # Born 1 March 1960 (62 on 1 March 2022), 175 quarters for 167, pension on 1 April 2024: 25 months after → 8 quarters.
    row = _pension(naissance=date(1960, 3, 1), date_effet=date(2024, 4, 1), trimestres=175, trimestres_rg=175, trimestres_cotises=175)
    assert row["surcote_trimestres"] == 8
    # Only 3 beyond the durée: 3.
    assert _pension(naissance=date(1960, 3, 1), date_effet=date(2024, 4, 1), trimestres=170, trimestres_rg=170,
                    trimestres_cotises=170)["surcote_trimestres"] == 3
    # Whole calendar quarters only: 62 on 15 February 2022 → from the 2nd quarter of 2022 to the 1st of 2024: 8.
    assert _pension(naissance=date(1960, 2, 15), date_effet=date(2024, 4, 1), trimestres=175, trimestres_rg=175,
                    trimestres_cotises=175)["surcote_trimestres"] == 8
    # The caller says only 2 were cotisés after the âge légal.
    assert _pension(naissance=date(1960, 3, 1), date_effet=date(2024, 4, 1), trimestres=175, trimestres_rg=175, trimestres_cotises=175,
                    trimestres_apres_age_legal=2)["surcote_trimestres"] == 2


# --------------------------------------------------------------------------
# Carrière longue (L. 351-1-1, D. 351-1-1)


def test_carriere_longue_before_20_under_the_suspension_is_the_age_legal_minus_2_years_6_months() -> None:
    # Born 1 March 1964, activity begun before 20: 62 ans et 9 mois − 2 ans et 6 mois = 60 ans et 3 mois (1 June 2024)
    # under the suspension (pension from 2026-09-01) — only possible then for a pension after that date, at 62+.
    row = _pension(naissance=date(1964, 3, 1), date_effet=date(2026, 9, 1), carriere_longue=True, age_debut_activite=20,
                   trimestres=170, trimestres_rg=170, trimestres_cotises=170)
    assert row["age_carriere_longue_mois"] == 723 and row["depart_anticipe"] and row["taux_plein"]
    # Under the 2023 schedule (pension before 2026-09-01): 63 − 2 ans et 6 mois = 60 ans et 6 mois (1 September 2024).
    row = _pension(naissance=date(1964, 3, 1), date_effet=date(2024, 9, 1), carriere_longue=True, age_debut_activite=20,
                   trimestres=171, trimestres_rg=171, trimestres_cotises=171)
    assert row["age_carriere_longue_mois"] == 726 and row["depart_anticipe"]
    with pytest.raises(InvalidField) as caught:  # one month too early
        _pension(naissance=date(1964, 3, 1), date_effet=date(2024, 8, 1), carriere_longue=True, age_debut_activite=20,
                 trimestres=171, trimestres_rg=171, trimestres_cotises=171)
    assert caught.value.field == "date_effet"


def test_carriere_longue_needs_the_duree_cotisee() -> None:
    with pytest.raises(InvalidField) as caught:
        _pension(naissance=date(1964, 3, 1), date_effet=date(2024, 9, 1), carriere_longue=True, age_debut_activite=20,
                 trimestres=171, trimestres_rg=171, trimestres_cotises=170)
    assert caught.value.field == "date_effet"


def test_carriere_longue_before_16_at_58_and_bad_age_of_start() -> None:
    row = _pension(naissance=date(1966, 5, 1), date_effet=date(2024, 5, 1), carriere_longue=True, age_debut_activite=16,
                   trimestres=172, trimestres_rg=172, trimestres_cotises=172)
    assert row["age_carriere_longue_mois"] == 696 and row["age_effet_mois"] == 696
    with pytest.raises(InvalidField) as caught:
        _pension(naissance=date(1966, 5, 1), date_effet=date(2024, 5, 1), carriere_longue=True, age_debut_activite=17)
    assert caught.value.field == "age_debut_activite"
    assert caught.value.message.endswith("doit être 16, 18, 20 ou 21 (CSS D. 351-1-1)")
    with pytest.raises(InvalidField) as caught:  # the conditions before the 2023 reform are not held
        _pension(naissance=date(1962, 5, 1), date_effet=date(2023, 6, 1), carriere_longue=True, age_debut_activite=18)
    assert caught.value.field == "carriere_longue" and caught.value.message.endswith("(tenue à compter du 01/09/2023)")
    with pytest.raises(InvalidField) as caught:  # asked without the age of start
        _pension(naissance=date(1966, 5, 1), date_effet=date(2024, 5, 1), carriere_longue=True)
    assert caught.value.field == "age_debut_activite"


# --------------------------------------------------------------------------
# Prorata, maximum, minimum contributif, majoration


def test_prorata_is_capped_at_one_and_the_pension_at_half_the_pass() -> None:
    row = _pension(naissance=date(1961, 1, 1), date_effet=date(2026, 1, 1), sam=6_000_000, trimestres=180, trimestres_rg=180, trimestres_cotises=180)
    assert (row["prorata_numerateur"], row["prorata_denominateur"]) == (168, 168)
    assert row["pension_calculee"] == 3_000_000
    assert row["pension_maximum"] == 2_403_000  # 50 % of 48 060 € (PASS 2026)
    assert row["pension_plafonnee"] == 2_403_000


def test_the_minimum_contributif_is_not_majore_under_120_quarters_cotises() -> None:
    row = _pension(naissance=date(1961, 1, 1), date_effet=date(2026, 1, 1), sam=500_000, trimestres=168, trimestres_rg=168, trimestres_cotises=119)
    assert not row["mico_majore"]
    assert row["montant_mico"] == 907_550  # 9 075,50 € a year (756,29 € a month), full durée (circulaire Cnav 2025-29)
    assert row["minimum_contributif"] and row["pension_annuelle"] == 907_550


def test_no_minimum_contributif_without_the_taux_plein() -> None:
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 1, 1), sam=500_000, trimestres=150, trimestres_rg=150, trimestres_cotises=150)
    assert not row["taux_plein"] and row["complement_mico"] == 0 and not row["minimum_contributif"]


def test_ecretement_takes_the_excess_over_the_plafond_from_the_complement_only() -> None:
    kwargs: dict[str, Any] = {"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "sam": 1_200_000,
                              "trimestres": 168, "trimestres_rg": 168, "trimestres_cotises": 168}
    inconnu = _pension(**kwargs)
    assert inconnu["complement_mico"] == 1_084_722 - 600_000 and inconnu["ecretement_mico"] == 0  # majoré: 10 847,22 € a year
    # Other pensions of 1 000 € a month: total 12 000 + 10 847,22 = 22 847,22 € > 1 410,89 × 12 = 16 930,68 €.
    ecrete = _pension(**kwargs, total_pensions_mensuel=100_000)
    assert ecrete["ecretement_mico"] == ecrete["complement_mico"]  # the excess (5 916,54 €) is more than the complement (4 847,22 €)
    assert ecrete["pension_annuelle"] == 600_000 and not ecrete["minimum_contributif"]
    # 900 € a month: 4 716,54 € taken from the 4 847,22 € complement.
    assert _pension(**kwargs, total_pensions_mensuel=90_000)["ecretement_mico"] == 471_654
    # Other pensions of 500 € a month: total 16 847,22 € — under the plafond, nothing taken.
    assert _pension(**kwargs, total_pensions_mensuel=50_000)["ecretement_mico"] == 0
    # 550 € a month: 17 447,22 − 16 930,68 = 516,54 € taken.
    partiel = _pension(**kwargs, total_pensions_mensuel=55_000)
    assert partiel["ecretement_mico"] == 51_654 and partiel["minimum_contributif"]


def test_majoration_for_three_children_is_ten_percent() -> None:
    kwargs: dict[str, Any] = {"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "sam": 3_000_000,
                              "trimestres": 168, "trimestres_rg": 168, "trimestres_cotises": 168}
    row = _pension(**kwargs, enfants=3)
    assert row["majoration_enfants"] == 150_000 and row["pension_annuelle"] == 1_650_000
    assert _pension(**kwargs, enfants=2)["majoration_enfants"] == 0
    # With a surcote (4 quarters beyond 168, 1,25 % each) the 10 % applies to the pension with its surcote.
    surcote = _pension(**{**kwargs, "trimestres": 172, "trimestres_rg": 172, "trimestres_cotises": 172}, enfants=3)
    assert surcote["surcote"] == 75_000 and surcote["majoration_enfants"] == 157_500


# --------------------------------------------------------------------------
# Majoration de durée after the âge of L. 351-8 1° (L. 351-6, R. 351-7)


def test_each_quarter_after_67_increases_the_duree_by_2_5_percent_rounded_up() -> None:
    """CSS R. 351-7: 2,5 % of the durée d'assurance au régime général for each quarter accomplished after the âge of
    L. 351-8 1° (67); « le nombre total de trimestres […] est arrondi, s'il y a lieu, au chiffre immédiatement
    supérieur ». Born 1956-02-10, 67 on 2023-02-10; effect 2023-12-01 = 67 ans et 9 mois: 3 whole quarters;
    100 × (1 + 3 × 2,5 %) = 107,5 → 108 quarters over 166."""
    row = _pension(naissance=date(1956, 2, 10), date_effet=date(2023, 12, 1), trimestres=100, trimestres_rg=100, trimestres_cotises=100)
    assert row["taux_plein"] and row["age_majoration_duree_mois"] == 804
    assert row["trimestres_apres_age_majoration"] == 3 and row["duree_rg_majoree"] == 108
    assert (row["prorata_numerateur"], row["prorata_denominateur"]) == (108, 166)
    assert row["pension_calculee"] == 650_602  # 20 000 € × 50 % × 108 / 166 = 6 506,024 €
    assert row["droit_propre_majoration_duree_par_trimestre_reference"].startswith("CSS art. R. 351-7")
    # A whole number stays as it is: 40 × (1 + 2 × 2,5 %) = 42.
    deux = _pension(naissance=date(1956, 2, 10), date_effet=date(2023, 9, 1), trimestres=40, trimestres_rg=40, trimestres_cotises=40)
    assert (deux["trimestres_apres_age_majoration"], deux["duree_rg_majoree"]) == (2, 42)
    # The prorata stays at most 1 (L. 351-1): 160 × 1,075 = 172 → 166 / 166.
    plein = _pension(naissance=date(1956, 2, 10), date_effet=date(2023, 12, 1), trimestres=160, trimestres_rg=160, trimestres_cotises=160)
    assert plein["duree_rg_majoree"] == 172 and plein["prorata_numerateur"] == 166


def test_no_majoration_de_duree_before_the_age_nor_within_the_first_quarter() -> None:
    a_67 = _pension(naissance=date(1956, 2, 10), date_effet=date(2023, 3, 1), trimestres=100, trimestres_rg=100, trimestres_cotises=100)
    assert a_67["trimestres_apres_age_majoration"] == 0 and a_67["prorata_numerateur"] == 100  # 67 ans et 0 mois
    avant = _pension(naissance=date(1958, 1, 1), date_effet=date(2023, 8, 1), trimestres=80, trimestres_rg=80, trimestres_cotises=80)
    assert avant["trimestres_apres_age_majoration"] == 0 and avant["prorata_numerateur"] == 80  # 65 ans et 7 mois, not inapte


def test_the_inapte_s_majoration_de_duree_runs_from_65() -> None:
    """CSS R. 351-7: « ou à l'âge de soixante-cinq ans s'il remplit les conditions prévues au […] 2° de ce même article
    L. 351-8 » (inaptitude). Born 1958-01-01, effect 2023-08-01 = 65 ans et 7 mois: 2 quarters; 80 × 1,05 = 84."""
    row = _pension(naissance=date(1958, 1, 1), date_effet=date(2023, 8, 1), trimestres=80, trimestres_rg=80, trimestres_cotises=80, inaptitude=True)
    assert row["age_majoration_duree_mois"] == 780 and row["trimestres_apres_age_majoration"] == 2
    assert row["duree_rg_majoree"] == 84 and row["prorata_numerateur"] == 84
    steps = [s["etape"] for s in etapes_pension(row)]
    assert any(label.startswith("Majoration de durée : 2 trimestre(s) après 65 ans") for label in steps)


# --------------------------------------------------------------------------
# Input checks


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"naissance": date(1964, 1, 1), "date_effet": date(1963, 1, 1)}, "date_effet"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 15)}, "date_effet"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "trimestres_rg": 180}, "trimestres_rg"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "trimestres_cotises": 220, "trimestres_rg": 220, "trimestres": 220},
         "trimestres_cotises"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "sam": -1}, "sam"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "enfants": -1}, "enfants"),
        ({"naissance": date(1961, 1, 1), "date_effet": date(2026, 1, 1), "total_pensions_mensuel": -5}, "total_pensions_mensuel"),
        ({"naissance": date(1958, 1, 1), "date_effet": date(2022, 1, 1)}, "date_effet"),
        ({"naissance": date(1951, 1, 1), "date_effet": date(2023, 1, 1)}, "naissance"),
    ],
)
def test_bad_input_names_the_column(row: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        _pension(**row)
    assert caught.value.field == field


def test_a_missing_column_is_named() -> None:
    with pytest.raises(InvalidField) as caught:
        pension_droit_propre(pl.DataFrame({"naissance": [date(1961, 1, 1)], "date_effet": [date(2026, 1, 1)], "sam": [1]}))
    assert caught.value.field == "trimestres"


def test_whole_months() -> None:
    frame = pl.DataFrame({"a": [date(1964, 1, 31), date(1964, 1, 15), date(1964, 1, 15)], "b": [date(1964, 2, 29), date(1964, 2, 14), date(1964, 2, 15)]})
    assert frame.select(mois_revolus(pl.col("a"), pl.col("b"))).to_series().to_list() == [1, 0, 1]


# --------------------------------------------------------------------------
# The explanation and the invariants


def test_the_explanation_cites_each_step() -> None:
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 1, 1), trimestres=150, trimestres_rg=150, trimestres_cotises=150, enfants=3)
    steps = etapes_pension(row)
    labels = [s["etape"] for s in steps]
    assert any(label.startswith("Décote : 16 trimestre(s)") for label in labels)
    assert steps[-1]["montant_cents"] == row["pension_mensuelle"]
    assert steps[-2]["montant_cents"] == row["pension_annuelle"]
    assert all(s["reference"] for s in steps[:-2])


@settings(max_examples=150, deadline=None)
@given(
    annee=st.integers(min_value=1955, max_value=1969),
    mois_naissance=st.integers(min_value=1, max_value=12),
    retard=st.integers(min_value=0, max_value=72),
    sam=st.integers(min_value=0, max_value=8_000_000),
    trimestres=st.integers(min_value=0, max_value=200),
    part_rg=st.floats(min_value=0, max_value=1),
    part_cotises=st.floats(min_value=0, max_value=1),
    enfants=st.integers(min_value=0, max_value=6),
    autres=st.one_of(st.none(), st.integers(min_value=0, max_value=300_000)),
)
def test_invariants(annee: int, mois_naissance: int, retard: int, sam: int, trimestres: int, part_rg: float, part_cotises: float,
                    enfants: int, autres: int | None) -> None:
    naissance = date(annee, mois_naissance, 1)
    effet_mois = annee * 12 + mois_naissance - 1 + 768 + retard  # at 64 (the highest âge légal) or later
    effet = date(effet_mois // 12, effet_mois % 12 + 1, 1)
    if effet < date(2023, 1, 1):
        return
    rg = int(trimestres * part_rg)
    cotises = min(int(rg * part_cotises), 4 * (effet.year - annee - 13))
    row = _pension(naissance=naissance, date_effet=effet, sam=sam, trimestres=trimestres, trimestres_rg=rg, trimestres_cotises=cotises,
                   enfants=enfants, total_pensions_mensuel=autres)
    assert Decimal("0.375") <= row["taux"] <= Decimal("0.5")
    assert row["prorata_numerateur"] <= row["prorata_denominateur"]
    assert row["pension_plafonnee"] <= row["pension_maximum"]
    assert row["decote_trimestres"] == 0 or row["surcote_trimestres"] == 0
    avant_majoration = row["pension_annuelle"] - row["majoration_enfants"]
    assert avant_majoration >= row["pension_plafonnee"]
    assert avant_majoration <= max(row["pension_maximum"] + row["surcote"], row["montant_mico"])  # only surcote and the minimum go beyond
    assert 0 <= row["ecretement_mico"] <= row["complement_mico"]
    assert row["pension_mensuelle"] == (2 * row["pension_annuelle"] + 12) // 24
