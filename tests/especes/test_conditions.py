"""Conditions d'ouverture (CSS R. 313-3, R. 313-7), the seasonal reference (R. 323-4, 3°), the fausse-couche exception to
the carence (loi n° 2023-567) and the congé's legal length (L. 331-3): the IJ rule's optional inputs."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.especes.explication import explain_ij
from secu.especes.rules import indemnites_journalieres

SMIC_MAI_2025 = (200_000, 200_000, 200_000)


def _ij(**columns: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "risque": "maladie",
        "debut": date(2025, 5, 5),
        "fin": date(2025, 5, 18),
        "salaire_1": 200_000,
        "salaire_2": 200_000,
        "salaire_3": 200_000,
        **columns,
    }
    frame = pl.DataFrame({k: [v] for k, v in row.items()})
    return indemnites_journalieres(frame).row(0, named=True)


def test_without_the_new_inputs_nothing_changes() -> None:
    # Every new input is optional; given as nulls, it changes nothing either.
    before = _ij()
    nulls = _ij(heures_3_mois=None, salaire_6_mois=None, heures_12_mois=None, salaire_12_mois=None, mois_immatriculation=None, duree_conge_jours=None)
    assert before["motif_refus"] is None and before["conditions_courtes"] is None
    keys = ("ij_journaliere", "jours_carence", "jours_indemnises", "montant_brut", "csg", "crds", "montant_net")
    assert [before[k] for k in keys] == [nulls[k] for k in keys] == [3288, 3, 11, 36168, 2242, 181, 33745]  # 6 000 € / 91,25 × 50 % = 32,88 €


def test_150_hours_over_the_3_months_open_the_rights() -> None:
    # R. 313-3, 1° b) (150 heures since décret n° 2015-86): 149,99 h is refused, nothing is paid; 150 h opens the rights.
    refused = _ij(heures_3_mois=149.99)
    assert refused["motif_refus"] == "conditions_ouverture" and refused["conditions_courtes"] is False
    assert (refused["jours_indemnises"], refused["montant_brut"], refused["jours_hors_droits"]) == (0, 0, 11)
    steps = explain_ij(refused)
    assert steps[0]["etape"] == "IJ non dues : conditions d'ouverture des droits non remplies" and "R. 313-3, 1°" in steps[0]["reference"]
    assert "150 heures" in steps[0]["reference"]
    opened = _ij(heures_3_mois=150)
    assert opened["motif_refus"] is None and opened["conditions_courtes"] is True and opened["jours_indemnises"] == 11


def test_contributions_on_1015_smic_read_on_the_first_day_of_the_6_months() -> None:
    # R. 313-3, 1° a): the 6 calendar months before an arrêt of 5 May 2025 start on 1 November 2024, when the SMIC
    # horaire became 11,88 €: 1 015 × 11,88 = 12 058,20 €. For an arrêt of 30 April, they start on 1 October 2024
    # (SMIC 11,65 €): 11 824,75 €.
    assert _ij(salaire_6_mois=1_205_820)["motif_refus"] is None
    assert _ij(salaire_6_mois=1_205_819)["motif_refus"] == "conditions_ouverture"
    april = {"debut": date(2025, 4, 30), "fin": date(2025, 5, 13)}
    assert _ij(salaire_6_mois=1_182_475, **april)["motif_refus"] is None
    assert _ij(salaire_6_mois=1_182_474, **april)["motif_refus"] == "conditions_ouverture"
    # Published threshold (c-i-j.com, via shared/reference/legislation-health.md §2.1): for a period starting in
    # January 2024, 1 015 × 11,65 € = 11 824,75 € — an arrêt of 10 July 2024 (6 months from 1 January).
    july = {"debut": date(2024, 7, 10), "fin": date(2024, 7, 23)}
    assert _ij(salaire_6_mois=1_182_475, **july)["motif_refus"] is None
    assert _ij(salaire_6_mois=1_182_474, **july)["motif_refus"] == "conditions_ouverture"
    # Either condition suffices (« soit … soit »).
    assert _ij(salaire_6_mois=0, heures_3_mois=200)["motif_refus"] is None


def test_beyond_6_months_the_12_month_conditions_and_the_immatriculation() -> None:
    # R. 313-3, 2°: an arrêt from 10 January to 31 December 2025 (356 days); with 599 h over 12 months the IJ stop after
    # the 6th month (days 1 to 181, up to 9 July); 600 h and 12 months of immatriculation keep them.
    long = {"debut": date(2025, 1, 10), "fin": date(2025, 12, 31), "heures_3_mois": 400}
    short = _ij(heures_12_mois=599, **long)
    assert short["motif_refus"] == "conditions_au_dela_6_mois" and short["conditions_courtes"] is True
    assert (short["jours_indemnises"], short["jours_hors_droits"]) == (178, 175)
    full = _ij(heures_12_mois=600, mois_immatriculation=12, **long)
    assert full["motif_refus"] is None and full["jours_indemnises"] == 353
    assert _ij(heures_12_mois=600, mois_immatriculation=11, **long)["motif_refus"] == "conditions_au_dela_6_mois"
    # 2 030 × the SMIC horaire of 1 January 2024 (11,65 €, first day of the 12 months) = 23 649,50 €.
    assert _ij(salaire_12_mois=2_364_950, **long)["motif_refus"] is None
    assert _ij(salaire_12_mois=2_364_949, **long)["motif_refus"] == "conditions_au_dela_6_mois"
    # An arrêt of 6 months or less is not concerned by 2°.
    assert _ij(heures_12_mois=0, heures_3_mois=400)["motif_refus"] is None


def test_seasonal_work_opens_the_rights_over_12_months_and_is_paid_on_1_365() -> None:
    # R. 313-7: 100 h over 3 months fail R. 313-3, 1°, but a seasonal worker with 600 h over 12 months has the rights.
    assert _ij(heures_3_mois=100, heures_12_mois=600)["motif_refus"] == "conditions_ouverture"
    seasonal = _ij(heures_3_mois=100, heures_12_mois=600, saisonnier=True, salaire_12_mois=2_400_000)
    assert seasonal["motif_refus"] is None and seasonal["conditions_courtes"] is True
    # R. 323-4, 3°: 24 000 € / 365 = 65,7534 €, × 50 % = 32,88 €.
    assert (seasonal["salaire_journalier"], seasonal["ij_journaliere"]) == (6575, 3288)
    assert any("÷ 365" in s["etape"] for s in explain_ij(seasonal))
    # At most 12 ceilings: 12 × 1,4 × 1 801,80 € = 30 270,24 €, / 365 × 50 % = 41,47 € (the maximum IJ of 2025).
    assert _ij(saisonnier=True, salaire_12_mois=4_000_000)["ij_journaliere"] == 4147
    # Maternité too (R. 331-5 refers to R. 323-4): 12 PMSS of 3 925 € = 47 100 €; 24 000 € / 365 × 0,79 = 51,95 €.
    mat = _ij(risque="maternite", saisonnier=True, salaire_12_mois=2_400_000)
    assert mat["ij_journaliere"] == 5195 and mat["jours_carence"] == 0


def test_no_carence_after_a_fausse_couche_from_2024() -> None:
    # Loi n° 2023-567, art. 1er: no carence for an arrêt after a spontaneous miscarriage, from 1 January 2024.
    row = _ij(fausse_couche=True, debut=date(2024, 3, 4), fin=date(2024, 3, 10))
    assert (row["jours_carence"], row["jours_indemnises"]) == (0, 7)
    assert "Pas de délai de carence (arrêt consécutif à une fausse couche)" in [s["etape"] for s in explain_ij(row)]
    before = _ij(fausse_couche=True, debut=date(2023, 3, 6), fin=date(2023, 3, 12))
    assert (before["jours_carence"], before["jours_indemnises"]) == (3, 4)


def test_a_conge_is_paid_for_its_legal_length_only() -> None:
    # L. 331-3: 16 weeks (112 days) for a 1st or 2nd child; an arrêt de maternité of 120 days gets 112 IJ.
    row = _ij(risque="maternite", debut=date(2025, 3, 1), fin=date(2025, 6, 28), duree_conge_jours=112)
    assert (row["jours_arret"], row["jours_indemnises"], row["jours_hors_droits"]) == (120, 112, 8)
    assert "Jours non indemnisés, au-delà de la durée légale du congé : 8" in [s["etape"] for s in explain_ij(row)]


def test_atmp_has_no_condition_d_ouverture() -> None:
    # L. 411-1, L. 433-1: the victim of an accident du travail is paid from the first day, whatever her hours.
    row = _ij(risque="atmp", heures_3_mois=0, salaire_6_mois=0)
    assert row["motif_refus"] is None and row["conditions_courtes"] is None and row["jours_indemnises"] == 14


@pytest.mark.parametrize("column", ["heures_3_mois", "salaire_6_mois", "salaire_12_mois", "duree_conge_jours"])
def test_a_negative_input_is_refused_naming_it(column: str) -> None:
    with pytest.raises(InvalidField) as error:
        _ij(**{column: -1})
    assert error.value.field == column
