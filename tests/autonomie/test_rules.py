"""The rules of the APA and the PCH against published amounts and the texts' own arithmetic.

Sources of the expected amounts (none is an output of secu copied back):

* plafonds 2026 — lemediasocial.fr « APA et PCH : nouveaux montants applicables au
  1er janvier 2026 » (GIR 1 : 2 080,33 €) and aide-sociale.fr/montant-apa (GIR 1 :
  2 080,33 €, GIR 4 : 811,52 €);
* plafonds 2025 and 2024 — commune-de-baudres.fr « Seniors - service à la personne »
  (2025 : 2 045,56 / 1 654,18 / 1 195,67 / 797,96 € ; 2024 : 1 955,60 / 1 581,44 /
  1 143,09 / 762,87 €);
* participation — CASF R232-11 (décret 2016-210): nothing below 0,725 MTP, 90 % of the plan
  above 2,67 MTP; in between, a hand computation of the formula, written out in the test;
* établissement — CASF R232-19 as summarised by ASH (numéro juridique 3016): the GIR 5-6
  tarif below 2,21 MTP, plus 80 % of the difference above 3,40 MTP;
* concours — the CNSA's 2022 coverage of APA expenses, 41,5 % (REPSS autonomie, indicator 1-3).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.autonomie import explication, rules
from secu.core.ages import age_le
from tests.parametres.modifies import parametre_modifie


def _apa(**columns):  # type: ignore[no-untyped-def]
    n = max(len(v) if isinstance(v, list) else 1 for v in columns.values())
    base = {"date": date(2026, 3, 1), "gir": 1, "age": 80, "plan_cents": 0, "ressources_cents": 0, "couple": False}
    data = {k: (columns.get(k, v) if isinstance(columns.get(k, v), list) else [columns.get(k, v)] * n) for k, v in base.items()}
    return rules.apa_domicile(pl.DataFrame(data, schema_overrides={"gir": pl.Int64, "age": pl.Int64}))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), [208_033, 168_230, 121_599, 81_152]),
        (date(2025, 1, 1), [204_556, 165_418, 119_567, 79_796]),
        (date(2024, 1, 1), [195_560, 158_144, 114_309, 76_287]),
    ],
)
def test_plafonds_by_gir_are_the_published_ones(day: date, expected: list[int]) -> None:
    out = _apa(date=[day] * 4, gir=[1, 2, 3, 4], plan_cents=[1] * 4)
    assert out["plafond_cents"].to_list() == expected


def test_gir_1_2026_published_by_lemediasocial() -> None:
    assert _apa(date=date(2026, 1, 1), plan_cents=1)["plafond_cents"].item() == 208_033


def test_no_participation_up_to_s1_and_90_percent_from_s2() -> None:
    # 2026: S1 = 0,725 × 1 288,13 = 933,89425 € ; S2 = 2,67 × 1 288,13 = 3 439,3071 €.
    out = _apa(ressources_cents=[93_389, 93_390, 343_931, 500_000], plan_cents=[100_000] * 4)
    assert out["participation_cents"][0] == 0
    assert out["participation_cents"][2] == 90_000 and out["participation_cents"][3] == 90_000
    assert out["apa_versee_cents"][3] == 10_000
    assert out["seuil_s1_cents"][0] == 93_389 and out["seuil_s2_cents"][0] == 343_931


def test_participation_between_s1_and_s2_by_hand() -> None:
    """R = 1 500 €, GIR 1 plan at the 2026 ceiling, 2 080,33 €.

    S = 1 288,13; S1 = 933,89425; S2 − S1 = 1,945 S = 2 505,41285; k = 566,10575 / 2 505,41285 = 0,22595…
    A1 = 0,317 S = 408,33721; A2 = (0,498 − 0,317) S = 233,15153; A3 = 2 080,33 − 0,498 S = 1 438,84126.
    P = 0,9 k [A1 + A2 (1 − 0,6 (1 − k)) + A3 (1 − 0,8 (1 − k))] = 0,9 × 0,22595 × 1 081,06 = 219,84 €.
    """
    out = _apa(ressources_cents=150_000, plan_cents=208_033)
    assert out["participation_cents"].item() == 21_984
    assert out["apa_versee_cents"].item() == 208_033 - 21_984


def test_a_couple_s_resources_are_divided_by_1_7() -> None:
    # 4 000 € / 1,7 = 2 352,94 € (half up to the cent); same participation as a single person with that income.
    out = _apa(ressources_cents=[400_000, 235_294], couple=[True, False], plan_cents=[100_000] * 2, gir=[2, 2])
    assert out["ressources_retenues_cents"].to_list() == [235_294, 235_294]
    assert out["participation_cents"][0] == out["participation_cents"][1]


def test_not_paid_at_or_below_three_smic_horaire() -> None:
    # SMIC horaire 2026: 12,02 € → 36,06 €. Plan 40 € with resources above S2: APA 4 €, not paid.
    out = _apa(plan_cents=[4_000, 40_000], ressources_cents=[500_000, 0])
    assert out["seuil_versement_cents"][0] == 3_606
    assert out["apa_cents"][0] == 400 and out["apa_versee_cents"][0] == 0 and out["sous_seuil_versement"][0]
    assert out["apa_versee_cents"][1] == 40_000


def test_gir_5_6_and_under_60_get_nothing_with_a_motif() -> None:
    out = _apa(gir=[5, 1, 7], age=[80, 59, 80], plan_cents=[10_000] * 3)
    assert out["apa_versee_cents"].to_list() == [0, 0, 0]
    assert out["motif"].to_list() == ["GIR_5_6", "AGE", "GIR_INVALIDE"]
    assert "60 ans" in explication.explain_apa_domicile(out.row(1, named=True))[0]["etape"]


def test_a_plan_above_the_ceiling_is_held_to_it() -> None:
    out = _apa(gir=4, plan_cents=100_000, ressources_cents=0)
    assert out["plan_retenu_cents"].item() == 81_152 and out["apa_versee_cents"].item() == 81_152


def test_explanation_formats_the_columns() -> None:
    row = _apa(ressources_cents=150_000, plan_cents=208_033).row(0, named=True)
    steps = explication.explain_apa_domicile(row)
    assert steps[-1] == {"etape": "APA versée", "montant_cents": 186_049, "reference": rules.REFERENCE_APA}
    assert any(s["montant_cents"] == 21_984 and "2016-210" in s["reference"] for s in steps)
    assert all(set(s) == {"etape", "montant_cents", "reference"} for s in steps)


def _etab(ressources: list[int], couple: list[bool] | None = None):  # type: ignore[no-untyped-def]
    n = len(ressources)
    return rules.apa_etablissement(pl.DataFrame({
        "date": [date(2026, 5, 1)] * n, "gir": [2] * n, "age": [85] * n, "tarif_gir_cents": [70_000] * n,
        "tarif_gir56_cents": [20_000] * n, "ressources_cents": ressources, "couple": couple or [False] * n,
    }))


def test_etablissement_participation_by_resources() -> None:
    # 2026: 2,21 MTP = 2 846,77 € ; 3,40 MTP = 4 379,64 €. Tarif GIR 2: 700 €, GIR 5-6: 200 €.
    out = _etab([200_000, 500_000])
    assert out["seuil_bas_cents"][0] == 284_677 and out["seuil_haut_cents"][0] == 437_964
    assert out["participation_cents"].to_list() == [20_000, 20_000 + 40_000]  # 200 €; 200 € + 80 % × 500 €
    assert out["apa_versee_cents"].to_list() == [50_000, 10_000]


def test_etablissement_between_the_thresholds_by_hand() -> None:
    # R = 3 500 €: (3 500 − 2 846,7673) / (1,19 × 1 288,13) = 653,2327 / 1 532,8747 = 0,42615; × 80 % × 500 € = 170,46 €.
    out = _etab([350_000])
    assert out["participation_cents"].item() == 20_000 + 17_046


def test_etablissement_couple_divides_by_two() -> None:
    out = _etab([1_000_000], couple=[True])
    assert out["ressources_retenues_cents"].item() == 500_000


def test_pch_hours_times_tarif_elements_within_maxima_and_taux() -> None:
    frame = pl.DataFrame({
        "date": [date(2026, 2, 1)] * 2, "ressources_cents": [2_000_000, 4_000_000], "heures_centiemes": [3_050, 1_000],
        "mode_aide_humaine": ["prestataire", "aidant_familial"], "charges_specifiques_cents": [15_000, 5_000],
    })
    out = rules.pch(frame)
    # 30,5 h × 23,50 € = 716,75 € ; charges spécifiques held to 100 € ; resources ≤ 24 × 1 288,13 = 30 915,12 € → 100 %.
    assert out["aide_humaine_cents"].to_list() == [71_675, 4_590]
    assert out["seuil_ressources_cents"][0] == 3_091_512
    assert out["pch_cents"].to_list() == [81_675, 7_672]  # (45,90 + 50) × 80 % = 76,72 €
    assert explication.explain_pch(out.row(0, named=True))[-1]["montant_cents"] == 81_675


def test_concours_at_the_national_rate() -> None:
    out = rules.concours_cnsa(pl.DataFrame({"date": [date(2026, 1, 1)] * 2, "prestation": ["apa_domicile", "pch"], "montant_cents": [100_000, 100_000]}))
    assert out["concours_cents"].to_list() == [41_500, 33_000]
    assert (out["concours_cents"] + out["charge_departement_cents"]).to_list() == [100_000, 100_000]


def test_a_month_before_the_seeded_parameters_is_refused() -> None:
    from secu.core.errors import NotFound

    with pytest.raises(NotFound):
        _apa(date=date(2023, 6, 1), plan_cents=1)


def test_every_coefficient_used_as_thousandths_has_three_decimals_at_most() -> None:
    rules._check_milliemes()


def test_age_of_someone_born_on_29_february() -> None:
    # CASF L232-2 (60 years); no text says when a person born on 29 February has a birthday in a common year:
    # secu reads code de procédure civile art. 641, 2e al. (without the same day, the last day of the month), the
    # one rule of secu.core.ages: a birthday on 29 February is kept on 28 February in a common year.
    born = date(1968, 2, 29)
    assert age_le(born, date(2028, 2, 28)) == 59  # 2028 is a leap year: the birthday is the 29th
    assert age_le(born, date(2028, 2, 29)) == 60
    born = date(1964, 2, 29)
    assert age_le(born, date(2024, 2, 28)) == 59
    assert age_le(date(1966, 3, 1), date(2026, 2, 28)) == 59
    assert age_le(date(1964, 2, 29), date(2025, 2, 28)) == 61
    assert age_le(date(1964, 2, 29), date(2025, 2, 27)) == 60
    frame = pl.DataFrame({"date": [date(2025, 2, 28)] * 2, "gir": [2, 2], "date_naissance": [date(1965, 2, 28), date(1965, 3, 1)],
                          "plan_cents": [0, 0], "ressources_cents": [0, 0], "couple": [False, False]},
                         schema_overrides={"gir": pl.Int64})
    assert rules.apa_domicile(frame)["eligible"].to_list() == [True, False]
    # The 60th anniversary of a 29 February birth always falls in a leap year (60 is a multiple of 4, and 2000 was
    # leap): the rule only moves the other anniversaries. Born 29 February 2008: 17 on 27 February 2026, 18 on the 28th.
    frame = pl.DataFrame({"date_naissance": [date(2008, 2, 29)] * 2, "date": [date(2026, 2, 27), date(2026, 2, 28)]})
    assert rules._with_age(frame)["age"].to_list() == [17, 18]


def test_the_gir_of_the_apa_are_read_from_the_parameters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """CASF R232-4 (groups 1 to 4) and R232-3 (six groups) are parameters: changing them changes the outcome."""
    assert _apa(gir=4, plan_cents=10_000)["eligible"].item()
    with parametre_modifie(tmp_path, "autonomie/apa/gir_maximum.yaml", "value: 4", "value: 3"):
        out = _apa(gir=[3, 4], plan_cents=[10_000] * 2)
        assert out["eligible"].to_list() == [True, False] and out["motif"].to_list() == [None, "GIR_5_6"]
        assert out["plafond_cents"][1] == 0
        assert "GIR 4 à 6 n'ouvrent pas" in explication.explain_apa_domicile(out.row(1, named=True))[0]["etape"]
    with parametre_modifie(tmp_path, "autonomie/aggir/gir_maximum.yaml", "value: 6", "value: 7"):
        assert _apa(gir=7, plan_cents=10_000)["motif"].item() == "GIR_5_6"


def test_the_refusal_and_rate_labels_follow_the_parameters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The labels say what the parameters say: today's text (60 ans, GIR 5 ou 6, 90 %), another age when changed."""
    refus = _apa(gir=[5, 1], age=[80, 59], plan_cents=[10_000] * 2)
    assert explication.explain_apa_domicile(refus.row(0, named=True))[0] == {
        "etape": "Pas de droit à l'APA : les personnes classées en GIR 5 ou 6 n'ouvrent pas droit à l'APA (GIR 5, 80 ans)",
        "montant_cents": 0,
        "reference": "Code de l'action sociale et des familles, art. L. 232-2 (60 ans et plus, GIR 1 à 4 de la grille AGGIR)",
    }
    assert explication.explain_apa_domicile(refus.row(1, named=True))[0]["etape"] == (
        "Pas de droit à l'APA : l'APA est réservée aux personnes âgées de 60 ans ou plus (GIR 1, 59 ans)")
    labels = [s["etape"] for s in explication.explain_apa_domicile(_apa(plan_cents=100_000).row(0, named=True))]
    assert "Seuil S2 (2,67 MTP) : participation de 90 % du plan au-delà" in labels
    with parametre_modifie(tmp_path, "autonomie/apa/age_minimum.yaml", "value: 60", "value: 62"):
        out = _apa(age=61, plan_cents=10_000)
        assert out["motif"].item() == "AGE"
        assert "âgées de 62 ans ou plus" in explication.explain_apa_domicile(out.row(0, named=True))[0]["etape"]


