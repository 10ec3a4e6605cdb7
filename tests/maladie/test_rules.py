"""Liquidation rules: worked examples from ameli.fr / service-public.fr, each date change, caps, exemptions, rejections.

Each example names its source. Amounts are in cents.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secu.core.errors import InvalidField
from secu.maladie.explication import explain
from secu.maladie.rules import OUTPUT, liquidate, liquidate_one

ADULT = date(1980, 5, 1)
DEFAULTS: dict[str, Any] = {
    "personne": "p1",
    "date_naissance": ADULT,
    "sexe": "1",
    "date_soins": date(2025, 3, 10),
    "professionnel": "medecin-1",
    "specialite": "medecine-generale",
    "acte": "G",
    "quantite": 1,
    "montant_cents": 3000,
    "base_unitaire_cents": None,
    "coefficient": Decimal(1),
    "parcours": True,
    "ald": False,
    "maternite": False,
    "atmp": False,
    "invalidite": False,
    "c2s": False,
    "tiers_payant": False,
}
SCHEMA = {
    "date_naissance": pl.Date, "date_soins": pl.Date, "quantite": pl.Int64, "montant_cents": pl.Int64,
    "base_unitaire_cents": pl.Int64, "coefficient": pl.Decimal(38, 9), "sexe": pl.String, "specialite": pl.String,
    "personne": pl.String, "professionnel": pl.String, "acte": pl.String,
}


def frame(*lines: dict[str, Any], **common: Any) -> pl.DataFrame:
    rows = [{**DEFAULTS, **common, **line} for line in lines]
    extra = {k: v for k, v in {"date_debut_grossesse": pl.Date, "date_accouchement": pl.Date, "ordre": pl.Int64,
                               "pf_annee_avant_cents": pl.Int64, "franchise_annee_avant_cents": pl.Int64,
                               "pf_jour_avant": pl.Int64, "franchise_jour_avant_cents": pl.Int64}.items() if k in rows[0]}
    return pl.DataFrame(rows, schema_overrides={**SCHEMA, **extra})


def run(*lines: dict[str, Any], **common: Any) -> list[dict[str, Any]]:
    return liquidate(frame(*lines, **common)).to_dicts()


def one(**line: Any) -> dict[str, Any]:
    return run(line)[0]


# --------------------------------------------------------------------------
# Worked examples


def test_consultation_generaliste_30_euros_in_parcours_gives_19_euros() -> None:
    """ameli.fr (tarifs des médecins généralistes, 2025): G 30 € remboursé 70 % = 21 €, moins 2 € de participation = 19 €."""
    row = one(date_soins=date(2025, 3, 10), acte="G", montant_cents=3000)
    assert row["base_remboursement_cents"] == 3000
    assert row["taux"] == Decimal("0.7")
    assert (row["montant_amo_cents"], row["ticket_moderateur_cents"], row["participation_forfaitaire_cents"]) == (2100, 900, 200)
    assert row["rembourse_cents"] == 1900
    assert row["paye_a"] == "assure" and row["verse_cents"] == 1900 and row["rejet"] is None
    assert row["reference_tarif"].startswith("Convention nationale") and "L160-13 II" in row["reference_participation_forfaitaire"]


def test_consultation_26_50_before_and_after_the_participation_doubled() -> None:
    """jechange.fr / magnolia.fr: 26,50 € × 70 % = 18,55 € ; − 1 € jusqu'au 14 mai 2024 (17,55 €), − 2 € dès le 15 mai (16,55 €)."""
    before, after = run({"date_soins": date(2024, 5, 14), "montant_cents": 2650}, {"date_soins": date(2024, 5, 15), "montant_cents": 2650})
    assert (before["montant_amo_cents"], before["participation_forfaitaire_cents"], before["rembourse_cents"]) == (1855, 100, 1755)
    assert (after["montant_amo_cents"], after["participation_forfaitaire_cents"], after["rembourse_cents"]) == (1855, 200, 1655)


