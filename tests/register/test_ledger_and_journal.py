"""The ledger and the access journal on both databases: balanced, idempotent, append-only."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from secu import organismes  # noqa: F401 - installs the ledger's check of organism codes
from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict, InvalidField
from secu.core.security import SYSTEM, Action, Ressource, _row_hash, flush_journal, journal, journal_refus, verify_journal


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    yield session_factory(engine)
    engine.dispose()


def benefit(key: str, amount: int, day: date = date(2025, 3, 10), organisme: str = "CPAM-75") -> ledger.NouvelleEcriture:
    return ledger.NouvelleEcriture(
        cle_idempotence=key,
        date_operation=day,
        libelle="Remboursement de soins",
        document_source=f"FSE {key}",
        lignes=(
            ledger.Ligne("maladie", organisme, "prestations.soins_de_ville", amount),
            ledger.Ligne("maladie", organisme, "dettes.assures", -amount, contrepartie="assuré"),
        ),
    )


def test_posting_twice_records_once(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        first = ledger.post(s, benefit("fse-1", 2_530))
    with unit_of_work(sessions) as s:
        second = ledger.post(s, benefit("fse-1", 2_530))
        count = s.scalar(sa.select(sa.func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence == "fse-1"))
    assert first.id == second.id and count == 1


def test_same_key_other_content_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        ledger.post(s, benefit("fse-2", 1_000))
    with pytest.raises(Conflict) as error, unit_of_work(sessions) as s:
        ledger.post(s, benefit("fse-2", 1_001))
    assert error.value.field == "cle_idempotence"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ((ledger.Ligne("maladie", "CNAM", "a", 100), ledger.Ligne("maladie", "CNAM", "b", -99)), "lignes"),
        ((ledger.Ligne("sante", "CNAM", "a", 100), ledger.Ligne("maladie", "CNAM", "b", -100)), "lignes[0].branche"),
        ((ledger.Ligne("maladie", "CNAM", "a", 100),), "lignes"),
        ((ledger.Ligne("maladie", "CNAM", "a", 0), ledger.Ligne("maladie", "CNAM", "b", 0)), "lignes[0].montant_cents"),
        ((ledger.Ligne("maladie", "CPAM-99", "a", 100), ledger.Ligne("maladie", "CNAM", "b", -100)), "lignes[0].organisme_code"),
    ],
)
def test_unbalanced_or_malformed_entries_are_refused(sessions, lines, field) -> None:  # type: ignore[no-untyped-def]
    entry = ledger.NouvelleEcriture("bad", date(2025, 1, 1), "x", lines)
    with pytest.raises(InvalidField) as error, unit_of_work(sessions) as s:
        ledger.post(s, entry)
    assert error.value.field == field


def test_balances_per_account_branch_and_organism_over_a_period(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        ledger.post(s, benefit("b-1", 10_000, date(2024, 12, 31), "CPAM-13"))
        ledger.post(s, benefit("b-2", 2_000, date(2025, 1, 15), "CPAM-13"))
        ledger.post(s, benefit("b-3", 500, date(2025, 2, 1), "CPAM-13"))
        ledger.post(s, benefit("b-4", 700, date(2025, 2, 1), "CPAM-69"))
    with unit_of_work(sessions) as s:
        rows = ledger.balances(s, ledger.FiltreSoldes(du=date(2025, 1, 1), au=date(2025, 12, 31), organisme_code="CPAM-13"))
    by_account = {r.compte: (r.debit_cents, r.credit_cents, r.solde_cents) for r in rows}
    assert by_account == {"dettes.assures": (0, 2_500, -2_500), "prestations.soins_de_ville": (2_500, 0, 2_500)}


APPEND_ONLY = ["UPDATE ligne_ecriture SET montant_cents = 1", "DELETE FROM ecriture", "DELETE FROM journal_acces", "UPDATE journal_acces SET action = 'x'"]


@pytest.mark.parametrize("statement", APPEND_ONLY)
def test_ledger_and_journal_are_append_only_in_the_database(sessions, statement) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        ledger.post(s, benefit("ao-1", 100))
        journal(s, SYSTEM, Action.LECTURE, Ressource.PERSONNE, 1, personne_id=1)
    with pytest.raises(DBAPIError, match="ajout seul"), unit_of_work(sessions) as s:
        s.execute(sa.text(statement))


def test_journal_hash_chain_is_intact(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        for index in range(3):
            journal(s, SYSTEM, Action.LECTURE, Ressource.PERSONNE, index, personne_id=index)
    with unit_of_work(sessions) as s:
        assert verify_journal(s).intact


def test_the_journal_vocabulary_stores_todays_strings_and_refuses_others(sessions) -> None:  # type: ignore[no-untyped-def]
    # The enums' values are the strings the journal always held, so old rows and the hash chain are unchanged.
    with unit_of_work(sessions) as s:
        row = journal(s, SYSTEM, Action.LECTURE, Ressource.RETOUR_AMC, 7, personne_id=7)
        refusal = journal_refus(s, SYSTEM, "/api/personnes/7/ald" + "/x" * 30, personne_id=7, detail="refusé")
        flush_journal(s)  # chained and written now rather than at the commit, to look at them
        stored = s.execute(sa.text("SELECT action, ressource FROM journal_acces WHERE id = :id"), {"id": row.id}).one()
        assert tuple(stored) == ("lecture", "fse.retour_amc")
        assert (refusal.action, refusal.ressource, refusal.ressource_id) == ("refus", "/api/personnes/7/ald/x/x/x/x/x/x/x/x/x/x", "7")
        fields = {"horodatage": row.horodatage.isoformat(), "utilisateur_id": None, "role": "admin", "action": "lecture",
                  "ressource": "fse.retour_amc", "ressource_id": "7", "personne_id": 7, "detail": None}
        assert row.empreinte == _row_hash(row.empreinte_precedente, fields)
    with pytest.raises(ValueError), unit_of_work(sessions) as s:
        journal(s, SYSTEM, Action.LECTURE, "dossier_inconnu", 1)  # type: ignore[arg-type]
