"""Actes lourds (CSS R160-16): the ticket modérateur limited to the forfait (24 € in 2025).

R160-16 limits the participation of the assuré to the forfait for an act whose tariff is at least the
threshold (120 €) or whose coefficient is at least 60, the acts performed by one practitioner in one
session counted together, and for the costs of a hospital stay during which such an act was performed
(issue 11 §1.2, §1.3). Every expected amount is computed by hand in the test, from those texts and the
rates of CSS R160-5 (80 % for a stay, 70 % for a doctor's act).
"""

from __future__ import annotations

from datetime import date

from secu.maladie.rules import liquidate_one
from tests.maladie.test_rules import run

DAY = date(2025, 6, 2)
STAY = {"acte": "GHS", "professionnel": "chu", "base_unitaire_cents": 100_000, "montant_cents": 100_000, "date_soins": DAY}


def test_a_medical_stay_of_1000_euros_bears_the_20_percent_ticket_moderateur() -> None:
    """Séjour de 1 000 € sans acte lourd : 80 % → 800 € d'AMO, TM 200 € (pas de forfait : CSS R160-16 ne vise
    que le séjour au cours duquel un acte lourd est effectué)."""
    (row,) = run(STAY)
    assert (row["acte_lourd"], row["montant_amo_cents"], row["ticket_moderateur_cents"]) == (False, 80_000, 20_000)


def test_a_stay_during_which_an_acte_lourd_was_performed_bears_only_the_forfait() -> None:
    """Le même séjour, un acte lourd effectué pendant : TM limité au forfait de 24 € → 976 € d'AMO (CSS R160-16)."""
    (row,) = run({**STAY, "acte_lourd_pendant_sejour": True})
    assert (row["acte_lourd"], row["montant_amo_cents"], row["ticket_moderateur_cents"]) == (True, 97_600, 2_400)
    assert "séjour" in row["reference_acte_lourd"] and "R160-16" in row["reference_acte_lourd"]


def test_the_flag_defaults_to_false_and_is_read_only_on_a_stay() -> None:
    """Sans la colonne : pas d'acte lourd. Sur une consultation, la colonne ne change rien (le seuil décide)."""
    row = liquidate_one({"personne": "x", "date_naissance": date(1980, 1, 1), "date_soins": DAY, "professionnel": "chu",
                         "acte": "GHS", "quantite": 1, "montant_cents": 100_000, "base_unitaire_cents": 100_000})
    assert row["montant_amo_cents"] == 80_000
    (consultation,) = run({"date_soins": DAY, "acte_lourd_pendant_sejour": True})
    assert not consultation["acte_lourd"] and consultation["ticket_moderateur_cents"] == 900  # 30 % of 30 €


def test_two_ccam_lines_of_70_euros_in_one_session_are_one_line_of_quantity_2() -> None:
    """Deux actes CCAM de 70 € le même jour, même médecin, même patient : 140 € ≥ 120 € pour la séance (CSS R160-16,
    actes d'un même praticien au cours d'une même séance). 70 % de 140 € = 98 € ; TM 42 € limité à 24 € pour la
    séance → 116 € d'AMO, comme une ligne de quantité 2."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    first, second = run(act, act)
    (together,) = run({**act, "quantite": 2, "montant_cents": 14_000})
    assert first["acte_lourd"] and second["acte_lourd"] and together["acte_lourd"]
    assert first["montant_amo_cents"] + second["montant_amo_cents"] == together["montant_amo_cents"] == 11_600
    assert first["ticket_moderateur_cents"] + second["ticket_moderateur_cents"] == together["ticket_moderateur_cents"] == 2_400
    assert (first["ticket_moderateur_cents"], second["ticket_moderateur_cents"]) == (2_100, 300)  # the forfait, in input order


def test_another_day_another_doctor_or_another_patient_is_another_session() -> None:
    """70 € seul : TM 30 % = 21 €, pas d'acte lourd. Les seuils ne s'additionnent que dans une même séance."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    rows = run(act, {**act, "date_soins": date(2025, 6, 3)}, {**act, "professionnel": "autre"}, {**act, "personne": "p2"})
    assert [r["acte_lourd"] for r in rows] == [False] * 4
    assert [r["montant_amo_cents"] for r in rows] == [4_900] * 4


