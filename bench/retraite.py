"""Benchmark: the retirement rules' throughput, in persons per second, on generated careers.

    .venv/bin/python bench/retraite.py                         # 1,000,000 persons, best of 3
    .venv/bin/python bench/retraite.py --personnes 200000 --essais 5
    .venv/bin/python bench/retraite.py --lot 100000             # careers in lots of 100,000 persons

1. Generates ``--personnes`` synthetic retirees (deterministic seed): born 1955-1969, a pension taking effect on
   the first of a month from the âge légal of their generation to 67 and over (2023-01 … 2033), careers begun
   at 16 to 25 with gaps, salaries from 0 to 1.5 × the PASS (so the caps, the quarters below four and the years
   without quarter all occur), some AVPF, assimilated and other régimes' quarters, children, carrières longues,
   inaptitude, other pensions for the écrêtement of the minimum.
2. Times :func:`secu.retraite.rules.droit_propre.pension_droit_propre` on all the persons at once (the given SAM
   and quarters): checks, parameters joined by birth and by date d'effet, taux, décote, surcote, prorata,
   maximum, minimum contributif and its écrêtement, majoration.
3. Times the career rule — :func:`annees_carriere` then :func:`salaire_annuel_moyen` — on the persons' careers
   (one row per person × year, about 40 years each), in lots of ``--lot`` persons as the batch engine gives
   partitions, the time summed over the lots. Only careers whose pension takes effect by 2026 are revalued (the
   coefficients are published to 2026); the later ones use ``projection=True``, as an estimate would.

Times are CPU seconds (``time.process_time``: all threads of the process), best of ``--essais``; wall-clock
seconds beside them. Throughput = persons / CPU seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from secu.retraite.rules.carriere import annees_carriere, salaire_annuel_moyen  # noqa: E402
from secu.retraite.rules.droit_propre import pension_droit_propre  # noqa: E402

AGE_LEGAL_MAX = 64 * 12  # months: the highest âge légal of the generations generated, so every departure is allowed


def personnes(n: int, seed: int = 14) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    annee = rng.integers(1955, 1970, size=n)
    mois = rng.integers(1, 13, size=n)
    naissance = pl.select(pl.date(pl.Series(annee), pl.Series(mois), 1)).to_series()
    retard = np.where(rng.random(n) < 0.7, rng.integers(0, 24, size=n), rng.integers(0, 72, size=n))
    effet_mois = np.maximum(annee * 12 + mois - 1 + AGE_LEGAL_MAX, 2023 * 12) + retard  # pensions from 2023 (the parameters held)
    effet = pl.select(pl.date(pl.Series(effet_mois // 12), pl.Series(effet_mois % 12 + 1), 1)).to_series()
    trimestres = rng.integers(60, 190, size=n)
    rg = (trimestres * rng.uniform(0.6, 1.0, size=n)).astype(np.int64)
    cotises = np.minimum((rg * rng.uniform(0.7, 1.0, size=n)).astype(np.int64), 4 * (effet_mois // 12 - annee - 13))
    # 5 % of the generations 1963-1969: a carrière longue begun before 20, leaving at 62 with the durée cotisée.
    carriere_longue = (rng.random(n) < 0.05) & (annee >= 1963)
    effet_mois = np.where(carriere_longue, annee * 12 + mois - 1 + 62 * 12, effet_mois)
    effet = pl.select(pl.date(pl.Series(effet_mois // 12), pl.Series(effet_mois % 12 + 1), 1)).to_series()
    trimestres = np.where(carriere_longue, 172, trimestres)
    rg = np.where(carriere_longue, 172, rg)
    cotises = np.where(carriere_longue, 172, cotises)
    return pl.DataFrame({
        "naissance": naissance, "date_effet": effet,
        "sam": rng.integers(300_000, 5_500_000, size=n), "trimestres": trimestres, "trimestres_rg": rg, "trimestres_cotises": cotises,
        "enfants": rng.choice(np.array([0, 1, 2, 3, 4]), size=n, p=[0.2, 0.2, 0.35, 0.17, 0.08]),
        "inaptitude": rng.random(n) < 0.02,
        "carriere_longue": carriere_longue, "age_debut_activite": pl.Series(np.where(carriere_longue, 20, 0)).cast(pl.Int64),
        "total_pensions_mensuel": pl.Series(np.where(rng.random(n) < 0.5, rng.integers(0, 250_000, size=n), -1)).cast(pl.Int64),
    }).with_columns(pl.when(pl.col("total_pensions_mensuel") >= 0).then(pl.col("total_pensions_mensuel")).alias("total_pensions_mensuel"),
                    pl.when(pl.col("carriere_longue")).then(pl.col("age_debut_activite")).alias("age_debut_activite"))


def carrieres(frame: pl.DataFrame, seed: int = 15) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per person × calendar year from the start of the career to the year before the date d'effet."""
    rng = np.random.default_rng(seed)
    n = frame.height
    annee_naissance = frame.get_column("naissance").dt.year().to_numpy()
    fin = frame.get_column("date_effet").dt.year().to_numpy()
    debut = np.maximum(annee_naissance + rng.integers(16, 26, size=n), 1972)
    longueur = np.maximum(fin - debut, 1)
    personne = np.repeat(np.arange(n, dtype=np.int64), longueur)
    decalage = np.arange(personne.size) - np.repeat(np.cumsum(longueur) - longueur, longueur)
    annee = (np.repeat(debut, longueur) + decalage).astype(np.int32)
    niveau = np.repeat(rng.uniform(0.3, 1.5, size=n), longueur)
    trou = rng.random(personne.size) < 0.06
    salaire = np.where(trou, rng.integers(0, 200_000, size=personne.size), (niveau * 4_000_000 * (annee - 1960) / 66).astype(np.int64))
    annees = pl.DataFrame({
        "personne": personne, "annee": annee, "salaire": salaire,
        "salaire_avpf": np.where(rng.random(personne.size) < 0.02, 1_200_000, 0),
        "trimestres_assimiles": np.where(trou, rng.integers(0, 5, size=personne.size), 0),
        "trimestres_autres_regimes": np.where(rng.random(personne.size) < 0.03, rng.integers(1, 5, size=personne.size), 0),
    })
    gens = pl.DataFrame({"personne": np.arange(n, dtype=np.int64), "naissance": frame.get_column("naissance"),
                         "date_effet": frame.get_column("date_effet"),
                         "enfants_mere": rng.choice(np.array([0, 1, 2]), size=n, p=[0.6, 0.15, 0.25])})
    return annees, gens


