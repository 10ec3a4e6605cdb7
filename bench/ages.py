"""CPU cost of the one age rule (secu.core.ages) in maladie's hot path, against the former floor division.

    .venv/bin/python bench/ages.py                 # 2 million ages, and the liquidation of 300,000 lines
    .venv/bin/python bench/ages.py --lignes 1000000

Prints side by side, best of ``--essais`` alternating runs, in CPU seconds (``time.process_time``): (a) the age
of N rows of YYYYMMDD integers by ``(on - born) // 10_000`` (the former rule, 1 March for a 29 February birth)
and by ``full_years_ymd`` (28 February); (b) ``maladie.rules.liquidate`` on the same claim lines with each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from liquidation import generate  # type: ignore[import-not-found]  # bench/liquidation.py, run from bench/ or the root

from secu.core.ages import full_years_ymd
from secu.maladie import rules
from secu.maladie.batch import liquidate_file


def _former(ymd_from: pl.Expr, ymd_on: pl.Expr) -> pl.Expr:
    return (ymd_on - ymd_from) // 10_000


def _cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lignes", type=int, default=300_000)
    parser.add_argument("--ages", type=int, default=2_000_000)
    parser.add_argument("--essais", type=int, default=5)
    args = parser.parse_args()

    n = pl.int_range(args.ages, eager=True)
    ymd = pl.DataFrame({
        "born": (19_300_101 + (n * 7919 % 90) * 10_000 + (n % 12) * 100 + n % 28).cast(pl.Int32),
        "on": (20_230_101 + (n * 31 % 4) * 10_000 + (n * 13 % 12) * 100 + n * 17 % 28).cast(pl.Int32),
    })

    best: dict[str, list[float]] = {"ages_avant": [], "ages_apres": [], "liquidation_avant": [], "liquidation_apres": []}
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "lignes.parquet", Path(tmp) / "sortie.parquet"
        generate(source, args.lignes)  # the same synthetic claim lines as bench/liquidation.py
        for _ in range(args.essais):  # alternate, so the machine's load touches both alike
            for label, rule in (("avant", _former), ("apres", full_years_ymd)):
                best[f"ages_{label}"].append(_cpu(lambda: ymd.select(rule(pl.col("born"), pl.col("on")))))  # noqa: B023
                rules._full_years = rule  # type: ignore[assignment]  # what maladie's hot path calls
                best[f"liquidation_{label}"].append(_cpu(lambda: liquidate_file(source, target)))
    print(f"{'CPU s, best of ' + str(args.essais):<32}{'(on-born)//10000':>18}{'full_years_ymd':>16}")
    print(f"{f'{args.ages:,} ages':<32}{min(best['ages_avant']):>18.4f}{min(best['ages_apres']):>16.4f}")
    print(f"{f'liquidate, {args.lignes:,} lines':<32}{min(best['liquidation_avant']):>18.4f}{min(best['liquidation_apres']):>16.4f}")


if __name__ == "__main__":
    main()
