"""The simulated year pays the IJ and the invalidity pensions of the synthetic France (issue 13 §9).

The law is :mod:`secu.especes.rules`'s (CSS R. 323-4, R. 331-5, R. 433-1 to R. 433-4 for the IJ; L. 341-4, R. 341-5
for invalidity); here: which arrêts and pensions the dataset gives, in which month each day is paid, on which
branch it is booked, and the report beside the published figures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from secu import branches
from secu.batch import jobs
from secu.core.parameters import parameters
from secu.especes import comptes
from secu.especes.rules import indemnites_journalieres
from secu.simulation import publies
from secu.simulation import run as simulation
from secu.synth import evenements
from secu.synth.calibration import calibration

SEED = 11
DECEMBRE = date(2025, 12, 1)


def test_the_ij_module_books_on_the_maladie_and_atmp_branches_without_declaring_one() -> None:
    assert "secu.especes.comptes" in branches.MODULES and comptes.BRANCHES == ()
    assert [b.code for b in branches.branches()][:2] == ["maladie", "atmp"]
    assert branches.grand_livre_special()[("cades", jobs.PRODUIT, "crds.ij_atmp")] == ("atmp", "dettes.attributaires.cades")


def test_each_day_of_each_arret_is_paid_once_in_the_year(dataset: Path) -> None:
    # Steady state: the days of an arrêt that fall after the year are paid in the same month of the year, so the
    # year pays every day of the arrêts that begin in it — the IJ rule on each whole arrêt, summed.
    partition = jobs.partition(dataset, 0, DECEMBRE, SEED, memo=False)
    arrets = evenements.arrets(partition.personnes, 2025, SEED)
    assert set(arrets["risque"]) == {"maladie", "atmp", "maternite"}
    accounts = comptes.de_l_annee(partition, DECEMBRE)
    assert sorted(accounts["mois"].unique().to_list()) == [date(2025, m, 1) for m in range(1, 13)]
    entiers = arrets.filter(pl.col("risque") != "maternite").select(
        "risque",
        "debut",
        (pl.col("debut") + pl.duration(days=pl.col("jours") - 1)).alias("fin"),
        "ald",
        *[pl.col("salaire_mensuel").alias(f"salaire_{i}") for i in (1, 2, 3)],
    )
    whole = indemnites_journalieres(entiers)
    for risque, (branche, poste) in {"maladie": ("maladie", "ij_maladie"), "atmp": ("atmp", "ij_atmp")}.items():
        booked = accounts.filter((pl.col("branche") == branche) & (pl.col("poste") == f"prestations.{poste}"))
        expected = whole.filter(pl.col("risque") == risque)
        assert int(booked["montant_cents"].sum()) == int(expected["montant_brut"].sum()) > 0, risque
        assert int(booked["volume"].sum()) == int(expected["jours_indemnises"].sum()), risque
    # Maternité: the congés that begin in the year, for their legal length (L. 331-3: 6 + 10 weeks, 8 + 18 from the
    # 3rd child), no carence.
    rang3 = pl.col("rang_3_plus")
    maternite = arrets.filter(pl.col("risque") == "maternite").with_columns(
        (pl.col("accouchement") - pl.duration(days=pl.when(rang3).then(56).otherwise(42))).alias("debut"),
        pl.when(rang3).then(182).otherwise(112).alias("jours"),
    )
    assert maternite["accouchement"].dt.year().n_unique() == 2  # births of 2025, and of 2026 whose congé begins in 2025
    booked = accounts.filter(pl.col("poste") == "prestations.ij_maternite")
    assert int(booked["volume"].sum()) == int(maternite.filter(pl.col("debut").dt.year() == 2025)["jours"].sum()) > 0
    # CRDS 0,5 % withheld, owed to the CADES.
    crds = accounts.filter((pl.col("branche") == "cades") & (pl.col("poste") == "crds.ij_maladie"))
    assert 0 < int(crds["montant_cents"].sum()) <= int(accounts.filter(pl.col("branche") == "maladie")["montant_cents"].sum()) // 100


def test_a_long_arret_is_paid_in_the_month_of_each_of_its_days() -> None:
    arret = pl.DataFrame(
        {
            "personne": [1],
            "risque": ["maladie"],
            "debut": [date(2025, 11, 20)],
            "jours": [83],
            "accouchement": [None],
            "rang_3_plus": [None],
            "ald": [False],
            "salaire_mensuel": [300_000],
            "heures_mensuelles": [Decimal("151.67")],
        },
        schema=evenements.ARRET_SCHEMA,
    )
    rows = comptes.arrets_du_mois(arret, DECEMBRE).sort("mois")
    # 20 Nov 2025 → 10 Feb 2026: Nov and Dec in their months, Jan and Feb 2026 folded on Jan and Feb 2025.
    assert rows.select("mois", "periode_debut", "periode_fin").rows() == [
        (date(2025, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2025, 2, 1), date(2026, 2, 1), date(2026, 2, 10)),
        (date(2025, 11, 1), date(2025, 11, 20), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2025, 12, 1), date(2025, 12, 31)),
    ]
    paid = indemnites_journalieres(rows)
    # R. 323-1: 3 days of carence, in November; R. 323-4 and décret 2025-160: 3 000 € capped at 1,4 SMIC (2 522,52 €).
    assert paid["jours_carence"].to_list() == [0, 0, 3, 0] and int(paid["jours_indemnises"].sum()) == 80
    assert set(paid["ij_journaliere"]) == {4147}


def test_invalidity_pensions_are_paid_each_month_until_death_or_the_age_of_conversion() -> None:
    invalides = pl.DataFrame(
        {
            "personne": [1, 2, 3],
            "date_naissance": [date(1970, 5, 1), date(1963, 6, 15), date(1980, 1, 1)],
            "date_deces": [None, None, date(2025, 3, 10)],
            "categorie": [2, 1, 3],
            "salaire_annuel": [3_000_000, 6_000_000, 2_400_000],
            "fin_pension": [date(2032, 5, 1), date(2025, 6, 15), date(2042, 1, 1)],
        },
        schema=evenements.INVALIDE_SCHEMA,
    )
    accounts = comptes.comptes_des_invalides(invalides, DECEMBRE).filter(pl.col("sens") == jobs.CHARGE).sort("mois")
    assert accounts["volume"].to_list() == [3, 3, 3, 2, 2, 2] + [1] * 6
    # R. 341-5: category 2 = 50 % of the SAM / 12 = 1 250 €; category 1 = 30 % of the SAM capped at 30 % of the
    # PASS (47 100 € in 2025: 1 177,50 €); category 3 = 50 % of 24 000 € / 12 + MTP (1 288,13 € from April 2025).
    mtp = {m: int(Decimal(str(parameters().get("mtp").at(m).value)) * 100) for m in (date(2025, 1, 1), date(2025, 4, 1))}
    assert accounts["montant_cents"][0] == 125_000 + 117_750 + 100_000 + mtp[date(2025, 1, 1)]
    assert accounts["montant_cents"][2] == 125_000 + 117_750 + 100_000 + mtp[date(2025, 1, 1)]  # March: died on the 10th
    assert accounts["montant_cents"][3] == 125_000 + 117_750 and mtp[date(2025, 4, 1)] == 128_813
    assert accounts["montant_cents"][5] == 125_000 + 117_750  # June: the third died in March
    assert accounts["montant_cents"][6] == 125_000  # July: the second reached the age of conversion on 15 June


def test_the_csg_crds_and_casa_withheld_on_the_pensions_go_to_their_recipients() -> None:
    # Rates of service-public.fr « CSG, CRDS et Casa sur les pensions de retraite »
    # (https://www.service-public.fr/particuliers/vosdroits/F2971): CSG 3,8 % (taux réduit) / 6,6 % / 8,3 %, CRDS 0,5 %,
    # CASA 0,3 % at the médian and normal rates only; thresholds for 2025, one part: 12 817 €, 16 755 €, 26 004 € (CSS
    # L. 136-8 III). The simulated year takes the RFR as 12 × the month's pension, one part (comptes: hypothèse).
    invalides = pl.DataFrame(
        {
            "personne": [1, 2],
            "date_naissance": [date(1970, 5, 1), date(1975, 1, 1)],
            "date_deces": [None, None],
            "categorie": [2, 3],
            "salaire_annuel": [3_000_000, 2_400_000],
            "fin_pension": [date(2032, 5, 1), date(2037, 1, 1)],
        },
        schema=evenements.INVALIDE_SCHEMA,
    )
    juillet = comptes.comptes_des_invalides(invalides, date(2025, 7, 1)).filter(pl.col("mois") == date(2025, 7, 1))
    postes = {(r["branche"], r["sens"], r["poste"]): (r["montant_cents"], r["volume"]) for r in juillet.iter_rows(named=True)}
    # 1 250 € (RFR 15 000 €: taux réduit): CSG 47,50 €, CRDS 6,25 €, no CASA. 1 000 € + MTP 1 288,13 € = 2 288,13 € (RFR
    # 27 457,56 €: taux normal): CSG 8,3 % = 189,91 €, CRDS 11,44 €, CASA 6,86 € (each rounded half up to the cent).
    assert postes == {
        ("maladie", jobs.CHARGE, "prestations.invalidite"): (125_000 + 228_813, 2),
        ("urssaf", jobs.PRODUIT, "csg.invalidite"): (4_750 + 18_991, 2),
        ("cades", jobs.PRODUIT, "crds.invalidite"): (625 + 1_144, 2),
        ("autonomie", jobs.PRODUIT, "casa.invalidite"): (686, 1),
    }
    # In the ledger the CNAM owes them, as its payment run books them (especes/paiement_invalidite.py).
    special = branches.grand_livre_special()
    assert [special[(b, jobs.PRODUIT, p)] for b, p in (("urssaf", "csg.invalidite"), ("cades", "crds.invalidite"), ("autonomie", "casa.invalidite"))] == [
        ("maladie", "dettes.attributaires.csg"), ("maladie", "dettes.attributaires.cades"), ("maladie", "dettes.attributaires.cnsa")]  # fmt: skip


def test_the_invalid_population_is_the_published_one() -> None:
    cal = calibration()
    inv = cal.raw["sante"]["invalidite"]
    prob = evenements._invalidity_by_age(
        float(inv["part_a_61_ans"]["valeur"]),
        float(inv["pensionnes"]["valeur"]),
        float(cal.raw["population"]["reference"]["valeur"]),
        20,
        62,
        tuple(cal.age_weights.tolist()),
    )
    # REPSS Autonomie 1.8: 833 000 pensionnés of the régime général in 2023; DREES: 9 % of the people aged 61.
    share = float((cal.age_weights * prob).sum())
    assert abs(share * float(cal.raw["population"]["reference"]["valeur"]) - 833_000) < 1
    assert prob[61] == 0.09 and prob[62] == 0 and prob[19] == 0 and np.all(np.diff(prob[20:62]) > 0)


def test_the_report_puts_the_ij_beside_the_published_figures(dataset: Path) -> None:
    year = jobs.annee(dataset, 0, DECEMBRE, SEED)
    p = simulation.Parametres(2025, Decimal("0.00002"), 1368, SEED)
    doc = simulation.rapport(simulation.Resultat(p, dataset, year))["prestations_especes"]
    published = {r.poste: r for r in publies.prestations_especes()}
    assert set(published) == {"ij_maladie", "ij_maternite", "ij_atmp", "invalidite"}
    for row in doc["lignes"]:
        booked = year.filter(pl.col("poste") == f"prestations.{row['poste']}")
        assert row["simule_cents"] == int(booked["montant_cents"].sum()) and row["extrapole_cents"] == row["simule_cents"] * 50_000
        assert Decimal(row["publie_md"]) == published[row["poste"]].montant and row["source"]
    total = doc["ij_total"]
    assert Decimal(total["publie_md"]) == Decimal("17.0") and total["annee_publiee"] == 2023  # DREES: 10,2 + 2,7 + 4,1
    assert total["extrapole_cents"] == sum(r["extrapole_cents"] for r in doc["lignes"] if r["poste"] != "invalidite") > 0


def test_a_third_category_pension_before_the_first_mtp_is_counted_not_invented() -> None:
    # secu's MTP starts on 1 April 2023 (parametres/commun/mtp.yaml): January to March 2023 are counted, at 0 €.
    invalides = pl.DataFrame(
        {
            "personne": [1],
            "date_naissance": [date(1970, 1, 1)],
            "date_deces": [None],
            "categorie": [3],
            "salaire_annuel": [2_400_000],
            "fin_pension": [date(2032, 1, 1)],
        },
        schema=evenements.INVALIDE_SCHEMA,
    )
    accounts = comptes.comptes_des_invalides(invalides, date(2023, 5, 1)).filter(pl.col("sens") == jobs.CHARGE).sort("mois")
    assert accounts.select("mois", "poste", "volume").rows() == [(date(2023, m, 1), "prestations.invalidite_non_calculee", 1) for m in (1, 2, 3)] + [
        (date(2023, m, 1), "prestations.invalidite", 1) for m in (4, 5)
    ]
    assert accounts["montant_cents"].to_list()[:3] == [0, 0, 0] and accounts["montant_cents"][3] == 100_000 + 121_090
