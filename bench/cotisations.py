"""Benchmark: secu's contribution rules against OpenFisca-France on the same payslips.

    .venv/bin/python bench/cotisations.py                          # 1,000,000 payslips
    .venv/bin/python bench/cotisations.py --bulletins 200000 --echantillon-openfisca 50000

1. Generates ``--bulletins`` synthetic payslips (tests/recouvrement/openfisca/
   population.py: SMIC to 10 PASS, full and part time, cadres, headcounts
   1–500, AT/MP rates; the six months of the differential test, 2024–2026;
   deterministic seed).
2. Times secu on all of them, the same work as OpenFisca's simulation:
   ``rules.compute`` (every line of every payslip, wide: what OpenFisca's
   variables are) + ``rules.totals`` (the net, from the wide frame); then,
   printed apart, the extra cost of the long presentation
   (``rules.long_lines``: one row per payslip and line, what
   ``rules.contributions`` returns).
3. Times OpenFisca-France (its own venv, built if needed by
   tests/recouvrement/openfisca/environment.py) computing the same lines and
   the net, as shipped (float32), on the whole population (about 35 s of
   simulation for a million payslips here) or, with
   ``--echantillon-openfisca N``, on N payslips drawn from it,
   **extrapolated linearly** to the whole population (said in the output).
   The time counted is the simulations' (the tax-benefit system's loading,
   a few seconds once per process, is printed apart), in elapsed time and in
   the process's CPU time (all threads), like secu's: under load the elapsed
   ratio of a short run varies a lot, the CPU one much less (both printed).
4. Checks on a sample (``--echantillon-egalite``, default 20,000) that the
   amounts are equal, with the differential test's classification (exact /
   tolerated by a named exception / mismatch).

Prints both times, the ratios (target: secu at least 20 times faster on the
same work; also given with the long presentation included) and the equality
verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.recouvrement.openfisca import compare, environment  # noqa: E402
from tests.recouvrement.openfisca.population import MONTHS, payslips, to_runner_json  # noqa: E402


def _openfisca_seconds(python: Path, frame: pl.DataFrame) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.json", Path(folder) / "out.json"
        source.write_text(json.dumps(to_runner_json(frame)))
        subprocess.run([str(python), str(environment.RUNNER), str(source), str(target), "--float32-only", "--timing-only"], check=True)
        return json.loads(target.read_text())["timing"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulletins", type=int, default=1_000_000)
    parser.add_argument("--echantillon-openfisca", type=int, default=None, help="payslips OpenFisca computes (default: all)")
    parser.add_argument("--echantillon-egalite", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rules = compare.rules_module()
    months = [m for year in sorted(MONTHS) for m in MONTHS[year]]
    started = time.monotonic()
    frame = payslips(-(-args.bulletins // len(months)), months, seed=args.seed).head(args.bulletins)
    print(f"population : {frame.height:,} bulletins ({', '.join(m.isoformat()[:7] for m in months)}), générée en {time.monotonic() - started:.1f} s")

    # Same work as OpenFisca's simulation (variables: every contribution line of every payslip, i.e. a wide
    # result, and the net): secu's wide computation (rules.compute) + the net from it (rules.totals). The long
    # presentation (rules.long_lines: one row per payslip and line, what contributions() returns) is extra work
    # OpenFisca does not do: timed and printed apart.
    timings = {}
    started = time.monotonic()
    # Loads and checks the dated parameters once, like OpenFisca's system loading; both sides are then warmed on 100
    # payslips of each month, untimed (the runner does the same in --timing-only).
    rules.compute(frame.group_by("mois", maintain_order=True).head(100))
    print(
        f"secu chargement des paramètres, 100 bulletins par mois (une fois par processus, non compté ; OpenFisca de même) : {time.monotonic() - started:.2f} s"
    )
    started, cpu = time.monotonic(), time.process_time()
    wide = rules.compute(frame)
    timings["compute"] = time.monotonic() - started
    print(f"secu compute (toutes les lignes, large)      {timings['compute']:8.2f} s  ({wide.height:,} lignes × {wide.width} colonnes)")
    started = time.monotonic()
    totals = rules.totals(wide)
    timings["net"] = time.monotonic() - started
    secu_cpu = time.process_time() - cpu
    print(f"secu net (totals, depuis le large)           {timings['net']:8.2f} s  ({totals.height:,} lignes)")
    started = time.monotonic()
    long = rules.long_lines(wide)
    timings["long"] = time.monotonic() - started
    print(f"secu présentation longue (long_lines), en plus {timings['long']:6.2f} s  ({long.height:,} lignes)")
    del wide, totals, long
    secu_seconds = timings["compute"] + timings["net"]
    print(
        f"secu lignes (large) + net : {secu_seconds:.2f} s pour {frame.height:,} bulletins, temps CPU du processus "
        f"{secu_cpu:.2f} s ({pl.thread_pool_size()} fil(s) Polars) "
        f"(+ {timings['long']:.2f} s pour la présentation longue : {secu_seconds + timings['long']:.2f} s)"
    )

    python = environment.openfisca_python(say=print)
    sample = frame if (args.echantillon_openfisca or frame.height) >= frame.height else frame.sample(args.echantillon_openfisca, seed=args.seed)
    timing = _openfisca_seconds(python, sample)
    measured = timing["compute_float32_seconds"]
    openfisca_seconds = measured * frame.height / sample.height
    openfisca_cpu = timing["compute_float32_cpu_seconds"] * frame.height / sample.height
    extrapolated = sample.height < frame.height
    print(
        f"OpenFisca-France : {measured:.2f} s de simulation pour {sample.height:,} bulletins"
        + (f", extrapolé linéairement à {frame.height:,} : {openfisca_seconds:.1f} s" if extrapolated else "")
        + f" (chargement du système socio-fiscal en plus : {timing['load_seconds']:.1f} s ; temps CPU : {openfisca_cpu:.2f} s)"
    )
    print(
        f"rapport OpenFisca / secu lignes (large) + net en temps CPU : {openfisca_cpu / secu_cpu:.1f}× "
        f"({'≥' if openfisca_cpu / secu_cpu >= 20 else '<'} 20×, objectif ; charge moyenne sur 1 min : "
        f"{os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs)"
    )
    for label, seconds in (("lignes (large) + net, même travail", secu_seconds), ("lignes + net + présentation longue", secu_seconds + timings["long"])):
        ratio = openfisca_seconds / seconds
        print(f"rapport OpenFisca / secu {label} : {ratio:.1f}× ({'≥' if ratio >= 20 else '<'} 20×, objectif)")

    check = frame.sample(min(args.echantillon_egalite, frame.height), seed=args.seed + 1)
    of, _ = compare.openfisca_lines(check)
    lines, net = compare.secu_lines(rules, check)
    outcomes = compare.compare(check, lines, net, of)
    exact = sum(o.exact for items in outcomes.values() for o in items)
    tolerated = sum(sum(o.tolerated.values()) for items in outcomes.values() for o in items)
    mismatches = {code: sum(o.mismatches for o in items) for code, items in outcomes.items()}
    total = exact + tolerated + sum(mismatches.values())
    print(
        f"égalité sur un échantillon de {check.height:,} bulletins ({total:,} montants, 20 lignes × 2 côtés + net) : "
        f"{exact:,} exacts, {tolerated:,} tolérés par une exception nommée, {sum(mismatches.values()):,} écarts"
    )
    for code, count in mismatches.items():
        if count:
            print(f"  écarts {code} : {count}")
    print("montants égaux : " + ("oui" if not any(mismatches.values()) else "non (voir le test différentiel)"))


if __name__ == "__main__":
    main()
