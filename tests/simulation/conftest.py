"""A tiny synthetic France shared by the simulation tests (about 1 400 people, two partitions)."""

from __future__ import annotations

from pathlib import Path

import pytest

PEOPLE = 1_368
"""68,4 M × 0,00002: the people of `secu simulate --scale 0.00002`."""
SEED = 11


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from secu.synth.generator import synthesize

    out = tmp_path_factory.mktemp("synth") / "dataset"
    # Two partitions, so that the sum over partitions is exercised.
    synthesize(out, PEOPLE, seed=SEED, annee=2025, partition_size=PEOPLE // 2 + 50)
    return out
