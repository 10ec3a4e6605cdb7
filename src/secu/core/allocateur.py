"""Polars' memory allocator for a batch: the pages a lot frees are kept for the next lot.

Polars allocates through its own jemalloc, which it sets, when imported, to hand the pages freed back to
the system within a second (``dirty_decay_ms:500,muzzy_decay_ms:1000``: then ``MADV_DONTNEED``). A batch
that liquidates lot after lot has the kernel fault in and zero the same memory again for every lot: on
``bench/liquidation.py`` (2 million lines, lots of 500 000) about 200 000 page faults and 0.6 s of system
CPU a run, a quarter of the batch's CPU time. With ``muzzy_decay_ms:-1`` (Polars appends what
``_RJEM_MALLOC_CONF`` already says to its own settings) the freed pages are only marked free (``MADV_FREE``):
the kernel still takes them back when memory runs short, and until then the next lot reuses them without a
fault (measured: about 5 000 faults, 0.1 s of system CPU, the same results to the byte).

jemalloc reads its settings once, when Polars' library is loaded: :func:`keep_freed_pages` must run before the
process's first ``import polars`` (``secu liquidate`` does it first thing, in ``secu/cli.py``). This module
imports nothing that loads Polars.
"""

from __future__ import annotations

import os
import sys

VARIABLE = "_RJEM_MALLOC_CONF"
"""The environment variable Polars' jemalloc (its symbols prefixed ``_rjem_``) reads its settings from."""
SETTINGS = "muzzy_decay_ms:-1"
"""Freed pages stay mapped, marked free for the kernel (MADV_FREE), until memory runs short."""
BATCH_COMMANDS = ("liquidate",)
"""The ``secu`` commands that process a file lot after lot (the server keeps jemalloc's defaults)."""


def keep_freed_pages() -> bool:
    """Set :data:`SETTINGS` for Polars' allocator, unless the environment already says otherwise.

    True when the settings will be in force; False when Polars is already loaded (too late: jemalloc has read
    its settings) or the variable was set by the user (their choice is kept)."""
    if "polars" in sys.modules or "_polars_runtime_32" in sys.modules:
        return False
    os.environ.setdefault(VARIABLE, SETTINGS)
    return os.environ[VARIABLE] == SETTINGS


def for_command(argv: list[str]) -> bool:
    """:func:`keep_freed_pages` when ``argv`` runs a batch command (``secu liquidate …``)."""
    return len(argv) > 1 and argv[1] in BATCH_COMMANDS and keep_freed_pages()
