"""Exclusive claims on a piece of work (a payment run of one caisse): one holder at a time, released if it dies.

A payment run is cut into many short transactions (so that a run cut off
halfway resumes where it stopped); a row lock would only last one of them.
The claim must last the whole run, and vanish with the process that holds
it, so that a run killed with ``kill -9`` can be resumed at once:

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``, keyed
  by the schema and the claim) held by a connection set aside for the run; the
  server drops it when that connection ends, cleanly or not.
* SQLite (one file on one machine, one writer at a time): an ``flock`` on a
  file beside the database (``<base>.verrous/<clé>.lock``), released by the
  kernel when the process ends — the way SQLite holds its own locks. Each
  claim opens its own descriptor, so two threads of one process exclude each
  other too. An in-memory database is private to its process: a lock of the
  process is enough.

:func:`tenir` does not wait: it says whether the claim was obtained, and the
caller answers "déjà en cours" when it was not.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

_LOCAL: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def _key64(cle: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock``, stable across processes and versions (not Python's hash)."""
    return int.from_bytes(hashlib.blake2b(cle.encode(), digest_size=8).digest(), "big", signed=True)


def _file_name(cle: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", cle)[:80]
    return f"{readable}-{hashlib.blake2b(cle.encode(), digest_size=6).hexdigest()}.lock"


@contextmanager
def tenir(engine: Engine, cle: str) -> Iterator[bool]:
    """Try to claim ``cle`` for the duration of the block; yields whether it was obtained (never waits)."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, cle) as held:
            yield held
        return
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file::memory:"):
        with _flock(Path(database), cle) as held:
            yield held
        return
    with _process_lock(cle) as held:
        yield held


@contextmanager
def _advisory(engine: Engine, cle: str) -> Iterator[bool]:
    with engine.connect() as connection:
        # Advisory locks belong to the database, not to a schema: two secu in two schemas of one database (the
        # tests' schemas, run in parallel) must not exclude each other.
        key = _key64(f"{connection.execute(text('SELECT current_schema()')).scalar()}:{cle}")
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()  # a session-level lock outlives the transaction: the connection does not sit idle in one
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


@contextmanager
def _flock(database: Path, cle: str) -> Iterator[bool]:
    import fcntl

    folder = database.with_name(database.name + ".verrous")
    folder.mkdir(mode=0o700, exist_ok=True)
    descriptor = os.open(folder / _file_name(cle), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


@contextmanager
def _process_lock(cle: str) -> Iterator[bool]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault(cle, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    """The engine a session factory is bound to (``core.db.session_factory`` binds one)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("la fabrique de sessions n'est pas liée à un moteur")
    return bind
