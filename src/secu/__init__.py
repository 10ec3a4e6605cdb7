"""secu: the French régime général de sécurité sociale, as the law describes it."""

import os

__version__ = "0.1.0"

# Polars allocates through its own jemalloc, which by default hands the pages a frame frees back to the system at
# once (muzzy_decay_ms 0): the next lot of a batch, or the next request, then faults every page in again (a
# third of the CPU of a steady call of the maladie rules was the kernel's). Ten seconds of grace keeps them for
# the next lot and still returns them when the work stops. Read when Polars first allocates: so here, before
# any module of secu imports it; a value the operator set wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "muzzy_decay_ms:10000")
