"""The IJ rule's interval arithmetic against a plain day-by-day walk of the same arrêts.

The rule never makes one row per day: carence, the day-29 switch and the end of the rights are intervals of
day numbers, intersected with the period paid. Here 400 random arrêts (deterministic seed: every risk,
prolongations, ALD first and later arrêts, IJ already paid near the 360, periods inside, across and outside
the arrêt) are walked day by day, each day classed by the texts' wording (R. 323-1: from the 4th day; 360 IJ;
ALD 3 years; R. 433-3: from the 29th day), and the counts and the gross must be the rule's.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from secu.especes.rules import indemnites_journalieres


def _random_arrets(n: int, seed: int = 7) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        debut = date(2023, 3, 1) + timedelta(days=rng.randrange(0, 1200))
        fin = debut + timedelta(days=rng.choice([0, 1, 2, 3, 5, 27, 28, 29, 40, 200]))
        p0 = debut + timedelta(days=rng.randrange(-10, 60))
        p1 = p0 + timedelta(days=rng.randrange(0, 60))
        rows.append({
            "risque": rng.choice(["maladie", "maladie", "maternite", "paternite", "atmp"]),
            "debut": debut, "fin": fin,
            "salaire_1": rng.randrange(0, 700_000), "salaire_2": rng.randrange(0, 700_000), "salaire_3": rng.randrange(0, 700_000),
            "prolongation": rng.random() < 0.2, "ald": rng.random() < 0.3, "ald_arret_anterieur": rng.random() < 0.5,
            "ald_debut": debut - timedelta(days=rng.randrange(0, 1200)),
            "ij_deja_versees": rng.choice([0, 0, 100, 350, 358, 360, 400]),
            "periode_debut": p0, "periode_fin": p1,
        })
    return pl.DataFrame(rows)


def _walk(r: dict) -> tuple[int, int, int, int, int]:
    """(carence, paid, majorés, beyond rights, gross) by walking each day of the period inside the arrêt."""
    maladie = r["risque"] == "maladie"
    carence_due = maladie and not r["prolongation"] and not (r["ald"] and r["ald_arret_anterieur"])
    try:
        fin_ald = r["ald_debut"].replace(year=r["ald_debut"].year + 3) - timedelta(days=1)
    except ValueError:  # 29 February: three years later is 28 February (offset_by's rule)
        fin_ald = r["ald_debut"].replace(year=r["ald_debut"].year + 3, day=28) - timedelta(days=1)
    carence = paid = majores = beyond = gross = 0
    day, number = r["debut"], 1
    while day <= r["fin"]:
        if r["periode_debut"] <= day <= r["periode_fin"]:
            if carence_due and number <= 3:
                carence += 1
            elif maladie and r["ald"] and day > fin_ald:
                beyond += 1
            elif maladie and not r["ald"] and number - (3 if carence_due else 0) > max(360 - r["ij_deja_versees"], 0):
                beyond += 1
            elif r["risque"] == "atmp" and number >= 29:
                paid, majores, gross = paid + 1, majores + 1, gross + r["ij_journaliere_majoree"]
            else:
                paid, gross = paid + 1, gross + r["ij_journaliere"]
        day, number = day + timedelta(days=1), number + 1
    return carence, paid, majores, beyond, gross


def test_day_classes_and_gross_equal_a_day_by_day_walk():
    out = indemnites_journalieres(_random_arrets(400))
    for r in out.iter_rows(named=True):
        expected = _walk(r)
        got = (r["jours_carence"], r["jours_indemnises"], r["jours_majores"], r["jours_hors_droits"], r["montant_brut"])
        assert got == expected, r
