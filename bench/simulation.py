"""Benchmark: the cost of a simulated year, and what a national year of claims would take on this machine.

    .venv/bin/python bench/simulation.py                              # scales 0.001, 0.01 and 0.1, year 2025
    .venv/bin/python bench/simulation.py --echelles 0.001 0.01 --annee 2024

1. For each scale, runs ``secu simulate --year Y --scale S --json`` in a
   fresh folder and database (a child process: the synthetic France of
   68.4 M × S people, the twelve months of every branch through the local
   engine on all cores, the ledger), and prints the wall time, the time per
   million people, and the peak memory of the largest process (the command
   or one of its workers: ``RUSAGE_CHILDREN``'s ``ru_maxrss``). The growth
   from one scale to the next shows whether the cost is linear.
2. Liquidation alone: generates a year of claim lines for one partition of
   ``--personnes-liquidation`` people (the generator of the simulated year),
   times ``secu.maladie.batch.liquidate_public`` on them (best of
   ``--repetitions``), counts the feuilles de soins (one patient, one
   professional, one day), and extrapolates the time to liquidate a national
   year of about 1.2 billion feuilles (scale-accounts-reliability.md §1.1:
   an order of magnitude, [calc] from CPAM Yvelines) at that rate on this
   machine. The extrapolation is linear: the rule is vectorized and the
   batch runs in lots of bounded size, so the time per line does not depend
   on the size of the year (bench/liquidation.py measures it on 10 M lines).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SECU = Path(sys.executable).with_name("secu")
FEUILLES_PAR_AN = 1_200_000_000
"""National feuilles de soins per year, order of magnitude (scale-accounts-reliability.md §1.1)."""
POPULATION = 68_400_000


def _peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kilobytes on Linux


def simulate(scale: str, year: int, folder: Path) -> dict:
    out, database = folder / f"sim-{scale}", folder / f"sim-{scale}.db"
    command = [str(SECU), "simulate", "--year", str(year), "--scale", scale, "--out", str(out),
               "--database", f"sqlite:///{database}", "--json"]
    before = _peak_child_rss_mb()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"secu simulate --scale {scale} a échoué :\n{done.stderr}")
    result = json.loads(done.stdout)
    peak = _peak_child_rss_mb()
    shutil.rmtree(out, ignore_errors=True)
    database.unlink(missing_ok=True)
    return {"scale": scale, "people": round(POPULATION * float(scale)), "seconds": seconds,
            # ru_maxrss is a running maximum over every child so far: a new peak shows only if it is higher
            "peak_mb": peak if peak > before else None, "result": result}


def liquidation(people: int, year: int, repetitions: int) -> dict:
    from secu.maladie.batch import liquidate_public
    from secu.synth import evenements
    from secu.synth.generator import synthesize

    with tempfile.TemporaryDirectory() as folder:
        dataset = Path(folder) / "ds"
        synthesize(dataset, people, seed=2025, annee=year, partition_size=people)
        personnes = pl.read_parquet(dataset / "personnes" / "part-00000.parquet")
        professionnels = pl.read_parquet(dataset / "professionnels.parquet")
    start = time.perf_counter()
    claims = pl.concat([evenements.soins(personnes, professionnels, date(year, m, 1), 2025) for m in range(1, 13)],
                       how="vertical_relaxed")
    generated = time.perf_counter() - start
    feuilles = claims.select(pl.struct("nir", "professionnel", "date_soins").n_unique()).item()
    best = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        out = liquidate_public(claims.with_row_index("__ligne"))  # the batch numbers its lines
        best = min(best, time.perf_counter() - start)
    rejected = out.filter(pl.col("rejet").is_not_null()).height
    return {"people": people, "lines": claims.height, "feuilles": feuilles, "generation_seconds": generated,
            "seconds": best, "rejected": rejected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--echelles", nargs="+", default=["0.001", "0.01", "0.1"])
    parser.add_argument("--annee", type=int, default=2025)
    parser.add_argument("--personnes-liquidation", type=int, default=200_000)
    parser.add_argument("--repetitions", type=int, default=2)
    args = parser.parse_args()

    print(f"machine : {os.cpu_count()} cœurs ; année simulée {args.annee} ; moteur local, tous les cœurs")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for scale in args.echelles:
            run = simulate(scale, args.annee, Path(folder))
            runs.append(run)
            peak = f"{run['peak_mb']:,.0f} Mo" if run["peak_mb"] else "pas au-dessus du précédent"
            print(f"échelle {scale:>6} : {run['people']:>10,} personnes, {run['seconds']:8.1f} s "
                  f"({run['seconds'] / run['people'] * 1e6:6.1f} s par million de personnes), mémoire de pointe {peak}")
    for before, after in itertools.pairwise(runs):
        factor = after["people"] / before["people"]
        print(f"  ×{factor:.0f} personnes → ×{after['seconds'] / before['seconds']:.1f} de temps")

    measured = liquidation(args.personnes_liquidation, args.annee, args.repetitions)
    per_feuille = measured["seconds"] / measured["feuilles"]
    lines_per_feuille = measured["lines"] / measured["feuilles"]
    national = FEUILLES_PAR_AN * per_feuille
    print(
        f"liquidation : {measured['people']:,} personnes, une année : {measured['feuilles']:,} feuilles, "
        f"{measured['lines']:,} lignes ({lines_per_feuille:.2f} par feuille), {measured['rejected']:,} rejetée(s) ; "
        f"générées en {measured['generation_seconds']:.1f} s ; liquidées en {measured['seconds']:.2f} s "
        f"(meilleur de {args.repetitions}) : {measured['lines'] / measured['seconds']:,.0f} lignes/s, "
        f"{measured['feuilles'] / measured['seconds']:,.0f} feuilles/s"
    )
    print(
        f"année nationale ≈ {FEUILLES_PAR_AN / 1e9:.1f} milliard de feuilles ({FEUILLES_PAR_AN * lines_per_feuille / 1e9:.1f} "
        f"milliards de lignes) : {national:,.0f} s ≈ {national / 3600:.1f} h de liquidation sur cette machine "
        f"(extrapolation linéaire du débit mesuré ; lecture et écriture des fichiers non comprises)"
    )


if __name__ == "__main__":
    main()
