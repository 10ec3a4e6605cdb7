"""Payment runs on both databases: one SEPA file valid against pain.001, nothing paid twice, resumable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sepaxml
import sqlalchemy as sa
import xmlschema

from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM
from secu.maladie import paiement
from secu.maladie.models import CampagnePaiement, Fse
from secu.register import schemas, service
from tests.api.conftest import with_key

PAIN_001 = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        with_iban = service.register_person(
            s,
            schemas.PersonneIn(nir=with_key("1850575115001"), nom_naissance="Durand", prenoms="Paul", date_naissance=date(1985, 5, 14),
                               sexe="1", departement="75", commune="75111", iban="FR7630006000011234567890189"),
            caller=SYSTEM, today=date(2026, 1, 1),
        )
        without_iban = service.register_person(
            s,
            schemas.PersonneIn(nir=with_key("2900375115002"), nom_naissance="Martin", prenoms="Claire", date_naissance=date(1990, 3, 3),
                               sexe="2", departement="75", commune="75111"),
            caller=SYSTEM, today=date(2026, 1, 1),
        )
        doctor = service.register_professional(
            s, schemas.ProfessionnelIn(rpps="10003456786", nom="Morel", prenom="Anne", profession="medecin", departement="75",
                                       iban="FR7630004000031234567890143"),
            caller=SYSTEM,
        )
        # (patient, tiers payant, owed to the payee, participations left for the assuré to pay back)
        # F3 under tiers payant: the doctor gets the AMO's whole 30 €; the 2 € participation is recovered on F1.
        feuilles = [
            (with_iban.id, False, 1_900, 0), (with_iban.id, False, 2_100, 0), (with_iban.id, True, 3_000, 200),
            (with_iban.id, True, 1_050, 0), (without_iban.id, False, 700, 0), (with_iban.id, False, 0, 0),
        ]
        for number, (personne_id, tiers_payant, amount, owed) in enumerate(feuilles, start=1):
            s.add(Fse(professionnel_id=doctor.id, numero=f"F{number}", empreinte="x", soins_empreinte=f"s{number}", personne_id=personne_id,
                      organisme_code="CPAM-75", date_soins=date(2025, 3, number), tiers_payant=tiers_payant, statut="liquidee",
                      rembourse_cents=amount - owed, verse_cents=amount, a_recuperer_cents=owed))
    yield factory
    engine.dispose()


def _paid(factory) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as s:
        rows = s.execute(sa.select(Fse.numero, Fse.paiement_id)).all()
    return {numero: run for numero, run in rows}


def test_an_interrupted_run_resumes_and_nothing_is_paid_twice(sessions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(paiement, "CHUNK", 1)
    calls = {"n": 0}
    original = paiement._claim_chunk

    def crash_after_two(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("coupure")
        return original(*args)

    monkeypatch.setattr(paiement, "_claim_chunk", crash_after_two)
    with pytest.raises(RuntimeError):
        paiement.run_payments(sessions, "CPAM-75", date(2025, 4, 1))
    assert sum(1 for run in _paid(sessions).values() if run) == 2
    monkeypatch.setattr(paiement, "_claim_chunk", original)

    bilan = paiement.run_payments(sessions, "CPAM-75", date(2025, 4, 1))
    paid = _paid(sessions)
    # F5's payee has no IBAN and F6 owes nothing: both wait; the other four are paid, once.
    assert {n for n, run in paid.items() if run} == {"F1", "F2", "F3", "F4"}
    # The 2 € participation of F3 (tiers payant) is deducted from the assuré's next reimbursement (CSS L160-13).
    assert bilan.feuilles == 4 and bilan.total_cents == 1_900 + 2_100 - 200 + 3_000 + 1_050
    assert bilan.virements == 2  # one transfer to the assuré (F1+F2), one to the doctor (F3+F4)

    again = paiement.run_payments(sessions, "CPAM-75", date(2025, 4, 1))
    assert again == bilan
    with unit_of_work(sessions) as s:
        keys = s.scalars(sa.select(ledger.Ecriture.cle_idempotence).where(ledger.Ecriture.cle_idempotence.like("paiement:%"))).all()
        balances = ledger.balances(s, ledger.FiltreSoldes(organisme_code="CPAM-75", compte_prefixe="tresorerie"))
        runs = s.scalar(sa.select(sa.func.count()).select_from(CampagnePaiement))
        owed = ledger.balances(s, ledger.FiltreSoldes(organisme_code="CPAM-75", compte_prefixe="creances"))
        recovered = s.execute(sa.select(Fse.numero, Fse.recupere_cents).where(Fse.recupere_cents > 0)).all()
    assert len(keys) == len(set(keys)) == 4
    assert [b.credit_cents for b in balances] == [7_850]
    assert recovered == [("F1", 200)] and [b.credit_cents for b in owed] == [200]
    assert runs == 1


def test_the_file_is_a_valid_pain_001_with_the_right_sums(sessions) -> None:  # type: ignore[no-untyped-def]
    bilan = paiement.run_payments(sessions, "CPAM-75", date(2025, 4, 1))
    schema = xmlschema.XMLSchema(str(PAIN_001))
    schema.validate(bilan.fichier_sepa)
    document = schema.to_dict(bilan.fichier_sepa)
    header = document["CstmrCdtTrfInitn"]["GrpHdr"]
    assert header["NbOfTxs"] == "2" and str(header["CtrlSum"]) == "78.50"
    amounts = sorted(
        str(tx["Amt"]["InstdAmt"]["$"])
        for batch in document["CstmrCdtTrfInitn"]["PmtInf"]
        for tx in batch["CdtTrfTxInf"]
    )
    assert amounts == ["38.00", "40.50"]
