"""The local engine: every core of this machine, one process per core, one task per process at a time.

Processes are started with "spawn" so that a worker never inherits the
parent's threads (polars', Rich's) half-locked, and behaves the same on
Linux, macOS and Windows. At most `workers` tasks are handed out at once, so
memory is bounded by `workers` partitions in flight; results are small
accounts frames, sent back to this process and written here.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from secu.batch.engine import Job, Progress, Task, TaskError, execute, write_result


@contextmanager
def _threads_per_worker(workers: int) -> Iterator[None]:
    """Share the cores between the workers' polars thread pools: n processes of n threads would oversubscribe them.

    Read by polars when a worker imports it, so set while the pool spawns its
    processes (they copy this environment); a value the user set is kept.
    """
    if "POLARS_MAX_THREADS" in os.environ:
        yield
        return
    os.environ["POLARS_MAX_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    try:
        yield
    finally:
        os.environ.pop("POLARS_MAX_THREADS", None)


def _work(job: Job, task: Task) -> pl.DataFrame:
    return execute(job, task)


def run_tasks(
    tasks: Sequence[Task],
    out: Path,
    *,
    job: Job,
    workers: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Run every task, writing each result as soon as it arrives; the first failure stops the run.

    On a failure no new task starts; the tasks already running finish and
    their results are kept, so a new run redoes only the failed and the
    never-started ones.
    """
    count = workers or os.cpu_count() or 1
    count = max(1, min(count, len(tasks)))
    pending = list(reversed(tasks))  # popped from the end: tasks start in the given order
    running: dict[Future[pl.DataFrame], Task] = {}
    failures: list[TaskError] = []
    done = 0
    with _threads_per_worker(count), ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            while pending or running:
                while pending and not failures and len(running) < count:
                    task = pending.pop()
                    running[pool.submit(_work, job, task)] = task
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = running.pop(future)
                    try:
                        frame = future.result()
                    except TaskError as error:
                        failures.append(error)
                        continue
                    except BrokenProcessPool as error:
                        # a worker died (killed, out of memory): every task in flight is lost
                        failures.append(TaskError(task, f"le processus de calcul s'est arrêté ({error})"))
                        continue
                    except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be unpickled
                        failures.append(TaskError(task, f"{type(error).__name__}: {error}"))
                        continue
                    write_result(out, task, frame)
                    done += 1
                    if progress is not None:
                        progress(done, len(tasks))
        except BaseException:
            # Ctrl-C or a write error: start nothing more; what is written stays
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if failures:
        first = failures[0]
        if len(failures) > 1:
            others = ", ".join(f.task.label if f.task else "?" for f in failures[1:])
            raise TaskError(first.task, f"{first.detail} (ont aussi échoué : {others})") from first
        raise first
