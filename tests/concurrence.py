"""Force a race: the same call from several threads, released together by a barrier, each on its own engine.

Each thread has an engine of its own (its own connections, as two processes would), so the database, not
the Python objects, is what the callers share.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from secu.core.db import make_engine, session_factory

T = TypeVar("T")


def race(url: str, call: Callable[[sessionmaker[Session]], T], callers: int = 2) -> list[T | BaseException]:
    """``call(sessions)`` from ``callers`` threads at once; each one's result or the exception it raised, in order."""
    barrier = threading.Barrier(callers)
    outcomes: list[T | BaseException] = [RuntimeError("pas de résultat")] * callers
    engines = [make_engine(url) for _ in range(callers)]

    def one(index: int) -> None:
        sessions = session_factory(engines[index])
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call(sessions)
        except BaseException as error:  # noqa: BLE001 - the test reads what each caller met
            outcomes[index] = error

    threads = [threading.Thread(target=one, args=(index,)) for index in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    return outcomes
