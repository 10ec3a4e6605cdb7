"""The schema-conformance fuzz of the whole OpenAPI, long: many examples per operation, every role, both databases.

    .venv/bin/python bench/fuzz_openapi.py                 # 200 examples per operation, SQLite and PostgreSQL
    .venv/bin/python bench/fuzz_openapi.py --exemples 50 --base sqlite

It runs ``tests/api/test_fuzz.py`` (the suite runs it with a few examples) with ``SECU_FUZZ_EXEMPLES``
raised, and prints per database the operations fuzzed, the requests sent (each example goes out
as two logins in turn: every profile and no token) and the failures: a server error or an answer
the OpenAPI does not describe fails its operation, with the request to replay it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(exemples: int, base: str) -> tuple[int, int, float, str]:
    env = {**os.environ, "SECU_FUZZ_EXEMPLES": str(exemples), "PYTHONPATH": str(ROOT / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/api/test_fuzz.py", "-q", "-p", "no:cacheprovider", "-n", "0", "-k", f"{base} and answers_match"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", tail)) else 0
    failed = int(m.group(1)) if (m := re.search(r"(\d+) failed", tail)) else 0
    failures = "\n".join(line for line in done.stdout.splitlines() if line.startswith("FAILED"))
    return passed, failed, elapsed, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exemples", type=int, default=200, help="examples per operation (the suite: 7)")
    parser.add_argument("--base", choices=("sqlite", "postgresql", "les-deux"), default="les-deux")
    args = parser.parse_args()
    bases = ("sqlite", "postgresql") if args.base == "les-deux" else (args.base,)
    print(f"{'base':<12}{'opérations OK':>15}{'en échec':>10}{'requêtes (au plus)':>20}{'durée (s)':>11}")
    for base in bases:
        passed, failed, elapsed, failures = run(args.exemples, base)
        operations = passed + failed  # -k <base> keeps the fuzz of each operation on that base only
        print(f"{base:<12}{passed:>15}{failed:>10}{operations * args.exemples * 2:>20}{elapsed:>11.1f}")
        if failures:
            print(failures)


if __name__ == "__main__":
    main()
