"""The demo's arrêts de travail, congé de maternité and their IJ (issue 13), through the real services.

The arrêts of January 2026 of the demo employer's employees (:func:`secu.demo.dsn.plan_arrets`) arrive as they do in
life, each on its day: the congé de maternité declared to the caisse, the prescribers' avis d'arrêt (the featured
employee's initial avis sent late, which earns an avertissement, CSS D. 323-2 for L. 321-2, then its prolongation;
the accident du travail's avis with its sinistre reference, an arrêt long enough for the IJ majorée of its 29th
day), and the employer's attestations de salaire in the demo DSN signalement d'arrêt (nature 04) and de reprise
(05), deposited by the employer through the DSN reader (:func:`secu.recouvrement.dsn.signalement.deposer_signalement`),
one of them with subrogation (R. 323-11). The IJ periods over by JOUR_DEMO are then liquidated, and each caisse's IJ
payment run pays them on that day.

Every step is idempotent (an avis, a congé, an attestation stored once; a period once per arrêt and first day; one
payment run per caisse and date): seeding again answers the same figures and pays nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core.db import unit_of_work
from secu.core.parameters import parameters
from secu.core.security import SYSTEM, Caller, Role, Utilisateur
from secu.demo.dsn import SIGNALEMENT_ARRET, SIGNALEMENT_REPRISE, ArretDemo, plan_arrets
from secu.especes import paiement, service
from secu.especes.models import ArretTravail, AvisArret, PeriodeIJ
from secu.recouvrement.api import RECEVOIR_ATTESTATION
from secu.recouvrement.dsn.signalement import deposer_signalement

JOUR_DEMO = date(2026, 2, 16)
"""The day the demo liquidates the IJ periods over by then and pays them (the arrêts are those of January 2026)."""
DECLARATION_CONGE = date(2025, 12, 15)
"""The day the demo's congé de maternité is declared to the caisse."""
RETARD_JOURS = 2
"""How many days beyond the délai of R. 321-2 the late avis is sent (a choice of the demo)."""


@dataclass
class ArretsReport:
    arrets: int = 0
    conges_maternite: int = 0
    atmp: int = 0
    avertissements: int = 0
    periodes: int = 0
    periodes_payees: int = 0
    verse_cents: int = 0
    verse_employeur_cents: int = 0


def _avis(arret: ArretDemo, siret: str) -> list[service.AvisIn]:
    """The prescriber's avis of one arrêt: the initial one (late when the plan says so), and its prolongation."""
    prescription = arret.dernier_jour_travaille  # seen by the doctor after the last day worked; the arrêt starts the next day
    envoi = prescription
    if arret.envoi_tardif:
        delai = int(parameters().get(service.DELAI).at(prescription).number())
        envoi = prescription + timedelta(days=delai + RETARD_JOURS)
    numero = f"AAT{arret.debut:%Y%m%d}{arret.personne_id:07d}"
    out = [
        service.AvisIn(
            numero=f"{numero}I",
            nature="initial",
            nir=arret.nir,
            risque="atmp" if arret.risque == "atmp" else "maladie",
            date_prescription=prescription,
            date_envoi=envoi,
            date_reception=envoi + timedelta(days=1),
            debut=arret.debut,
            fin=arret.fin_initiale,
            sinistre_reference=f"AT-{siret}-{arret.date_accident:%Y%m%d}" if arret.date_accident else None,
        )
    ]
    if arret.fin > arret.fin_initiale:
        out.append(
            service.AvisIn(
                numero=f"{numero}P",
                nature="prolongation",
                nir=arret.nir,
                risque=out[0].risque,
                date_prescription=arret.fin_initiale,
                date_envoi=arret.fin_initiale,
                date_reception=arret.fin_initiale + timedelta(days=1),
                debut=arret.fin_initiale + timedelta(days=1),
                fin=arret.fin,
                arret_numero=f"{numero}I",
            )
        )
    return out


def _employeur(session: Session) -> Caller:
    """The demo employer's own account: it deposits its signalements as any employer does."""
    user = session.scalar(select(Utilisateur).where(Utilisateur.login == "employeur.demo"))
    assert user is not None
    return Caller(user_id=user.id, role=Role.EMPLOYEUR, employeur_id=user.employeur_id)


def _deposer(session: Session, text: str) -> object:
    """The employer deposits a signalement: the DSN reader hands each attestation to the IJ service."""
    return deposer_signalement(session, text, RECEVOIR_ATTESTATION, caller=_employeur(session))


def recevoir_arrets(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> bool:
    """What the caisse receives of the demo's arrêts, each on its day (avis, congé, the employer's signalements);
    nothing liquidated, nothing paid. False when the demo has no arrêt (no demo employer)."""
    plan = plan_arrets(sessions, seed_value=seed_value)
    if not plan.arrets:
        return False
    # What the caisse receives, in the order it arrives: (day, rank within the day, step).
    steps: list[tuple[date, int, Callable[[Session], object]]] = []
    for arret in plan.arrets:
        if arret.risque == "maternite":
            assert arret.cas_conge is not None
            conge = service.CongeIn(nir=arret.nir, risque="maternite", cas=arret.cas_conge, debut=arret.debut, fin=arret.fin, date_reception=DECLARATION_CONGE)
            steps.append((DECLARATION_CONGE, 0, partial(service.declarer_conge, caller=SYSTEM, conge=conge)))
            continue
        for rank, avis in enumerate(_avis(arret, plan.siret)):
            steps.append((avis.date_reception, rank, partial(service.recevoir_avis, caller=SYSTEM, avis=avis, today=JOUR_DEMO)))
    for day, text in zip((SIGNALEMENT_ARRET, SIGNALEMENT_REPRISE), plan.signalements, strict=False):
        steps.append((day, 2, partial(_deposer, text=text)))
    for _day, _rank, step in sorted(steps, key=lambda s: (s[0], s[1])):
        with unit_of_work(sessions) as session:
            step(session)
    return True


def seed_arrets(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> ArretsReport:
    report = ArretsReport()
    if not recevoir_arrets(sessions, seed_value=seed_value):
        return report
    with unit_of_work(sessions) as session:
        service.liquider_periodes(session, JOUR_DEMO)
        caisses = sorted(set(session.scalars(select(PeriodeIJ.organisme_code))))
    bilans = [paiement.run_payments(sessions, caisse, JOUR_DEMO) for caisse in caisses]
    report.verse_cents = sum(b.total_cents for b in bilans)
    with unit_of_work(sessions) as session:
        counts = dict(session.execute(select(ArretTravail.risque, func.count(ArretTravail.id)).group_by(ArretTravail.risque)).all())
        report.arrets = sum(counts.values())
        report.conges_maternite, report.atmp = counts.get("maternite", 0), counts.get("atmp", 0)
        report.avertissements = session.scalar(select(func.count(AvisArret.id)).where(AvisArret.sanction == "avertissement")) or 0
        report.periodes = session.scalar(select(func.count(PeriodeIJ.id))) or 0
        report.periodes_payees = session.scalar(select(func.count(PeriodeIJ.id)).where(PeriodeIJ.statut == "payee")) or 0
        report.verse_employeur_cents = (
            session.scalar(select(func.sum(PeriodeIJ.net_cents)).where(PeriodeIJ.statut == "payee", PeriodeIJ.beneficiaire == "employeur")) or 0
        )
    return report
