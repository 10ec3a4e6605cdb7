"""Benchmark of the batch liquidation: lines per second, against the I/O floor.

    .venv/bin/python bench/liquidation.py                  # 10 million lines
    .venv/bin/python bench/liquidation.py --lignes 1000000 --lignes-par-lot 500000

1. Generates a deterministic synthetic Parquet file of claim lines in the
   public batch format (``src/secu/maladie/README.md``): about ten lines per
   person over 2023-2026, sorted by ``nir`` then ``date_soins`` (the layout
   the README recommends), a realistic mix of acts (consultations, pharmacy,
   nurses, biology, transports, hospital days), amounts as Decimal(12, 2).
   The same seed gives the same file (pseudo-random values are hashes of the
   row number, no global random state).
2. Times (b) the end-to-end liquidation exactly as ``secu liquidate IN --out
   OUT`` does it (``liquidate_file``, with the command's allocator settings,
   ``secu.core.allocateur``, set here before Polars is loaded, as the command
   does), then (a) the I/O floor: read the input file and write the output
   the batch wrote (the same frame, read back beforehand, not timed), with
   the output's codec and statistics setting — what any program that reads
   this input and writes this output must spend. The output holds the input's
   columns and eleven result columns, about three times the input's bytes, so
   the floor of reading and writing back the input alone (a'), the figure of
   earlier rounds, is printed beside it. Prints lines per second and the
   ratio (b)/(a), in wall time and in CPU time of the process (every thread;
   the machine's load moves it much less). ``--essais N`` repeats (b) then (a)
   N times and keeps the best of each.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from secu.core import allocateur

allocateur.keep_freed_pages()  # as `secu liquidate` does, before Polars is loaded

import polars as pl  # noqa: E402

from secu.maladie.batch import DEFAULT_COMPRESSION as COMPRESSION  # noqa: E402
from secu.maladie.batch import DEFAULT_LOT, STATISTICS, liquidate_file  # noqa: E402

ACTES = [  # (code, weight, base_unitaire in cents or None, typical fee in cents)
    ("G", 30, None, 3000),
    ("CS", 6, None, 3150),
    ("APC", 1, None, 6000),
    ("CNPSY", 1, None, 5500),
    ("TCG", 2, None, 2500),
    ("PH7", 20, 700, 700),
    ("PH4", 4, 450, 450),
    ("PH1", 1, 25000, 25000),
    ("PH2", 2, 300, 300),  # SNDS: 65, 30, 100, 15 %
    ("AMI", 8, None, 315),
    ("AMK", 5, None, 1658),
    ("B", 8, None, 27),
    ("C-CD", 3, None, 2300),
    ("TAX", 2, 4500, 4500),
    ("LPP", 2, 1200, 1200),
    ("FJH", 1, None, 2000),
    ("CCAM", 1, 15000, 15000),
]


def _random(seed: int, modulo: int) -> pl.Expr:
    """A deterministic pseudo-random integer in [0, modulo) per row: a hash of the row number."""
    return pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed) % modulo


def generate(path: Path, lines: int, seed: int = 2026) -> None:
    """Write ``lines`` synthetic claim lines to ``path`` (Parquet, sorted by nir then date of care)."""
    persons = max(1, lines // 10)
    weights = [w for _, w, _, _ in ACTES]
    pick = pl.Series("i", [i for i, w in enumerate(weights) for _ in range(w)], dtype=pl.UInt32)
    codes = pl.Series("acte", [a for a, _, _, _ in ACTES])
    units = pl.Series("u", [u for _, _, u, _ in ACTES], dtype=pl.Int64)
    fees = pl.Series("f", [f for _, _, _, f in ACTES], dtype=pl.Int64)

    def euros(cents: pl.Expr) -> pl.Expr:
        return (cents.cast(pl.Decimal(20, 0)) * pl.lit(Decimal("0.01"))).cast(pl.Decimal(12, 2))

    person = _random(seed, persons)
    index = pl.lit(pick).gather(_random(seed + 1, len(pick)))
    quantite = pl.when(_random(seed + 2, 10) == 0).then(2).otherwise(1).cast(pl.Int32)
    unit = pl.lit(units).gather(index)
    fee = pl.lit(fees).gather(index)
    overcharge = pl.when(_random(seed + 3, 5) == 0).then(_random(seed + 4, 2000).cast(pl.Int64)).otherwise(0)
    frame = (
        pl.DataFrame({"n": pl.zeros(lines, pl.Int8, eager=True)})
        .select(
            person.alias("__p"),
            pl.format("1{}", (person + 10**12).cast(pl.String)).str.slice(0, 13).alias("nir"),
            (pl.lit(date(1935, 1, 1)) + pl.duration(days=(person.hash(seed + 5) % 30000).cast(pl.Int64))).alias("date_naissance"),
            pl.when(person % 2 == 0).then(pl.lit("1")).otherwise(pl.lit("2")).alias("sexe"),
            (pl.lit(date(2023, 1, 1)) + pl.duration(days=_random(seed + 6, 1460).cast(pl.Int64))).alias("date_soins"),
            pl.format("1000{}", _random(seed + 7, 200_000).cast(pl.String)).alias("professionnel"),
            pl.lit(codes).gather(index).alias("acte"),
            quantite.alias("quantite"),
            euros(pl.when(unit.is_null()).then(fee + overcharge).otherwise(unit * quantite)).alias("montant"),
            euros(unit).alias("base_unitaire"),
            (_random(seed + 8, 10) > 0).alias("parcours"),
            (_random(seed + 9, 6) == 0).alias("ald"),
            (_random(seed + 10, 100) == 0).alias("maternite"),
            (_random(seed + 11, 80) == 0).alias("atmp"),
            (_random(seed + 12, 12) == 0).alias("c2s"),
        )
        .with_columns(pl.col("date_naissance").clip(upper_bound=pl.col("date_soins")))
        .sort("nir", "date_soins")
        .drop("__p")
    )
    frame.write_parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=10_000_000)
    parser.add_argument("--lignes-par-lot", type=int, default=DEFAULT_LOT)
    parser.add_argument("--dossier", type=Path, default=None, help="where to write the files (a temporary folder by default)")
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--essais", type=int, default=1, help="mesures (b) puis (a) répétées ; la meilleure de chacune est gardée")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secu-bench-") as scratch:
        folder = args.dossier or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, floor, target = folder / "lignes.parquet", folder / "plancher.parquet", folder / "resultat.parquet"
        started = time.perf_counter()
        generate(source, args.lignes, args.graine)
        print(f"génération : {args.lignes:,} lignes en {time.perf_counter() - started:.1f} s ({source.stat().st_size / 1e6:.0f} Mo)")

        from secu.maladie.rules import law_table

        law_table()  # built once per process (tables and parameters), as the command does before its first lot

        def timed(work: object) -> tuple[float, float]:
            started, cpu = time.perf_counter(), time.process_time()
            work()  # type: ignore[operator]
            return time.perf_counter() - started, time.process_time() - cpu

        batch, io, io_input = (math.inf, math.inf), (math.inf, math.inf), (math.inf, math.inf)
        for _ in range(args.essais):
            summary = None

            def liquidation() -> None:
                nonlocal summary
                summary = liquidate_file(source, target, lignes_par_lot=args.lignes_par_lot)

            batch = min(batch, timed(liquidation))
            output = pl.read_parquet(target)  # what the batch wrote, in memory: the floor writes the same (not timed)

            def read_and_write(output: pl.DataFrame = output) -> None:
                pl.read_parquet(source)
                output.write_parquet(floor, compression=COMPRESSION, statistics=STATISTICS)

            io = min(io, timed(read_and_write))
            del output, read_and_write
            io_input = min(io_input, timed(lambda: pl.read_parquet(source).write_parquet(floor, compression=COMPRESSION, statistics=STATISTICS)))
        assert summary is not None

        (seconds, batch_cpu), (io_seconds, io_cpu), (input_seconds, input_cpu) = batch, io, io_input
        rate = args.lignes / seconds
        print(
            f"(a) plancher, lecture de l'entrée + écriture du résultat : {io_seconds:.2f} s, {args.lignes / io_seconds / 1e6:.2f} M lignes/s "
            f"(CPU {io_cpu:.2f} s)"
        )
        print(
            f"(a') lecture + réécriture de l'entrée seule : {input_seconds:.2f} s, {args.lignes / input_seconds / 1e6:.2f} M lignes/s (CPU {input_cpu:.2f} s)"
        )
        print(
            f"(b) liquidation de bout en bout ({summary.lots} lot(s), {summary.strategie}) : {seconds:.2f} s, "
            f"{rate / 1e6:.2f} M lignes/s ({target.stat().st_size / 1e6:.0f} Mo) (CPU {batch_cpu:.2f} s)"
        )
        print(
            f"rapport (b)/(a) : {seconds / io_seconds:.2f} × le temps des seules entrées-sorties "
            f"(en temps CPU, moins sensible à la charge de la machine : {batch_cpu / io_cpu:.2f} ×) ; "
            f"(b)/(a') : {seconds / input_seconds:.2f} × (CPU {batch_cpu / input_cpu:.2f} ×)"
        )
        print(f"rejets : {summary.rejetees} ; remboursé : {summary.rembourse_cents / 100:,.2f} €")


if __name__ == "__main__":
    main()
