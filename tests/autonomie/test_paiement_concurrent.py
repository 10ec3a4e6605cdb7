"""Two APA payment runs of one département at once (issue 12, defect 1): one pays, the other says "déjà en cours".

Before, on PostgreSQL each run skipped the decisions the other had locked and closed the month with its own
share only; on SQLite the second failed on the run's unique row. Each decision pays 1 860,49 € (GIR 1,
plan 2 080,33 €, resources 1 500 €: see test_api.py).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from secu.autonomie import service as autonomie
from secu.autonomie.models import CampagneAutonomie, VersementAutonomie
from secu.core.db import make_engine, migrate, session_factory, unit_of_work
from secu.core.errors import Conflict
from secu.core.security import SYSTEM
from secu.register import schemas, service
from secu.verification import autonomie as check_autonomie
from secu.verification import grand_livre as check_grand_livre
from tests.api.conftest import with_key
from tests.concurrence import race

DECISIONS = 8
APA_CENTS = 186_049


@pytest.fixture(scope="module")
def url(database_url):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate(engine)
    with unit_of_work(session_factory(engine)) as s:
        for index in range(DECISIONS):
            person = service.register_person(s, schemas.PersonneIn(
                nir=with_key(f"14005751150{index:02d}"), nom_naissance=f"Bernard{index}", prenoms="Jeanne", date_naissance=date(1940, 5, 14),
                sexe="1", departement="75", commune="75111"), caller=SYSTEM, today=date(2026, 1, 1))
            autonomie.decide(s, SYSTEM, autonomie.DecisionIn(
                personne_id=person.id, prestation="apa_domicile", gir=1, plan_cents=208_033, ressources_cents=150_000,
                date_decision=date(2025, 12, 15), date_debut=date(2026, 1, 1)))
    engine.dispose()
    return database_url


@pytest.mark.parametrize(("mois", "opened_before"), [(date(2026, 1, 1), False), (date(2026, 2, 1), True)], ids=["fresh", "opened"])
def test_two_runs_at_once_pay_each_decision_once_and_the_run_says_what_it_paid(url, mois, opened_before) -> None:  # type: ignore[no-untyped-def]
    """Two calls at once on a new month, and on a month whose run row already exists (a run cut off, an earlier call)."""
    if opened_before:
        engine = make_engine(url)
        autonomie._open_run(session_factory(engine), "75", mois)
        engine.dispose()
    outcomes = race(url, lambda sessions: autonomie.run_payments(sessions, "75", mois))

    bilans = [o for o in outcomes if isinstance(o, autonomie.Bilan)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert all(isinstance(o, Conflict) and "déjà en cours" in o.message for o in refused), refused
    assert len(bilans) >= 1 and sum(b.nouveaux for b in bilans) == DECISIONS

    engine = make_engine(url)
    factory = session_factory(engine)
    again = autonomie.run_payments(factory, "75", mois)  # later: nothing new, the month's totals
    with unit_of_work(factory) as s:
        run = s.scalars(sa.select(CampagneAutonomie).where(CampagneAutonomie.mois == mois)).one()
        paid = s.scalars(sa.select(VersementAutonomie.montant_cents).where(VersementAutonomie.mois == mois)).all()
        violations = check_autonomie(s) + check_grand_livre(s)
    engine.dispose()
    assert again.nouveaux == 0 and (again.versements, again.total_cents) == (DECISIONS, DECISIONS * APA_CENTS)
    assert paid == [APA_CENTS] * DECISIONS and (run.versements, run.total_cents) == (DECISIONS, DECISIONS * APA_CENTS)
    assert violations == []
