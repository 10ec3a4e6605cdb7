"""The demo's retirees (secu/demo/retraite.py), on both databases.

What `secu demo` seeds after the other branches: three retirees (a full career, a décote, the minimum
contributif), a survivor whose spouse's death is recorded, an ASPA beneficiary, a working person; the sign-in
``retraite.demo`` bound to the first retiree. The amounts are the rules'; here they are checked against the texts:
the réversion is 54 % of the late spouse's pension (CSS D. 353-1) under 54 % of the maximum pension (R. 351-29:
27 % of the PASS, 47 100 € in 2025); the ASPA of a person alone is the maximum less the resources (L. 815-9;
12 523,14 € a year for a person alone on 1 January 2026, circulaire Cnav n° 2025-29 du 22 décembre 2025, p. 8).
"""

from __future__ import annotations

import importlib.util

import sqlalchemy as sa

from secu.core import ages
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.security import Utilisateur
from secu.demo import retraite
from secu.demo.population import REFERENCE, seed
from secu.register.models import Personne

HOUSEHOLDS = 120  # `secu demo`'s default: every part of the demo finds its person


def test_the_demo_has_retirees_a_survivor_an_aspa_beneficiary_and_a_worker(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    sessions = session_factory(engine)
    try:
        with unit_of_work(sessions) as session:
            seed(session, households=HOUSEHOLDS, seed_value=2026)
        report = retraite.seed_retraite(sessions, seed_value=2026)
        with unit_of_work(sessions) as session:
            careers = {c.role: c for c in retraite.plan(session, 2026)}
            assert set(careers) == {"retraite.complete", "retraite.decote", "retraite.minimum", "defunt", "survivant", "aspa", "actif"}
            # The retirees left at 64, from 2023 on (secu's parameters), and are not dead.
            for role in ("retraite.complete", "retraite.decote", "retraite.minimum"):
                c = careers[role]
                assert c.date_effet is not None and retraite.PREMIER_EFFET <= c.date_effet <= REFERENCE and c.date_effet.day == 1
                assert ages.age_le(c.personne.date_naissance, c.date_effet) == retraite.AGE_DEPART
            defunt = session.get(Personne, careers["defunt"].personne.id)
            assert defunt is not None and defunt.date_deces == retraite.DECES
            assert ages.age_le(careers["survivant"].personne.date_naissance, retraite.DECES) >= 55  # D. 353-1 (55 years)
            user = session.scalar(sa.select(Utilisateur).where(Utilisateur.login == retraite.COMPTE))
            assert user is not None and user.personne_id == careers["retraite.complete"].personne.id and user.role == "assure"
            actif = session.scalar(sa.select(Utilisateur).where(Utilisateur.login == retraite.COMPTE_ACTIF))
            assert actif is not None and actif.personne_id == careers["actif"].personne.id
        pensions = report.pension_mensuelle_cents
        assert report.retraites == 4 and set(pensions) == {"retraite.complete", "retraite.decote", "retraite.minimum", "defunt", "aspa"}
        # A full career at 85 % of the PASS earns more than a short one at 70 %, itself more than a low-paid one.
        assert pensions["retraite.complete"] > pensions["retraite.decote"] and pensions["retraite.complete"] > pensions["retraite.minimum"]

        computed = retraite.pensions([careers["defunt"]])
        annual = int(computed["pension_annuelle"][0]) - int(computed["majoration_enfants"][0])
        maximum = 4_710_000 * 27 // 100  # 27 % of the PASS 2025, in cents
        assert report.reversion_mensuelle_cents == min((annual * 54 + 50) // 100, maximum) // 12 > 0
        assert report.aspa_mensuelle_cents == (1_252_314 - 12 * pensions["aspa"]) // 12 > 0
        assert report.actif_trimestres >= 100
        # The hooks: the careers imported into the compte de carrière, the claims filed and paid, when those services are installed.
        assert (report.lignes_au_compte > 0) == (importlib.util.find_spec("secu.retraite.import_carriere") is not None)
        assert report.services == (importlib.util.find_spec("secu.retraite.demande") is not None)
        if report.services:
            assert report.verse_cents > 0
        if report.solidarite:
            # The réversion and the ASPA through secu.retraite.survivants: decided at the rules' amounts, paid for every
            # month from the date d'effet to January 2026 (terme échu, arrears with the first run), and their sign-ins.
            from secu.retraite.models_survivants import MontantSolidarite, PrestationSolidarite, VersementSolidarite

            with unit_of_work(sessions) as session:
                for role, nature, login in (("survivant", "reversion", retraite.COMPTE_SURVIVANT), ("aspa", "aspa", retraite.COMPTE_ASPA)):
                    personne = careers[role].personne.id
                    prestation = session.scalar(sa.select(PrestationSolidarite).where(PrestationSolidarite.personne_id == personne,
                                                                                    PrestationSolidarite.nature == nature))
                    assert prestation is not None and prestation.date_effet == careers[role].date_effet
                    months = list(session.scalars(sa.select(VersementSolidarite.mois).where(VersementSolidarite.prestation_id == prestation.id)
                                                  .order_by(VersementSolidarite.mois)))
                    assert months[0] == prestation.date_effet and months[-1] == retraite.MOIS_PAYES[-1] and len(months) == len(set(months))
                    user = session.scalar(sa.select(Utilisateur).where(Utilisateur.login == login))
                    assert user is not None and user.personne_id == personne
                    if nature == "reversion":
                        montant = session.scalar(sa.select(MontantSolidarite.montant_mensuel_cents).where(MontantSolidarite.prestation_id == prestation.id))
                        assert montant == report.reversion_mensuelle_cents  # the same 54 % as above, at the same date d'effet
        if report.lignes_au_compte:
            # The working person's estimate reads the imported career: its three departures, each with a pension.
            from secu.core.security import Caller, Role
            from secu.retraite import estimation

            actif = careers["actif"].personne
            with unit_of_work(sessions) as session:
                estimate = estimation.estimer_compte(session, Caller(user_id=None, role=Role.ASSURE, personne_id=actif.id), actif.id,
                                                     estimation.hypothese_de(None, None), aujourd_hui=REFERENCE)
            assert [s["scenario"] for s in estimate["scenarios"]] == ["age_legal", "taux_plein", "age_67"]
            assert all(s["pension_mensuelle_cents"] > 0 and s["trimestres"] >= report.actif_trimestres for s in estimate["scenarios"])

        again = retraite.seed_retraite(sessions, seed_value=2026)  # the seeding run again: the same answers, nothing twice
        assert again.pension_mensuelle_cents == report.pension_mensuelle_cents and again.reversion_mensuelle_cents == report.reversion_mensuelle_cents
        assert again.lignes_au_compte == report.lignes_au_compte  # the same file: one import
        with unit_of_work(sessions) as session:
            assert session.scalar(sa.select(sa.func.count()).where(Utilisateur.login == retraite.COMPTE)) == 1
            if report.solidarite:
                from secu.retraite.models_survivants import DemandeSolidarite

                assert session.scalar(sa.select(sa.func.count()).select_from(DemandeSolidarite)) == 2  # filed once
    finally:
        engine.dispose()
