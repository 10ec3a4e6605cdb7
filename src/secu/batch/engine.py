"""Run the monthly job over many (partition, month) tasks, on one machine or on Spark.

Both engines share everything here: the task, how the job is named and
called, how its accounts frame is checked and put in canonical order, how a
result is written (temporary name, then rename) and found again after a
crash, and how the results add up. Only the scheduling differs
(`secu.batch.local`, `secu.batch.spark`), so the same task gives the same file
on either engine (README §4).
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from secu.core.errors import SecuError

# README §3: the accounts frame of one (partition, month).
KEYS = ("branche", "mois", "sens", "poste")
SCHEMA: dict[str, pl.DataType] = {
    "branche": pl.String(),
    "mois": pl.Date(),
    "sens": pl.String(),
    "poste": pl.String(),
    "montant_cents": pl.Int64(),
    "volume": pl.Int64(),
}
DEFAULT_JOB = "secu.batch.jobs:mois"

Job = Callable[[Path, int, date, int], pl.DataFrame]
Progress = Callable[[int, int], None]


class TaskError(SecuError):
    """A task failed; the results already written stay, a new run redoes only what is missing."""

    def __init__(self, task: Task | None, message: str) -> None:
        where = f"tâche {task.label}" if task is not None else "tâche inconnue"
        super().__init__(f"{where} : {message}")
        self.task = task
        self.detail = message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # travels back from a worker process: rebuild from the parts, not from the joined message
        return (TaskError, (self.task, self.detail))


@dataclass(frozen=True, order=True)
class Task:
    dataset: Path
    part: int
    mois: date
    seed: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "dataset", Path(self.dataset))
        if self.mois.day != 1:
            # the file name keeps only the month: a mid-month date would collide
            object.__setattr__(self, "mois", self.mois.replace(day=1))
        if self.part < 0:
            raise ValueError(f"partition négative : {self.part}")

    @property
    def label(self) -> str:
        return f"part={self.part:05d} mois={self.mois:%Y-%m} ({self.dataset}, graine {self.seed})"

    @property
    def relpath(self) -> Path:
        return Path(f"part={self.part:05d}") / f"mois={self.mois:%Y-%m}.parquet"


# --------------------------------------------------------------------------
# The job, named so that it can travel to another process or machine


@dataclass(frozen=True)
class NamedJob:
    """A job given as "module:function", imported where it runs (workers never unpickle code)."""

    name: str

    def __call__(self, dataset: Path, part: int, mois: date, seed: int) -> pl.DataFrame:
        module_name, _, attribute = self.name.partition(":")
        target: Any = importlib.import_module(module_name)
        for piece in attribute.split(".") if attribute else ():
            target = getattr(target, piece)
        if not callable(target):
            raise TypeError(f"{self.name} n'est pas une fonction")
        result: pl.DataFrame = target(dataset, part, mois, seed)
        return result


def resolve_job(job: Job | str | None) -> Job:
    if job is None:
        return NamedJob(DEFAULT_JOB)
    if isinstance(job, str):
        return NamedJob(job)
    return job


def conform(frame: Any, task: Task) -> pl.DataFrame:
    """The job's frame with exactly the README's columns and types, in a canonical row order.

    Integers widen to Int64 losslessly (a `pl.len()` count is UInt32); any
    other mismatch is the job's bug and names the task. Sorting on every column
    makes the file independent of the order in which the job or the engine
    produced the rows.
    """
    if not isinstance(frame, pl.DataFrame):
        raise TaskError(task, f"le job doit rendre un polars.DataFrame, pas {type(frame).__name__}")
    missing = [c for c in SCHEMA if c not in frame.columns]
    extra = [c for c in frame.columns if c not in SCHEMA]
    if missing or extra:
        raise TaskError(task, f"colonnes attendues {list(SCHEMA)} ; manquantes {missing}, en trop {extra}")
    columns = []
    for name, dtype in SCHEMA.items():
        actual = frame.schema[name]
        if actual == dtype:
            columns.append(pl.col(name))
        elif dtype == pl.Int64 and actual.is_integer():
            columns.append(pl.col(name).cast(pl.Int64, strict=True))
        elif actual == pl.Null:
            columns.append(pl.col(name).cast(dtype))
        else:
            raise TaskError(task, f"colonne {name} de type {actual}, attendu {dtype}")
    try:
        out = frame.select(columns)
    except pl.exceptions.PolarsError as error:
        raise TaskError(task, f"conversion impossible : {error}") from error
    return out.sort(list(SCHEMA), nulls_last=True, maintain_order=True).rechunk()


def execute(job: Job, task: Task) -> pl.DataFrame:
    """Run one task and check its result; any failure becomes a TaskError naming the task."""
    try:
        frame = job(task.dataset, task.part, task.mois, task.seed)
    except TaskError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever the job raised, say which task
        raise TaskError(task, f"{type(error).__name__}: {error}") from error
    return conform(frame, task)


# --------------------------------------------------------------------------
# Results on disk


def result_path(out: Path, task: Task) -> Path:
    return Path(out) / task.relpath


def is_done(out: Path, task: Task) -> bool:
    # only a renamed file counts: a temporary one is an unfinished write
    return result_path(out, task).is_file()


def write_result(out: Path, task: Task, frame: pl.DataFrame) -> Path:
    """Write a task's result so that it is either complete under its final name or absent."""
    final = result_path(out, task)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            frame.write_parquet(handle, statistics=True)
            handle.flush()
            os.fsync(handle.fileno())  # the rename must not outlive the data after a power cut
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return final


