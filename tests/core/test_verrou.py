"""Exclusive claims (secu.core.verrou) on both databases: one holder at a time, free again when it lets go or dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from secu.core.db import make_engine
from secu.core.verrou import tenir


def test_one_holder_at_a_time_and_free_again_after(database_url) -> None:  # type: ignore[no-untyped-def]
    first, second = make_engine(database_url), make_engine(database_url)  # two engines: as two processes would
    try:
        with tenir(first, "paiement:maladie:CPAM-75") as held:
            assert held
            with tenir(second, "paiement:maladie:CPAM-75") as again, tenir(second, "paiement:maladie:CPAM-13") as other:
                assert not again and other  # the same claim is refused; another caisse's is free
        with tenir(second, "paiement:maladie:CPAM-75") as held:
            assert held
    finally:
        first.dispose()
        second.dispose()


def test_a_holder_killed_lets_go(database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A process killed with SIGKILL while holding the claim: the next caller gets it at once (a run resumes)."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from secu.core.db import make_engine
        from secu.core.verrou import tenir
        with tenir(make_engine({database_url!r}), "paiement:famille:CAF-75") as held:
            print(held, flush=True)
            sys.stdin.readline()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "True"
    engine = make_engine(database_url)
    try:
        with tenir(engine, "paiement:famille:CAF-75") as held:
            assert not held
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=60) == -9
        for _ in range(50):  # the server notices the closed connection within moments
            with tenir(engine, "paiement:famille:CAF-75") as held:
                if held:
                    break
            time.sleep(0.1)
        assert held
    finally:
        engine.dispose()
        holder.stdin.close()
        holder.stdout.close()
