"""The pension de réversion (L. 353-1 to L. 353-3, D. 353-1, D. 353-1-1, R. 353-1-1) against published figures and examples.

Sources of the expected amounts (each test names its own):

* the ceiling, 2 080 × SMIC horaire at 1 January (D. 353-1-1): circulaire Cnav n° 2012/4 du 19 janvier 2012
  (9,22 € × 2 080 = 19 177,60 € ; × 1,6 = 30 684,16 € for a household); in 2025, with the SMIC of 11,88 €,
  24 710,40 € alone and 39 536,64 € in a couple (fiche de référence §2.8; « 24 710 € pour une personne seule »,
  accueil-temporaire.com citing the Assurance retraite);
* the écrêtement: « la réversion est réduite du montant du dépassement » (ag2rlamondiale.fr's example: own pensions
  9 000 € + réversion 7 000 € = 16 000 € over the ceiling → réversion reduced by the excess; ash.tm.fr quoting the
  CNAV), here with the 2025 ceiling;
* the sharing between spouses (L. 353-3): ppc-conseils.fr's example — a pension of 1 000 €, marriages of 134 and
  372 months (506 in all), réversion 540 € → 143 € and 397 € (rounded to the euro by the source);
* the minimum in sixtieths (D. 353-1, al. 2): Le Particulier n° 1032 (janvier 2009) via aapuk-gardanne.com —
  « s'il avait été affilié douze ans : [261,43 : 15] × 12, soit 209,14 € » —, the same arithmetic on the 2025
  minimum of 3 983,29 € a year (fiche de référence §2.8);
* the maximum: 54 % of 50 % of the PASS, 1 059,75 € a month in 2025 (fiche de référence §2.8, legifiscal).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField, NotFound
from secu.retraite.explication_solidarite import etapes_reversion
from secu.retraite.rules.reversion import pension_reversion


def _row(**kwargs: object) -> dict:
    base = {
        "date_effet": date(2025, 2, 1), "date_deces": date(2025, 1, 10), "naissance": date(1958, 3, 2),
        "pension_defunt": 12_000_00, "trimestres_defunt": 160, "revenus_activite_3_mois": 0, "autres_ressources_3_mois": 0,
    }
    base.update(kwargs)
    return base


def _calc(*rows: dict) -> list[dict]:
    return pension_reversion(pl.DataFrame(list(rows))).to_dicts()


def test_ceilings_of_d353_1_1_in_2025_alone_and_in_a_couple():
    seul, couple = _calc(_row(), _row(couple=True))
    assert seul["plafond_ressources"] == 24_710_40  # 2 080 × 11,88 €
    assert couple["plafond_ressources"] == 39_536_64  # × 1,6


def test_reversion_under_the_ceiling_is_54_percent_of_the_pension():
    # A pension of 1 000 € a month: 540 € (ppc-conseils.fr). Resources of 4 500 € a quarter, 18 000 € a year:
    # 18 000 + 6 480 = 24 480 € ≤ 24 710,40 €: no écrêtement.
    (row,) = _calc(_row(autres_ressources_3_mois=4_500_00))
    assert row["reversion_brute"] == 6_480_00
    assert row["ressources_annuelles"] == 18_000_00 and row["periode_ressources"] == 3
    assert row["depassement"] == 0
    assert row["reversion_annuelle"] == 6_480_00 and row["reversion_mensuelle"] == 540_00


def test_reversion_ecretee_is_reduced_by_the_excess():
    # Resources 5 000 € a quarter (20 000 € a year): 20 000 + 6 480 − 24 710,40 = 1 769,60 € of excess,
    # réversion 6 480 − 1 769,60 = 4 710,40 € a year, 392,53 € a month (twelfth rounded down).
    (row,) = _calc(_row(autres_ressources_3_mois=5_000_00))
    assert row["depassement"] == 1_769_60
    assert row["reversion_annuelle"] == 4_710_40
    assert row["reversion_mensuelle"] == 392_53


def test_resources_over_the_ceiling_give_nothing():
    (row,) = _calc(_row(autres_ressources_3_mois=6_500_00, autres_ressources_12_mois=25_000_00, revenus_activite_12_mois=0))
    assert row["periode_ressources"] == 12 and row["ressources_annuelles"] == 25_000_00
    assert row["reversion_annuelle"] == 0 and row["reversion_mensuelle"] == 0


def test_earned_income_counts_for_70_percent_from_55():
    # R. 353-1-1: « abattement de 30 % s'il est âgé de 55 ans ou plus »: 6 000 € a quarter count for 4 200 €.
    (row,) = _calc(_row(revenus_activite_3_mois=6_000_00))
    assert row["revenus_activite_retenus_3_mois"] == 4_200_00
    assert row["ressources_annuelles"] == 16_800_00


def test_three_months_over_a_quarter_of_the_ceiling_need_the_twelve_months():
    with pytest.raises(InvalidField) as error:
        _calc(_row(autres_ressources_3_mois=7_000_00))
    assert error.value.field == "revenus_activite_12_mois"
    (row,) = _calc(_row(autres_ressources_3_mois=7_000_00, autres_ressources_12_mois=18_000_00, revenus_activite_12_mois=0))
    assert row["periode_ressources"] == 12 and row["ressources_annuelles"] == 18_000_00 and row["reversion_annuelle"] == 6_480_00


def test_sharing_between_two_spouses_by_the_months_of_each_marriage():
    # ppc-conseils.fr: 134 and 372 months out of 506, réversion 540 €: 143 € and 397 € (the source rounds to the euro).
    a, b = _calc(_row(duree_mariage=134, duree_mariages_total=506), _row(duree_mariage=372, duree_mariages_total=506))
    assert round(a["reversion_mensuelle"] / 100) == 143
    assert round(b["reversion_mensuelle"] / 100) == 397
    assert a["reversion_partagee"] + b["reversion_partagee"] == 6_480_00


def test_minimum_in_sixtieths_for_a_short_career():
    # Le Particulier (2009): 12 years, 48 quarters: the minimum × 48/60. 2025: 3 983,29 × 48 / 60 = 3 186,632 → 3 186,63 €.
    (row,) = _calc(_row(pension_defunt=1_000_00, trimestres_defunt=48))
    assert row["minimum_proratise"] == 3_186_63 and row["minimum_applique"]
    assert row["reversion_annuelle"] == 3_186_63
    (entier,) = _calc(_row(pension_defunt=1_000_00, trimestres_defunt=60))
    assert entier["minimum_proratise"] == 3_983_29


def test_maximum_is_54_percent_of_half_the_pass():
    # 2025: 54 % × 47 100 € / 2 = 12 717 € a year, 1 059,75 € a month.
    (row,) = _calc(_row(pension_defunt=30_000_00))
    assert row["reversion_maximum"] == 12_717_00
    assert row["reversion_mensuelle"] == 1_059_75


def test_majoration_of_ten_percent_for_three_children_is_within_the_ceiling():
    # 6 480 € + 10 % = 7 128 €; with 18 000 € of resources the total 25 128 € exceeds 24 710,40 € by 417,60 €.
    (row,) = _calc(_row(autres_ressources_3_mois=4_500_00, enfants=3))
    assert row["majoration_enfants"] == 648_00
    assert row["depassement"] == 417_60 and row["reversion_annuelle"] == 6_710_40


def test_under_55_no_reversion():
    (row,) = _calc(_row(naissance=date(1975, 1, 1)))
    assert not row["condition_age"] and row["reversion_mensuelle"] == 0
    assert "allocation veuvage" in etapes_reversion(row)[0]["etape"]


def test_the_final_amount_date():
    # R. 353-1-1: three months after all own pensions started; without them, at 67.
    propres, sans = _calc(_row(naissance=date(1965, 5, 10), date_effet=date(2025, 2, 1), date_droits_propres=date(2027, 9, 1)),
                          _row(naissance=date(1965, 5, 10), date_effet=date(2025, 2, 1)))
    assert propres["date_montant_definitif"] == date(2027, 12, 1)
    assert sans["date_montant_definitif"] == date(2032, 5, 10)


def test_majoration_forfaitaire_has_no_value_before_april_2025():
    with pytest.raises(NotFound):
        _calc(_row(enfants_a_charge=1))
    (row,) = _calc(_row(date_effet=date(2025, 5, 1), enfants_a_charge=2))
    assert row["majoration_forfaitaire"] == 2 * 112_58 and row["reversion_mensuelle"] == 540_00 + 225_16


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pension_defunt": -1}, "pension_defunt"),
        ({"date_effet": date(2024, 12, 1)}, "date_effet"),
        ({"duree_mariage": 12}, "duree_mariages_total"),
        ({"duree_mariage": 600, "duree_mariages_total": 506}, "duree_mariage"),
        ({"trimestres_defunt": None}, "trimestres_defunt"),
    ],
)
def test_bad_input_names_the_column(change, field):
    with pytest.raises(InvalidField) as error:
        _calc(_row(**change))
    assert error.value.field == field


def test_every_amount_step_of_the_explanation_cites_a_text():
    (row,) = _calc(_row(autres_ressources_3_mois=5_000_00, enfants=3, duree_mariage=300, duree_mariages_total=400))
    steps = etapes_reversion(row)
    assert steps[-2]["montant_cents"] == row["reversion_mensuelle"]
    cited = [s for s in steps if s["reference"]]
    assert any("D. 353-1" in s["reference"] for s in cited) and any("L. 353-3" in s["reference"] for s in cited)
    assert any("L. 353-1, al. 1 et 4" in s["reference"] for s in cited)
