"""Two payment runs of one caisse at once (issue 12, defect 1): one pays, the other says so; the file pays what is marked paid.

Each assuré owes a 2 € participation (a feuille under tiers payant) and has three reimbursements to come:
paid once, the 2 € are deducted once (CSS L160-13). The runs are released together by a barrier, each on
its own engine, in small chunks so that they would interleave if nothing kept them apart.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict
from secu.core.paiement import ouvrir
from secu.core.security import SYSTEM
from secu.maladie import paiement
from secu.maladie.models import CampagnePaiement, Fse
from secu.register import schemas, service
from secu.verification import maladie as check_maladie
from secu.verification import sepa_totals
from tests.api.conftest import with_key
from tests.concurrence import race

PERSONNES = 12
CAISSES = ("CPAM-75", "CPAM-13")


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        doctor = service.register_professional(
            s, schemas.ProfessionnelIn(rpps="10003456786", nom="Morel", prenom="Anne", profession="medecin", departement="75",
                                       iban="FR7630004000031234567890143"), caller=SYSTEM)
        number = 0
        for index in range(PERSONNES * len(CAISSES)):
            caisse = CAISSES[index % len(CAISSES)]
            person = service.register_person(s, schemas.PersonneIn(
                nir=with_key(f"18505751150{index:02d}"), nom_naissance=f"Durand{index}", prenoms="Paul", date_naissance=date(1985, 5, 14),
                sexe="1", departement="75", commune="75111", iban="FR7630006000011234567890189"), caller=SYSTEM, today=date(2026, 1, 1))
            # the feuille under tiers payant first (its 2 € are owed), then three reimbursements of 15 €
            for tiers_payant, verse, owed in ((True, 3_000, 200), (False, 1_500, 0), (False, 1_500, 0), (False, 1_500, 0)):
                number += 1
                s.add(Fse(professionnel_id=doctor.id, numero=f"F{number}", empreinte="x", soins_empreinte=f"s{number}", personne_id=person.id,
                          organisme_code=caisse, date_soins=date(2025, 3, 1), tiers_payant=tiers_payant, statut="liquidee",
                          rembourse_cents=verse - owed, verse_cents=verse, a_recuperer_cents=owed))
    engine.dispose()
    return database_url


@pytest.mark.parametrize(("caisse", "crashed_before"), [("CPAM-75", False), ("CPAM-13", True)], ids=["fresh", "resumed"])
def test_two_runs_at_once_pay_once_and_the_file_is_what_is_marked_paid(url, monkeypatch, caisse, crashed_before) -> None:  # type: ignore[no-untyped-def]
    """Two calls at once on a fresh run, and two resumes at once of a run a crash cut off after it opened."""
    monkeypatch.setattr(paiement, "CHUNK", 3)
    if crashed_before:
        engine = make_engine(url)
        ouvrir(session_factory(engine), paiement._campagne(caisse, date(2025, 4, 1)))
        engine.dispose()
    outcomes = race(url, lambda sessions: paiement.run_payments(sessions, caisse, date(2025, 4, 1)))

    bilans = [o for o in outcomes if isinstance(o, paiement.Bilan)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    assert bilans and all(b == bilans[0] for b in bilans)  # the loser, if it came after the end, gets the same run's bilan

    factory = session_factory(engine := make_engine(url))
    with unit_of_work(factory) as s:
        if refused:  # the caller told "déjà en cours" tries again later and gets the same run's bilan
            assert paiement.run_payments(factory, caisse, date(2025, 4, 1)) == bilans[0]
        runs = s.scalars(sa.select(CampagnePaiement).where(CampagnePaiement.organisme_code == caisse)).all()
        per_person = s.execute(sa.select(Fse.personne_id, sa.func.sum(Fse.recupere_cents)).where(Fse.organisme_code == caisse)
                               .group_by(Fse.personne_id)).all()
        unpaid = s.scalar(sa.select(sa.func.count(Fse.id)).where(Fse.paiement_id.is_(None), Fse.organisme_code == caisse))
        violations = check_maladie(s)
    engine.dispose()
    assert len(runs) == 1 and runs[0].statut == "terminee"
    assert unpaid == 0
    assert {recovered for _, recovered in per_person} == {200}  # each participation deducted once
    # every assuré: 3 × 15 € − 2 €; the doctor: 30 € a feuille
    expected = PERSONNES * (4_500 - 200) + PERSONNES * 3_000
    assert sepa_totals(runs[0].fichier_sepa or "") == (PERSONNES + 1, expected) == (runs[0].virements, runs[0].total_cents)
    assert violations == []