def test_g_goes_from_25_to_26_50_on_1_november_2023_and_to_30_on_22_december_2024() -> None:
    """Règlement arbitral (arrêté du 28 avril 2023) : 25 → 26,50 € au 01/11/2023 ; convention 2024 : 30 € au 22/12/2024."""
    rows = run(*({"date_soins": d, "montant_cents": 3000} for d in
                 (date(2023, 10, 31), date(2023, 11, 1), date(2024, 12, 21), date(2024, 12, 22))))
    assert [r["base_remboursement_cents"] for r in rows] == [2500, 2650, 2650, 3000]
    assert [r["depassement_cents"] for r in rows] == [500, 350, 350, 0]
    assert [r["rembourse_cents"] for r in rows] == [1650, 1755, 1655, 1900]  # PF 1 € until 14/05/2024, 2 € after


def test_hors_parcours_consultation_is_reimbursed_at_30_percent() -> None:
    """ameli.fr / quechoisir.org: hors parcours de soins coordonné, 30 % au lieu de 70 % : 30 € → 9 € − 2 € = 7 €."""
    row = one(parcours=False)
    assert row["hors_parcours"] and row["taux"] == Decimal("0.3")
    assert (row["montant_amo_cents"], row["rembourse_cents"]) == (900, 700)
    assert "L162-5-3" in row["reference_parcours"]
    assert row["motif"] == "hors parcours de soins coordonné : taux minoré"


