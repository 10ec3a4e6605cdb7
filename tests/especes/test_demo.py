"""The demo's arrêts de travail and their IJ (secu/demo/arrets.py), on both databases.

What `secu demo` seeds after the population, the DSN and the invalidity: the avis (one sent late: an avertissement,
CSS D. 323-2 for R. 321-2; one prolonged), the AT/MP with its sinistre, the congé de maternité (L. 331-3, L. 331-4),
the employer's signalements deposited through the DSN reader, one with subrogation (R. 323-11); the IJ liquidated and
paid once, whatever the re-runs; the invariants `secu verifier` checks hold. tests/test_commands.py runs the same
seeding through the command, on SQLite, and reads it through the API and the pages.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Forbidden
from secu.core.security import Caller, Role, Utilisateur
from secu.demo.arrets import JOUR_DEMO, seed_arrets
from secu.demo.dsn import seed_dsn
from secu.demo.invalidite import LOGIN_INVALIDE, MOIS_PAYES, seed_invalidite
from secu.demo.population import seed
from secu.especes import invalidite, service
from secu.especes.models import ArretTravail, AttestationSalaireRecue, AvisArret, CampagneIJ, PeriodeIJ
from secu.verification import verifier


def test_the_demo_receives_its_arrets_and_pays_their_ij_once(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    try:
        with unit_of_work(sessions) as session:
            seed(session, households=12, seed_value=2026)
        seed_dsn(sessions, seed_value=2026)
        seed_invalidite(sessions, seed_value=2026)  # records the demo's death: the dead are given no arrêt
        report = seed_arrets(sessions, seed_value=2026)
        assert (report.arrets, report.conges_maternite, report.atmp, report.avertissements) == (4, 1, 1, 1)
        assert report.periodes == report.periodes_payees > 0 and report.verse_cents > report.verse_employeur_cents > 0
        with unit_of_work(sessions) as session:
            arrets = session.scalars(sa.select(ArretTravail).order_by(ArretTravail.id)).all()
            assert all(a.statut == "indemnisable" and a.fin >= a.debut for a in arrets)
            assert {a.personne_id for a in arrets}.isdisjoint(session.scalars(sa.text("select id from personne where date_deces is not null")).all())
            assert [a.prolongations for a in arrets if a.risque == "maladie" and not a.subrogation] == [1]
            assert [a.sinistre_reference is not None for a in arrets if a.risque == "atmp"] == [True]
            assert session.scalar(sa.select(sa.func.count()).where(AvisArret.tardif, AvisArret.sanction == "avertissement")) == 1
            assert set(session.scalars(sa.select(AttestationSalaireRecue.source))) == {"dsn"}
            paid = session.scalars(sa.select(PeriodeIJ).where(PeriodeIJ.statut == "payee")).all()
            assert sum(p.net_cents for p in paid) == report.verse_cents and all(p.fin <= JOUR_DEMO for p in paid)
            runs = session.scalar(sa.select(sa.func.count()).select_from(CampagneIJ))
            assert verifier(session) == []
            # the demo assuré is the employee the demo follows: their own arrêt, its IJ paid and explained, as they read it
            assure = session.scalar(sa.select(Utilisateur).where(Utilisateur.login == "assure.demo"))
            assert assure is not None and assure.personne_id is not None
            moi = Caller(user_id=assure.id, role=Role.ASSURE, personne_id=assure.personne_id)
            [mien] = service.arrets_of(session, moi, assure.personne_id)
            assert mien["risque"] == "maladie" and [a["sanction"] for a in mien["avis"]] == ["avertissement", "aucune"]
            assert mien["periodes"] and all(p["statut"] == "payee" and p["explication"] for p in mien["periodes"])
            # the demo's invalid person reads their pension and its three monthly payments, each explained
            invalide = session.scalar(sa.select(Utilisateur).where(Utilisateur.login == LOGIN_INVALIDE))
            assert invalide is not None and invalide.personne_id is not None
            lui = Caller(user_id=invalide.id, role=Role.ASSURE, personne_id=invalide.personne_id)
            [pension] = invalidite.pensions_de(session, lui, invalide.personne_id)
            assert pension["categorie"] == 2 and len(pension["versements"]) == len(MOIS_PAYES)
            assert all(v["explication"] and v["montant_cents"] > 0 for v in pension["versements"])
            with pytest.raises(Forbidden):  # and nobody else's
                invalidite.pensions_de(session, lui, assure.personne_id)
        again = seed_arrets(sessions, seed_value=2026)  # the seeding run again: the same answers, nothing paid twice
        assert again == report
        with unit_of_work(sessions) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(PeriodeIJ)) == len(paid)
            assert session.scalar(sa.select(sa.func.count()).select_from(CampagneIJ)) == runs
    finally:
        engine.dispose()
