"""Polars' memory allocator: the pages a lot (or a request) frees are kept for the next one.

Polars allocates through its own jemalloc, which it sets, when imported, to hand the pages freed back to
the system within a second (``dirty_decay_ms:500,muzzy_decay_ms:1000``: then ``MADV_DONTNEED``). A batch
that liquidates lot after lot has the kernel fault in and zero the same memory again for every lot: on
``bench/liquidation.py`` (2 million lines, lots of 500 000) about 200 000 page faults and 0.6 s of system
CPU a run, a quarter of the batch's CPU time; a steady call of the maladie rules on a million lines spent a
third of its CPU in the kernel. With ``muzzy_decay_ms:10000`` (Polars appends what ``_RJEM_MALLOC_CONF``
already says to its own settings) the freed pages are kept ten seconds, marked free for the kernel
(``MADV_FREE``): the next lot, or the next request, reuses them without a fault (measured: about 5 000 faults
a batch run, about 1 000 a steady rules call instead of 45 000), and a process that stops working still gives
them back. The same results to the byte.

jemalloc reads its settings once, when Polars' library is loaded: :func:`keep_freed_pages` runs from
``secu/__init__.py``, before any module of secu imports Polars (a program that imported Polars itself first
keeps Polars' defaults). This module imports nothing that loads Polars.
"""

from __future__ import annotations

import os
import sys

VARIABLE = "_RJEM_MALLOC_CONF"
"""The environment variable Polars' jemalloc (its symbols prefixed ``_rjem_``) reads its settings from."""
SETTINGS = "muzzy_decay_ms:10000"
"""Freed pages stay mapped ten seconds, marked free for the kernel (MADV_FREE): long enough for the next lot or
request, short enough that an idle service gives its memory back."""


def keep_freed_pages() -> bool:
    """Set :data:`SETTINGS` for Polars' allocator, unless the environment already says otherwise.

    True when the settings will be in force; False when Polars is already loaded (too late: jemalloc has read
    its settings) or the variable was set by the user (their choice is kept)."""
    if "polars" in sys.modules or "_polars_runtime_32" in sys.modules:
        return False
    os.environ.setdefault(VARIABLE, SETTINGS)
    return os.environ[VARIABLE] == SETTINGS

