"""Database plumbing: engine, declarative base, one unit of work per use case.

SQLite by default (a file under SECU_HOME), PostgreSQL by URL. The schema is
owned by Alembic (secu/migrations); `migrate()` brings any database to head.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, MetaData, Table, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _create_private(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600), before SQLite creates it with the umask's mode
    (0644: every account of the machine could read the register). SQLite gives its -wal, -shm and -journal files
    the mode of the database file, so they are private too."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(PermissionError):  # a file an older version created world-readable is closed too
        os.chmod(path, 0o600)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as a Table for Core statements (bulk inserts and updates): ``__table__`` is typed as
    any FromClause."""
    return cast(Table, model.__table__)


def make_engine(url: str, **kwargs: object) -> Engine:
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_begin_before_savepoint(connection, _name):  # type: ignore[no-untyped-def]
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT sent first would start
            # a transaction of its own, and its RELEASE would commit it: what the savepoint wrote would stay even
            # if the unit of work then failed. Open the real transaction first, so RELEASE only ends the savepoint.
            # (pysqlite's lazy BEGIN is kept otherwise: reads before the first write take no write lock.)
            dbapi_connection = connection.connection.dbapi_connection
            if not dbapi_connection.in_transaction:
                dbapi_connection.execute("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: everything is written, or nothing is."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema (idempotent)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def paginate(session: Session, query, *, page: int, taille: int, order_by: tuple) -> tuple[list, int]:  # type: ignore[no-untyped-def,type-arg]
    """One page of a select, and the total count of its rows."""
    from sqlalchemy import func, select

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(*order_by).offset((page - 1) * taille).limit(taille)))
    return rows, total
