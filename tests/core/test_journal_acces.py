"""The access journal's chain on both databases: appends racing on separate connections never fork it, and
its verification finds a fork, a gap, a deletion (in the middle or at the end) and an edit."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM, Action, Ressource, journal, verify_journal

RACERS = 12


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url, pool_size=RACERS, max_overflow=0) if not database_url.startswith("sqlite") else make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def _race(sessions, count: int) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """`count` threads append one row each at the same instant, each on its own connection, and hold their
    transaction open a moment after the append (as a use case does while it finishes its work)."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def append(index: int) -> None:
        try:
            with unit_of_work(sessions) as session:
                session.execute(sa.text("SELECT 1"))
                barrier.wait(timeout=30)
                journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, index, personne_id=index)
                time.sleep(0.05)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=append, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_appends_make_one_chain_numbered_without_gaps(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        before = session.scalar(sa.text("SELECT count(*) FROM journal_acces"))
    assert _race(sessions, RACERS) == []
    with unit_of_work(sessions) as session:
        rows = session.execute(sa.text("SELECT numero, empreinte_precedente, empreinte FROM journal_acces ORDER BY numero")).all()
        assert len(rows) == before + RACERS
        assert [r.numero for r in rows] == list(range(1, len(rows) + 1))
        predecessors = [r.empreinte_precedente for r in rows]
        assert len(set(predecessors)) == len(predecessors), "deux lignes suivent la même ligne : le journal a fourché"
        assert all(row.empreinte_precedente == prior.empreinte for prior, row in zip(rows, rows[1:], strict=False))
        check = verify_journal(session)
        assert check.intact and check.lignes_alterees == [] and check.anomalies == []


# -- tampering: an attacker with the database's rights lifts the append-only trigger; all inside one transaction
#    rolled back at the end, so each test sees the same intact journal.


def _lift_append_only(session: Session) -> None:
    journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 0, personne_id=0)  # opens the transaction (SQLite: DDL is then transactional)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ALTER TABLE journal_acces DISABLE TRIGGER journal_acces_ajout_seul"))
    else:
        session.execute(sa.text("DROP TRIGGER journal_acces_ajout_seul_update"))
        session.execute(sa.text("DROP TRIGGER journal_acces_ajout_seul_delete"))


@pytest.fixture
def tampered(sessions):  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        for index in range(6):
            journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, index, personne_id=index)
    session = sessions()
    try:
        _lift_append_only(session)
        yield session
    finally:
        session.rollback()
        session.close()
    with unit_of_work(sessions) as session:  # the rollback put everything back, the trigger included
        assert verify_journal(session).intact


def _ids(session: Session) -> list[int]:
    return list(session.scalars(sa.text("SELECT id FROM journal_acces ORDER BY numero")))


def test_an_edited_row_is_found(tampered: Session) -> None:
    target = _ids(tampered)[3]
    tampered.execute(sa.text("UPDATE journal_acces SET personne_id = 999 WHERE id = :id"), {"id": target})
    check = verify_journal(tampered)
    assert not check.intact and target in check.lignes_alterees


def test_a_row_deleted_in_the_middle_is_found(tampered: Session) -> None:
    ids = _ids(tampered)
    tampered.execute(sa.text("DELETE FROM journal_acces WHERE id = :id"), {"id": ids[2]})
    check = verify_journal(tampered)
    assert not check.intact and ids[3] in check.lignes_alterees
    assert any("manque" in anomalie for anomalie in check.anomalies), check.anomalies


def test_the_last_rows_deleted_are_found(tampered: Session) -> None:
    ids = _ids(tampered)
    tampered.execute(sa.text("DELETE FROM journal_acces WHERE id IN (:a, :b)"), {"a": ids[-1], "b": ids[-2]})
    check = verify_journal(tampered)
    assert not check.intact
    assert any("dernières lignes" in anomalie for anomalie in check.anomalies), check.anomalies


def test_a_renumbered_deletion_is_found(tampered: Session) -> None:
    # Delete a row and close the gap by renumbering those after it: the chain of hashes still breaks.
    ids = _ids(tampered)
    numero = tampered.scalar(sa.text("SELECT numero FROM journal_acces WHERE id = :id"), {"id": ids[2]})
    tampered.execute(sa.text("DELETE FROM journal_acces WHERE id = :id"), {"id": ids[2]})
    for later in ids[3:]:
        tampered.execute(sa.text("UPDATE journal_acces SET numero = numero - 1 WHERE id = :id"), {"id": later})
    check = verify_journal(tampered)
    assert not check.intact and ids[3] in check.lignes_alterees
    assert numero is not None


def test_a_fork_is_found(tampered: Session) -> None:
    # A second row hanging from the same predecessor as an existing one (what racing appends used to write).
    ids = _ids(tampered)
    row = tampered.execute(sa.text("SELECT * FROM journal_acces WHERE id = :id"), {"id": ids[4]}).mappings().one()
    top = tampered.scalar(sa.text("SELECT max(numero) FROM journal_acces"))
    copy = {k: v for k, v in row.items() if k != "id"} | {"numero": top + 1, "ressource_id": "fourche"}
    columns = ", ".join(copy)
    tampered.execute(sa.text(f"INSERT INTO journal_acces ({columns}) VALUES ({', '.join(':' + k for k in copy)})"), copy)  # noqa: S608
    check = verify_journal(tampered)
    assert not check.intact
    assert any("fourche" in anomalie for anomalie in check.anomalies), check.anomalies