def test_under_16_there_is_no_parcours_penalty() -> None:
    """CSS L162-5-3: the parcours applies from 16 (under 16, no penalty); still no PF under 18."""
    row = one(parcours=False, date_naissance=date(2010, 1, 1))
    assert not row["hors_parcours"] and row["taux"] == Decimal("0.7")
    assert (row["montant_amo_cents"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (2100, 0, 2100)


def test_born_on_29_february_is_6_on_28_february_of_a_common_year() -> None:
    """The pédiatre's bands in full years by the one age rule (secu.core.ages): no 29 February in 2026, so the
    6th anniversary of a child born on 29 February 2020 is the month's last day (code de procédure civile
    art. 641 al. 2, by analogy): the « 2 à 6 ans » consultation (CSP6) on the 27th, no longer on the 28th."""
    born = date(2020, 2, 29)
    before, on, older = run(
        {"acte": "CSP6", "date_soins": date(2026, 2, 27), "montant_cents": 3500},
        {"acte": "CSP6", "date_soins": date(2026, 2, 28), "montant_cents": 3500},
        {"acte": "CSP", "date_soins": date(2026, 2, 28), "montant_cents": 3150},
        date_naissance=born, specialite="pediatrie", personne="enfant",
    )
    assert before["rejet"] is None and before["base_remboursement_cents"] == 3500  # still 5
    assert on["rejet"] == "AGE_INCOMPATIBLE" and on["rembourse_cents"] == 0  # 6: out of the band
    assert older["rejet"] is None


def test_ald_is_100_percent_minus_the_participation_forfaitaire() -> None:
    """ameli.fr (ALD): soins en rapport pris en charge à 100 % ; la participation forfaitaire reste due."""
    row = one(ald=True)
    assert row["exoneration"] == "ALD" and row["taux"] == Decimal(1)
    assert (row["montant_amo_cents"], row["ticket_moderateur_cents"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (
        3000, 0, 200, 2800)
    assert "L160-14" in row["reference_exoneration"] and row["reference_taux"] == row["reference_exoneration"]


def test_c2s_pays_the_ticket_moderateur_and_owes_neither_participation_nor_franchise() -> None:
    """CSS L160-15 (lu sur juriblio.fr): ni participation forfaitaire ni franchise pour les bénéficiaires de la C2S."""
    consultation, box = run({"c2s": True}, {"c2s": True, "acte": "PH4", "base_unitaire_cents": 500, "montant_cents": 1000, "quantite": 2,
                                             "professionnel": "pharmacie"})
    assert consultation["exoneration"] == "c2s" and consultation["rembourse_cents"] == 3000
    assert consultation["participation_forfaitaire_cents"] == 0
    assert box["franchise_cents"] == 0 and box["rembourse_cents"] == 1000


def test_pharmacy_box_franchise_doubles_on_31_march_2024() -> None:
    """Décret n° 2024-114 : franchise par boîte 0,50 € → 1 € au 31/03/2024 (secu-artistes-auteurs.fr, quechoisir.org)."""
    common = {"acte": "PH4", "professionnel": "pharmacie", "base_unitaire_cents": 1000, "montant_cents": 2000, "quantite": 2}
    before, after = run({"date_soins": date(2024, 3, 30), "personne": "a"}, {"date_soins": date(2024, 3, 31), "personne": "b"}, **common)
    # 2 boîtes PH4 à 10 € remboursées à 30 % = 6 € ; franchise 2 × 0,50 € puis 2 × 1 €
    assert before["montant_amo_cents"] == after["montant_amo_cents"] == 600
    assert (before["franchise_cents"], before["rembourse_cents"]) == (100, 500)
    assert (after["franchise_cents"], after["rembourse_cents"]) == (200, 400)
    assert before["participation_forfaitaire_cents"] == 0  # no PF at the pharmacy


@pytest.mark.parametrize(("acte", "rate"), [("PH1", "1"), ("PH7", "0.65"), ("PH4", "0.3"), ("PH2", "0.15")])
def test_pharmacy_codes_are_reimbursed_at_the_rate_of_the_nomenclature(acte: str, rate: str) -> None:
    """Nomenclature nationale des codes de prestation (documentation du SNDS, table ER_PHA_F) : 3311 (PH1)
    pharmacie 100 %, 3313 (PH7) 65 %, 3312 (PH4) 30 %, 3341 (PH2) 15 % ; taux par vignette : CSS R160-5, R322-1."""
    row = one(acte=acte, professionnel="pharmacie", base_unitaire_cents=1000, montant_cents=1000)
    assert row["taux"] == Decimal(rate)
    assert row["montant_amo_cents"] == int(Decimal(1000) * Decimal(rate))
    assert row["franchise_cents"] == 100


def test_franchise_never_exceeds_what_is_reimbursed_for_the_box() -> None:
    """Décret n° 2007-1937 (D. 322-5 al. 2, lu sur lexbase.fr): la franchise d'un produit ne dépasse pas le montant remboursé."""
    row = one(acte="PH2", professionnel="pharmacie", base_unitaire_cents=300, montant_cents=300)
    assert row["montant_amo_cents"] == 45  # PH2 : 15 % de 3 €
    assert (row["franchise_due_cents"], row["franchise_cents"], row["rembourse_cents"]) == (45, 45, 0)


def test_infirmier_key_letter_with_coefficient_rounds_half_up() -> None:
    """AMI 3,5 × 3,15 € = 11,025 € → 11,03 € (demi-centime vers le haut) ; 60 % → 6,618 → 6,62 € ; franchise 1 € par acte."""
    row = one(acte="AMI", professionnel="infirmier", coefficient=Decimal("3.5"), montant_cents=1103)
    assert (row["tarif_acte_cents"], row["base_remboursement_cents"], row["montant_amo_cents"]) == (1103, 1103, 662)
    assert (row["franchise_cents"], row["participation_forfaitaire_cents"], row["rembourse_cents"]) == (100, 0, 562)


def test_kine_key_letter_changes_on_22_february_2024() -> None:
    """Avenant 7 des masseurs-kinésithérapeutes : AMK 2,15 € → 2,21 € au 22/02/2024 (topaze.com, kineactu.com)."""
    common = {"acte": "AMK", "professionnel": "kine", "coefficient": Decimal("7.5"), "montant_cents": 2000}
    before, after = run({"date_soins": date(2024, 2, 21)}, {"date_soins": date(2024, 2, 22), "personne": "p2"}, **common)
    assert before["tarif_acte_cents"] == 1613  # 16,125 → 16,13
    assert after["tarif_acte_cents"] == 1658  # 16,575 → 16,58


def test_dental_rate_falls_from_70_to_60_percent_on_15_october_2023() -> None:
    """Arrêté publié au JO du 14/10/2023 (décret n° 2023-701) : TM dentaire 40 % à compter du 15/10/2023, pas du 1er octobre."""
    rows = run(*({"date_soins": d, "acte": "C-CD", "professionnel": "dentiste", "montant_cents": 2300, "personne": str(d)}
                 for d in (date(2023, 10, 1), date(2023, 10, 14), date(2023, 10, 15))))
    assert [r["taux"] for r in rows] == [Decimal("0.7"), Decimal("0.7"), Decimal("0.6")]
    assert [r["montant_amo_cents"] for r in rows] == [1610, 1610, 1380]
    assert all(r["participation_forfaitaire_cents"] == 0 for r in rows)  # dentists are outside the PF


def test_transport_rate_and_franchise_daily_cap() -> None:
    """Décision UNCAM (JO du 01/08/2023) : transports 65 % → 55 % ; franchise 2 € → 4 € par trajet et plafond 4 € → 8 € par jour
    au 31/03/2024 (décret n° 2024-114)."""
    trip = {"acte": "TAX", "professionnel": "taxi", "base_unitaire_cents": 5000, "montant_cents": 5000}
    july, august = run({**trip, "date_soins": date(2023, 7, 31), "personne": "a"}, {**trip, "date_soins": date(2023, 8, 1), "personne": "b"})
    assert (july["taux"], july["montant_amo_cents"]) == (Decimal("0.65"), 3250)
    assert (august["taux"], august["montant_amo_cents"]) == (Decimal("0.55"), 2750)
    three_2023 = run(trip, trip, trip, date_soins=date(2023, 9, 1))
    assert [r["franchise_cents"] for r in three_2023] == [200, 200, 0]  # 4 € a day
    three_2025 = run(trip, trip, trip, date_soins=date(2025, 9, 1))
    assert [r["franchise_cents"] for r in three_2025] == [400, 400, 0]  # 8 € a day
    assert three_2025[2]["franchise_due_cents"] == 400 and three_2025[2]["motif"].startswith("participation forfaitaire ou franchise")


def test_urgent_transport_is_free_and_without_franchise() -> None:
    row = one(acte="TUPH", professionnel="smur", base_unitaire_cents=30000, montant_cents=30000)
    assert (row["taux"], row["montant_amo_cents"], row["franchise_cents"], row["rembourse_cents"]) == (Decimal(1), 30000, 0, 30000)


def test_paramedical_franchise_daily_cap_is_per_day_and_kind() -> None:
    """Franchise sur actes paramédicaux : 1 € par acte, au plus 4 € par jour (depuis le 31/03/2024)."""
    act = {"acte": "AMI", "professionnel": "infirmier", "coefficient": Decimal(1), "montant_cents": 315}
    rows = run(*[act] * 5, {**act, "date_soins": date(2025, 3, 11)})
    assert [r["franchise_cents"] for r in rows] == [100, 100, 100, 100, 0, 100]


def test_dépassement_is_never_reimbursed() -> None:
    row = one(montant_cents=5000)
    assert (row["base_remboursement_cents"], row["depassement_cents"], row["montant_amo_cents"]) == (3000, 2000, 2100)
    assert any("Dépassement" in step["etape"] and step["montant_cents"] == 2000 for step in explain(row))


def test_a_line_charged_below_the_tariff_is_reimbursed_on_what_was_charged() -> None:
    """CSS R160-22 (lexbase.fr): la participation des caisses n'excède jamais les frais exposés."""
    row = one(montant_cents=2000)
    assert (row["base_remboursement_cents"], row["depassement_cents"], row["montant_amo_cents"]) == (2000, 0, 1400)


def test_actes_lourds_limit_the_ticket_moderateur_to_24_euros() -> None:
    """ameli.fr « Le forfait à 24 euros » : acte ≥ 120 €, le ticket modérateur est remplacé par 24 €."""
    heavy, light = run({"acte": "CCAM", "base_unitaire_cents": 20500, "montant_cents": 20500},
                       {"acte": "CCAM", "base_unitaire_cents": 11999, "montant_cents": 11999, "personne": "p2"})
    assert heavy["acte_lourd"] and heavy["ticket_moderateur_cents"] == 2400
    assert (heavy["montant_amo_cents"], heavy["participation_forfaitaire_cents"], heavy["rembourse_cents"]) == (18100, 200, 17900)
    assert not light["acte_lourd"] and light["ticket_moderateur_cents"] == 3600  # 30 % of 119,99 € = 35,997 → 36,00 €
    exempt = one(acte="CCAM", base_unitaire_cents=20500, montant_cents=20500, ald=True)
    assert not exempt["acte_lourd"] and exempt["ticket_moderateur_cents"] == 0


def test_hospital_stay_80_percent_and_forfait_journalier() -> None:
    """TM hospitalier 20 % ; forfait journalier 20 € à la charge de l'assuré, 23 € à compter du 01/03/2026 (fiche §1.6)."""
    stay = one(acte="GHS", professionnel="hopital", base_unitaire_cents=10000, montant_cents=10000)
    assert (stay["taux"], stay["montant_amo_cents"], stay["participation_forfaitaire_cents"]) == (Decimal("0.8"), 8000, 0)
    fjh = {"acte": "FJH", "professionnel": "hopital", "quantite": 3, "montant_cents": 6900}
    feb, march = run({**fjh, "date_soins": date(2026, 2, 28)}, {**fjh, "date_soins": date(2026, 3, 1)})
    assert (feb["base_remboursement_cents"], feb["montant_amo_cents"], feb["rembourse_cents"]) == (6000, 0, 0)
    assert feb["motif"] == "forfait journalier à la charge de l'assuré" and "L174-4" in feb["reference_taux"]
    assert (march["base_remboursement_cents"], march["montant_amo_cents"]) == (6900, 0)
    c2s = one(**fjh, date_soins=date(2026, 3, 1), c2s=True)
    assert (c2s["exoneration"], c2s["montant_amo_cents"]) == ("c2s", 6900)
    ald = one(**fjh, date_soins=date(2026, 3, 1), ald=True)
    assert (ald["exoneration"], ald["montant_amo_cents"]) == (None, 0)  # the ALD does not waive the forfait journalier


def test_newborn_in_hospital_during_its_first_30_days() -> None:
    born = date(2025, 3, 1)
    young, older = run({"acte": "GHS", "base_unitaire_cents": 100000, "montant_cents": 100000, "date_naissance": born,
                        "date_soins": born + timedelta(days=29), "personne": "bebe"},
                       {"acte": "GHS", "base_unitaire_cents": 100000, "montant_cents": 100000, "date_naissance": born,
                        "date_soins": born + timedelta(days=30), "personne": "bebe"})
    assert (young["exoneration"], young["montant_amo_cents"]) == ("nouveau-ne", 100000)
    # A medical stay (no acte lourd said): the hospital TM of 20 % (CSS R160-16 limits it only for a stay with an acte lourd).
    assert older["exoneration"] is None and not older["acte_lourd"] and older["ticket_moderateur_cents"] == 20000
    consultation = one(date_naissance=born, date_soins=born + timedelta(days=5), acte="CSP2", montant_cents=3900)
    assert consultation["exoneration"] is None  # the newborn exemption is for hospital care


def test_minors_owe_no_participation_nor_franchise_age_taken_on_1_january() -> None:
    """CSS R160-20 (lu sur tricoteuses.fr): pas de participation pour qui n'a pas 18 ans au 1er janvier de l'année."""
    turns_18_in_june = date(2007, 6, 1)
    july, next_year = run({"date_naissance": turns_18_in_june, "date_soins": date(2025, 7, 1)},
                          {"date_naissance": turns_18_in_june, "date_soins": date(2026, 1, 2)})
    assert july["participation_forfaitaire_cents"] == 0 and july["rembourse_cents"] == 2100
    assert next_year["participation_forfaitaire_cents"] == 200
    box = one(acte="PH4", professionnel="pharmacie", base_unitaire_cents=500, montant_cents=500, date_naissance=date(2015, 1, 1))
    assert box["franchise_cents"] == 0


def test_maternite_window_from_the_6th_month_to_12_days_after_birth() -> None:
    """ccas-ratp.fr / ameli : exonération du 1er jour du 6e mois de grossesse au 12e jour après l'accouchement (CSS L160-9)."""
    start, birth = date(2025, 1, 10), date(2025, 10, 5)
    days = [date(2025, 6, 9), date(2025, 6, 10), date(2025, 10, 17), date(2025, 10, 18)]
    rows = run(*({"date_soins": d, "maternite": True, "sexe": "2", "personne": "m", "date_debut_grossesse": start,
                  "date_accouchement": birth} for d in days))
    assert [r["exoneration"] for r in rows] == [None, "maternite", "maternite", None]
    assert [r["participation_forfaitaire_cents"] for r in rows] == [200, 0, 0, 200]
    assert [r["rembourse_cents"] for r in rows] == [1900, 3000, 3000, 1900]
    trusted = one(maternite=True, sexe="2")  # without dates, the flag says the care is under assurance maternité
    assert (trusted["exoneration"], trusted["participation_forfaitaire_cents"]) == ("maternite", 0)


def test_at_mp_and_invalidite_are_100_percent_but_the_participation_remains() -> None:
    """ccas-ratp.fr : la participation forfaitaire s'applique aussi en AT/MP et aux titulaires d'une pension d'invalidité."""
    atmp, invalid = run({"atmp": True}, {"invalidite": True, "personne": "p2"})
    assert (atmp["exoneration"], atmp["montant_amo_cents"], atmp["participation_forfaitaire_cents"]) == ("atmp", 3000, 200)
    assert (invalid["exoneration"], invalid["rembourse_cents"]) == ("invalidite", 2800)


def test_pediatrician_by_age() -> None:
    baby, toddler, child = run(
        {"acte": "CSP2", "date_naissance": date(2024, 6, 1), "montant_cents": 3900, "personne": "b"},
        {"acte": "CSP6", "date_naissance": date(2021, 6, 1), "montant_cents": 3500, "personne": "t"},
        {"acte": "CSP", "date_naissance": date(2015, 6, 1), "montant_cents": 3150, "personne": "c"},
        date_soins=date(2025, 3, 10),
    )
    assert [r["base_remboursement_cents"] for r in (baby, toddler, child)] == [3900, 3500, 3150]
    wrong = one(acte="CSP2", date_naissance=date(2021, 6, 1), montant_cents=3900)
    assert wrong["rejet"] == "AGE_INCOMPATIBLE" and wrong["rembourse_cents"] == 0
    assert one(acte="CSP2", date_naissance=date(2024, 6, 1), montant_cents=4000, date_soins=date(2026, 1, 1))["base_remboursement_cents"] == 4000


def test_tiers_payant_pays_the_professional_and_recovers_the_participation_later() -> None:
    """ucr.fr : avec le tiers payant, la participation est prélevée sur un remboursement futur."""
    row = one(tiers_payant=True)
    assert (row["paye_a"], row["verse_cents"], row["a_recuperer_cents"], row["rembourse_cents"]) == ("professionnel", 2100, 200, 1900)


# --------------------------------------------------------------------------
# Caps


def test_fifth_consultation_with_the_same_doctor_the_same_day_carries_no_participation() -> None:
    """ASH n° 2519 / ucr.fr : au plus 4 participations par jour pour un même professionnel."""
    rows = run(*[{}] * 5, {"professionnel": "medecin-2"}, {"date_soins": date(2025, 3, 11)})
    assert [r["participation_forfaitaire_cents"] for r in rows] == [200, 200, 200, 200, 0, 200, 200]
    assert rows[4]["participation_forfaitaire_due_cents"] == 200
    # Five consultations of 30 € by one doctor on one day are one session of 150 € ≥ 120 € (CSS R160-16): the
    # actes-lourds motif comes first; the daily cap of the participation shows in the amounts above.
    assert rows[4]["motif"] == "ticket modérateur limité au forfait des actes lourds"
    counted = run(*[{}] * 2, pf_jour_avant=3)
    assert [r["participation_forfaitaire_cents"] for r in counted] == [200, 0]


def test_quantity_counts_acts_for_the_daily_cap() -> None:
    rows = run({"quantite": 3, "montant_cents": 9000}, {"quantite": 2, "montant_cents": 6000})
    assert [r["participation_forfaitaire_due_cents"] for r in rows] == [600, 400]
    assert [r["participation_forfaitaire_cents"] for r in rows] == [600, 200]


def test_annual_participation_cap_of_50_euros_across_lines() -> None:
    """CSS L160-13 II : 50 € par an et par personne. 26 consultations à 2 € : 25 participations, puis plus rien."""
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(27)]
    rows = run(*({"date_soins": d} for d in days))
    assert [r["participation_forfaitaire_cents"] for r in rows] == [200] * 25 + [0, 0]
    assert sum(r["participation_forfaitaire_cents"] for r in rows) == 5000
    other_year = one(date_soins=date(2026, 1, 1))
    assert other_year["participation_forfaitaire_cents"] == 200


def test_annual_cap_with_counters_from_before() -> None:
    rows = run({}, {"date_soins": date(2025, 3, 11)}, pf_annee_avant_cents=4900, franchise_annee_avant_cents=0)
    assert [r["participation_forfaitaire_cents"] for r in rows] == [100, 0]
    boxes = run({"date_soins": date(2025, 3, 10)}, {"date_soins": date(2025, 3, 12)}, acte="PH4", professionnel="pharmacie",
                base_unitaire_cents=1000, montant_cents=3000, quantite=3, franchise_annee_avant_cents=4800)
    assert [r["franchise_cents"] for r in boxes] == [200, 0]


def test_franchise_annual_cap_is_shared_by_boxes_acts_and_transports() -> None:
    box = {"acte": "PH4", "professionnel": "pharmacie", "base_unitaire_cents": 1000, "montant_cents": 1000}
    trip = {"acte": "VSL", "professionnel": "vsl", "base_unitaire_cents": 3000, "montant_cents": 3000}
    rows = run({**box, "date_soins": date(2025, 5, 1)}, {**trip, "date_soins": date(2025, 5, 2)}, franchise_annee_avant_cents=4600)
    assert [r["franchise_cents"] for r in rows] == [100, 300]


def test_caps_follow_date_order_whatever_the_input_order() -> None:
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(30)]
    lines = [{"date_soins": d} for d in days]
    random.Random(3).shuffle(lines)
    rows = run(*lines)
    paid = {r["date_soins"]: r["participation_forfaitaire_cents"] for r in rows}
    assert [paid[d] for d in days] == [200] * 25 + [0] * 5


def test_ordre_breaks_ties_within_a_day() -> None:
    lines = [{"ordre": 2, "acte": "G"}, {"ordre": 1, "acte": "CS", "montant_cents": 3150}]
    rows = run(*lines, pf_annee_avant_cents=4800)
    assert [r["participation_forfaitaire_cents"] for r in rows] == [0, 200]


# --------------------------------------------------------------------------
# Rejections, frame handling, explanation


def test_rejections_do_not_stop_the_batch() -> None:
    rows = run({"acte": "ZZZ"}, {"date_soins": date(2022, 12, 31)}, {"acte": "CSGER", "date_soins": date(2023, 5, 1)},
               {"quantite": 0}, {"montant_cents": -1}, {"acte": "PH4"}, {"date_naissance": date(2026, 1, 1)}, {"coefficient": Decimal(0)},
               {"personne": None}, {})
    assert [r["rejet"] for r in rows] == ["ACTE_INCONNU", "DATE_HORS_PERIODE", "TARIF_NON_EN_VIGUEUR", "QUANTITE_INVALIDE",
                                          "MONTANT_INVALIDE", "BASE_UNITAIRE_ABSENTE", "DATE_NAISSANCE_INVALIDE",
                                          "COEFFICIENT_INVALIDE", "PERSONNE_ABSENTE", None]
    assert all(r["rembourse_cents"] == 0 and r["participation_forfaitaire_cents"] == 0 and r["motif"] for r in rows[:-1])
    assert rows[-1]["rembourse_cents"] == 1900
    assert explain(rows[0])[0]["etape"].startswith("Ligne rejetée (ACTE_INCONNU)") and "ZZZ" in explain(rows[0])[0]["etape"]


def test_lazy_in_lazy_out_and_extra_columns_pass_through() -> None:
    lazy = frame({}, {"personne": "p2"}).with_columns(pl.Series("numero", [1, 2])).lazy()
    result = liquidate(lazy)
    assert isinstance(result, pl.LazyFrame)
    collected = result.collect()
    assert collected["numero"].to_list() == [1, 2]
    assert collected.columns[-len(OUTPUT):] == list(OUTPUT)


def test_minimal_frame_and_dtypes() -> None:
    minimal = pl.DataFrame({"personne": [1], "date_naissance": [ADULT], "date_soins": [date(2025, 3, 10)], "professionnel": [7],
                            "acte": ["G"], "quantite": [1], "montant_cents": [3000]})
    out = liquidate(minimal)
    assert out["rembourse_cents"].to_list() == [1900]
    schema = out.schema
    for name in OUTPUT:
        if name.endswith("_cents"):
            assert schema[name] == pl.Int64, name
    assert schema["taux"] == pl.Decimal(38, 9) and schema["hors_parcours"] == pl.Boolean
    for name in ("rejet", "motif", "exoneration", "paye_a", "categorie", "reference_tarif"):
        assert isinstance(schema[name], pl.Enum), name


def test_malformed_frames_are_refused_with_the_field() -> None:
    with pytest.raises(InvalidField) as missing:
        liquidate(frame({}).drop("acte"))
    assert missing.value.field == "acte"
    with pytest.raises(InvalidField) as floats:
        liquidate(frame({}).with_columns(pl.col("coefficient").cast(pl.Float64)))
    assert floats.value.field == "coefficient"
    with pytest.raises(InvalidField):
        liquidate(frame({}).with_columns(pl.lit(1).alias("rembourse_cents")))


def test_empty_frame() -> None:
    assert liquidate(frame({}).clear()).height == 0


def test_liquidate_one_is_the_same_rule() -> None:
    row = liquidate_one({"personne": "x", "date_naissance": ADULT, "date_soins": date(2025, 3, 10), "professionnel": "d",
                         "acte": "G", "quantite": 1, "montant_cents": 3000})
    assert row["rembourse_cents"] == 1900


def test_every_amount_in_the_explanation_comes_with_a_reference() -> None:
    rows = run({}, {"acte": "PH4", "base_unitaire_cents": 500, "montant_cents": 500, "professionnel": "ph"}, {"ald": True, "parcours": False},
               {"acte": "CCAM", "base_unitaire_cents": 30000, "montant_cents": 35000}, {"tiers_payant": True})
    for row in rows:
        steps = explain(row)
        assert steps and all(step["reference"] for step in steps if step["montant_cents"])
        amounts = {step["etape"]: step["montant_cents"] for step in steps}
        assert amounts["Remboursement de l'assurance maladie"] == row["rembourse_cents"]


# --------------------------------------------------------------------------
# Property: the amounts of a line do not depend on where it sits in the frame

ACTS = [("G", None, 3000), ("PH4", 700, 1400), ("AMI", None, 315), ("TAX", 4000, 4000), ("CS", None, 3150), ("B", None, 27),
        ("FJH", None, 2000)]


@st.composite
def claim_lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=1, max_value=60))
    lines = []
    for index in range(count):
        acte, unit, price = draw(st.sampled_from(ACTS))
        quantite = draw(st.integers(min_value=1, max_value=3))
        lines.append({
            "personne": draw(st.sampled_from(["a", "b", "c"])),
            "date_soins": date(2024, 12, 20) + timedelta(days=draw(st.integers(min_value=0, max_value=5))),
            "professionnel": draw(st.sampled_from(["m1", "m2", "ph", "ide"])),
            "acte": acte, "quantite": quantite, "base_unitaire_cents": unit,
            "montant_cents": (unit or price) * quantite,
            "ald": draw(st.booleans()), "c2s": draw(st.booleans()) and draw(st.booleans()),
            "ordre": index,
            "pf_annee_avant_cents": 4400, "franchise_annee_avant_cents": 4600,
        })
    return lines


@settings(max_examples=60, deadline=None)
@given(claim_lines(), st.randoms(use_true_random=False))
def test_shuffled_frame_gives_the_same_amounts_per_line(lines: list[dict[str, Any]], rnd: random.Random) -> None:
    ordered = liquidate(frame(*lines)).with_row_index("id")
    shuffled_lines = list(enumerate(lines))
    rnd.shuffle(shuffled_lines)
    shuffled = liquidate(frame(*(line for _, line in shuffled_lines))).with_columns(
        pl.Series("id", [i for i, _ in shuffled_lines], dtype=pl.UInt32)
    ).sort("id")
    columns = ["id", *(c for c in OUTPUT if c.endswith("_cents"))]
    assert ordered.select(columns).equals(shuffled.select(columns))
    # and the caps hold per person and year
    totals = ordered.group_by("personne").agg(pl.col("participation_forfaitaire_cents").sum(), pl.col("franchise_cents").sum())
    assert (totals["participation_forfaitaire_cents"] <= 600).all() and (totals["franchise_cents"] <= 400).all()
