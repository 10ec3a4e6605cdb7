"""Worked examples published by service-public.fr and others, reproduced to the cent.

Each test names the page it reproduces and the date it was checked; amounts in
cents. The rules under test are the same function as the batch and the intake.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from secu.maladie.rules import liquidate, liquidate_one

CONSULTATION = {
    "personne": "p", "date_naissance": date(1980, 5, 1), "sexe": "2", "professionnel": "medecin", "acte": "G", "quantite": 1,
    "coefficient": Decimal(1), "parcours": True,
}


def consultation(day: date, charged_cents: int, **context: object) -> dict[str, object]:
    return liquidate_one({**CONSULTATION, "date_soins": day, "montant_cents": charged_cents, **context})


def test_service_public_f17042_consultation_at_30_euros_reimbursed_19() -> None:
    """service-public.fr F17042 « Quel est le tarif d'une consultation médicale ? » (vérifié le 22/12/2024) :
    « La consultation est fixée à 30 € […] remboursement […] de 70 % si c'est votre médecin traitant […]
    donc de 19 €, car il faut déduire le forfait de 2 € »."""
    row = consultation(date(2025, 1, 15), 3_000)
    assert (row["base_remboursement_cents"], row["taux"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (
        3_000, Decimal("0.7"), 200, 1_900)


def test_service_public_f17042_optam_doctor_charging_35_euros_still_reimbursed_19() -> None:
    """service-public.fr F17042 (même page, médecin de secteur 2 adhérent à l'Optam) : « Si la consultation est de 35 €,
    vous serez aussi remboursé 19 €, car le calcul se fait à partir de 30 € et non de 35 € »."""
    row = consultation(date(2025, 1, 15), 3_500)
    assert (row["base_remboursement_cents"], row["depassement_cents"], row["rembourse_cents"]) == (3_000, 500, 1_900)


def test_ag2r_2023_consultation_at_25_euros_reimbursed_16_50() -> None:
    """ag2rlamondiale.fr « Qu'est-ce qu'un médecin conventionné secteur 1 ou 2 ? » (tarifs de 2023) : consultation à 25 €,
    remboursement de 70 %, « vous recevrez donc un remboursement de 16,50 euros » une fois déduite la participation de 1 €."""
    row = consultation(date(2023, 6, 1), 2_500)
    assert (row["montant_amo_cents"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (1_750, 100, 1_650)


def test_may_2024_consultation_at_26_50_reimbursed_16_55_once_the_participation_is_2_euros() -> None:
    """lasanteauquotidien.com (mai 2024, hausse de la participation forfaitaire au 15 mai 2024 décidée par l'Uncam) :
    consultation à 26,50 €, « L'Assurance maladie prend en charge 16,55 euros »."""
    row = consultation(date(2024, 5, 15), 2_650)
    assert (row["montant_amo_cents"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (1_855, 200, 1_655)


def test_la_sante_au_quotidien_the_participation_is_capped_at_4_euros_a_day_with_one_doctor_in_2023() -> None:
    """lasanteauquotidien.com (mai 2024) : plusieurs actes le même jour chez un même médecin — plafond de 4 € par jour
    (4 participations de 1 €, avant le 15 mai 2024) ; la cinquième consultation n'en porte pas."""
    lines = pl.DataFrame([{**CONSULTATION, "date_soins": date(2023, 6, 1), "montant_cents": 2_500}] * 5,
                         schema_overrides={"coefficient": pl.Decimal(38, 9)})
    borne = liquidate(lines)["participation_forfaitaire_cents"].to_list()
    assert borne == [100, 100, 100, 100, 0]


def test_que_choisir_2026_heavy_act_forfait_rises_from_24_to_32_euros_on_22_april() -> None:
    """quechoisir.org, 1er mars 2026 (« Forfaits hospitaliers : hausses en rafale ») : le forfait sur les actes
    facturés plus de 120 € passe de 24 à 32 € à partir du 22 avril 2026 (CSS R160-16). Acte CCAM à 205 € :
    ticket modérateur de 30 % = 61,50 €, limité au forfait."""
    act = {"acte": "CCAM", "base_unitaire_cents": 20_500, "montant_cents": 20_500}
    before = consultation(date(2026, 4, 21), 20_500, **act)
    after = consultation(date(2026, 4, 22), 20_500, **act)
    assert before["acte_lourd"] and (before["ticket_moderateur_cents"], before["montant_amo_cents"]) == (2_400, 18_100)
    assert after["acte_lourd"] and (after["ticket_moderateur_cents"], after["montant_amo_cents"]) == (3_200, 17_300)


def test_que_choisir_2026_forfait_journalier_20_then_23_euros_on_1_march() -> None:
    """quechoisir.org, 1er mars 2026 : « Le forfait hospitalier […] va passer de 20 à 23 € le 1er mars » (CSS L174-4) ;
    il reste à la charge de l'assuré."""
    day = {"acte": "FJH", "quantite": 2}
    february = consultation(date(2026, 2, 28), 4_600, **day)
    march = consultation(date(2026, 3, 1), 4_600, **day)
    assert (february["base_remboursement_cents"], february["montant_amo_cents"], february["depassement_cents"]) == (4_000, 0, 600)
    assert (march["base_remboursement_cents"], march["montant_amo_cents"]) == (4_600, 0)
