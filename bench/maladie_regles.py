"""Benchmark of the maladie rules alone: ``secu.maladie.rules.liquidate`` on N synthetic lines, CPU and wall time.

    .venv/bin/python bench/maladie_regles.py --lignes 1000000
    .venv/bin/python bench/maladie_regles.py --lignes 1000000 --comparer-avec /tmp/before/src --essais 4

1. Builds the rules' input once (``bench/liquidation.py``'s generator, then the batch's conversion to the
   rules' columns, ``secu.maladie.batch.to_rules``) and keeps it as a Parquet file (``--fichier``: reuse one).
2. Times ``liquidate(frame, columns=<what the batch writes>, taux_dtype=Decimal(10, 4))`` on that frame, already
   in memory: CPU time of the process (every thread, ``time.process_time``) and wall time, best of ``--essais``.
   Each trial runs in a fresh process: one warm-up call on a few lines (the law table is built once per process,
   as the batch command does before its first lot), then two calls on the whole frame, timed apart — the first
   also pays for taking its memory from the system, the second is the steady state of a batch's later lots.
3. ``--comparer-avec SRC``: the same trials with another copy of the code (``PYTHONPATH=SRC``, e.g. an old commit
   checked out with ``git worktree add /tmp/before <commit>``), alternating with this one, on the same file;
   figures printed side by side, with a checksum of the amounts of each.
4. ``--instructions``: instead of seconds, the instructions one steady call executes, counted by valgrind's
   callgrind (repeatable whatever else the machine is doing): each copy runs once with one call and once with
   three after the warm-up, and the difference ÷ 2 is one call. Slow (about 50 times), so on ``--lignes-cg``
   lines (300,000 by default). Cache misses and page faults are not instructions: the seconds say those.

Each trial imports ``secu`` before Polars, as the ``secu`` command does, so that each copy runs with the
allocator settings it gives itself (``secu/__init__.py``).

``POLARS_MAX_THREADS`` is honoured (passed to every trial's process).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
COLUMNS = ("base_remboursement_cents", "depassement_cents", "montant_amo_cents", "ticket_moderateur_cents",
           "participation_forfaitaire_cents", "franchise_cents", "rembourse_cents", "a_recuperer_cents",
           "taux", "exoneration", "paye_a", "rejet", "motif")
"""What the batch asks of the rules (``secu.maladie.batch.RULES_OUT``), spelled out so that an old copy is timed alike."""
AMOUNTS = [c for c in COLUMNS if c.endswith("_cents")]


def prepare(path: Path, lines: int, seed: int) -> None:
    """The rules' input for ``lines`` synthetic claim lines, written to ``path``."""
    import polars as pl

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from liquidation import generate  # type: ignore[import-not-found]

    from secu.maladie.batch import to_rules

    with tempfile.TemporaryDirectory(prefix="secu-bench-") as scratch:
        public = Path(scratch) / "lignes.parquet"
        generate(public, lines, seed)
        frame = to_rules(pl.scan_parquet(public).with_row_index("__ligne")).collect()
    assert frame["__format"].null_count() == frame.height, "the generator writes only readable lines"
    frame.drop("__ligne", "__format", "sexe", "specialite", strict=False).write_parquet(path)


def trial(path: Path) -> dict[str, float | int]:
    """Two timed calls of ``liquidate`` on the whole file (in this process), after a warm-up on a few lines: the
    first call (what the issue measured; it also pays for the memory it takes from the system) and the second
    (the steady state of a batch, whose later lots reuse that memory)."""
    importlib.import_module("secu")  # first, as the command does: its allocator settings precede Polars
    import polars as pl

    from secu.maladie.rules import liquidate

    frame = pl.read_parquet(path)
    liquidate(frame.head(1000), columns=COLUMNS, taux_dtype=pl.Decimal(10, 4))  # law table and parameters, once
    figures: dict[str, float | int] = {"lignes": frame.height}
    for call in ("cpu", "cpu2"):
        cpu, wall = time.process_time(), time.perf_counter()
        result = liquidate(frame, columns=COLUMNS, taux_dtype=pl.Decimal(10, 4))
        figures[call], figures["wall" if call == "cpu" else "wall2"] = time.process_time() - cpu, time.perf_counter() - wall
    figures["rembourse"] = int(result["rembourse_cents"].sum())
    figures["checksum"] = int(result.select(AMOUNTS).hash_rows(seed=1).cast(pl.UInt64).sum() % (2**61 - 1))
    return figures


def calls(path: Path, count: int, lines: int) -> None:
    """``count`` calls on the first ``lines`` lines after the warm-up (what callgrind counts, see ``--instructions``)."""
    importlib.import_module("secu")
    import polars as pl

    from secu.maladie.rules import liquidate

    frame = pl.read_parquet(path).head(lines)
    liquidate(frame.head(1000), columns=COLUMNS, taux_dtype=pl.Decimal(10, 4))
    for _ in range(count):
        liquidate(frame, columns=COLUMNS, taux_dtype=pl.Decimal(10, 4))


