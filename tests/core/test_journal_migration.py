"""Migration 0009 on a journal written before it: an intact chain keeps every hash, a forked one is re-sealed
into one line, numbered 1, 2, 3… with its head."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from secu.core.db import alembic_config, make_engine, session_factory, unit_of_work
from secu.core.security import _row_hash, verify_journal


def _legacy_row(db: sa.Connection, previous: str | None, index: int) -> str:
    moment = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(seconds=index)
    fields = {"horodatage": moment.isoformat(), "utilisateur_id": None, "role": "admin", "action": "lecture",
              "ressource": "personne", "ressource_id": str(index), "personne_id": index, "detail": None}
    digest = _row_hash(previous, fields)
    db.execute(sa.text(
        "INSERT INTO journal_acces (horodatage, utilisateur_id, role, action, ressource, ressource_id, personne_id, "
        "detail, empreinte_precedente, empreinte) VALUES (:h, NULL, 'admin', 'lecture', 'personne', :r, :p, NULL, :prev, :e)"
    ), {"h": moment, "r": str(index), "p": index, "prev": previous, "e": digest})
    return digest


def test_the_migration_numbers_the_rows_and_reseals_a_forked_chain(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    with engine.begin() as db:
        first = _legacy_row(db, None, 1)
        second = _legacy_row(db, first, 2)
        _legacy_row(db, second, 3)
        _legacy_row(db, second, 4)  # a fork: what two racing appends wrote
        _legacy_row(db, second, 5)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with engine.connect() as db:
        rows = db.execute(sa.text("SELECT numero, empreinte_precedente, empreinte FROM journal_acces ORDER BY id")).all()
        head = db.execute(sa.text("SELECT numero, empreinte FROM journal_tete")).one()
    assert [r.numero for r in rows] == [1, 2, 3, 4, 5]
    assert (rows[0].empreinte, rows[1].empreinte) == (first, second)  # the intact part is unchanged
    assert all(row.empreinte_precedente == prior.empreinte for prior, row in zip(rows, rows[1:], strict=False))
    assert tuple(head) == (5, rows[-1].empreinte)
    with unit_of_work(session_factory(engine)) as session:
        assert verify_journal(session).intact
    # and the database still refuses to change the journal (the migration put its trigger back)
    with pytest.raises(sa.exc.DBAPIError, match="ajout seul"), unit_of_work(session_factory(engine)) as session:
        session.execute(sa.text("DELETE FROM journal_acces"))
    engine.dispose()
