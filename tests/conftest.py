"""Shared fixtures: every database test runs on SQLite and on the PostgreSQL server.

PostgreSQL: SECU_TEST_PG_URL (default: postgres@127.0.0.1:5432/test). Each
test module gets a schema of its own, dropped afterwards. Set SECU_SKIP_PG=1
to run on SQLite alone on a machine without the server (never in CI).

Passwords are hashed at argon2id's cheapest cost in the tests and in the
processes they start (``tests/cheap_hashing``); production never sees it.

On several cores (pytest-xdist, ``--dist loadscope`` as ``run.py test`` runs
it), each test module is one unit of work, so its module-scoped fixtures (its
PostgreSQL schema, its app) are built once on one worker; the folders whose
session-scoped fixtures cost most (the served demo, the Spark session) are one
unit each. (``--dist loadgroup`` cannot do this: pytest-xdist 3.8 renames the
node ids through an attribute pytest 9 no longer reads.)
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import settings

CHEAP_HASHING = Path(__file__).resolve().with_name("cheap_hashing")
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHEAP_HASHING), os.environ.get("PYTHONPATH")]))
import tests.cheap_hashing.sitecustomize  # noqa: E402,F401 - before secu.core.security makes its hasher

# Properties are about results, not speed: on a loaded machine (two workers, a CI runner) an example may take a
# second, and Hypothesis's default 200 ms deadline would fail a correct rule. A test may still set its own deadline.
settings.register_profile("secu", deadline=None)
settings.load_profile("secu")

SHARED_SESSION_FOLDERS = ("tests/web/", "tests/batch/")
"""Folders whose session-scoped fixtures are worth building once: the demo served to Chromium, the Spark session."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With ``--dist loadscope``: one unit of work per test module, or per folder of SHARED_SESSION_FOLDERS."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleOrSharedFolder(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]  # a class's tests too: module-scoped fixtures are per module
            return next((folder for folder in SHARED_SESSION_FOLDERS if module.startswith(folder)), module)

    return ModuleOrSharedFolder(config, log)


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
