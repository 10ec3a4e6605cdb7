"""Bulk writes and key lists on both databases (secu.core.db.bulk_insert, among): on PostgreSQL a COPY and an
array parameter, elsewhere executemany and IN; the same rows, keys, defaults and errors either way."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from secu.core.db import among, bulk_insert, make_engine, migrate, session_factory, table_of, unit_of_work
from secu.core.ledger import Ecriture, LigneEcriture
from secu.core.security import SYSTEM, Action, JournalAcces, Ressource, journal, journal_many, verify_journal


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def _entry(key: str) -> dict[str, object]:
    # a libellé with what a COPY's text format must escape: a tab, a newline, a backslash, and accents
    return {"cle_idempotence": key, "date_operation": date(2025, 1, 2), "libelle": "a\tb\nc\\d — é", "document_source": None, "empreinte": "0" * 64}


def test_keys_in_order_and_the_python_defaults_filled(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        ids = bulk_insert(session, table_of(Ecriture), [_entry(f"bulk:{n}") for n in range(5)], ids=True)
        lines = [
            {
                "ecriture_id": ecriture_id,
                "date_operation": date(2025, 1, 2),
                "branche": "maladie",
                "regime": "general",
                "organisme_code": "CPAM75",
                "compte": "charges.prestations.soins",
                "montant_cents": n,
                "contrepartie": None,
            }
            for n, ecriture_id in enumerate(ids)
        ]
        assert bulk_insert(session, table_of(LigneEcriture), lines) == []
    assert len(ids) == 5 and ids == sorted(ids) and len(set(ids)) == 5
    with unit_of_work(sessions) as session:
        stored = {e.id: e for e in session.scalars(sa.select(Ecriture).where(among(session, Ecriture.id, ids)))}
        amounts = dict(
            session.execute(sa.select(LigneEcriture.ecriture_id, LigneEcriture.montant_cents).where(among(session, LigneEcriture.ecriture_id, ids))).all()
        )
    assert [stored[i].cle_idempotence for i in ids] == [f"bulk:{n}" for n in range(5)]  # each key is its row's
    assert all(stored[i].libelle == "a\tb\nc\\d — é" and stored[i].document_source is None for i in ids)
    assert all(isinstance(stored[i].enregistre_le, datetime) for i in ids)  # the column's Python default, as an INSERT fills it
    assert amounts == {i: n for n, i in enumerate(ids)}


def test_a_key_taken_is_an_integrity_error_and_nothing_of_the_rows_stays(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        bulk_insert(session, table_of(Ecriture), [_entry("bulk:taken")])
    with pytest.raises(IntegrityError), unit_of_work(sessions) as session:
        bulk_insert(session, table_of(Ecriture), [_entry("bulk:new"), _entry("bulk:taken")], ids=True)
    with unit_of_work(sessions) as session:
        keys = set(session.scalars(sa.select(Ecriture.cle_idempotence).where(among(session, Ecriture.cle_idempotence, ["bulk:new", "bulk:taken"]))))
    assert keys == {"bulk:taken"}


def test_among_is_in(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        bulk_insert(session, table_of(Ecriture), [_entry(f"among:{n}") for n in range(3)])
        found = set(session.scalars(sa.select(Ecriture.cle_idempotence).where(among(session, Ecriture.cle_idempotence, {"among:0", "among:2", "among:9"}))))
        none = session.scalars(sa.select(Ecriture.id).where(among(session, Ecriture.cle_idempotence, []))).all()
    assert found == {"among:0", "among:2"} and none == []


def test_journal_many_rows_are_chained_with_the_others(sessions) -> None:  # type: ignore[no-untyped-def]
    """journal_many's rows (columns, written in bulk) and journal's (ORM objects) in one transaction: one chain, in
    the order they were journaled, which the verification finds intact."""
    with unit_of_work(sessions) as session:
        journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 1, personne_id=1)
        journal_many(session, SYSTEM, Action.CREATION, Ressource.FSE, [(10, 1), (11, 2), (12, None)])
        journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 2, personne_id=2)
    with unit_of_work(sessions) as session:
        rows = session.scalars(sa.select(JournalAcces).order_by(JournalAcces.numero)).all()[-5:]
        state = verify_journal(session)
    assert [(r.action, r.ressource_id, r.personne_id) for r in rows] == [
        ("lecture", "1", 1),
        ("creation", "10", 1),
        ("creation", "11", 2),
        ("creation", "12", None),
        ("lecture", "2", 2),
    ]
    assert [r.numero for r in rows] == list(range(rows[0].numero, rows[0].numero + 5))
    assert state.intact, state.anomalies
