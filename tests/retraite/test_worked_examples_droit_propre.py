"""Published worked examples of the pension de droit propre, reproduced through the rule (issue 14 item 8).

Each test names its source. No official page with a complete worked example (SAM, quarters, dates and amount) could
be found in the sources searchable here for every case: where the published example gives only part of the data
(a pension "de 12 000 € par an à taux plein"), the test completes it with the fewest assumptions, says which, and
checks the published figure. Amounts published by an organism (minimum contributif, maximum) are checked as the
organism publishes them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from secu.retraite.rules.droit_propre import pension_droit_propre
from secu.retraite.rules.revalorisation import pension_en_service


def _pension(**row: Any) -> dict[str, Any]:
    schema = {"total_pensions_mensuel": pl.Int64, "trimestres_apres_age_legal": pl.Int64, "age_debut_activite": pl.Int64}
    frame = pl.DataFrame({k: [v] for k, v in row.items()}, schema_overrides={k: v for k, v in schema.items() if k in row})
    return pension_droit_propre(frame).row(0, named=True)


def test_full_career_at_taux_plein_then_one_more_year_of_surcote() -> None:
    """AG2R La Mondiale, « Comment est calculée la surcote de la retraite » : at 62 with the quarters required, a pension
    « calculée sur la base des 25 meilleures années » of 12 000 € a year; one more year (4 quarters × 1,25 % = 5 %):
    12 600 € a year, 50 € more a month.

    Completed: born 1 January 1961 (62 ans, 168 quarters, loi n° 2014-40), SAM 24 000 € (50 % = 12 000 €), all
    quarters at the régime général, cotisés.
    """
    a_62_ans = _pension(naissance=date(1961, 1, 1), date_effet=date(2023, 1, 1), sam=2_400_000, trimestres=168, trimestres_rg=168, trimestres_cotises=168)
    assert a_62_ans["taux_plein"] and a_62_ans["taux"] == Decimal("0.5")
    assert a_62_ans["pension_annuelle"] == 1_200_000 and a_62_ans["pension_mensuelle"] == 100_000
    un_an_de_plus = _pension(naissance=date(1961, 1, 1), date_effet=date(2024, 1, 1), sam=2_400_000, trimestres=172, trimestres_rg=172,
                             trimestres_cotises=172)
    assert un_an_de_plus["surcote_trimestres"] == 4
    assert un_an_de_plus["pension_annuelle"] == 1_260_000
    assert un_an_de_plus["pension_mensuelle"] - a_62_ans["pension_mensuelle"] == 5_000


def test_surcote_of_eight_quarters_is_ten_percent_before_the_children_s_majoration() -> None:
    """Dossier familial, « Retraite : travailler 2 ans de plus pour obtenir une surcote de 10 % » : a pension of base
    of 10 000 € a year, 8 quarters more → 11 000 €; « la surcote est appliquée au montant annuel brut de votre
    pension, avant la majoration de pension de 10 % des parents de trois enfants et plus ».

    Completed: born 1 March 1960 (62 ans, 167 quarters), 175 quarters on 1 April 2024, SAM 20 000 €; 110 of them
    cotisés, so the minimum contributif (non majoré, 8 796,38 € in 2024) stays under the pension (the majoré one,
    10 513,61 €, would raise it before the surcote: see the minimum's tests).
    """
    row = _pension(naissance=date(1960, 3, 1), date_effet=date(2024, 4, 1), sam=2_000_000, trimestres=175, trimestres_rg=175, trimestres_cotises=110)
    assert row["pension_plafonnee"] == 1_000_000 and row["surcote_trimestres"] == 8
    assert row["pension_annuelle"] == 1_100_000
    parent = _pension(naissance=date(1960, 3, 1), date_effet=date(2024, 4, 1), sam=2_000_000, trimestres=175, trimestres_rg=175, trimestres_cotises=110,
                      enfants=3)
    assert parent["majoration_enfants"] == 110_000 and parent["pension_annuelle"] == 1_210_000


def test_decote_four_missing_quarters_is_a_taux_of_47_5_percent() -> None:
    """service-public.fr F19666 (décote) and the rule it states: the lesser of the quarters missing to the durée and the
    quarters to 67, 1,25 % of the taux (0,625 point) each; Reuters / maretraite.fr: « par exemple à 47,5 % s'il
    manque 4 trimestres ».

    Completed: born 1 January 1963 (62 ans et 9 mois, 170 quarters), leaving on 1 October 2025 with 166 quarters
    (17 quarters to 67, 4 missing to 170), SAM 30 000 €: 30 000 × 47,5 % × 166 / 170 = 13 914,71 €.
    """
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2025, 10, 1), sam=3_000_000, trimestres=166, trimestres_rg=166, trimestres_cotises=166)
    assert row["decote_trimestres"] == 4 and row["taux"] == Decimal("0.475")
    assert (row["prorata_numerateur"], row["prorata_denominateur"]) == (166, 170)
    assert row["pension_annuelle"] == 1_391_471
    assert not row["minimum_contributif"]  # no minimum without the taux plein


def test_decote_the_quarters_to_67_are_counted_when_fewer() -> None:
    """service-public.fr (décote, same rule): leaving at 63 with a large gap, the quarters to 67 count: 16 (4 years).

    Born 1 January 1963, leaving on 1 January 2026 (63 ans) with 150 quarters of 170: min(20, 16) = 16 → 40 %.
    """
    row = _pension(naissance=date(1963, 1, 1), date_effet=date(2026, 1, 1), sam=3_000_000, trimestres=150, trimestres_rg=150, trimestres_cotises=150)
    assert row["decote_trimestres"] == 16 and row["taux"] == Decimal("0.4")
    assert row["pension_annuelle"] == 1_058_824  # 30 000 × 40 % × 150 / 170 = 10 588,235…


def test_minimum_contributif_majore_and_not_majore_2024() -> None:
    """previssima.fr : the pension of base cannot be lower than « 8 796,38 € par an en 2024 ou lorsqu'il est majoré à
    10 513,61 € par an » (taux plein, full durée; majoré from 120 quarters cotisés).

    Born 1 January 1961 (168 quarters), leaving 1 January 2024, SAM 12 000 € (pension 6 000 €).
    """
    majore = _pension(naissance=date(1961, 1, 1), date_effet=date(2024, 1, 1), sam=1_200_000, trimestres=168, trimestres_rg=168, trimestres_cotises=168)
    assert majore["mico_majore"] and majore["minimum_contributif"]
    assert majore["pension_annuelle"] == 1_051_361
    # The majoré part is prorated on the quarters cotisés (D. 351-2-1): 160 of 168 → 8 796,38 + 1 717,23 × 160 / 168.
    partiel = _pension(naissance=date(1961, 1, 1), date_effet=date(2024, 1, 1), sam=1_200_000, trimestres=168, trimestres_rg=168, trimestres_cotises=160)
    assert partiel["pension_annuelle"] == 879_638 + 163_546
    simple = _pension(naissance=date(1961, 1, 1), date_effet=date(2024, 1, 1), sam=1_200_000, trimestres=168, trimestres_rg=168, trimestres_cotises=100)
    assert not simple["mico_majore"] and simple["pension_annuelle"] == 879_638


def test_the_surcote_is_added_to_the_minimum_not_absorbed_by_it() -> None:
    """Since 2009-04-01 the minimum contributif is compared with the pension before the surcote, and the surcote
    (computed on that pension) is added after: CSS L. 351-10 as amended by loi n° 2008-1330 (LFSS 2009) art. 89;
    circulaire Cnav n° 2009/17 du 16 février 2009, § 3.2.

    The case of the OpenFisca-France-Pension check: born 1957-01-21, effect 2023-03-01, SAM 16 204,74 €, 175 quarters
    (all cotisés at the régime général), 3 children. 166 quarters required: taux plein, 8 102,37 €; surcote of 9
    quarters (175 − 166) × 1,25 % = 911,52 €; the minimum majoré of 2023-01-01 (8 970,84 € a year) exceeds 8 102,37 € by
    868,47 €, paid on top of the surcote: 9 882,36 €, + 10 % for the children (988,24 €) = 10 870,60 € a year (the rule
    before the fix absorbed the surcote and paid 9 915,28 €).
    """
    row = _pension(naissance=date(1957, 1, 21), date_effet=date(2023, 3, 1), sam=1_620_474, trimestres=175, trimestres_rg=175,
                   trimestres_cotises=175, enfants=3)
    assert row["pension_plafonnee"] == 810_237 and row["surcote_trimestres"] == 9 and row["surcote"] == 91_152
    assert row["montant_mico"] == 897_084 and row["complement_mico"] == 86_847 and row["minimum_contributif"]
    assert row["majoration_enfants"] == 98_824 and row["pension_annuelle"] == 1_087_060


def test_minimum_contributif_2026_prorated_and_ecrete() -> None:
    """sixactualites.fr (11/03/2026) and adcf.org: 9 075,50 € a year (756,29 € a month), majoré 10 847,22 € a year
    (903,93 € a month) from 120 quarters cotisés, and the plafond of all pensions of 1 410,89 € a month; cercle de
    l'épargne (13/01/2026): the minimum is reduced in proportion to the durée, and « n'est pas versé intégralement si
    l'ensemble des pensions dépasse un plafond ».

    Born 1 January 1963 (170 quarters), leaving 1 January 2026 at 63 with 170 quarters of which 85 at the régime
    général, 140 cotisés (all régimes): minimum = 9 075,50 × 85/170 + (10 847,22 − 9 075,50) × 85/170 = 5 423,61 €.
    """
    kwargs: dict[str, Any] = {"naissance": date(1963, 1, 1), "date_effet": date(2026, 1, 1), "sam": 1_000_000,
                              "trimestres": 170, "trimestres_rg": 85, "trimestres_cotises": 85}
    non_majore = _pension(**kwargs)  # 85 cotisés < 120
    assert non_majore["montant_mico"] == 453_775  # 9 075,50 × 85 / 170
    assert non_majore["pension_annuelle"] == 453_775  # the pension (10 000 × 50 % × 85/170 = 2 500 €) brought to the minimum
    # Other pensions (Agirc-Arrco and another régime) of 1 100 € a month: 13 200 + 4 537,75 = 17 737,75 € a year,
    # 807,07 € over 12 × 1 410,89 = 16 930,68 €: the complement (2 037,75 €) loses 807,07 €.
    ecrete = _pension(**kwargs, total_pensions_mensuel=110_000)
    assert ecrete["ecretement_mico"] == 80_707
    assert ecrete["pension_annuelle"] == 453_775 - 80_707 and ecrete["minimum_contributif"]
    # 1 300 € a month: the excess (3 207,07 €) takes the whole complement, never the pension itself.
    assert _pension(**kwargs, total_pensions_mensuel=130_000)["pension_annuelle"] == 250_000


def test_pension_at_the_maximum_half_the_pass() -> None:
    """previssima.fr: the pension of base cannot be « supérieure à 50 % du plafond de la Sécurité sociale, soit
    23 184 € en 2024 » (maretraite.fr: « plafonnée à 50 % du PASS »). A SAM above the current PASS (revalued
    salaries): 1 932 € a month.
    """
    row = _pension(naissance=date(1961, 1, 1), date_effet=date(2024, 1, 1), sam=4_700_000, trimestres=168, trimestres_rg=168, trimestres_cotises=168)
    assert row["pension_calculee"] == 2_350_000 and row["pension_maximum"] == 2_318_400
    assert row["pension_annuelle"] == 2_318_400 and row["pension_mensuelle"] == 193_200


def test_generation_1964_under_the_suspension() -> None:
    """f2p.fr « LFSS pour 2026 : volet retraite » (loi n° 2025-1403, art. 105): for pensions taking effect from
    1 September 2026, the generation 1964 leaves at 62 ans et 9 mois with 170 quarters (like 1963) instead of 63 ans
    and 171; Les Echos Publishing (15/01/2026, via groupetrial): « 1964 to 31/03/1965 → 62 ans 9 mois, 170 ».

    Born 1 June 1964: 62 ans et 9 mois on 1 March 2027 — a taux plein with 170 quarters, where the 2023 schedule
    would have given 63 ans (June 2027) and a décote of one quarter at 171.
    """
    row = _pension(naissance=date(1964, 6, 1), date_effet=date(2027, 3, 1), sam=3_000_000, trimestres=170, trimestres_rg=170, trimestres_cotises=170)
    assert (row["age_legal_mois"], row["duree_requise"]) == (753, 170)
    assert row["taux_plein"] and row["pension_annuelle"] == 1_500_000 and row["pension_mensuelle"] == 125_000
    # Born 1 April 1965 (after 31 March 1965): 63 ans and 171 quarters.
    avril_1965 = _pension(naissance=date(1965, 4, 1), date_effet=date(2028, 4, 1), sam=3_000_000, trimestres=170, trimestres_rg=170,
                          trimestres_cotises=170)
    assert (avril_1965["age_legal_mois"], avril_1965["duree_requise"], avril_1965["decote_trimestres"]) == (756, 171, 1)


def test_revaluation_of_the_pension_in_payment() -> None:
    """Circulaires Cnav 2023-34, 2024-39, 2025-29 (fiche § 2.7): +5,3 % on 1 January 2024, +2,2 % in 2025, +0,9 % in 2026.
    A pension of 1 000 € a month from 1 July 2023: 1 053,00 €, then 1 076,17 €, then 1 085,86 € (each rounded to the cent).
    """
    out = pension_en_service(pl.DataFrame({"date_effet": [date(2023, 7, 1)] * 3, "mois": [date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1)],
                                           "pension_mensuelle": [100_000] * 3}))
    assert out.get_column("pension_mensuelle_revalorisee").to_list() == [105_300, 107_617, 108_586]
