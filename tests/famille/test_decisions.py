"""Issue 11 §1.4 and §1.5: the family rules where the text had to be read and a reading chosen, with worked examples.

Every expected amount is computed by hand here from the text and the parameters it names (BMAF 474,37 € from
1 April 2025; SMIC horaire 11,88 € from 1 November 2024 and 12,02 € from 1 January 2026; ARS ceiling 21 880 €
for 2025, + 30 % per child), never read from secu's output.
"""

from __future__ import annotations

from datetime import date

from tests.famille.test_worked_examples import run

JUILLET_2025 = date(2025, 7, 1)


# --------------------------------------------------------------------------
# §1.4 — allocation forfaitaire: a sibling paid above the ceiling is not à charge


def test_forfait_a_sibling_paid_above_the_ceiling_is_not_a_charge():
    # L521-1 2e al. and D521-2 III: the forfait needs at least 3 children à charge the month before the 20th
    # birthday. L512-3 2° and R512-2: after compulsory schooling a child paid more than 55 % of the SMIC × 169
    # is not à charge (May 2025: 11,88 × 169 × 55 % = 1 104,246 €).
    a = date(2005, 6, 15)  # 20 in June 2025: the eve is May 2025
    c = date(2010, 3, 1)  # 15, à charge
    b_paye = {"date_naissance": date(2008, 1, 1), "salaire_net_mensuel": 1_200_00}  # 17, paid above
    r = run([a, b_paye, c], mois=JUILLET_2025)
    # In May 2025 only A and C were à charge: no forfait; now C alone is à charge: no AF either.
    assert (r["nb_enfants"], r["af_nb_forfaits"], r["af"]) == (1, 0, 0)

    b_sous = {"date_naissance": date(2008, 1, 1), "salaire_net_mensuel": 1_000_00}
    r = run([a, b_sous, c], mois=JUILLET_2025)
    # A, B and C à charge in May: the forfait 20,234 % × 474,37 = 95,98 €; AF for B and C 32 % = 151,80 €, and
    # the majoration 16 % = 75,90 € for C only (L521-3: the eldest of fewer than three opens none).
    assert (r["nb_enfants"], r["af_nb_forfaits"], r["af_forfait"]) == (2, 1, 95_98)
    assert r["af"] == 151_80 + 75_90 + 95_98


def test_forfait_a_sibling_under_16_on_the_eve_counts_whatever_his_pay_now():
    # B was 15 in May 2025 (compulsory schooling: his pay is not looked at, L512-3 1°), 16 and paid above now.
    a, c = date(2005, 6, 15), date(2010, 3, 1)
    b = {"date_naissance": date(2009, 6, 10), "salaire_net_mensuel": 1_200_00}
    r = run([a, b, c], mois=JUILLET_2025)
    assert (r["nb_enfants"], r["af_nb_forfaits"], r["af_forfait"]) == (1, 1, 95_98)


def test_forfait_a_third_child_born_after_the_eve_does_not_open_it():
    # L521-1 2e al.: the forfait goes to the household « qui assume la charge d'un nombre minimum d'enfants […]
    # lorsque l'un […] des enfants […] atteint l'âge limite »; the CNAF (circulaire DSS/2B/2003/310, ASH n° 2313):
    # 3 children with a right to AF the month before the 20th birthday, the child of 20 included; « il n'est pas dû
    # si un quatrième [sic: the one who would make the third] enfant arrive au foyer le mois des 20 ans (ou après) ».
    # A is 20 in June 2025 (the eve is May 2025); B is 13.
    a, b = date(2005, 6, 15), date(2012, 3, 1)
    # C born on 20 May 2025: à charge from June (R552-2 I, the month after the birth), not in May.
    r = run([a, b, date(2025, 5, 20)], mois=JUILLET_2025)
    # July: B and C à charge, 32 % × 474,37 = 151,80 €; no majoration (B is 13); no forfait.
    assert (r["nb_enfants"], r["af_nb_forfaits"], r["af"]) == (2, 0, 151_80)
    # C born on 20 April 2025: à charge from May, the eve: A, B and C then, the forfait 95,98 € is due for the year.
    r = run([a, b, date(2025, 4, 20)], mois=JUILLET_2025)
    assert (r["nb_enfants"], r["af_nb_forfaits"], r["af"]) == (2, 1, 151_80 + 95_98)


