"""Two monthly runs of one CAF at once (issue 12, defect 1): one pays, the other says so; the file pays what is recorded.

Before, the second call answered "0 dossiers, 0 €" with an empty file while the first was still paying.
Households of two children (AF 151,05 € net a month, see test_paiement.py), paid in chunks of one dossier
so that two runs would interleave if nothing kept them apart.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict
from secu.core.paiement import ouvrir
from secu.core.security import SYSTEM
from secu.famille import paiement, schemas, service
from secu.famille.models import CampagneFamille, PaiementFamille
from secu.register import schemas as rs
from secu.register import service as register
from secu.verification import famille as check_famille
from secu.verification import sepa_totals
from tests.api.conftest import with_key
from tests.concurrence import race

CAF = "CAF-75"
FOYERS = 6
AF2_NET = 15_105


def _person(s, body: str, nom: str, prenom: str, born: date, sexe: str, iban: str | None = None) -> int:  # type: ignore[no-untyped-def]
    return register.register_person(s, rs.PersonneIn(nir=with_key(body), nom_naissance=nom, prenoms=prenom, date_naissance=born, sexe=sexe,
                                                      departement="75", commune="75111", iban=iban), caller=SYSTEM, today=date(2025, 4, 1)).id


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    with unit_of_work(factory) as s:
        for foyer in range(FOYERS):
            parent = _person(s, f"185057511{foyer:02d}01", f"Durand{foyer}", "Paul", date(1985, 5, 14), "1", "FR7630006000011234567890189")
            members = [schemas.MembreDeclare(personne_id=parent, role="allocataire", date_debut=date(2025, 4, 10))]
            for index, born in enumerate((date(2016, 3, 10), date(2018, 7, 1))):
                child = _person(s, f"2{born:%y%m}7511{foyer:02d}0{index + 3}", f"Durand{foyer}", f"Enfant{index}", born, "2")
                members.append(schemas.MembreDeclare(personne_id=child, role="enfant", date_debut=date(2025, 4, 10)))
            service.declare_household(s, schemas.DeclarationIn(
                membres=members, date_debut=date(2025, 4, 10),
                ressources=[schemas.RessourceIn(personne_id=parent, annee=2023, montant=45_000)]), caller=SYSTEM, today=date(2025, 4, 30))
    engine.dispose()
    return database_url


@pytest.mark.parametrize(("mois", "crashed_before"), [(date(2025, 5, 1), False), (date(2025, 6, 1), True)], ids=["fresh", "resumed"])
def test_two_runs_at_once_pay_once_and_the_file_is_what_is_recorded(url, monkeypatch, mois, crashed_before) -> None:  # type: ignore[no-untyped-def]
    """Two calls at once on a fresh month, and two resumes at once of a month a crash cut off after it opened."""
    monkeypatch.setattr(paiement, "CHUNK", 1)
    if crashed_before:
        engine = make_engine(url)
        ouvrir(session_factory(engine), paiement._campagne(CAF, mois, paiement.payment_date(mois)))
        engine.dispose()
    outcomes = race(url, lambda sessions: paiement.run_payments(sessions, CAF, mois))

    bilans = [o for o in outcomes if isinstance(o, paiement.Bilan)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    assert bilans and all(b == bilans[0] for b in bilans)

    engine = make_engine(url)
    factory = session_factory(engine)
    if refused:  # told "déjà en cours", the caller tries again later: the month's result, nothing paid again
        assert paiement.run_payments(factory, CAF, mois) == bilans[0]
    with unit_of_work(factory) as s:
        run = s.scalars(sa.select(CampagneFamille).where(CampagneFamille.mois == mois)).one()
        paid = s.scalars(sa.select(PaiementFamille.vire_cents).where(PaiementFamille.campagne_id == run.id)).all()
        violations = check_famille(s)
    engine.dispose()
    assert run.statut == "terminee" and sorted(paid) == [AF2_NET] * FOYERS
    assert (bilans[0].dossiers, bilans[0].total_cents) == (FOYERS, FOYERS * AF2_NET)
    assert sepa_totals(run.fichier_sepa or "") == (FOYERS, FOYERS * AF2_NET) == (run.virements, run.total_cents)
    assert violations == []
