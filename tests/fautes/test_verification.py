"""``secu verifier`` and secu.verification on both databases: silent on a sound base, and it finds each kind of damage.

A payment run pays two feuilles (25 € and 15 €, the 2 € participation recovered from the second); then the
base is damaged one way after another, and each damage must add the sentence naming it.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from secu.cli import app
from secu.config import settings
from secu.core import ledger
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import SYSTEM
from secu.maladie import paiement
from secu.maladie.models import CampagnePaiement, Fse
from secu.register import schemas, service
from secu.verification import sepa_totals, verifier
from tests.api.conftest import with_key


@pytest.fixture(scope="module")
def sessions(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        person = service.register_person(s, schemas.PersonneIn(
            nir=with_key("1850575115001"), nom_naissance="Durand", prenoms="Paul", date_naissance=date(1985, 5, 14), sexe="1",
            departement="75", commune="75111", iban="FR7630006000011234567890189"), caller=SYSTEM, today=date(2026, 1, 1))
        doctor = service.register_professional(s, schemas.ProfessionnelIn(
            rpps="10003456786", nom="Morel", prenom="Anne", profession="medecin", departement="75"), caller=SYSTEM)
        for number, (verse, owed) in enumerate(((2_500, 200), (1_500, 0)), start=1):
            s.add(Fse(professionnel_id=doctor.id, numero=f"F{number}", empreinte="x", soins_empreinte=f"s{number}", personne_id=person.id,
                      organisme_code="CPAM-75", date_soins=date(2025, 3, number), tiers_payant=False, statut="liquidee",
                      rembourse_cents=verse, verse_cents=verse, a_recuperer_cents=owed))
    bilan = paiement.run_payments(factory, "CPAM-75", date(2025, 4, 1))
    assert bilan.total_cents == 2_500 + 1_500 - 200
    yield factory
    engine.dispose()


def _violations(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as s:
        return verifier(s)


def test_a_sound_base_has_no_violation_and_the_command_says_so(sessions, database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert _violations(sessions) == []
    monkeypatch.setenv("SECU_DATABASE_URL", database_url)
    settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["verifier"])
        assert result.exit_code == 0 and "Aucune anomalie" in result.output
        with unit_of_work(sessions) as s:
            s.execute(sa.update(Fse).where(Fse.numero == "F2").values(verse_cents=1_600))
        damaged = CliRunner().invoke(app, ["verifier"])
        assert damaged.exit_code == 1 and "campagne maladie" in damaged.output
        with unit_of_work(sessions) as s:
            s.execute(sa.update(Fse).where(Fse.numero == "F2").values(verse_cents=1_500))
    finally:
        settings.cache_clear()


def test_each_damage_is_named(sessions) -> None:  # type: ignore[no-untyped-def]
    from secu.core.security import JournalAcces

    with unit_of_work(sessions) as s:  # a feuille marked paid by the run after its file was built
        s.execute(sa.update(Fse).where(Fse.numero == "F2").values(verse_cents=1_600))
    assert any("fichier SEPA 3800 c en 1 virement(s)" in v and "marquées payées 3900 c" in v for v in _violations(sessions))

    with unit_of_work(sessions) as s:  # the participation recovered a second time, the file edited to match
        run = s.scalars(sa.select(CampagnePaiement)).one()
        s.execute(sa.update(Fse).where(Fse.numero == "F2").values(recupere_cents=200))
        run.fichier_sepa = (run.fichier_sepa or "").replace('Ccy="EUR">38.00', 'Ccy="EUR">36.00')
    assert sepa_totals(run.fichier_sepa) == (1, -1)  # the header still announces 38 €, the transactions say 36 €
    assert any("400 c récupérés pour 200 c dus" in v for v in _violations(sessions))

    # The ledger and the journal are append-only (triggers): damage can only be added, by someone bypassing secu.
    with unit_of_work(sessions) as s:  # an entry of one line; a feuille marked paid by the run without its entry
        run_id = s.scalar(sa.select(CampagnePaiement.id))
        entry = ledger.Ecriture(cle_idempotence="ajoutee-a-la-main", date_operation=date(2025, 4, 1), libelle="une ligne", empreinte="x")
        s.add(entry)
        s.flush()
        s.add(ledger.LigneEcriture(ecriture_id=entry.id, date_operation=date(2025, 4, 1), branche="maladie", regime="general",
                                   organisme_code="CPAM-75", compte="tresorerie.virements_emis", montant_cents=1))
        doctor = s.scalar(sa.select(Fse.professionnel_id))
        s.add(Fse(professionnel_id=doctor, numero="F3", empreinte="x", soins_empreinte="s3", organisme_code="CPAM-75", date_soins=date(2025, 3, 3),
                  tiers_payant=False, statut="liquidee", rembourse_cents=0, verse_cents=0, a_recuperer_cents=0, paiement_id=run_id))
    found = _violations(sessions)
    assert any("déséquilibrée de 1 c" in v for v in found)
    assert any("3 feuille(s) marquée(s) payée(s) mais 2 écriture(s)" in v for v in found)

    with unit_of_work(sessions) as s:  # a journal row forged after the last one
        last = s.scalars(sa.select(JournalAcces).order_by(JournalAcces.id.desc())).first()
        assert last is not None
        s.add(JournalAcces(numero=last.numero + 1, role="admin", action="lecture", ressource="personne",
                           empreinte_precedente=last.empreinte, empreinte="0" * 64))
    assert any("journal des accès : chaîne rompue" in v for v in _violations(sessions))
