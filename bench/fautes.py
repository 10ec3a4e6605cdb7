"""Fault injection at scale: kill -9 each flow at random points, resume, count what broke (0 expected).

    .venv/bin/python bench/fautes.py                                 # 100 trials per flow alone + 100 racing, SQLite and PostgreSQL
    .venv/bin/python bench/fautes.py --essais 20 --bases sqlite --flux paiement_maladie,liquidation

For each database and flow (intake of feuilles de soins, maladie payment run, CAF payment run, DSN intake,
``secu liquidate``, ``secu ij-payer``, the invalidity pensions' monthly run, the caisse retraite's monthly run):
``--essais`` trials where one child process is killed (SIGKILL) at a random kill point
(a commit, just before or just after it; a lot of a batch, the flush, the rename), then ``--essais`` where
a second, unharmed child runs the same flow at the same time; each followed by a resume and the checks of
``tests/fautes/harness.py`` (acknowledged items present and unchanged, ``secu.verification``'s
invariants, end state equal to an uninterrupted run's).

Prints one line per database × flow × mode: trials, kills, calls refused cleanly ("déjà en cours"),
**violations** (trials where an invariant broke: must be 0) and **erreurs** (trials where the unharmed
racing call failed with an unexpected error, a 500 to its caller, while the invariants held), then the
first few findings of each kind.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--essais", type=int, default=100, help="trials per flow and mode (alone, racing)")
    parser.add_argument("--flux", default=",".join(("saisie", "paiement_maladie", "paiement_famille", "dsn", "liquidation", "paiement_ij",
                                                     "paiement_invalidite", "paiement_retraite")))  # fmt: skip
    parser.add_argument("--bases", default="sqlite,postgresql")
    parser.add_argument("--modes", default="seul,course", help="seul: one child killed; course: and a second one racing it")
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("--foyers", type=int, default=8, help="households of the demo world")
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import tests.cheap_hashing.sitecustomize  # noqa: F401 - the demo's accounts hashed cheaply, as in the tests
    from tests.fautes import harness

    rng = random.Random(args.graine)
    findings: list[str] = []
    print(f"{'base':<11} {'flux':<17} {'mode':<7} {'essais':>6} {'tués':>5} {'refusés':>8} {'violations':>10} {'erreurs':>8} {'s/essai':>8}")
    for kind in args.bases.split(","):
        with tempfile.TemporaryDirectory(prefix=f"secu-fautes-{kind}-") as folder:
            world = harness.build_world(kind, Path(folder) / "monde", households=args.foyers)
            try:
                for flow in args.flux.split(","):
                    harness.calibrate(world, flow)
                    for mode in args.modes.split(","):
                        counts: Counter[str] = Counter()
                        start = time.perf_counter()
                        for _ in range(args.essais):
                            essai = harness.trial(world, flow, rng, race=mode == "course")
                            counts["essais"] += 1
                            counts["tués"] += essai.exitcodes.count(-9)
                            counts["refusés"] += essai.exitcodes.count(harness.EXIT_REFUSED)
                            counts["violations"] += bool(essai.violations)
                            counts["erreurs"] += bool(essai.erreurs)
                            findings += [f"{kind} {flow} {mode} k={essai.kill_at}: {v}" for v in essai.violations + essai.erreurs]
                        per_trial = (time.perf_counter() - start) / max(1, counts["essais"])
                        print(f"{kind:<11} {flow:<17} {mode:<7} {counts['essais']:>6} {counts['tués']:>5} {counts['refusés']:>8} "
                              f"{counts['violations']:>10} {counts['erreurs']:>8} {per_trial:>8.2f}", flush=True)
            finally:
                harness.drop_world(world)
    print(f"\n{len(findings)} constat(s)" + (" :" if findings else ""))
    for line in findings[:30]:
        print("  " + line[:300])


if __name__ == "__main__":
    main()
