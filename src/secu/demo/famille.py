"""Family and autonomy benefits of the demo population, computed and paid by the real runs.

The demo families were declared to their CAF by the population seeder (their
dossiers open on 1 September 2025). Here each CAF pays October and November
2025; then two changes of situation arrive late, as they do in life — one
household's 2023 resources were higher than declared (the AF fall to a lower
tranche: an indu, recovered by deductions), another's lower (a rappel) — and
December's run settles them. Some people aged 60 or more receive the APA of
their département, paid with the CNSA's concours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from secu.core.db import unit_of_work
from secu.core.parameters import parameters
from secu.core.security import SYSTEM
from secu.demo.population import REFERENCE
from secu.famille import paiement, service
from secu.famille.models import DossierAllocataire, RessourceAnnuelle
from secu.famille.schemas import ChangementIn
from secu.register.models import Personne

MOIS_PAYES = (date(2025, 10, 1), date(2025, 11, 1))
MOIS_APRES_CHANGEMENTS = date(2025, 12, 1)


@dataclass
class FamilleReport:
    dossiers: int = 0
    verse_cents: int = 0
    rappels_cents: int = 0
    indus_cents: int = 0
    retenues_cents: int = 0
    apa: int = 0
    apa_cents: int = 0
    concours_cnsa_cents: int = 0


def _cafs(sessions: sessionmaker[Session]) -> list[str]:
    with unit_of_work(sessions) as session:
        return sorted(set(session.scalars(select(DossierAllocataire.organisme_code))))


def _pay(sessions: sessionmaker[Session], month: date, report: FamilleReport) -> None:
    for caf in _cafs(sessions):
        bilan = paiement.run_payments(sessions, caf, month)
        report.verse_cents += bilan.total_cents
        report.rappels_cents += bilan.rappels_cents
        report.indus_cents += bilan.indus_cents
        report.retenues_cents += bilan.retenues_cents


def _late_changes(sessions: sessionmaker[Session], rng: random.Random) -> None:
    """Two revisions of 2023 resources, declared after October and November were paid."""
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(RessourceAnnuelle.dossier_id, RessourceAnnuelle.personne_id, RessourceAnnuelle.montant_cents)
            .where(RessourceAnnuelle.annee == 2023).order_by(RessourceAnnuelle.dossier_id, RessourceAnnuelle.personne_id)
        ).all()
        first_of_dossier: dict[int, tuple[int, int]] = {}
        for dossier_id, personne_id, montant in rows:
            first_of_dossier.setdefault(dossier_id, (personne_id, montant))
        modest = [(d, p, m) for d, (p, m) in first_of_dossier.items() if m < 3_000_000]
        comfortable = [(d, p, m) for d, (p, m) in first_of_dossier.items() if m > 3_000_000]
        revisions = []
        if modest:
            revisions.append((rng.choice(modest), 9_000_000))  # much higher than declared: indu
        if comfortable:
            revisions.append((rng.choice(comfortable), 500_000))  # much lower: rappel
        for (dossier_id, personne_id, _old), cents in revisions:
            service.record_change(
                session, dossier_id,
                ChangementIn(nature="ressources", date=date(2025, 12, 10), personne_id=personne_id, annee=2023,
                             montant=f"{cents // 100}"),
                caller=SYSTEM, today=REFERENCE,
            )


def _apa(sessions: sessionmaker[Session], rng: random.Random, report: FamilleReport) -> None:
    from secu.autonomie import service as autonomie

    debut = date(2025, 11, 1)
    # Old enough for the APA on the first day of the decisions (CASF R232-1: apa.age_minimum years reached).
    age_minimum = int(parameters().get("apa.age_minimum").at(debut).number())
    # The GIRs that open the APA (CASF R232-4: 1 to apa.gir_maximum), the last one three times as often.
    premier, dernier = (int(parameters().get(name).at(debut).number()) for name in ("aggir.gir_minimum", "apa.gir_maximum"))
    girs = (*range(premier, dernier + 1), dernier, dernier)
    with unit_of_work(sessions) as session:
        elders = list(session.scalars(
            select(Personne).where(Personne.date_naissance <= debut.replace(year=debut.year - age_minimum)).order_by(Personne.id)
        ))
        chosen = [p for p in elders if rng.random() < 0.35]
        for personne in chosen:
            gir = rng.choice(girs)
            autonomie.decide(session, SYSTEM, autonomie.DecisionIn(
                personne_id=personne.id, prestation="apa_domicile", gir=gir,
                plan_cents=int(_plafond_apa(gir, debut) * rng.uniform(0.5, 1.0)),
                ressources_cents=rng.choice((90_000, 130_000, 180_000, 260_000, 380_000)),
                couple=False, date_decision=date(2025, 10, 15), date_debut=debut,
            ))
        report.apa = len(chosen)
        departements = sorted({p.departement for p in chosen})
    for departement in departements:
        for month in (date(2025, 11, 1), date(2025, 12, 1)):
            bilan = autonomie.run_payments(sessions, departement, month)
            report.apa_cents += bilan.total_cents
            report.concours_cnsa_cents += bilan.concours_cents


def _plafond_apa(gir: int, on: date) -> int:
    """The plan's ceiling for the GIR, as the rule computes it (CASF R232-10: coefficient × MTP at 1 January)."""
    from secu.autonomie import rules as autonomie_rules

    age = int(parameters().get("apa.age_minimum").at(on).number())  # any eligible age: the ceiling depends on the GIR only
    row = autonomie_rules.apa_domicile(pl.DataFrame(
        {"date": [on], "gir": [gir], "age": [age], "plan_cents": [0], "ressources_cents": [0], "couple": [False]}
    )).row(0, named=True)
    return int(row["plafond_cents"])


def seed_famille(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> FamilleReport:
    rng = random.Random(seed_value * 31 + 5)
    report = FamilleReport()
    with unit_of_work(sessions) as session:
        report.dossiers = len(list(session.scalars(select(DossierAllocataire.id))))
    for month in MOIS_PAYES:
        _pay(sessions, month, report)
    _late_changes(sessions, rng)
    _pay(sessions, MOIS_APRES_CHANGEMENTS, report)
    _apa(sessions, rng, report)
    return report
