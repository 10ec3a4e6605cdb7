"""The access journal's chain on both databases: appends racing on separate connections never fork it, and
its verification finds a fork, a gap, a deletion (in the middle or at the end) and an edit."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM, Action, JournalAcces, Ressource, flush_journal, journal, verify_journal

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


def _count(sessions) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        return int(session.scalar(sa.text("SELECT count(*) FROM journal_acces")))


def test_what_is_rolled_back_is_not_journaled_and_takes_no_number(sessions) -> None:  # type: ignore[no-untyped-def]
    before = _count(sessions)
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 1, personne_id=1)
        raise RuntimeError("la lecture échoue après son journal")
    with unit_of_work(sessions) as session:
        journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 2, personne_id=2)
        with pytest.raises(RuntimeError), session.begin_nested():
            journal(session, SYSTEM, Action.CREATION, Ressource.FSE, "annulee", personne_id=2)
            raise RuntimeError("une FSE rejetée : son point de sauvegarde est annulé")
        with session.begin_nested():
            journal(session, SYSTEM, Action.CREATION, Ressource.FSE, "gardee", personne_id=2)
    with unit_of_work(sessions) as session:
        assert _count(sessions) == before + 2
        kept = session.execute(sa.text("SELECT ressource_id FROM journal_acces ORDER BY numero DESC LIMIT 2")).scalars().all()
        assert kept == ["gardee", "2"]
        assert verify_journal(session).intact


def test_a_transaction_reads_its_own_journal_rows(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        journal(session, SYSTEM, Action.LECTURE, Ressource.JOURNAL_ACCES, 4242, personne_id=4242)
        rows = session.scalars(sa.select(JournalAcces).where(JournalAcces.personne_id == 4242)).all()
        assert [(r.ressource, r.numero > 0) for r in rows] == [("journal_acces", True)]


def test_the_head_is_the_last_lock_taken_so_it_joins_no_deadlock(sessions) -> None:  # type: ignore[no-untyped-def]
    # Two use cases lock rows in opposite orders around their journal (an intake lot journals each claim between
    # two counters' locks). One waits for the other, as rows make it; the journal's head adds no cycle.
    with unit_of_work(sessions) as session:
        for key in ("verrou-a", "verrou-b"):
            session.execute(sa.text("INSERT INTO limite_connexion (cle, echecs, prochain_essai) VALUES (:k, 0, :t)"),
                            {"k": key, "t": "2026-01-01 00:00:00"})
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def lock(session: Session, key: str) -> None:
        session.execute(sa.text("UPDATE limite_connexion SET echecs = echecs + 1 WHERE cle = :k"), {"k": key})

    def first() -> None:
        try:
            with unit_of_work(sessions) as session:
                lock(session, "verrou-a")
                journal(session, SYSTEM, Action.CREATION, Ressource.FSE, "a", personne_id=1)
                barrier.wait(timeout=30)
                time.sleep(0.2)  # the other holds verrou-b and journals meanwhile
                lock(session, "verrou-b")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    def second() -> None:
        try:
            with unit_of_work(sessions) as session:
                barrier.wait(timeout=30)
                lock(session, "verrou-b")
                journal(session, SYSTEM, Action.CREATION, Ressource.FSE, "b", personne_id=2)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    if sessions.kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite locks the whole database: no row locks, no cycle to make")
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work(sessions) as session:
        assert verify_journal(session).intact


# -- tampering: an attacker with the database's rights lifts the append-only trigger; all inside one transaction
#    rolled back at the end, so each test sees the same intact journal.


def _lift_append_only(session: Session) -> None:
    journal(session, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 0, personne_id=0)
    flush_journal(session)  # a write: it opens the transaction, in which SQLite's DDL is then rolled back too
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