# --------------------------------------------------------------------------
# §1.4 — a child paid above the ceiling leaves the count in the month of his 16th birthday


def test_a_child_paid_above_the_ceiling_leaves_the_count_in_the_month_of_his_16th_birthday():
    # L512-3 1° and 2°: à charge until the end of compulsory schooling (16, code de l'éducation L131-1) whatever
    # his pay, then only if paid no more than 55 % of the SMIC × 169 (R512-2: 1 104,246 € in 2025); R552-3 I:
    # a right ceases from the first day of the month in which its condition ceases. B turns 16 on 10 July 2025.
    b = {"date_naissance": date(2009, 7, 10), "salaire_net_mensuel": 1_200_00}
    c, d = date(2012, 3, 1), date(2015, 1, 1)
    # June: B is 15, à charge: 3 children, 73 % × 474,37 = 346,29 €, and B's majoration (over 14, family of
    # three: L521-3 2e al.) 16 % = 75,90 €.
    r = run([b, c, d], mois=date(2025, 6, 1))
    assert (r["nb_enfants"], r["af"]) == (3, 346_29 + 75_90)
    # July, the month of his 16th birthday: no longer à charge from 1 July; C and D: 151,80 €, no majoration.
    r = run([b, c, d], mois=JUILLET_2025)
    assert (r["nb_enfants"], r["af"]) == (2, 151_80)


# --------------------------------------------------------------------------
# §1.5 — the 55 % of the SMIC: exact, per month, with the month's SMIC


def test_pay_ceiling_is_the_exact_55_percent_of_169_smic_of_the_month():
    # R512-2: "pour un mois, à 55 % du [SMIC] multiplié par 169". May 2025: 11,88 × 169 = 2 007,72 €;
    # × 55 % = 1 104,246 €. The text sets no rounding: 1 104,24 € does not exceed it, 1 104,25 € does
    # (service-public F16947 shows the ceiling rounded, 1 104,25 €).
    younger = date(2015, 1, 1)

    def paid(cents: int, mois: date = date(2025, 5, 1)) -> int:
        return run([{"date_naissance": date(2008, 1, 1), "salaire_net_mensuel": cents}, younger], mois=mois)["nb_enfants"]

    assert paid(1_104_24) == 2
    assert paid(1_104_25) == 1
    # The SMIC of the month: 1 110 € exceeds December 2025's ceiling (1 104,246 €) but not January 2026's
    # (12,02 × 169 × 55 % = 1 117,2590 €): the child is à charge again from January, month by month.
    assert paid(1_110_00, date(2025, 12, 1)) == 1
    assert paid(1_110_00, date(2026, 1, 1)) == 2
    assert paid(1_117_25, date(2026, 1, 1)) == 2
    assert paid(1_117_26, date(2026, 1, 1)) == 1


# --------------------------------------------------------------------------
# §1.5 — the ARS ceiling counts the children à charge on 31 July


def test_ars_ceiling_counts_the_children_a_charge_on_31_july():
    # R543-5: the ceiling is raised by 30 % per child à charge; the text gives no date, the CAF (service-public
    # F1878) counts the children à charge on 31 July. A turns 20 on 20 August 2025: on 31 July he was still à
    # charge, so the ceiling is 21 880 + 2 × 6 564 = 35 008 €, though he is no longer à charge in August.
    a = date(2005, 8, 20)
    b = date(2015, 1, 1)  # 10 on 31 December 2025: 89,72 % × 474,37 = 425,6048 → 425,60 €
    r = run([a, b], mois=date(2025, 8, 1), ressources=30_000_00)
    assert (r["nb_enfants"], r["ars_nb_enfants_plafond"], r["ars_plafond"]) == (1, 2, 35_008_00)
    assert r["ars"] == 425_60
    # A child born in August is not counted (not born on 31 July); one born in July is.
    r = run([b, date(2025, 8, 3)], mois=date(2025, 8, 1), ressources=30_000_00)
    assert r["ars_nb_enfants_plafond"] == 1
    r = run([b, date(2025, 7, 30)], mois=date(2025, 8, 1), ressources=30_000_00)
    assert r["ars_nb_enfants_plafond"] == 2


