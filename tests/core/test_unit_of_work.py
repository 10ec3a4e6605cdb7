"""A unit of work writes everything or nothing, on SQLite as on PostgreSQL (issue 12, defect 4).

pysqlite opens a transaction only before INSERT/UPDATE/DELETE: a SAVEPOINT sent first (``begin_nested``, used by
the register, the ledger and intake to catch a unique-key race) started a transaction of its own, and its RELEASE
committed it — the person was stored even when the request then failed, the ledger entry with it.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

import secu.organismes  # noqa: F401 - installs the ledger's organism check
from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM
from secu.register import schemas, service
from secu.register.models import Personne


class Boom(Exception):
    pass


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def _count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_failed_registration_leaves_no_person(sessions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The journal row fails after the person's INSERT (inside a savepoint): the person must not stay."""

    def failing_journal(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise Boom

    monkeypatch.setattr(service, "journal", failing_journal)
    before = _count(sessions, Personne)
    with pytest.raises(Boom), unit_of_work(sessions) as s:
        service.register_person(
            s,
            schemas.PersonneIn(nir="185057511500189", nom_naissance="Durand", prenoms="Paul", date_naissance=date(1985, 5, 14),
                               sexe="1", departement="75", commune="75111"),
            caller=SYSTEM, today=date(2026, 1, 5),
        )
    assert _count(sessions, Personne) == before


def test_a_request_failing_after_a_ledger_entry_leaves_no_entry(sessions) -> None:  # type: ignore[no-untyped-def]
    before = (_count(sessions, ledger.Ecriture), _count(sessions, ledger.LigneEcriture))
    entry = ledger.NouvelleEcriture(
        cle_idempotence="uow:1", date_operation=date(2026, 1, 5), libelle="essai",
        lignes=(ledger.Ligne("maladie", "CPAM-75", "charges.x", 100), ledger.Ligne("maladie", "CPAM-75", "dettes.x", -100)),
    )
    with pytest.raises(Boom), unit_of_work(sessions) as s:
        ledger.post(s, entry)
        raise Boom
    assert (_count(sessions, ledger.Ecriture), _count(sessions, ledger.LigneEcriture)) == before
    with unit_of_work(sessions) as s:  # and the key is still free
        assert ledger.post(s, entry).cle_idempotence == "uow:1"
    assert _count(sessions, ledger.Ecriture) == before[0] + 1


def test_a_savepoint_rolled_back_keeps_the_rest_of_the_transaction(sessions) -> None:  # type: ignore[no-untyped-def]
    """The race path itself: a duplicate key inside the savepoint is undone alone, the outer work stays."""
    entry = ledger.NouvelleEcriture(
        cle_idempotence="uow:2", date_operation=date(2026, 1, 5), libelle="essai",
        lignes=(ledger.Ligne("maladie", "CPAM-75", "charges.x", 100), ledger.Ligne("maladie", "CPAM-75", "dettes.x", -100)),
    )
    with unit_of_work(sessions) as s:
        ledger.post(s, entry)
    before = _count(sessions, ledger.Ecriture)
    with unit_of_work(sessions) as s:
        s.add(ledger.Ecriture(cle_idempotence="uow:3", date_operation=date(2026, 1, 5), libelle="x", empreinte="0" * 64))
        s.flush()
        with pytest.raises(sa.exc.IntegrityError), s.begin_nested():
            s.add(ledger.Ecriture(cle_idempotence="uow:2", date_operation=date(2026, 1, 5), libelle="x", empreinte="0" * 64))
            s.flush()
    assert _count(sessions, ledger.Ecriture) == before + 1
