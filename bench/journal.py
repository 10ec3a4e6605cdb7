"""Benchmark: the cost of one access-journal append, chained under the head's lock, beside its references.

    .venv/bin/python bench/journal.py                               # SQLite file and PostgreSQL (SECU_TEST_PG_URL)
    .venv/bin/python bench/journal.py --appends 2000 --clients 8 --sqlite-only

Each append is what a personal read journals: one transaction holding one ``journal`` row, committed. Three
ways, alternated and best of ``--repeats``, in one run:

- ``secu``: ``secu.core.security.journal`` (UPDATE … RETURNING of the head, INSERT, head's hash, commit);
- ``avant``: the append as it was before the head (read the last hash, INSERT): the same work without the lock,
  and the one that forked;
- ``plancher``: a bare INSERT of the same row, no chain at all (the floor of any journal).

Printed per database: CPU time of this process per append (``time.process_time``, the client side's cost),
wall time per append sequentially, and appends per second with ``--clients`` threads on their own connections
(where the head's lock serializes the appends; the other two do not). Wall times are noisy on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from secu.core.db import make_engine, migrate, session_factory, unit_of_work  # noqa: E402
from secu.core.security import SYSTEM, Action, JournalAcces, Ressource, _row_hash, journal, utcnow  # noqa: E402

PG_URL = os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def secu(session: Session, index: int) -> None:
    journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, index, personne_id=index)


def _row(previous: str | None, index: int, numero: int) -> JournalAcces:
    moment = utcnow()
    fields: dict[str, object] = {"horodatage": moment.isoformat(), "utilisateur_id": None, "role": "admin",
                                 "action": "lecture", "ressource": "personne", "ressource_id": str(index),
                                 "personne_id": index, "detail": None}
    return JournalAcces(horodatage=moment, utilisateur_id=None, role="admin", action="lecture", ressource="personne",
                        ressource_id=str(index), personne_id=index, detail=None, empreinte_precedente=previous,
                        empreinte=_row_hash(previous, fields), numero=numero)


_numbers = iter(range(10**12, 2 * 10**12))  # out of the chain's range: the references do not touch its head
_lock = threading.Lock()


def _next_number() -> int:
    with _lock:
        return next(_numbers)


def avant(session: Session, index: int) -> None:
    previous = session.scalar(sa.select(JournalAcces.empreinte).order_by(JournalAcces.id.desc()).limit(1))
    session.add(_row(previous, index, _next_number()))
    session.flush()


def plancher(session: Session, index: int) -> None:
    session.add(_row(None, index, _next_number()))
    session.flush()


WAYS: dict[str, Callable[[Session, int], None]] = {"secu": secu, "avant": avant, "plancher": plancher}


def sequential(sessions: sessionmaker[Session], way: Callable[[Session, int], None], count: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(count):
        with unit_of_work(sessions) as session:
            way(session, index)
    return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count


def concurrent(sessions: sessionmaker[Session], way: Callable[[Session, int], None], count: int, clients: int) -> float:
    def work(offset: int) -> None:
        for index in range(offset, count, clients):
            with unit_of_work(sessions) as session:
                way(session, index)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - start)


def run(label: str, url: str, appends: int, clients: int, repeats: int) -> None:
    engine = make_engine(url, pool_size=clients, max_overflow=0) if not url.startswith("sqlite") else make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    best: dict[str, list[float]] = {name: [float("inf")] * 3 for name in WAYS}
    for _ in range(repeats):
        for name, way in WAYS.items():  # alternated, best of the repeats
            cpu, wall = sequential(sessions, way, appends)
            rate = concurrent(sessions, way, appends, clients)
            current = best[name]
            best[name] = [min(current[0], cpu), min(current[1], wall), rate if current[2] == float("inf") else max(current[2], rate)]
    print(f"\n{label} — {appends} ajouts par mesure, {clients} clients, meilleur de {repeats}")
    print(f"{'':10} {'CPU/ajout':>12} {'durée/ajout':>12} {'ajouts/s à ' + str(clients):>16}")
    for name in WAYS:
        cpu, wall, rate = best[name]
        print(f"{name:10} {cpu * 1e3:10.3f} ms {wall * 1e3:10.3f} ms {rate:16.0f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite (fichier, WAL)", f"sqlite:///{Path(folder) / 'bench.db'}", args.appends, args.clients, args.repeats)
    if args.sqlite_only:
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in PG_URL else "?"
        run("PostgreSQL", f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}", args.appends, args.clients, args.repeats)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