# --------------------------------------------------------------------------
# §1.5 — a child born on 29 February


def test_born_on_29_february_reaches_his_age_on_28_february_of_a_common_year():
    # No article of the CSS says when a child born on 29 February has his birthday in a common year; secu
    # follows the rule of the code de procédure civile for periods counted in years (art. 641, 2e al.: without
    # the same day in the month, the last day of the month), so the age is reached on 28 February, in February.
    # Décret 2026-138 moved the age of the majoration (R521-1) from 14 to 18 on 1 March 2026, keeping 14 for a
    # child who reached 14 before: born 29 February 2012, 14 on 28 February 2026, he keeps it, and (R552-2)
    # opens it from March. Two children: the eldest (16) opens none (L521-3).
    eldest = date(2010, 1, 1)
    assert run([eldest, date(2012, 2, 29)], mois=date(2026, 2, 1))["af_nb_majorations"] == 0
    assert run([eldest, date(2012, 2, 29)], mois=date(2026, 3, 1))["af_nb_majorations"] == 1
    # Born on 1 March 2012: 14 on 1 March 2026, not before: the new age (18) applies.
    assert run([eldest, date(2012, 3, 1)], mois=date(2026, 4, 1))["af_nb_majorations"] == 0


# --------------------------------------------------------------------------
# §1.5 — twins in a family of two: one majoration, and which twin is the eldest


def test_twins_in_a_family_of_two_open_one_majoration():
    # L521-3: each child à charge but the eldest ("à l'exception du plus âgé") opens the majoration, unless the
    # family has the number of children of R521-1 (3). Of twins, one is the eldest (born first, the hour being
    # in the acte de naissance, code civil art. 57): one majoration, never two nor none. May 2025, twins of 15:
    # 151,80 € + 75,90 € = 227,70 €.
    twins = [date(2010, 1, 1), date(2010, 1, 1)]
    r = run(twins)
    assert (r["af_nb_majorations"], r["af"]) == (1, 227_70)


def test_twins_in_residence_alternee_the_first_listed_is_the_eldest():
    # secu does not know the hour of birth: the eldest of twins is the one given first (the service gives the
    # children in the order the births were declared). It matters only when one twin alone is in résidence
    # alternée (R521-3: the AF × 3/4; R521-4: his majoration halved).
    alterne = {"date_naissance": date(2010, 1, 1), "garde_alternee": True}
    # Eldest in résidence alternée: 151,80 × 3/4 = 113,85 €, the other's majoration whole, 75,90 €.
    assert run([alterne, date(2010, 1, 1)])["af"] == 113_85 + 75_90
    # Younger in résidence alternée: 113,85 € and his majoration halved, 37,95 €.
    assert run([date(2010, 1, 1), alterne])["af"] == 113_85 + 37_95


def test_ars_ceiling_takes_the_arretes_majoration_in_euros():
    # R543-5: + 30 % per child; the arrêté du 22 décembre 2023 fixes it at 6 263 € per child for 2024 (30 % of
    # 20 878 € is 6 263,40 €): two children, 20 878 + 2 × 6 263 = 33 404 €. Resources 33 404,50 €: 0,50 € above,
    # the ARS différentielle (L543-1, R543-6-1) is the full ARS less 0,50 €. BMAF 466,44 € (1 April 2024):
    # 89,72 % = 418,4899 → 418,49 € (10 on 31 December 2024); 94,67 % = 441,5787 → 441,58 € (14).
    r = run([date(2014, 5, 1), date(2010, 5, 1)], mois=date(2024, 8, 1), ressources=33_404_50)
    assert (r["ars_plafond"], r["ars_plein"]) == (33_404_00, 418_49 + 441_58)
    assert r["ars"] == 418_49 + 441_58 - 50
