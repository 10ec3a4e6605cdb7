"""Where the batch liquidation's time goes, stage by stage: CPU and wall per million lines.

    .venv/bin/python bench/liquidation_etapes.py lignes.parquet          # a file of bench/liquidation.py (--dossier)
    POLARS_MAX_THREADS=1 .venv/bin/python bench/liquidation_etapes.py lignes.parquet

Runs the stages of ``secu liquidate`` (``secu.maladie.batch``) one after the other, without the overlap of the
real command (which reads, liquidates and writes at the same time on both cores), each timed on its own
(process CPU time, every thread, and wall): check that the input is sorted, read the lots, public columns → the
rules' columns, the rules (``liquidate``), results → euros, write the output (Polars' streaming sink), flush it
to disk. Each lot is written to a file of its own, so that its writing is timed alone. The allocator is set as
the command sets it.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from secu.core import allocateur

allocateur.keep_freed_pages()  # as `secu liquidate` does, before Polars is loaded

import polars as pl  # noqa: E402

from secu.maladie import batch  # noqa: E402
from secu.maladie.rules import law_table, liquidate  # noqa: E402

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="lignes de soins (.parquet, triées par nir : le chemin rapide)")
    parser.add_argument("--lignes-par-lot", type=int, default=batch.DEFAULT_LOT)
    args = parser.parse_args()
    law_table()
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def timed(stage: str, work: Callable[[], T]) -> T:
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        spent[stage][0] += time.perf_counter() - started
        spent[stage][1] += time.process_time() - cpu
        return result

    source = args.source
    faults, started, cpu = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.perf_counter(), time.process_time()
    schema = batch._parquet_schema(source)
    height = pl.scan_parquet(source).select(pl.len()).collect().item()
    if not timed("entrée triée par nir ?", lambda: batch._sorted_by_nir(source)):
        raise SystemExit("entrée non triée par nir : ce relevé ne mesure que le chemin rapide")
    lots = batch._sorted_lots(source, height, args.lignes_par_lot)
    output_schema = batch._output_schema(pl.Schema({"__ligne": pl.UInt32(), **dict(schema)}))

    with tempfile.TemporaryDirectory(prefix="secu-etapes-") as scratch:
        target = Path(scratch) / "lot.parquet"
        while (lot := timed("lecture des lots", lambda: next(lots, None))) is not None:
            rules_input = timed("colonnes publiques → règles", lambda p=lot: batch.to_rules(p.lazy()).collect(engine="in-memory"))
            rules_input = rules_input.drop("sexe", "specialite", strict=False)
            result = timed("règles (liquidate)", lambda r=rules_input: liquidate(r, columns=batch.RULES_OUT, taux_dtype=batch.TAUX))
            out = timed("résultats → euros", lambda p=lot, r=result: batch.from_rules(p, r))
            # Each lot in a file of its own, so that its writing is timed alone (the command's sink writes them all
            # into one file while the next lots are computed: the same encoding, overlapped).
            timed(
                "écriture (Parquet, par lot)",
                lambda o=out: o.select(list(output_schema)).write_parquet(target, compression=batch.DEFAULT_COMPRESSION, statistics=batch.STATISTICS),
            )  # type: ignore[arg-type]
            timed("mise sur disque (fsync)", lambda: batch._durable(target))
    wall, total = time.perf_counter() - started, time.process_time() - cpu
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    print(f"{height:,} lignes, lots de {args.lignes_par_lot:,} ; par million de lignes :")
    for stage, (seconds, cpu_seconds) in spent.items():
        print(f"  {stage:32s} CPU {cpu_seconds / height * 1e6:6.3f} s   mur {seconds / height * 1e6:6.3f} s")
    print(f"  {'total':32s} CPU {total / height * 1e6:6.3f} s   mur {wall / height * 1e6:6.3f} s   ({faults:,} défauts de page)")


if __name__ == "__main__":
    main()
