"""The ASPA (L. 815-1 and following, D. 815-1, D. 815-2, R. 815-29) and its recovery on the estate (L. 815-13).

Sources of the expected amounts:

* the maximum and the ceilings: circulaires Cnav 2023-3, 2023-34, 2024-39, 2025-29 (as read by openfisca-france);
  service-public.fr 2025 (quoted by clicanoo.com): « le montant maximum versé est de 1 034,28 € par mois, soit
  12 411,44 € maximum par an » for one beneficiary, « 1 605,73 € par mois, soit 19 268,80 € par an » for a couple,
  and « Il est égal à la différence entre 1 605,73 € et le montant des revenus par mois de votre couple »;
* the abattement on earned income: circulaire Cnav n° 2015-23 du 16 avril 2015 (tripalio.fr) — 0,9 (alone) or
  1,5 (household) times the monthly SMIC in force on 1 January, on the quarter's earned income only; SMIC mensuel
  on 1 January 2025: 1 801,80 € (secu's ``smic.mensuel``);
* the recovery: affairesinternationales.fr (2025): threshold 107 616,60 €, « pour une succession métropolitaine
  évaluée à 130 000 euros, seuls 22 383,40 euros pourront faire l'objet d'une récupération »; cerfrance
  (EFL 26/01/2024): 105 300 € and « 8 207,36 € par an pour une personne seule » in 2024; cerfrance (EFL
  05/10/2023): 39 000 € → 100 000 € in metropolitan France and 100 000 € → 150 000 € in the DROM on 1 September 2023.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField, NotFound
from secu.retraite.explication_solidarite import etapes_aspa, etapes_recuperation
from secu.retraite.rules.aspa import aspa, recuperation_aspa


def _foyer(**kwargs: object) -> dict:
    base = {"date_effet": date(2025, 3, 1), "naissance": date(1955, 1, 1), "revenus_activite_3_mois": 0, "autres_ressources_3_mois": 0}
    base.update(kwargs)
    return base


def _calc(*rows: dict) -> list[dict]:
    return aspa(pl.DataFrame(list(rows))).to_dicts()


def test_maximum_monthly_amounts_as_published():
    seul, couple = _calc(_foyer(), _foyer(couple=True, allocataires=2, naissance_conjoint=date(1956, 1, 1)))
    assert (seul["aspa_annuelle"], seul["aspa_mensuelle"]) == (12_411_44, 1_034_28)
    assert (couple["aspa_annuelle"], couple["aspa_mensuelle"]) == (19_268_80, 1_605_73)


def test_aspa_single_is_the_ceiling_less_the_resources():
    # service-public.fr's rule, alone: 1 034,28 € less 600 € of monthly resources (1 800 € a quarter) = 434,28 €.
    (row,) = _calc(_foyer(autres_ressources_3_mois=1_800_00))
    assert row["ressources_annuelles"] == 7_200_00
    assert row["aspa_mensuelle"] == 434_28


def test_aspa_couple_both_beneficiaries_share_the_couple_amount():
    # « la différence entre 1 605,73 € et le montant des revenus par mois de votre couple »: 1 000 € a month → 605,73 €,
    # half each (302,86 €, rounded down).
    (row,) = _calc(_foyer(couple=True, allocataires=2, naissance_conjoint=date(1957, 6, 1), autres_ressources_3_mois=3_000_00))
    assert row["aspa_plafond"] == 19_268_80 and row["aspa_montant_maximum"] == 19_268_80
    assert row["aspa_mensuelle"] == 605_73
    assert row["aspa_mensuelle_allocataire"] == 302_86


def test_aspa_couple_one_beneficiary_couple_ceiling_single_maximum():
    # D. 815-2: the couple's ceiling, at most the single maximum. Resources of the couple 500 € a month:
    # 1 605,73 − 500 = 1 105,73 € > 1 034,28 €: the maximum.
    (row,) = _calc(_foyer(couple=True, autres_ressources_3_mois=1_500_00))
    assert row["aspa_mensuelle"] == 1_034_28
    # 800 € a month: 805,73 €.
    (row,) = _calc(_foyer(couple=True, autres_ressources_3_mois=2_400_00))
    assert row["aspa_mensuelle"] == 805_73


def test_aspa_with_earned_income_after_the_abattement():
    # Circulaire Cnav 2015-23: 0,9 × 1 801,80 € = 1 621,62 € off the quarter's earnings. Earnings 3 000 € a quarter:
    # 1 378,38 € counted, 5 513,52 € a year; ASPA 12 411,44 − 5 513,52 = 6 897,92 € a year, 574,82 € a month.
    (row,) = _calc(_foyer(revenus_activite_3_mois=3_000_00))
    assert row["smic_mensuel_1er_janvier"] == 1_801_80
    assert row["abattement_activite"] == 1_621_62
    assert row["ressources_annuelles"] == 5_513_52
    assert row["aspa_mensuelle"] == 574_82
    # A couple's abattement: 1,5 × 1 801,80 = 2 702,70 €, at most the earnings.
    (couple,) = _calc(_foyer(couple=True, revenus_activite_3_mois=2_000_00))
    assert couple["abattement_activite"] == 2_000_00 and couple["ressources_annuelles"] == 0


def test_twelve_months_without_abattement_when_the_quarter_exceeds_a_quarter_of_the_ceiling():
    with pytest.raises(InvalidField) as error:
        _calc(_foyer(autres_ressources_3_mois=3_200_00))
    assert error.value.field == "revenus_activite_12_mois"
    (row,) = _calc(_foyer(autres_ressources_3_mois=3_200_00, revenus_activite_12_mois=6_000_00, autres_ressources_12_mois=4_000_00))
    assert row["periode_ressources"] == 12 and row["ressources_annuelles"] == 10_000_00
    assert row["aspa_annuelle"] == 2_411_44


def test_age_65_or_62_for_inaptitude():
    jeune, inapte, conjoint_jeune = _calc(
        _foyer(naissance=date(1962, 1, 1)), _foyer(naissance=date(1962, 1, 1), inapte=True),
        _foyer(couple=True, allocataires=2, naissance_conjoint=date(1965, 1, 1)),
    )
    assert not jeune["condition_age"] and jeune["aspa_mensuelle"] == 0
    assert inapte["condition_age"] and inapte["aspa_mensuelle"] == 1_034_28
    assert not conjoint_jeune["condition_age"] and "conjoint" in etapes_aspa(conjoint_jeune)[0]["etape"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"allocataires": 2}, "allocataires"),
        ({"allocataires": 3, "couple": True}, "allocataires"),
        ({"allocataires": 2, "couple": True}, "naissance_conjoint"),
        ({"autres_ressources_3_mois": -1}, "autres_ressources_3_mois"),
        ({"date_effet": date(1950, 1, 1)}, "date_effet"),
    ],
)
def test_bad_input_names_the_column(change, field):
    with pytest.raises(InvalidField) as error:
        _calc(_foyer(**change))
    assert error.value.field == field


def _succession(**kwargs: object) -> dict:
    base = {"date_deces": date(2025, 6, 1), "actif_net": 130_000_00, "aspa_versee": 100_000_00, "mois_versement": 120}
    base.update(kwargs)
    return base


def _recuperer(*rows: dict) -> list[dict]:
    return recuperation_aspa(pl.DataFrame(list(rows))).to_dicts()


def test_recovery_on_an_estate_above_the_threshold():
    # affairesinternationales.fr: estate 130 000 €, threshold 107 616,60 € → 22 383,40 € recoverable.
    (row,) = _recuperer(_succession())
    assert row["seuil_recuperation"] == 107_616_60
    assert row["actif_recuperable"] == 22_383_40 and row["recuperation"] == 22_383_40
    steps = etapes_recuperation(row)
    assert steps[-1]["montant_cents"] == 22_383_40 and "L. 815-13" in steps[-1]["reference"]


def test_recovery_within_the_annual_limit():
    # cerfrance 2024: 8 207,36 € a year for a person alone; two years of ASPA (24 288,54 €) and an estate of 200 000 €
    # (94 700 € above 105 300 €): at most 2 × 8 207,36 = 16 414,72 €.
    (row,) = _recuperer(_succession(date_deces=date(2024, 10, 1), actif_net=200_000_00, aspa_versee=24_288_54, mois_versement=24))
    assert row["seuil_recuperation"] == 105_300_00 and row["plafond_recuperation"] == 16_414_72
    assert row["recuperation"] == 16_414_72


def test_nothing_recovered_under_the_threshold():
    (row,) = _recuperer(_succession(actif_net=90_000_00))
    assert row["actif_recuperable"] == 0 and row["recuperation"] == 0


def test_the_2023_change_of_the_thresholds_metropole_and_outre_mer():
    # Loi n° 2023-270, art. 18; décret n° 2023-754, art. 6: 1 September 2023.
    rows = _recuperer(
        _succession(date_deces=date(2023, 8, 31)), _succession(date_deces=date(2023, 9, 1)),
        _succession(date_deces=date(2023, 8, 31), outre_mer=True), _succession(date_deces=date(2023, 9, 1), outre_mer=True),
    )
    assert [r["seuil_recuperation"] for r in rows] == [39_000_00, 100_000_00, 100_000_00, 150_000_00]
    assert "2023-270" in rows[3]["seuil_recuperation_reference"]
    with pytest.raises(NotFound):  # the DROM threshold runs until 31 December 2029
        _recuperer(_succession(date_deces=date(2030, 1, 1), outre_mer=True))


def test_monthly_amounts_are_the_annual_ones_rounded_down_to_the_cent():
    # 2026: « 1 043,59 € par mois » alone, « 1 620,18 € » a couple, and « si vous touchez 800 € de retraite par mois,
    # … 243,59 € versés » (8mars15h40.fr, citing the circulaire Cnav; retraiteplus.fr); 2024: « 1 571,16 € par mois pour
    # les couples » (mes-allocs.fr). 12 523,14 / 12 = 1 043,595: the half cent is dropped, not rounded up.
    seul, couple, retraite, couple_2024 = _calc(
        _foyer(date_effet=date(2026, 2, 1)),
        _foyer(date_effet=date(2026, 2, 1), couple=True, allocataires=2, naissance_conjoint=date(1956, 1, 1)),
        _foyer(date_effet=date(2026, 2, 1), autres_ressources_3_mois=2_400_00),
        _foyer(date_effet=date(2024, 2, 1), couple=True, allocataires=2, naissance_conjoint=date(1956, 1, 1)),
    )
    assert seul["aspa_mensuelle"] == 1_043_59 and couple["aspa_mensuelle"] == 1_620_18
    assert retraite["aspa_mensuelle"] == 243_59
    assert couple_2024["aspa_mensuelle"] == 1_571_16
