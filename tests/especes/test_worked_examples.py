"""Worked examples: amounts published by public pages, recomputed by secu.especes.rules.

Each test names the page it reproduces. The figures were read in these pages (ameli.fr itself is not in
the stored corpus: where its figures are quoted by a payroll or public site, that site is cited). Every
amount is the law's formula rounded once, half up, to the cent (see the module docstring of the rules).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.especes.explication import explain_capital_deces, explain_ij, explain_invalidite
from secu.especes.rules import capital_deces, duree_conge, ij_arret, pension_invalidite


def test_ij_maladie_with_carence_2000_euros_a_month():
    # https://ledroit.fr/indemnites-journalieres-maladie-comprendre-calcul-et-montant/ : 3 × 2 000 € = 6 000 €,
    # ÷ 91,25 = 65,75 € de gain journalier, × 50 % = 32,88 € ; IJ from the 4th day (3 days of carence).
    r = ij_arret("maladie", date(2025, 5, 5), date(2025, 5, 18), (200_000, 200_000, 200_000))
    assert r["salaire_journalier"] == 6575 and r["ij_journaliere"] == 3288
    assert (r["jours_arret"], r["jours_carence"], r["jours_indemnises"]) == (14, 3, 11)
    assert r["montant_brut"] == 11 * 3288
    # CSG 6,2 % and CRDS 0,5 % on the gross, each rounded half up: 361,68 € → 22,42 € and 1,81 €.
    assert (r["csg"], r["crds"], r["montant_net"]) == (2242, 181, 36168 - 2242 - 181)
    labels = [step["etape"] for step in explain_ij(r)]
    assert any("carence" in label for label in labels) and labels[-1] == "Montant net versé"


def test_ij_maladie_ceiling_before_and_after_2025_04_01():
    # https://audit-de-paie.fr/actualites-paie/nouveau-plafond-pour-les-ijss-maladie (décret n° 2025-160):
    # salary counted up to 3 243,24 € (1,8 SMIC) → IJ max 53,31 € ; from arrêts starting 2025-04-01 up to
    # 2 522,52 € (1,4 SMIC) → IJ max 41,47 €.
    haut = (600_000, 600_000, 600_000)
    avant = ij_arret("maladie", date(2025, 3, 31), date(2025, 4, 30), haut)
    apres = ij_arret("maladie", date(2025, 4, 1), date(2025, 4, 30), haut)
    assert (avant["plafond_retenu"], avant["ij_journaliere"]) == (324324, 5331)
    assert (apres["plafond_retenu"], apres["ij_journaliere"]) == (252252, 4147)
    # An arrêt begun on 31 March keeps the 1,8 SMIC ceiling for its April days (the décret reads the start date).
    assert avant["jours_indemnises"] == 28 and avant["montant_brut"] == 28 * 5331


def test_ij_maladie_ceiling_2023_and_2024_from_the_smic_of_the_month_before():
    # 1,8 × SMIC mensuel of the last day of the month before the arrêt (R. 323-4): 1 747,20 € (May 2023) → 51,70 €;
    # 1 766,92 € (January 2024) → 52,28 € (c-i-j.com: « le plafond des indemnités journalières est de 52,28 € »).
    haut = (900_000, 900_000, 900_000)
    assert ij_arret("maladie", date(2023, 6, 1), date(2023, 6, 10), haut)["ij_journaliere"] == 5170
    assert ij_arret("maladie", date(2024, 2, 1), date(2024, 2, 10), haut)["ij_journaliere"] == 5228
    # An arrêt starting in May 2023 still reads the April SMIC (1 709,28 €): 50,58 €.
    assert ij_arret("maladie", date(2023, 5, 15), date(2023, 5, 30), haut)["ij_journaliere"] == 5058


def test_maternite_at_the_ceiling_and_the_minimum_2026():
    # https://lessentieldeleco.fr/6006-conge-maternite-2026-quel-montant-pouvez-vous-vraiment-toucher :
    # PMSS 4 005 €, 3 months ÷ 91,25 less 21 % → 104,02 € a day at most, 11,12 € at least; 16 weeks = 112 days,
    # « près de 11 650 € bruts » at the ceiling (112 × 104,02 = 11 650,24 €).
    r = ij_arret("maternite", date(2026, 2, 2), date(2026, 5, 24), (450_000, 450_000, 450_000))
    assert (r["ij_journaliere"], r["jours_carence"], r["jours_indemnises"]) == (10402, 0, 112)
    assert r["montant_brut"] == 1_165_024
    bas = ij_arret("maternite", date(2026, 2, 2), date(2026, 2, 15), (20_000, 20_000, 20_000))
    assert bas["ij_journaliere"] == 1112


def test_paternite_no_carence_same_formula_as_maternite():
    # CSS L. 331-8 and R. 331-5: 25 days from the first, PMSS 2025 3 925 € → 101,94 € at most (juritravail, fact sheet).
    r = ij_arret("paternite", date(2025, 6, 2), date(2025, 6, 26), (500_000, 500_000, 500_000))
    assert (r["ij_journaliere"], r["jours_carence"], r["jours_indemnises"]) == (10194, 0, 25)


def test_atmp_at_day_29_at_the_ceiling_2023():
    # https://legisocial.fr/actualites-sociales/5712-accident-travail-valeurs-maximales-ijss-1er-janvier-2023-sont-modifiees.html
    # and service-public.fr F175 (vérifié le 01/01/2023, https://mairie-st-vital.fr/fr/pg/90469/vos-demarches/part/F175):
    # salaire journalier at most 366,89 € (0,834 % × 43 992 €) ; IJ at most 220,14 € to day 28, 293,51 € from day 29.
    r = ij_arret("atmp", date(2023, 3, 1), date(2023, 4, 9), (2_000_000, 2_000_000, 2_000_000))
    assert (r["salaire_journalier"], r["ij_journaliere"], r["ij_journaliere_majoree"]) == (36689, 22014, 29351)
    # 40 days from 1 March: days 1–28 at 60 %, days 29–40 (29 March–9 April) at 80 %; no carence.
    assert (r["jours_carence"], r["jours_indemnises"], r["jours_majores"]) == (0, 40, 12)
    assert r["montant_brut"] == 28 * 22014 + 12 * 29351


def test_atmp_day_29_capped_by_the_gain_journalier_net():
    # service-public.fr F175: the IJ stays within the gain journalier net (« le salaire journalier moins 21 % »):
    # 2 000 € ÷ 30,42 = 65,75 €; 60 % = 39,45 €; 80 % would be 52,60 € but the net gain is 51,94 €.
    r = ij_arret("atmp", date(2025, 1, 10), date(2025, 3, 10), (200_000, 200_000, 200_000))
    assert (r["ij_journaliere"], r["gain_journalier_net"], r["ij_journaliere_majoree"]) == (3945, 5194, 5194)


def test_invalidite_categorie_2_2024_maximum_and_minimum():
    # https://my-legacy.fr/?p=4510 : 2024, catégorie 2, 50 % of the SAM, at least 328,07 € and at most 1 932 € a month.
    pensions = pl.DataFrame({"mois": [date(2024, 6, 1)] * 3, "categorie": [2, 2, 2], "sam": [5_000_000, 3_000_000, 500_000]})
    rows = pension_invalidite(pensions).to_dicts()
    assert [r["pension_mensuelle"] for r in rows] == [193200, 125000, 32807]
    assert explain_invalidite(rows[1])[-1]["montant_cents"] == 125000


def test_invalidite_categorie_3_adds_the_mtp_of_1_april():
    # MTP 1 288,13 € from 2025-04-01 (cramif.fr; the dated parameter mtp, CSS L355-1); 1 266,60 € before.
    pensions = pl.DataFrame({"mois": [date(2025, 3, 1), date(2025, 6, 1)], "categorie": [3, 3], "sam": [3_000_000, 3_000_000]})
    rows = pension_invalidite(pensions).to_dicts()
    assert [r["mtp"] for r in rows] == [126660, 128813]
    assert [r["pension_mensuelle"] for r in rows] == [125000 + 126660, 125000 + 128813]


def test_capital_deces_by_date_of_death():
    # 3 910 € for deaths in 2024 (https://assurance-complementaire.org/quest-ce-quun-capital-deces); 3 977 € from
    # 2025-04-01 (fact sheet, lecomparateurassurance).
    frame = capital_deces(pl.DataFrame({"date_deces": [date(2024, 12, 31), date(2025, 4, 1)]}))
    assert frame.get_column("capital_deces").to_list() == [391000, 397700]
    assert explain_capital_deces(frame.row(1, named=True))[0]["montant_cents"] == 397700


def test_durations_of_conge_maternite_and_paternite():
    # https://lessentieldeleco.fr/6006-conge-maternite-2026-quel-montant-pouvez-vous-vraiment-toucher : 16 weeks
    # (6 + 10) = 112 days for a 1st or 2nd child, 26 weeks = 182 days from the 3rd, 34 weeks = 238 days for twins;
    # paternité 25 days (32 for multiple births, CSS L. 331-8).
    conges = pl.DataFrame({
        "conge": ["maternite", "maternite", "maternite", "paternite", "paternite"],
        "cas": ["rang_1_2", "rang_3_plus", "jumeaux", "simple", "multiple"],
        "date": [date(2026, 1, 15)] * 5,
    })
    out = duree_conge(conges)
    assert out.get_column("jours_conge").to_list() == [112, 182, 238, 25, 32]
    assert out.get_column("jours_prenatal").to_list()[:3] == [42, 56, 84]
