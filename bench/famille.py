"""Benchmark: secu's family benefit rules against OpenFisca-France on the same households, one monthly run.

    .venv/bin/python bench/famille.py                          # 1,000,000 households, August 2026
    .venv/bin/python bench/famille.py --foyers 200000 --echantillon-openfisca 100000

1. Generates ``--foyers`` synthetic households for one month (``--mois``,
   default 2026-08 so that the ARS is in the run) with
   tests/famille/openfisca/population.py (0–6 children of every age, couples
   and parents alone, résidence alternée, working children, resources 0–160,000 €;
   deterministic seed).
2. Times secu on all of them: ``rules.droits`` (every benefit of every
   household: what OpenFisca's variables are) + ``rules.par_prestation`` (the
   long rows with CRDS and net), both printed. The dated parameters are
   loaded once before timing, on 100 households (printed apart, like
   OpenFisca's system loading); that first call also resolves the law of the
   month, which the rules keep per process (as OpenFisca keeps its parameters
   at an instant), and the runner likewise simulates 100 households of each
   month untimed before its timed run.
3. Times OpenFisca-France (its own venv, built if needed by
   tests/recouvrement/openfisca/environment.py) computing AF, CF, PAJE base
   and ARS for the same households, as shipped (float32), in one run of
   tests/famille/openfisca/runner.py (``--float32-only --timing-only``), on
   the whole population or, with ``--echantillon-openfisca N``, on the first
   N households, **extrapolated linearly** to the whole population (said in
   the output). The time counted is the simulations' only: building the
   entities, setting the inputs and calculating (the tax-benefit system's
   loading and the JSON exchange are printed apart or not counted). Each side
   is timed in elapsed time and in its process's CPU time (all threads: Polars
   uses every core, OpenFisca one): on a machine shared with other work the
   elapsed time of a run under a second varies by 2× from run to run, the CPU
   time much less, so both ratios are printed, with the load average.
4. Checks on a sample (``--echantillon-egalite``, default 20,000 households)
   that the amounts are equal, with the differential test's classification
   (exact / tolerated by a named exception / mismatch; the households with a
   child paid above the ceiling in the month of his 16th birthday are also run
   through OpenFisca without him, the law's household, as that exception needs).

Prints both rates in households per second, the ratio and the equality verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.famille.openfisca import compare  # noqa: E402
from tests.famille.openfisca.population import households, to_runner_json  # noqa: E402
from tests.recouvrement.openfisca import environment  # noqa: E402

from secu.famille import rules  # noqa: E402


def _openfisca_timing(python: Path, foyers: pl.DataFrame, enfants: pl.DataFrame) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        payload = json.dumps(to_runner_json(foyers, enfants)).encode()
        return compare.run_runner(python, payload, Path(folder), "--float32-only", "--timing-only")["timing"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--foyers", type=int, default=1_000_000)
    parser.add_argument("--mois", default="2026-08", help="YYYY-MM (default 2026-08, with the ARS)")
    parser.add_argument("--echantillon-openfisca", type=int, default=None, help="households OpenFisca computes (default: all)")
    parser.add_argument("--echantillon-egalite", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    month = date.fromisoformat(args.mois + "-01")
    started = time.monotonic()
    foyers, enfants = households(args.foyers, month.year, seed=args.seed, months=[month])
    print(f"population : {foyers.height:,} foyers, {enfants.height:,} enfants, mois {args.mois}, générée en {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    head = foyers.head(100)
    rules.par_prestation(rules.droits(head, enfants.join(head.select("foyer", "mois"), on=["foyer", "mois"])))
    print(
        f"secu chargement des paramètres et de la loi du mois, sur 100 foyers (une fois par processus, non compté ; "
        f"OpenFisca est chauffé de même) : {time.monotonic() - started:.2f} s"
    )
    started, cpu = time.monotonic(), time.process_time()
    droits = rules.droits(foyers, enfants)
    t_droits = time.monotonic() - started
    print(f"secu droits (toutes les prestations, large)   {t_droits:8.2f} s  ({droits.height:,} lignes × {droits.width} colonnes)")
    started = time.monotonic()
    long = rules.par_prestation(droits)
    t_long = time.monotonic() - started
    secu_cpu = time.process_time() - cpu
    print(f"secu par_prestation (brut, CRDS, net, long)   {t_long:8.2f} s  ({long.height:,} lignes)")
    secu_seconds = t_droits + t_long
    print(
        f"secu droits + par_prestation : {secu_seconds:.2f} s, {foyers.height / secu_seconds:,.0f} foyers/s "
        f"(temps CPU du processus : {secu_cpu:.2f} s, {pl.thread_pool_size()} fil(s) Polars)"
    )
    del droits, long

    python = environment.openfisca_python(say=print)
    if args.echantillon_openfisca and args.echantillon_openfisca < foyers.height:
        sample = foyers.head(args.echantillon_openfisca)
        sample_children = enfants.filter(pl.col("foyer") <= sample["foyer"].max())
    else:
        sample, sample_children = foyers, enfants
    timing = _openfisca_timing(python, sample, sample_children)
    measured = timing["compute_float32_seconds"]
    openfisca_seconds = measured * foyers.height / sample.height
    openfisca_cpu = timing["compute_float32_cpu_seconds"] * foyers.height / sample.height
    # The runner's Python loops turning JSON rows into per-person lists are in OpenFisca's time (secu is given frames):
    # printed, and the CPU ratio also given without them.
    marshalling_cpu = timing["marshalling_float32_cpu_seconds"] * foyers.height / sample.height
    extrapolated = sample.height < foyers.height
    print(
        f"OpenFisca-France : {measured:.2f} s de simulation (construction des entités, entrées, calcul de af, cf, "
        f"paje_base, ars) pour {sample.height:,} foyers ({timing['persons']:,} personnes), "
        f"{sample.height / measured:,.0f} foyers/s"
        + (f", extrapolé linéairement à {foyers.height:,} foyers : {openfisca_seconds:.1f} s" if extrapolated else "")
        + f" (chargement du système socio-fiscal, non compté : {timing['load_seconds']:.1f} s ; "
        f"processus entier, échange JSON compris : {timing['total_seconds']:.1f} s)"
    )
    ratio, ratio_cpu = openfisca_seconds / secu_seconds, openfisca_cpu / secu_cpu
    print(
        f"rapport OpenFisca / secu (droits + par_prestation) : {ratio:.1f}× en temps écoulé, {ratio_cpu:.1f}× en temps CPU "
        f"({openfisca_cpu:.2f} s / {secu_cpu:.2f} s) ({'≥' if min(ratio, ratio_cpu) >= 20 else '<'} 20×, objectif ; "
        f"charge moyenne de la machine sur 1 min : {os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs)"
    )
    print(
        f"  dont, côté OpenFisca, les boucles Python du runner qui font les listes par personne : {marshalling_cpu:.2f} s CPU ; "
        f"sans elles : {(openfisca_cpu - marshalling_cpu) / secu_cpu:.1f}× en temps CPU"
    )

    check = foyers.head(min(args.echantillon_egalite, foyers.height))
    check_children = enfants.filter(pl.col("foyer") <= check["foyer"].max())
    of, _ = compare.openfisca_results(check, check_children)
    outcomes = compare.compare(check, check_children, compare.secu_droits(check, check_children), of)
    exact = sum(o.exact for items in outcomes.values() for o in items)
    tolerated: dict[str, int] = {}
    for items in outcomes.values():
        for o in items:
            for name, count in o.tolerated.items():
                tolerated[name] = tolerated.get(name, 0) + count
    mismatches = {code: sum(o.mismatches for o in items) for code, items in outcomes.items()}
    total = exact + sum(tolerated.values()) + sum(mismatches.values())
    print(
        f"égalité sur un échantillon de {check.height:,} foyers ({total:,} montants, af, cf, paje_base, ars) : "
        f"{exact:,} exacts, {sum(tolerated.values()):,} tolérés par une exception nommée"
        + (f" ({', '.join(f'{k}: {v}' for k, v in sorted(tolerated.items()))})" if tolerated else "")
        + f", {sum(mismatches.values()):,} écarts"
    )
    for code, count in mismatches.items():
        if count:
            print(f"  écarts {code} : {count}")
    print("montants égaux : " + ("oui" if not any(mismatches.values()) else "non (voir le test différentiel)"))


if __name__ == "__main__":
    main()
