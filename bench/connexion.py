"""Benchmark: what a failed sign-in costs, for a known login and an unknown one, at argon2's production cost.

    .venv/bin/python bench/connexion.py                 # SQLite file, 15 tries each
    .venv/bin/python bench/connexion.py --essais 40 --postgresql

Prints, side by side in one run, the median and spread (wall and CPU time) of a failed ``sign_in`` for an
existing login, for a login no account has, and the floor: one argon2 verification alone. Tries are alternated
(known, unknown, floor…), each from a new source address so the throttle never answers first. Equal medians
are what makes enumeration by timing impossible; the floor shows the rest of the sign-in (the throttle's
counters, the lookup) costs little beside the hash.
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from secu.core.db import make_engine, migrate, session_factory, unit_of_work  # noqa: E402
from secu.core.errors import SecuError  # noqa: E402
from secu.core.security import Role, hash_password, verify_password  # noqa: E402
from secu.utilisateurs import service  # noqa: E402

PG_URL = os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "un-mot-de-passe-de-banc"


def measure(url: str, tries: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        service.create_user(session, service.UtilisateurIn(login="banc.connu", password=PASSWORD, role=Role.ANALYSTE, nom_affiche="banc"))
    stored = hash_password(PASSWORD)
    times: dict[str, list[tuple[float, float]]] = {"login connu": [], "login inconnu": [], "argon2 seul": []}

    # (run against a version before the throttle, sign_in took no source: the bench says so and still runs)
    takes_source = "source" in inspect.signature(service.sign_in).parameters

    def failed(login: str, source: str) -> None:
        try:
            service.sign_in(sessions, login, "pas-le-bon", **({"source": source} if takes_source else {}))
        except SecuError:  # 401, or 429 where a version locked the account
            return
        raise AssertionError("connexion acceptée")

    for index in range(tries):
        for name, attempt in (
            ("login connu", lambda i=index: failed("banc.connu", f"10.0.{i}.1")),
            ("login inconnu", lambda i=index: failed("banc.inconnu", f"10.0.{i}.2")),
            ("argon2 seul", lambda: verify_password(stored, "pas-le-bon")),
        ):
            wall, cpu = time.perf_counter(), time.process_time()
            attempt()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    print(f"\n{engine.dialect.name} — {tries} essais chacun, alternés")
    print(f"{'':15} {'médiane':>10} {'min':>10} {'max':>10} {'CPU méd.':>10}")
    for name, values in times.items():
        walls = [w for w, _ in values]
        cpus = [c for _, c in values]
        print(f"{name:15} {statistics.median(walls) * 1e3:8.1f} ms {min(walls) * 1e3:8.1f} ms {max(walls) * 1e3:8.1f} ms "
              f"{statistics.median(cpus) * 1e3:8.1f} ms")
    known, unknown = (statistics.median(w for w, _ in times[k]) for k in ("login connu", "login inconnu"))
    print(f"rapport des médianes connu / inconnu : {known / unknown:.2f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--essais", type=int, default=15)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'banc.db'}", args.essais)
    if not args.postgresql:
        return
    schema = f"banc_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in PG_URL else "?"
        measure(f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}", args.essais)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
