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
2. Times (a) the I/O floor: read the file and write it back (Parquet →
   Parquet, with the batch's codec and statistics setting), and (b) the end-to-end liquidation exactly as
   ``secu liquidate IN --out OUT`` does it (``liquidate_file``), and prints
   lines per second for both and the ratio, in wall time and in CPU time of
   the process (every thread; the machine's load moves it much less).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from secu.maladie.batch import DEFAULT_COMPRESSION as COMPRESSION
from secu.maladie.batch import DEFAULT_LOT, STATISTICS, liquidate_file

ACTES = [  # (code, weight, base_unitaire in cents or None, typical fee in cents)
    ("G", 30, None, 3000), ("CS", 6, None, 3150), ("APC", 1, None, 6000), ("CNPSY", 1, None, 5500), ("TCG", 2, None, 2500),
    ("PH7", 20, 700, 700), ("PH4", 4, 450, 450), ("PH1", 1, 25000, 25000), ("PH2", 2, 300, 300),  # SNDS: 65, 30, 100, 15 %
    ("AMI", 8, None, 315), ("AMK", 5, None, 1658), ("B", 8, None, 27), ("C-CD", 3, None, 2300),
    ("TAX", 2, 4500, 4500), ("LPP", 2, 1200, 1200), ("FJH", 1, None, 2000), ("CCAM", 1, 15000, 15000),
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secu-bench-") as scratch:
        folder = args.dossier or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, floor, target = folder / "lignes.parquet", folder / "plancher.parquet", folder / "resultat.parquet"
        started = time.perf_counter()
        generate(source, args.lignes, args.graine)
        print(f"génération : {args.lignes:,} lignes en {time.perf_counter() - started:.1f} s ({source.stat().st_size / 1e6:.0f} Mo)")

        started, cpu = time.perf_counter(), time.process_time()
        pl.read_parquet(source).write_parquet(floor, compression=COMPRESSION, statistics=STATISTICS)  # the output's settings
        io_seconds, io_cpu = time.perf_counter() - started, time.process_time() - cpu

        from secu.maladie.rules import law_table

        law_table()  # built once per process (tables and parameters), as the command does before its first lot
        started, cpu = time.perf_counter(), time.process_time()
        summary = liquidate_file(source, target, lignes_par_lot=args.lignes_par_lot)
        seconds, batch_cpu = time.perf_counter() - started, time.process_time() - cpu

        io_rate, rate = args.lignes / io_seconds, args.lignes / seconds
        print(f"(a) lecture + écriture seules : {io_seconds:.2f} s, {io_rate / 1e6:.2f} M lignes/s (CPU {io_cpu:.2f} s)")
        print(f"(b) liquidation de bout en bout ({summary.lots} lot(s), {summary.strategie}) : {seconds:.2f} s, "
              f"{rate / 1e6:.2f} M lignes/s ({target.stat().st_size / 1e6:.0f} Mo) (CPU {batch_cpu:.2f} s)")
        print(f"rapport (b)/(a) : {seconds / io_seconds:.2f} × le temps des seules entrées-sorties "
              f"(en temps CPU, moins sensible à la charge de la machine : {batch_cpu / io_cpu:.2f} ×)")
        print(f"rejets : {summary.rejetees} ; remboursé : {summary.rembourse_cents / 100:,.2f} €")


if __name__ == "__main__":
    main()
