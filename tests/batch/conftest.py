"""One SparkSession for the whole test session (starting the JVM costs seconds): local[2], no UI, few partitions."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.batch import job_exemple


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI"):
            pytest.fail("CI doit avoir Java 17 pour tester le moteur spark")
        pytest.skip("Java introuvable : moteur spark non testé sur cette machine")
    from pyspark import cloudpickle

    from secu.batch.spark import session

    # Spark's workers do not have the tests on their path: ship the stand-in jobs by value
    cloudpickle.register_pickle_by_value(job_exemple)
    spark = session("local[2]", conf={"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2", "spark.driver.memory": "512m"})
    yield spark
    spark.stop()
