"""Shared fixtures: every database test runs on SQLite and on the PostgreSQL server.

PostgreSQL: SECU_TEST_PG_URL (default: postgres@127.0.0.1:5432/test). Each
test module gets a schema of its own, dropped afterwards. Set SECU_SKIP_PG=1
to run on SQLite alone on a machine without the server (never in CI).

Passwords are hashed at argon2id's cheapest cost in the tests and in the
processes they start (``tests/cheap_hashing``); production never sees it.

On several cores (pytest-xdist, ``--dist loadgroup`` as ``run.py test`` runs
it), each test module is one group, so its module-scoped fixtures (its
PostgreSQL schema, its app) are built once on one worker; the folders whose
session-scoped fixtures cost most (the served demo, the Spark session) are one
group each.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

CHEAP_HASHING = Path(__file__).resolve().with_name("cheap_hashing")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHEAP_HASHING), os.environ.get("PYTHONPATH")]))
import tests.cheap_hashing.sitecustomize  # noqa: E402,F401 - before secu.core.security makes its hasher

SHARED_SESSION_FOLDERS = ("tests/web/", "tests/batch/")
"""Folders whose session-scoped fixtures are worth building once: the demo served to Chromium, the Spark session."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        module = item.nodeid.split("::")[0]
        group = next((folder for folder in SHARED_SESSION_FOLDERS if module.startswith(folder)), module)
        item.add_marker(pytest.mark.xdist_group(group))

PG_URL = os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - report any reason the server is out of reach
        return str(error).splitlines()[0]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def database_url(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'secu.db'}"
        return
    if os.environ.get("SECU_SKIP_PG") == "1" and not os.environ.get("CI"):
        pytest.skip("SECU_SKIP_PG=1 : tests PostgreSQL ignorés")
    problem = _pg_available()
    if problem:
        pytest.fail(f"PostgreSQL injoignable ({PG_URL}) : {problem}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
