"""The two engines on the same tasks: identical files, identical totals, resumable runs, no half-written file."""

from __future__ import annotations

import filecmp
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from secu.batch import engine
from secu.batch.engine import SCHEMA, Task, TaskError
from tests.batch import job_exemple as jobs

MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
SIZES = [40, 25, 0, 60]  # partition 2 is empty: its results are empty files, on both engines


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    return jobs.write_dataset(tmp_path / "dataset", SIZES)


def tasks_of(dataset: Path) -> list[Task]:
    return [Task(dataset, part, mois, 11) for part in range(len(SIZES)) for mois in MONTHS]


def files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != ".verrou")


def expected_total(dataset: Path) -> pl.DataFrame:
    """Computed here in-process, without any engine."""
    frames = [engine.conform(jobs.comptes(t.dataset, t.part, t.mois, t.seed), t) for t in tasks_of(dataset)]
    return (
        pl.concat(frames).group_by(list(engine.KEYS)).agg(pl.col("montant_cents").sum(), pl.col("volume").sum())
        .select(list(SCHEMA)).sort(list(engine.KEYS))
    )


def test_both_engines_give_identical_files_and_totals(dataset: Path, tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    tasks = tasks_of(dataset)
    local_total = engine.run(tasks, tmp_path / "local", engine="local", workers=2, job=jobs.comptes)
    spark_total = engine.run(tasks, tmp_path / "spark", engine="spark", job=jobs.comptes)

    assert len(jobs.calls(dataset)) == 2 * len(tasks)  # each engine ran each task once

    expected = [str(t.relpath) for t in sorted(tasks, key=lambda t: (t.part, t.mois))]
    assert files(tmp_path / "local") == files(tmp_path / "spark") == expected
    for name in expected:  # byte for byte: same rows, same order, same types, same encoding
        assert filecmp.cmp(tmp_path / "local" / name, tmp_path / "spark" / name, shallow=False), name
    assert_frame_equal(local_total, spark_total)
    assert_frame_equal(local_total, expected_total(dataset))
    assert local_total.schema == spark_total.schema == pl.Schema(SCHEMA)  # Int64 cents, Date months
    assert pl.read_parquet(tmp_path / "spark" / "part=00002" / "mois=2025-01.parquet").height == 0
    one = pl.read_parquet(tmp_path / "spark" / "part=00000" / "mois=2025-02.parquet")
    assert one.schema == pl.Schema(SCHEMA) and one.height > 1
    assert one.equals(one.sort(list(SCHEMA)))  # canonical order whatever order the job returned


def test_spark_skips_done_tasks_and_names_a_failing_one(dataset: Path, tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    tasks = tasks_of(dataset)
    out = tmp_path / "out"
    with pytest.raises(TaskError, match=r"part=00001 mois=2025-02 .*ValueError: donnée impossible") as raised:
        engine.run(tasks, out, engine="spark", job=jobs.panne_toujours)
    assert raised.value.task == Task(dataset, *jobs.PANNE, 11)
    assert not list(out.rglob("*.tmp"))

    engine.run(tasks[:5], out, engine="spark", job=jobs.comptes)
    before = len(jobs.calls(dataset))
    engine.run(tasks, out, engine="spark", job=jobs.comptes)
    assert len(jobs.calls(dataset)) - before == len(tasks) - 5


def test_local_run_resumes_after_a_failed_task(dataset: Path, tmp_path: Path) -> None:
    tasks = tasks_of(dataset)
    out = tmp_path / "out"
    with pytest.raises(TaskError, match=r"tâche part=00001 mois=2025-02 .*OSError: panne simulée") as raised:
        engine.run(tasks, out, engine="local", workers=2, job=jobs.panne_une_fois)
    assert raised.value.task == Task(dataset, *jobs.PANNE, 11)
    written = files(out)
    assert "part=00001/mois=2025-02.parquet" not in written
    assert written and all(name.endswith(".parquet") for name in written)  # finished results stay, no temporary
    for name in written:
        pl.read_parquet(out / name)
    first = len(jobs.calls(dataset))

    seen: list[tuple[int, int]] = []
    total = engine.run(tasks, out, engine="local", workers=2, job=jobs.panne_une_fois, progress=lambda d, n: seen.append((d, n)))
    assert len(jobs.calls(dataset)) - first == len(tasks) - len(written)  # only what was missing ran
    assert seen[0] == (len(written), len(tasks)) and seen[-1] == (len(tasks), len(tasks))
    assert_frame_equal(total, expected_total(dataset))
    reference = tmp_path / "reference"
    engine.run(tasks, reference, engine="local", workers=2, job=jobs.comptes)
    assert all(filecmp.cmp(out / n, reference / n, shallow=False) for n in files(reference))

    # everything done: nothing runs, the total is read back
    again = len(jobs.calls(dataset))
    assert_frame_equal(engine.run(tasks, out, engine="local", job=jobs.comptes), total)
    assert len(jobs.calls(dataset)) == again


def test_a_killed_local_run_resumes(dataset: Path, tmp_path: Path) -> None:
    """SIGKILL the whole run (driver and workers) mid-way, as a crash would; the next run finishes it."""
    tasks = tasks_of(dataset)
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        from datetime import date
        from pathlib import Path
        from secu.batch import engine
        from tests.batch import job_exemple as jobs
        tasks = [engine.Task(Path({str(dataset)!r}), p, date(2025, m, 1), 11) for p in range({len(SIZES)}) for m in (1, 2, 3)]
        engine.run(tasks, Path({str(out)!r}), engine="local", workers=2, job=jobs.comptes_lents)
    """)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(root), "SECU_TEST_JOB_PAUSE": "0.5"},
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(out.rglob("mois=*.parquet"))) < 2:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no result after 60 s"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run's own process group: its workers die with it
        process.wait()
    killed = [n for n in files(out) if not n.split("/")[-1].startswith(".")]
    assert 2 <= len(killed) < len(tasks)
    for name in killed:  # a file under its final name is complete
        assert pl.read_parquet(out / name).schema == pl.Schema(SCHEMA)

    before = len(jobs.calls(dataset))
    total = engine.run(tasks, out, engine="local", workers=2, job=jobs.comptes)
    assert len(jobs.calls(dataset)) - before == len(tasks) - len(killed)
    assert [n for n in files(out)] == sorted(str(t.relpath) for t in tasks)  # stale temporaries removed
    assert_frame_equal(total, expected_total(dataset))


def test_a_write_that_fails_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = Task(tmp_path, 3, date(2025, 4, 1), 1)
    frame = pl.DataFrame({"branche": ["maladie"], "mois": [date(2025, 4, 1)], "sens": ["charge"], "poste": ["x"], "montant_cents": [5], "volume": [1]})

    def half_then_crash(self: pl.DataFrame, file, **_: object) -> None:  # type: ignore[no-untyped-def]
        file.write(b"PAR1 half a file")
        raise OSError("disque plein")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_then_crash)
    with pytest.raises(OSError, match="disque plein"):
        engine.write_result(tmp_path / "out", task, frame)
    assert not engine.is_done(tmp_path / "out", task)
    assert files(tmp_path / "out") == []
    monkeypatch.undo()
    engine.write_result(tmp_path / "out", task, frame)
    assert_frame_equal(engine.read_result(tmp_path / "out", task), frame)


def test_results_are_checked_and_named(dataset: Path, tmp_path: Path) -> None:
    task = Task(dataset, 0, date(2025, 1, 1), 11)
    with pytest.raises(TaskError, match=r"part=00000 mois=2025-01 .*montant_cents de type Float64"):
        engine.run([task], tmp_path / "out", engine="local", workers=1, job=jobs.mauvais_type)
    with pytest.raises(TaskError, match="manquantes \\['volume'\\]"):
        engine.conform(pl.DataFrame({k: [] for k in list(SCHEMA)[:-1]}), task)
    with pytest.raises(engine.SecuError, match="même fichier"):
        engine.run([task, Task(dataset, 0, date(2025, 1, 1), 12)], tmp_path / "out", job=jobs.comptes)
    with pytest.raises(ValueError, match="moteur inconnu"):
        engine.run([task], tmp_path / "out", engine="dask", job=jobs.comptes)  # type: ignore[arg-type]


def test_the_default_job_is_named_not_imported(dataset: Path) -> None:
    job = engine.resolve_job(None)
    assert job == engine.NamedJob("secu.batch.jobs:mois")  # imported where it runs, so it pickles as a name
    assert pickle.loads(pickle.dumps(job)) == job
    named = engine.resolve_job("tests.batch.job_exemple:comptes")
    task = Task(dataset, 0, date(2025, 1, 1), 11)
    assert_frame_equal(engine.execute(named, task), engine.execute(jobs.comptes, task))


def test_progress_bar_counts_the_tasks(dataset: Path, tmp_path: Path) -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=100, force_terminal=False)
    tasks = tasks_of(dataset)[:3]
    with engine.progress_bar("Comptes", console=console) as progress:
        engine.run(tasks, tmp_path / "out", workers=1, job=jobs.comptes, progress=progress)
    assert "3/3" in console.file.getvalue()  # type: ignore[attr-defined]


def test_one_run_at_a_time_per_folder(tmp_path: Path) -> None:
    with engine.locked(tmp_path / "out"):
        with pytest.raises(engine.SecuError, match="un autre calcul"):
            engine.run([], tmp_path / "out", job=jobs.comptes)
    assert engine.run([], tmp_path / "out", job=jobs.comptes).schema == pl.Schema(SCHEMA)
