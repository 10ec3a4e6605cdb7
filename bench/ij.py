"""Benchmark: the IJ rule's throughput, in arrêts × days per second, beside a floor.

    .venv/bin/python bench/ij.py                    # 1,000,000 arrêts, best of 3
    .venv/bin/python bench/ij.py --arrets 200000 --essais 5
    .venv/bin/python bench/ij.py --conditions        # with the conditions d'ouverture's inputs (R. 313-3)

1. Generates ``--arrets`` synthetic arrêts (deterministic seed): 80 % maladie (a tenth of them prolongations,
   a tenth ALD, some with IJ already paid towards the 360), 8 % maternité, 2 % paternité, 10 % AT/MP;
   starts spread over 2023-02 … 2026-11; lengths from 1 day to 6 months (maternité 112 days, paternité 25);
   monthly salaries from 0 to 8 000 € (so every ceiling is hit somewhere). With ``--conditions``, each arrêt also
   carries hours and pay over 3, 6 and 12 months (from 0 to twice the thresholds), so that R. 313-3 is checked and
   the parameters of the conditions and three more SMIC dates are joined.
2. Times :func:`secu.especes.rules.indemnites_journalieres` on all of them: input checks, the parameters
   joined by date (the arrêt's first day and the last day of the month before), every risk's daily amount,
   the day classes (carence, paid, majorés, beyond the rights), gross, CSG, CRDS, net.
3. Times a FLOOR on the same frame: the maladie formula alone (3 pays capped at one constant ceiling,
   ÷ 91,25 × 50 %, × (days − 3)) in plain Polars, no parameter, no check, no other risk. It is the least any
   vectorised IJ computation can cost here; the ratio says what the law's generality costs.

Times are CPU seconds (``time.process_time``: all threads of the process), best of ``--essais``, secu and
the floor alternated; wall-clock seconds are printed beside them. Throughput = Σ days of the arrêts /
CPU seconds (arrêts × days per second), and arrêts per second.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from secu.especes.rules import indemnites_journalieres  # noqa: E402


def arrets(n: int, seed: int = 13, conditions: bool = False) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    risque = rng.choice(np.array(["maladie", "maternite", "paternite", "atmp"]), size=n, p=[0.80, 0.08, 0.02, 0.10])
    first, last = date(2023, 2, 1).toordinal(), date(2026, 11, 30).toordinal()
    debut = rng.integers(first, last, size=n)
    duree = np.where(risque == "maternite", 112, np.where(risque == "paternite", 25, np.minimum(rng.geometric(1 / 25, size=n), 183)))
    salaires = rng.integers(0, 800_000, size=(n, 3))
    maladie = risque == "maladie"
    epoch = date(1970, 1, 1).toordinal()
    extra = {}
    if conditions:
        extra = {
            "heures_3_mois": rng.integers(0, 30_000, size=n) / 100, "salaire_6_mois": rng.integers(0, 2_500_000, size=n),
            "heures_12_mois": rng.integers(0, 120_000, size=n) / 100, "salaire_12_mois": rng.integers(0, 5_000_000, size=n),
        }
    return pl.DataFrame({
        **extra,
        "risque": risque,
        "debut": pl.Series(debut - epoch, dtype=pl.Int32).cast(pl.Date),
        "fin": pl.Series(debut + duree - 1 - epoch, dtype=pl.Int32).cast(pl.Date),
        "salaire_1": salaires[:, 0], "salaire_2": salaires[:, 1], "salaire_3": salaires[:, 2],
        "prolongation": maladie & (rng.random(n) < 0.1),
        "ald": maladie & (rng.random(n) < 0.1),
        "ald_arret_anterieur": rng.random(n) < 0.5,
        "ij_deja_versees": np.where(rng.random(n) < 0.05, rng.integers(0, 400, size=n), 0),
    })


def floor(frame: pl.DataFrame) -> pl.DataFrame:
    """The maladie formula alone, constants inlined: the least a vectorised IJ can cost on this frame."""
    plafond = 252_252
    retenus = pl.sum_horizontal(pl.min_horizontal(pl.col(f"salaire_{i}"), pl.lit(plafond)) for i in (1, 2, 3))
    ij = (retenus * 100 + 9125) // (2 * 9125)  # ÷ 91,25 × 50 %, half up
    jours = ((pl.col("fin") - pl.col("debut")).dt.total_days() + 1 - 3).clip(lower_bound=0)
    return frame.with_columns((ij * jours).alias("montant_brut"))


def _time(fn: object, frame: pl.DataFrame) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn(frame)  # type: ignore[operator]
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrets", type=int, default=1_000_000)
    parser.add_argument("--essais", type=int, default=3)
    parser.add_argument("--conditions", action="store_true", help="with the conditions d'ouverture's inputs (R. 313-3)")
    args = parser.parse_args()

    frame = arrets(args.arrets, conditions=args.conditions)
    jours = int(frame.select(((pl.col("fin") - pl.col("debut")).dt.total_days() + 1).sum()).item())
    indemnites_journalieres(frame.head(1000))  # warm the parameter tree and Polars
    best = {"secu": (float("inf"), float("inf")), "plancher": (float("inf"), float("inf"))}
    for _ in range(args.essais):
        for name, fn in (("secu", indemnites_journalieres), ("plancher", floor)):
            cpu, wall = _time(fn, frame)
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))

    avec = " avec conditions d’ouverture" if args.conditions else ""
    print(f"{args.arrets:,} arrêts{avec}, {jours:,} jours d'arrêt ; meilleur de {args.essais} essais (CPU = tous les fils du processus)")
    print(f"{'':10} {'CPU s':>8} {'mur s':>8} {'arrêts × jours / s CPU':>24} {'arrêts / s CPU':>16}")
    for name, (cpu, wall) in best.items():
        print(f"{name:10} {cpu:8.2f} {wall:8.2f} {jours / cpu:24,.0f} {args.arrets / cpu:16,.0f}")
    print(f"secu / plancher (CPU) : {best['secu'][0] / best['plancher'][0]:.1f}")


if __name__ == "__main__":
    main()
