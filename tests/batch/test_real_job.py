"""The real job of the simulated year (every branch's rules over a synthetic partition) on both engines.

The engines' own tests use a stand-in job; this one runs ``secu.batch.jobs:annee`` on a tiny synthetic
France (two partitions) locally and on Spark in local mode, and requires byte-identical result files.
"""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from secu.batch import engine
from secu.batch.engine import Task

PEOPLE, SEED = 1_200, 5


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from secu.synth.generator import synthesize

    out = tmp_path_factory.mktemp("synth") / "dataset"
    synthesize(out, PEOPLE, seed=SEED, annee=2025, partition_size=PEOPLE // 2 + 50)
    return out


def test_the_real_job_gives_identical_files_on_both_engines(dataset: Path, tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    tasks = [Task(dataset, part, date(2025, 4, 1), SEED) for part in (0, 1)]
    local = engine.run(tasks, tmp_path / "local", engine="local", workers=2, job="secu.batch.jobs:annee")
    distributed = engine.run(tasks, tmp_path / "spark", engine="spark", job="secu.batch.jobs:annee")
    assert_frame_equal(local, distributed)
    for task in tasks:
        name = engine.result_path(Path("."), task)
        assert filecmp.cmp(tmp_path / "local" / name, tmp_path / "spark" / name, shallow=False), name
    # Four months of every branch: care reimbursed, contributions collected, family benefits paid.
    assert sorted(local["mois"].unique().to_list()) == [date(2025, m, 1) for m in range(1, 5)]
    postes = set(local.select(pl.concat_str("branche", pl.lit(":"), "poste")).to_series().to_list())
    assert {"maladie:soins.rembourse", "maladie:cotisations", "famille:prestations.af", "atmp:cotisations"} <= postes
