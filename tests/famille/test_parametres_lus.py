"""Law as data: the ARS dates, the résidence alternée shares, the AEEH catégories, the benefits left out of the
D553-1 income and the payment day are dated parameters; changing one changes the outcome (issue 11 §2)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.famille import explication, paiement, rules
from tests.parametres.modifies import parametre_modifie

AOUT_2025 = date(2025, 8, 1)
MAI_2025 = date(2025, 5, 1)


def _ars(*naissances: date) -> dict[str, object]:
    f = pl.DataFrame({"foyer": [1], "mois": [AOUT_2025], "nb_parents": [2], "ressources_n2": [0]})
    e = pl.DataFrame({"foyer": [1] * len(naissances), "mois": [AOUT_2025] * len(naissances), "date_naissance": list(naissances),
                      "scolarise": [True] * len(naissances)})
    return rules.droits(f, e).row(0, named=True)


def test_ars_under_18_on_15_september_of_r543_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # R543-2: due for a child who has not reached 18 on 15 September. Born 20/09/2007: 18 on 20/09/2025, after the
    # 15th: due. With the date of the calendar moved to 30 September he has reached 18 by then: nothing.
    ne = date(2007, 9, 20)
    assert _ars(ne)["ars_nb_enfants"] == 1
    with parametre_modifie(tmp_path, "famille/ars/calendrier.yaml",
                           "age_maximum_au: {annee: 0, mois: 9, jour: 15}", "age_maximum_au: {annee: 0, mois: 9, jour: 30}"):
        assert _ars(ne)["ars_nb_enfants"] == 0


def test_ars_band_by_the_age_reached_on_31_december(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # R543-2 last al., D543-1: the 11–14 rate for a child who reaches 11 in the civil year of the rentrée. Born
    # 31/12/2014: 11 on 31/12/2025, so the 11–14 rate; judged on 30 December instead, still 10: the 6–10 rate.
    ne, cadet = date(2014, 12, 31), date(2016, 3, 1)  # the younger one is 9: always the 6–10 rate
    six_dix = _ars(cadet)["ars_plein"]
    assert _ars(ne, cadet)["ars_plein"] - six_dix > six_dix  # the 11–14 amount, above the 6–10 one
    with parametre_modifie(tmp_path, "famille/ars/calendrier.yaml",
                           "tranches_au: {annee: 0, mois: 12, jour: 31}", "tranches_au: {annee: 0, mois: 12, jour: 30}"):
        assert _ars(ne, cadet)["ars_plein"] == 2 * six_dix


def test_ars_label_quotes_the_ages_of_the_parameters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = _ars(date(2016, 3, 1))
    assert explication.explain(r)["ars"][0]["etape"].startswith("1 enfant(s) de 6 à 18 ans : ARS pleine")
    with parametre_modifie(tmp_path, "famille/ars/age_minimum.yaml", "value: 6", "value: 5"):
        r = _ars(date(2016, 3, 1))
        assert explication.explain(r)["ars"][0]["etape"].startswith("1 enfant(s) de 5 à 18 ans")


def _alternee() -> dict[str, object]:
    f = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "nb_parents": [1], "ressources_n2": [0]})
    e = pl.DataFrame({"foyer": [1, 1], "mois": [MAI_2025] * 2, "date_naissance": [date(2015, 1, 1), date(2018, 1, 1)],
                      "garde_alternee": [True, False]})
    return rules.droits(f, e).row(0, named=True)


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_residence_alternee_share_of_r521_3(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # R521-3: AF of the 2 children × mean number / number; the child in résidence alternée counts 0,5: × 1,5 / 2.
    r = _alternee()
    assert r["af_base"] == _half_up(Decimal(r["af_base_famille"]) * Decimal("1.5") / 2)
    with parametre_modifie(tmp_path, "famille/af/residence_alternee/part_enfant.yaml", 'value: "0.5"', 'value: "0.25"'):
        r = _alternee()
        assert r["af_base"] == _half_up(Decimal(r["af_base_famille"]) * Decimal("1.25") / 2)


def test_aeeh_categories_are_those_of_the_tables() -> None:
    # D541-2: six catégories of complément (1 to 5 in the table of rates, the 6th is the MTP).
    f = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "nb_parents": [1], "ressources_n2": [0]})
    e = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "date_naissance": [date(2015, 1, 1)], "aeeh_categorie": [7]},
                     schema_overrides={"aeeh_categorie": pl.Int8})
    with pytest.raises(InvalidField, match="0 \\(base seule\\) ou 1 à 6"):
        rules.droits(f, e)


def test_benefits_left_out_of_the_d553_1_income(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert rules.hors_retenue(MAI_2025) == {"ars", "paje_naissance"}
    with parametre_modifie(tmp_path, "famille/recouvrement_indus/hors_retenue.yaml", "asf: 0", "asf: 1"):
        assert rules.hors_retenue(MAI_2025) == {"ars", "paje_naissance", "asf"}
    with parametre_modifie(tmp_path, "famille/recouvrement_indus/hors_retenue.yaml", ", aah: 0", ""), \
            pytest.raises(ValueError, match="une clé par prestation"):
        rules.hors_retenue(MAI_2025)


def test_payment_day_is_the_parameter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert paiement.payment_date(MAI_2025) == date(2025, 6, 5)
    with parametre_modifie(tmp_path, "famille/pf/paiement_jour.yaml", "value: 5", "value: 10"):
        assert paiement.payment_date(MAI_2025) == date(2025, 6, 10)  # a Tuesday


def test_resources_of_year_n_minus_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # R532-3: the rights of 2025 count the resources of 2023, which count from 1 January 2025.
    assert rules.annee_ressources(MAI_2025) == 2023 and rules.effet_ressources(2023) == date(2025, 1, 1)
    with parametre_modifie(tmp_path, "famille/pf/ressources/annees_avant.yaml", "value: 2", "value: 1"):
        assert rules.annee_ressources(MAI_2025) == 2024 and rules.effet_ressources(2023) == date(2024, 1, 1)