def read_result(out: Path, task: Task) -> pl.DataFrame:
    return pl.read_parquet(result_path(out, task), schema=SCHEMA)


def remove_stale_temporaries(out: Path) -> int:
    """Delete temporaries left by a run that died mid-write (safe: the run holds the lock)."""
    removed = 0
    for path in Path(out).glob("part=*/.*.tmp"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """One run at a time per output folder; the lock dies with its process, so a crash never leaves it held."""
    Path(out).mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock, one run at a time is then the user's care
        yield
        return
    with open(Path(out) / ".verrou", "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SecuError(f"un autre calcul écrit déjà dans {out}") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def check_tasks(tasks: Iterable[Task]) -> list[Task]:
    tasks = list(tasks)
    seen: dict[Path, Task] = {}
    for task in tasks:
        if not isinstance(task, Task):
            raise TypeError(f"tâche attendue, reçu {type(task).__name__}")
        other = seen.setdefault(task.relpath, task)
        if other is not task and other != task:
            raise SecuError(f"deux tâches écriraient le même fichier {task.relpath} : {other.label} et {task.label}")
    return list(dict.fromkeys(tasks))


def total(out: Path, tasks: Sequence[Task]) -> pl.DataFrame:
    """The sum of the tasks' results, grouped by (branche, mois, sens, poste) (README §3)."""
    frames = [read_result(out, task) for task in tasks]
    if not frames:
        return pl.DataFrame(schema=SCHEMA)
    return (
        pl.concat(frames)
        .group_by(list(KEYS))
        .agg(pl.col("montant_cents").sum(), pl.col("volume").sum())
        .select(list(SCHEMA))
        .sort(list(KEYS), nulls_last=True)
    )


# --------------------------------------------------------------------------
# Entry point


def run(
    tasks: Iterable[Task],
    out: Path,
    *,
    engine: Literal["local", "spark"] = "local",
    workers: int | None = None,
    job: Job | str | None = None,
    progress: Progress | None = None,
    master: str | None = None,
) -> pl.DataFrame:
    """Run `job` on every task not yet done in `out`, then return the sum of all the tasks' results.

    `job` defaults to `secu.batch.jobs.mois`, imported only where it runs.
    `progress(done, total)` is called as tasks finish (the ones found done
    count from the start). `master` is Spark's (default `local[workers or *]`).
    """
    tasks = check_tasks(tasks)
    out = Path(out)
    job = resolve_job(job)
    if workers is not None and workers < 1:
        raise ValueError("workers doit valoir au moins 1")
    with locked(out):
        remove_stale_temporaries(out)
        todo = [task for task in tasks if not is_done(out, task)]
        if progress is not None:
            progress(len(tasks) - len(todo), len(tasks))
        if todo:
            if engine == "local":
                from secu.batch import local

                local.run_tasks(todo, out, job=job, workers=workers, progress=_offset(progress, tasks, todo))
            elif engine == "spark":
                from secu.batch import spark

                spark.run_tasks(todo, out, job=job, workers=workers, master=master, progress=_offset(progress, tasks, todo))
            else:
                raise ValueError(f"moteur inconnu : {engine!r} (local ou spark)")
        return total(out, tasks)


def _offset(progress: Progress | None, tasks: list[Task], todo: list[Task]) -> Progress | None:
    if progress is None:
        return None
    already = len(tasks) - len(todo)
    return lambda done, _: progress(already + done, len(tasks))


@contextlib.contextmanager
def progress_bar(description: str = "Calcul", console: Any = None) -> Iterator[Progress]:
    """A Rich progress bar for the command line, as a `progress` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    columns = (TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with RichProgress(*columns, console=console) as bar:
        handle = bar.add_task(description, total=None)
        yield lambda done, count: bar.update(handle, completed=done, total=count)