def regle_carriere(annees: pl.DataFrame, gens: pl.DataFrame, lot: int) -> None:
    for debut in range(0, gens.height, lot):
        lot_gens = gens.slice(debut, lot)
        lot_annees = annees.filter(pl.col("personne").is_between(debut, debut + lot - 1))
        salaire_annuel_moyen(annees_carriere(lot_annees), lot_gens, projection=True)


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--personnes", type=int, default=1_000_000)
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--lot", type=int, default=100_000, help="persons per lot for the career rule")
    args = parser.parse_args()

    frame = personnes(args.personnes)
    annees, gens = carrieres(frame)
    pension_droit_propre(frame.head(1000))  # warm the parameter tree and Polars
    best = {"pension": (float("inf"), float("inf")), "carrière": (float("inf"), float("inf"))}
    for _ in range(args.essais):
        for name, fn in (("pension", lambda: pension_droit_propre(frame)), ("carrière", lambda: regle_carriere(annees, gens, args.lot))):
            cpu, wall = _time(fn)
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))

    out = pension_droit_propre(frame)
    print(f"{args.personnes:,} personnes, {annees.height:,} années de carrière (lots de {args.lot:,}) ; meilleur de {args.essais} essais "
          "(CPU = tous les fils du processus)")
    print(f"{'':10} {'CPU s':>8} {'mur s':>8} {'personnes / s CPU':>18} {'personnes / s mur':>18}")
    for name, (cpu, wall) in best.items():
        print(f"{name:10} {cpu:8.2f} {wall:8.2f} {args.personnes / cpu:18,.0f} {args.personnes / wall:18,.0f}")
    parts = out.select(pl.col("decote_trimestres").gt(0).mean().alias("décote"), pl.col("surcote_trimestres").gt(0).mean().alias("surcote"),
                       pl.col("minimum_contributif").mean().alias("minimum"), (pl.col("ecretement_mico") > 0).mean().alias("écrêtés"),
                       (pl.col("pension_calculee") > pl.col("pension_maximum")).mean().alias("maximum"),
                       pl.col("depart_anticipe").mean().alias("anticipés"))
    print("parts : " + ", ".join(f"{k} {v:.1%}" for k, v in parts.row(0, named=True).items()))


if __name__ == "__main__":
    main()