def test_one_mtp_read_in_the_month_by_the_aeeh_and_on_1_january_by_the_apa() -> None:
    # The MTP is one parameter (CSS L355-1), revalued on 1 April: 1 266,60 € from April 2024, 1 288,13 € from April
    # 2025 (cramif.fr). The AEEH's 6e catégorie is the MTP of the month (CSS D541-2); the APA's ceilings are revalued
    # on 1 January following the MTP (CASF L232-3-1, R232-10): in June 2025 the APA still reads 1 266,60 €, so the
    # GIR 1 ceiling is the published 2025 one all year, 2 045,56 € (commune-de-baudres.fr), = 1,615 × 1 266,60.
    from secu.famille.rules import droits

    juin = date(2025, 6, 1)
    apa = _apa(date=[date(2025, 3, 31), juin, date(2025, 12, 1)], plan_cents=[1] * 3)
    assert apa["mtp_1er_janvier"].to_list() == [126_660] * 3 and apa["plafond_cents"].to_list() == [204_556] * 3
    assert "L. 355-1" in apa["mtp_1er_janvier_reference"][0]
    f = pl.DataFrame({"foyer": [1, 1], "mois": [date(2025, 3, 1), juin], "nb_parents": [2, 2], "ressources_n2": [0, 0]})
    e = pl.DataFrame({"foyer": [1, 1], "mois": [date(2025, 3, 1), juin], "date_naissance": [date(2015, 1, 1)] * 2, "aeeh_categorie": [6, 6]},
                     schema_overrides={"aeeh_categorie": pl.Int8})
    assert droits(f, e)["aeeh_complements"].to_list() == [126_660, 128_813]