def instructions(path: Path, src: Path, lines: int) -> int:
    """Instructions of one steady call of ``liquidate`` on ``lines`` lines with the code of ``src`` (callgrind)."""
    env = {**os.environ, "PYTHONPATH": str(src), "POLARS_MAX_THREADS": "1"}
    totals = []
    with tempfile.TemporaryDirectory(prefix="secu-cg-") as scratch:
        for count in (1, 3):
            out = Path(scratch) / f"cg.{count}"
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                            "--appels", str(count), "--lignes-cg", str(lines), "--essai", str(path)],
                           env=env, check=True, capture_output=True)
            totals.append(next(int(line.split()[1]) for line in out.read_text().splitlines() if line.startswith("summary:")))
    return (totals[1] - totals[0]) // 2


def _run_trial(path: Path, src: Path) -> dict[str, float | int]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--essai", str(path)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=1_000_000)
    parser.add_argument("--essais", type=int, default=4, help="trials per copy of the code; the best is kept")
    parser.add_argument("--fichier", type=Path, default=None, help="the rules' input (Parquet): made if missing, reused if present")
    parser.add_argument("--comparer-avec", type=Path, default=None, help="the src folder of another copy of the code")
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--instructions", action="store_true", help="count instructions (callgrind) instead of seconds")
    parser.add_argument("--lignes-cg", type=int, default=300_000, help="lines of the calls callgrind counts")
    parser.add_argument("--essai", type=Path, default=None, help=argparse.SUPPRESS)  # one trial, in a child process
    parser.add_argument("--appels", type=int, default=None, help=argparse.SUPPRESS)  # callgrind's child: calls only
    args = parser.parse_args()
    if args.essai is not None:
        if args.appels is not None:
            calls(args.essai, args.appels, args.lignes_cg)
        else:
            print(json.dumps(trial(args.essai)))
        return
    with tempfile.TemporaryDirectory(prefix="secu-bench-") as scratch:
        path = args.fichier or Path(scratch) / f"regles-{args.lignes}.parquet"
        if not path.exists():
            started = time.perf_counter()
            prepare(path, args.lignes, args.graine)
            print(f"entrée des règles : {args.lignes:,} lignes préparées en {time.perf_counter() - started:.1f} s → {path}")
        copies = {"ce code": SRC, **({"comparé": args.comparer_avec.resolve()} if args.comparer_avec else {})}
        if args.instructions:
            counted = {name: instructions(path, src, args.lignes_cg) for name, src in copies.items()}
            print(f"instructions d'un appel établi (callgrind, POLARS_MAX_THREADS=1, {args.lignes_cg:,} lignes) :")
            for name, count in counted.items():
                print(f"  {name} ({copies[name]}) : {count:,} instructions, {count / args.lignes_cg:,.0f} par ligne")
            if len(counted) == 2:
                (a, ca), (b, cb) = counted.items()
                print(f"rapport {a} / {b} : {ca / cb:.4f}")
            return
        results: dict[str, list[dict[str, float | int]]] = {name: [] for name in copies}
        for _ in range(args.essais):  # alternating, so that a change of load hits both alike
            for name, src in copies.items():
                results[name].append(_run_trial(path, src))
        threads = os.environ.get("POLARS_MAX_THREADS", "(défaut)")
        print(f"liquidate seul, POLARS_MAX_THREADS={threads}, meilleur de {args.essais} (chaque essai : un processus neuf)")
        for name, runs in results.items():
            lines = runs[0]["lignes"]
            print(f"  {name} ({copies[name]}) : remboursé {runs[0]['rembourse'] / 100:,.2f} €, empreinte des montants {runs[0]['checksum']}")
            for label, cpu_key, wall_key in (("1er appel", "cpu", "wall"), ("2e appel ", "cpu2", "wall2")):
                cpu, wall = min(r[cpu_key] for r in runs), min(r[wall_key] for r in runs)
                print(f"    {label} : CPU {cpu:.3f} s, mur {wall:.3f} s, {lines / wall / 1e6:.2f} M lignes/s ; "
                      f"CPU de chaque essai : {', '.join(format(r[cpu_key], '.3f') for r in runs)}")
        if len(copies) == 2:
            (a, ra), (b, rb) = results.items()
            for label, key in (("1er appel", "cpu"), ("2e appel", "cpu2")):
                print(f"rapport CPU {a} / {b}, {label} : {min(r[key] for r in ra) / min(r[key] for r in rb):.3f}")

if __name__ == "__main__":
    main()
