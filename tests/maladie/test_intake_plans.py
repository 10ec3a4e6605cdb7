"""The intake's lookups keep to their indexes in the plan PostgreSQL keeps for a prepared statement.

psycopg prepares a statement on the server after five executions, and PostgreSQL may then use one "generic"
plan for every later value of its parameters. A generic plan cannot prove that a bound ``statut = $2`` is the
partial unique index's ``statut = 'liquidee'``: the look-up of a lot's care fingerprints scanned the whole
``fse`` table, once per lot, a cost that grew with the table (issue 12, throughput). And with an index on
``professionnel_id`` alone beside the unique (professionnel_id, numero), the generic plan of "these numbers of
this professional" read all the professional's claims. Here each statement the intake sends is prepared and
explained with its generic plan (PostgreSQL only: SQLite has no such plans).
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.orm import Session

from secu.core.db import make_engine, migrate, session_factory
from secu.maladie.intake import loading

pytestmark = pytest.mark.pg


def _generic_plans(session: Session, call: Any, mode: str = "force_generic_plan") -> list[str]:
    """Run ``call(session)``; answer the generic plan of each statement it sent (EXPLAIN of it prepared)."""
    sent: list[tuple[str, dict[str, Any]]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append((statement, dict(parameters or {})))

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        call(session)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    plans = []
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(f"SET LOCAL plan_cache_mode = {mode}")
        for statement, parameters in sent:
            number = next(_PLANS)
            names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
            numbered = statement
            for position, name in enumerate(names, start=1):
                numbered = numbered.replace(f"%({name})s", f"${position}")
            types = ", ".join(_type(parameters[name]) for name in names)
            cursor.execute(f"PREPARE plan_{number}({types}) AS {numbered}" if names else f"PREPARE plan_{number} AS {numbered}")
            values = sql.SQL(", ").join(sql.Literal(parameters[name]) for name in names)  # EXECUTE's arguments are not bound
            cursor.execute(sql.SQL("EXPLAIN EXECUTE {}({})").format(sql.Identifier(f"plan_{number}"), values) if names else f"EXPLAIN EXECUTE plan_{number}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
            cursor.execute(f"DEALLOCATE plan_{number}")
    return plans


_PLANS = itertools.count()


def _type(value: object) -> str:
    """The SQL type of a bound value, as the statement's context would infer it."""
    if isinstance(value, list):
        return _type(value[0]) + "[]"
    return {bool: "boolean", int: "bigint", str: "text", date: "date"}[type(value)]


@pytest.fixture(scope="module")
def pg_session(database_url: str):  # type: ignore[no-untyped-def]
    if not database_url.startswith("postgresql"):
        pytest.skip("plans génériques : PostgreSQL seulement")
    engine = make_engine(database_url)
    migrate(engine)
    with session_factory(engine)() as session:
        session.execute(
            sa.text(
                "INSERT INTO professionnel_sante (id, rpps, nom, prenom, profession, secteur, optam, departement) "
                "VALUES (1, '10000000007', 'Banc', 'Pro', 'medecin', 1, false, '75')"
            )
        )
        session.execute(
            sa.text(
                "INSERT INTO fse (professionnel_id, numero, empreinte, soins_empreinte, date_soins, tiers_payant, branche, statut, rembourse_cents, "
                "verse_cents, a_recuperer_cents, recupere_cents, recue_le) SELECT 1, 'F' || g, 'x', 's' || g, DATE '2026-01-02', false, 'maladie', "
                "CASE WHEN g % 10 = 0 THEN 'rejetee' ELSE 'liquidee' END, 0, 0, 0, 0, now() FROM generate_series(1, 5000) g"
            )
        )
        session.execute(sa.text("ANALYZE fse"))
        yield session
        session.rollback()
    engine.dispose()


def test_care_fingerprints_are_looked_up_in_the_partial_unique_index(pg_session: Session) -> None:
    (plan,) = _generic_plans(pg_session, lambda s: loading.liquidated_twins(s, [f"s{n}" for n in range(1, 300)]))
    assert "uq_fse_soins_liquidee" in plan and "Seq Scan on fse" not in plan, plan


def test_a_lots_numbers_are_looked_up_in_the_unique_index_of_the_professionals_numbers(pg_session: Session) -> None:
    plans = _generic_plans(pg_session, lambda s: loading.existing_claims(s, 1, [f"F{n}" for n in range(1, 300)]))
    assert "uq_fse_professionnel_id" in plans[0] and "Seq Scan on fse" not in plans[0], plans[0]
    assert "ix_fse_professionnel_id" not in plans[0]


@pytest.mark.parametrize("mode", ["force_generic_plan", "force_custom_plan"])
def test_the_days_already_borne_are_read_through_the_patients_claims(pg_session: Session, mode: str) -> None:
    (plan,) = _generic_plans(pg_session, lambda s: loading.borne_today(s, 1, {(n, date(2026, 1, 2)) for n in range(1, 300)}), mode)
    # through the index of the patients' claims, not the whole table nor the whole index of the liquidated claims
    assert "ix_fse_personne_id" in plan and "Seq Scan on fse" not in plan and "uq_fse_soins_liquidee" not in plan, plan