def test_lines_of_other_kinds_the_same_day_do_not_count_in_the_session() -> None:
    """Une boîte de pharmacie du même jour chez le même « professionnel » n'est pas un acte du praticien."""
    act = {"acte": "CCAM", "professionnel": "cabinet", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    box = {"acte": "PH7", "professionnel": "cabinet", "base_unitaire_cents": 6_000, "montant_cents": 6_000, "date_soins": DAY}
    consultation, pharmacy = run(act, box)
    assert not consultation["acte_lourd"] and consultation["montant_amo_cents"] == 4_900


def test_two_heavy_acts_in_one_session_bear_one_forfait() -> None:
    """Deux actes de 205 € dans la même séance : un seul forfait de 24 € pour la séance. 70 % de 410 € = 287 € ;
    TM 123 € limité à 24 € → 386 € d'AMO."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 20_500, "montant_cents": 20_500, "date_soins": DAY}
    rows = run(act, act)
    assert sum(r["montant_amo_cents"] for r in rows) == 38_600
    assert [r["ticket_moderateur_cents"] for r in rows] == [2_400, 0]


def test_the_explanation_shows_the_session_and_the_stay_with_their_reference() -> None:
    from secu.maladie.explication import explain

    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    first, _ = run(act, act)
    (stay,) = run({**STAY, "acte_lourd_pendant_sejour": True})
    for row, words in ((first, "séance"), (stay, "séjour")):
        (step,) = [s for s in explain(row) if s["etape"].startswith("Ticket modérateur limité")]
        assert words in step["etape"] and "R160-16" in step["reference"] and words in step["reference"]


def test_a_seance_column_separates_the_sessions_of_one_day() -> None:
    """Deux feuilles de soins le même jour chez le même médecin sont deux séances quand les lignes le disent
    (``seance``, le numéro de la feuille, comme le fait la saisie en ligne) : 70 € chacune, 30 % de TM chacune."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    rows = run({**act, "seance": "F1"}, {**act, "seance": "F2"})
    assert [(r["acte_lourd"], r["montant_amo_cents"]) for r in rows] == [(False, 4_900), (False, 4_900)]
    rows = run({**act, "seance": "F1"}, {**act, "seance": "F1"})
    assert sum(r["montant_amo_cents"] for r in rows) == 11_600


def test_a_session_is_found_whatever_the_order_and_the_rejected_lines_around_it() -> None:
    """The same session of two 70 € CCAM lines, given out of order among other persons' lines and a rejected
    line: 116 € of AMO for the session, as one line of quantity 2 (CSS R160-16)."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 7_000, "montant_cents": 7_000, "date_soins": DAY}
    rows = run({**act, "personne": "z"}, {"acte": "ZZZ", "personne": "p1"}, act, {**act, "personne": "a", "date_soins": date(2025, 1, 2)},
               {**act, "ordre": 0}, ordre=1)
    assert rows[1]["rejet"] == "ACTE_INCONNU"
    session = [rows[2], rows[4]]
    assert sum(r["montant_amo_cents"] for r in session) == 11_600 and all(r["acte_lourd"] for r in session)
    assert (rows[4]["ticket_moderateur_cents"], rows[2]["ticket_moderateur_cents"]) == (2_100, 300)  # ``ordre`` 0 first
    assert rows[0]["montant_amo_cents"] == rows[3]["montant_amo_cents"] == 4_900


def test_a_coefficient_of_60_makes_an_acte_lourd_below_the_tariff_threshold() -> None:
    """Le seuil de coefficient (60, CSS R160-16) sans colonne ``coefficient`` : chaque acte a le coefficient 1, la
    ligne a donc celui de sa quantité. 60 actes CCAM à 1,50 € = 90 € (sous 120 €) : 70 % → 63 € d'AMO, TM 27 €
    limité au forfait de 24 € → 66 €. 59 actes (88,50 €, coefficient 59, un autre patient) : TM 30 % = 26,55 €, pas
    de forfait."""
    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 150, "date_soins": DAY}
    sixty, fifty_nine = run({**act, "quantite": 60, "montant_cents": 9_000}, {**act, "quantite": 59, "montant_cents": 8_850, "personne": "p2"})
    assert (sixty["acte_lourd"], sixty["montant_amo_cents"], sixty["ticket_moderateur_cents"]) == (True, 6_600, 2_400)
    assert (fifty_nine["acte_lourd"], fifty_nine["montant_amo_cents"], fifty_nine["ticket_moderateur_cents"]) == (False, 6_195, 2_655)


def test_coefficients_of_one_session_count_together() -> None:
    """Avec une colonne ``coefficient`` : deux actes CCAM de 45 € et de coefficient 30 chez le même praticien le
    même jour font une séance de 90 € (sous 120 €) et de coefficient 60 : acte lourd (CSS R160-16). 70 % de 90 € =
    63 € ; TM 27 € limité à 24 € pour la séance, 13,50 € sur la première ligne, 10,50 € sur la seconde. Le même
    acte seul (coefficient 30), ou de coefficient 29,5 à deux (59) : TM 30 %, pas de forfait."""
    from decimal import Decimal

    act = {"acte": "CCAM", "professionnel": "chirurgien", "base_unitaire_cents": 4_500, "montant_cents": 4_500, "date_soins": DAY}
    first, second, alone = run({**act, "coefficient": Decimal(30)}, {**act, "coefficient": Decimal(30)},
                               {**act, "coefficient": Decimal(30), "personne": "p2"})
    assert (first["ticket_moderateur_cents"], second["ticket_moderateur_cents"]) == (1_350, 1_050)
    assert (first["montant_amo_cents"], second["montant_amo_cents"]) == (3_150, 3_450) and first["acte_lourd"] and second["acte_lourd"]
    assert (alone["acte_lourd"], alone["montant_amo_cents"]) == (False, 3_150)
    below = run({**act, "coefficient": Decimal("29.5")}, {**act, "coefficient": Decimal("29.5")})
    assert [(r["acte_lourd"], r["ticket_moderateur_cents"]) for r in below] == [(False, 1_350), (False, 1_350)]
