"""Tests only: argon2id at its cheapest cost, in the test run and in every process it starts.

Production hashes with argon2's default cost (``secu.core.security``); a test
signs in hundreds of times, and each hash at that cost takes a tenth of a
second or more. ``tests/conftest.py`` imports this module in the test process
and puts this folder first on the ``PYTHONPATH`` of the processes the tests
start (the demo, the served app), where Python imports it at start-up as
``sitecustomize``. The hashes stay argon2id; only the cost is lowered, and a
hash records its own cost, so verifying one is as cheap.
"""

from __future__ import annotations


def _lower_the_cost() -> None:
    try:
        import argon2
    except ImportError:  # a process of another environment (OpenFisca's): nothing to lower
        return
    if getattr(argon2.PasswordHasher, "cheap_for_tests", False):
        return

    class CheapPasswordHasher(argon2.PasswordHasher):
        cheap_for_tests = True

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(time_cost=1, memory_cost=8, parallelism=1)

    argon2.PasswordHasher = CheapPasswordHasher  # type: ignore[misc]


_lower_the_cost()
