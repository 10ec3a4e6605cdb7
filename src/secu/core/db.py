"""Database plumbing: engine, declarative base, one unit of work per use case.

SQLite by default (a file under SECU_HOME), PostgreSQL by URL. The schema is
owned by Alembic (secu/migrations); `migrate()` brings any database to head.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, Engine, MetaData, Table, any_, bindparam, create_engine, event, insert, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session, sessionmaker

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


def among(session: Session, attribute: ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[object]) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:values)``, one array parameter however many values: a
    lot's hundreds of keys then cost the driver no statement to parse and the server no new plan each time."""
    column = attribute.__clause_element__() if isinstance(attribute, QueryableAttribute) else attribute
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, ids: bool = False) -> list[int]:
    """Insert ``rows`` (all with the same keys) in the session's transaction; with ``ids``, answer their primary
    keys, in the rows' order.

    On PostgreSQL the rows go through one ``COPY … FROM STDIN`` (their keys, if asked, drawn beforehand from the
    table's sequence in one query): no statement of thousands of parameters for the driver to parse and the server
    to plan, the same constraints checked, the same errors (a unique key taken is an IntegrityError, as from an
    INSERT). The Python-side defaults of the columns a row leaves out are filled in, as an INSERT would. Elsewhere,
    one executemany INSERT (with RETURNING for the keys)."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        if ids:
            returning = insert(table).returning(*table.primary_key.columns, sort_by_parameter_order=True)
            return list(session.execute(returning, list(rows)).scalars().all())
        session.execute(insert(table), list(rows))
        return []
    given = list(rows[0])
    filled = [
        column
        for column in table.columns
        if column.name not in given and column.default is not None and not column.primary_key and (column.default.is_scalar or column.default.is_callable)
    ]
    keys: list[int] = []
    if ids:
        (key,) = table.primary_key.columns
        keys = sorted(
            session.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :count)"),
                {"table": table.name, "column": key.name, "count": len(rows)},
            ).scalars()
        )
        given = [key.name, *given]
    defaults = [
        column.default.arg if column.default.is_scalar else column.default.arg(None)  # type: ignore[union-attr]
        for column in filled
    ]
    columns = ", ".join(f'"{name}"' for name in [*given, *(column.name for column in filled)])
    names = given[1:] if ids else given
    driver = session.connection().connection.driver_connection
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
            tail = tuple(defaults)
            if ids:
                for key_value, row in zip(keys, rows, strict=True):
                    copy.write_row((key_value, *values(row), *tail))
            else:
                for row in rows:
                    copy.write_row((*values(row), *tail))
    except Exception as error:
        import psycopg

        if isinstance(error, psycopg.Error):  # as SQLAlchemy wraps the driver's errors (IntegrityError for a key taken…)
            raise DBAPIError.instance(statement, None, error, psycopg.Error) from error
        raise
    return keys


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
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "connect")
    def _lz4_when_available(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # The long texts (a claim line's explanation, some 3 kB of JSON) are compressed when stored: lz4 costs the
        # server a third of the time of the default pglz (measured on the intake's lines). Only where the server
        # was built with it; the values already stored keep their compression, both are read alike.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
            found = cursor.fetchone()
            if found and found[0]:
                cursor.execute("SET default_toast_compression = lz4")
        dbapi_connection.commit()

    return engine


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
