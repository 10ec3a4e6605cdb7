"""The Spark engine: the same job on each task, run by Spark's Python workers through `mapInArrow`.

The tasks travel as a small DataFrame of descriptors, one per partition, so
Spark schedules one task per core (and retries or moves it as it does any
task). Each worker rebuilds the `Task`, calls the very function the local
engine calls (`engine.execute`), and yields the accounts as Arrow record
batches with the task's keys. The driver collects them wave by wave and
writes them with `engine.write_result`: same files, same atomic writes, and a
crash loses at most the wave in flight.

The dataset must be readable at the same path from every worker (a shared
file system on a cluster); the workers need the same Python packages as the
driver (see `session`).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from secu.batch.engine import SCHEMA, Job, Progress, Task, TaskError, conform, execute, write_result
from secu.core.errors import SecuError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

# The descriptors' columns and the result's: the accounts plus the task keys.
TASK_DDL = "dataset string, part long, mois date, seed long"
RESULT_DDL = "_part long, _mois date, branche string, mois date, sens string, poste string, montant_cents long, volume long"
_FAILED = "secu-tache-echouee"


@contextmanager
def _quiet_pandas_warning() -> Iterator[None]:
    # pyspark 4.3 warns that it does not fully support pandas 3; mapInArrow does not use pandas
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not yet fully support pandas", category=FutureWarning)
        yield


def session(master: str | None = None, *, workers: int | None = None, app_name: str = "secu", conf: dict[str, str] | None = None) -> SparkSession:
    """A SparkSession for the engine (the running one if there is one, as Spark allows one per driver).

    `master`: a cluster URL (spark://host:7077, yarn, k8s://…), else
    SECU_SPARK_MASTER, else `local[workers]` (all cores by default). Workers
    run the Python of PYSPARK_PYTHON, this interpreter when unset: on a
    cluster it must exist at the same path on every node (or set
    PYSPARK_PYTHON / `spark.pyspark.python` to the workers' interpreter).
    """
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SecuError("le moteur spark demande Java 17 ou plus récent (java introuvable ; installer un JDK ou définir JAVA_HOME)")
    master = master or os.environ.get("SECU_SPARK_MASTER") or f"local[{workers or '*'}]"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # a task is a whole partition-month: one at a time per core, no speculative duplicates
        .config("spark.task.cpus", "1")
        .config("spark.speculation", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        # a laptop or CI: everything on the loopback, no web UI, no host name to resolve
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
        )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    with _quiet_pandas_warning():
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _apply(job: Job) -> Any:
    """The function run by mapInArrow: descriptors in, accounts (with the task keys) out."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        for batch in batches:
            for row in batch.to_pylist():
                task = Task(Path(row["dataset"]), row["part"], row["mois"], row["seed"])
                try:
                    frame = execute(job, task)
                except TaskError as error:
                    # the driver only sees Spark's text: mark it so it can name the task again
                    raise RuntimeError(f"{_FAILED}[{task.part}|{task.mois.isoformat()}] {error}") from error
                if frame.height == 0:
                    continue  # the driver writes an empty result for a task that yielded no row
                table = frame.to_arrow()
                keys = [pa.array([task.part] * frame.height, pa.int64()), pa.array([task.mois] * frame.height, pa.date32())]
                table = pa.Table.from_arrays(keys + table.columns, names=["_part", "_mois", *table.column_names])
                yield from table.to_batches()

    return run


def _failed_task(error: BaseException, by_key: dict[tuple[int, str], Task]) -> TaskError:
    text = str(error)
    found = re.search(re.escape(_FAILED) + r"\[(\d+)\|([0-9-]+)\] (?:tâche [^:]+ : )?(.*)", text)
    if found is None:
        return TaskError(None, f"Spark a échoué : {text.splitlines()[0] if text else type(error).__name__}")
    task = by_key.get((int(found.group(1)), found.group(2)))
    return TaskError(task, found.group(3).strip())


def run_tasks(
    tasks: Sequence[Task],
    out: Path,
    *,
    job: Job,
    workers: int | None = None,
    master: str | None = None,
    progress: Progress | None = None,
    spark: SparkSession | None = None,
    wave: int | None = None,
) -> None:
    """Run the tasks on Spark in waves of `wave` tasks (default: four per core), writing each wave's results."""
    spark = spark or session(master, workers=workers)
    context = spark.sparkContext
    size = wave or 4 * max(1, context.defaultParallelism)
    by_key = {(task.part, task.mois.isoformat()): task for task in tasks}
    done = 0
    for start in range(0, len(tasks), size):
        chunk = list(tasks[start : start + size])
        rows = [(str(task.dataset), task.part, task.mois, task.seed) for task in chunk]
        # parallelize cuts n rows in n slices: exactly one task per partition, no shuffle
        descriptors: DataFrame = spark.createDataFrame(context.parallelize(rows, len(rows)), TASK_DDL)
        try:
            with _quiet_pandas_warning():
                table = descriptors.mapInArrow(_apply(job), RESULT_DDL).toArrow()
        except Exception as error:  # noqa: BLE001 - Spark wraps the worker's error in its own types
            raise _failed_task(error, by_key) from error
        results = pl.from_arrow(table)
        assert isinstance(results, pl.DataFrame)
        grouped = {key: frame for key, frame in results.group_by(["_part", "_mois"])} if results.height else {}
        for task in chunk:
            frame = grouped.get((task.part, task.mois))
            frame = frame.drop("_part", "_mois") if frame is not None else pl.DataFrame(schema=SCHEMA)
            # checked and ordered again: Spark may have split or reordered the batches, and a
            # type that did not survive the trip must fail here rather than differ from the local file
            write_result(out, task, conform(frame, task))
            done += 1
            if progress is not None:
                progress(done, len(tasks))
