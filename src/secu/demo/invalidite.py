"""The demo's invalidity pensions and capital décès (issue 13 §5-§6), through the real services.

Among the adults of the demo assuré's CPAM (the territory of the demo médecin-conseil): one invalid person in 2e
catégorie from 2025-09-01 (claim, avis, decision; the salaries of 2014-2023 given by the claim, before secu's
DSN), paid October to December 2025; one claim still waiting in the médecin-conseil's queue; one death on
2025-11-15 (recorded in the register), the spouse's claim of the capital décès, the decision after the priority
month and the payment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ages
from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Caller, Role
from secu.demo.population import DEMO_PASSWORD, REFERENCE, _drsm_of, demo_parent
from secu.especes import deces, invalidite
from secu.especes import paiement_invalidite as paiement
from secu.register import schemas, service
from secu.register.models import Personne, Rattachement

MOIS_PAYES = (date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1))
IBAN_DEMO = "FR7630006000011234567890189"


@dataclass
class InvaliditeReport:
    pensions: int = 0
    en_attente: int = 0
    verse_cents: int = 0
    capital_cents: int = 0
    comptes: dict[str, str] = field(default_factory=dict)


def _adults(session: Session) -> tuple[Personne, list[Personne]]:
    """The demo assuré, and the adults under 59 of the demo médecin-conseil's territory (his DRSM), attached to a CPAM."""
    from secu.organismes import get_organisme

    parent = demo_parent(session)
    territoire = get_organisme(_drsm_of(parent)).departements
    attached = select(Rattachement.personne_id).where(Rattachement.branche == "maladie")
    people = session.scalars(
        select(Personne)
        .where(Personne.departement.in_(territoire), Personne.id.in_(attached), Personne.id != parent.id, Personne.date_deces.is_(None))
        .order_by(Personne.id)
    ).all()
    return parent, [p for p in people if 25 <= ages.age_le(p.date_naissance, REFERENCE) <= 58]


LOGIN_INVALIDE = "invalide.demo"


def _compte_invalide(session: Session, invalide: Personne) -> dict[str, str]:
    """The invalid person's own account: « Mes arrêts et indemnités » shows them their pension and its payments."""
    from secu.core.security import Utilisateur
    from secu.utilisateurs.service import UtilisateurIn, create_user

    if session.scalar(select(Utilisateur.id).where(Utilisateur.login == LOGIN_INVALIDE)) is None:
        create_user(session, UtilisateurIn(login=LOGIN_INVALIDE, password=DEMO_PASSWORD, role=Role.ASSURE,
                                           nom_affiche=f"{invalide.prenoms} {invalide.nom_naissance}", personne_id=invalide.id))  # fmt: skip
    return {LOGIN_INVALIDE: "un assuré en invalidité 2e catégorie : sa pension et ses versements"}


def seed_invalidite(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> InvaliditeReport:
    report, caisse, deces_id = preparer_invalidite(sessions, seed_value=seed_value)
    if caisse is None or deces_id is None:
        return report
    report.capital_cents = sum(d["montant_cents"] for d in deces.payer(sessions, SYSTEM, deces_id, date(2025, 12, 22))["demandes"])
    for month in MOIS_PAYES:
        report.verse_cents += paiement.run_payments(sessions, caisse, month).total_cents
    return report


def preparer_invalidite(sessions: sessionmaker[Session], *, seed_value: int = 2026) -> tuple[InvaliditeReport, str | None, int | None]:
    """The claims, avis and decisions, the death and its claim, nothing paid: (report, the pension's caisse, the
    death's record); (report, None, None) when the territory has too few adults."""
    rng = random.Random(seed_value * 37 + 13)
    report = InvaliditeReport()
    with unit_of_work(sessions) as session:
        parent, adults = _adults(session)
        if len(adults) < 3:
            return report, None, None
        invalide, en_attente, defunt = rng.sample(adults, 3)
        medecin = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=_drsm_of(parent))
        salaires = [invalidite.SalaireAnnuel(annee=a, salaire_cents=rng.randint(1_800_000, 4_000_000)) for a in range(2014, 2024)]
        demande = invalidite.demander(
            session,
            SYSTEM,
            invalidite.DemandeIn(
                personne_id=invalide.id,
                date_demande=date(2025, 6, 2),
                date_arret=date(2024, 9, 2),
                salaires_hors_secu=salaires,
                iban=invalide.iban or IBAN_DEMO,
            ),
        )
        invalidite.donner_avis(session, medecin, demande.id, invalidite.AvisIn(categorie=2, date_effet=date(2025, 9, 1)))
        invalidite.decider(session, SYSTEM, demande.id, invalidite.DecisionIn(decision="accord", date_decision=date(2025, 8, 20)))
        report.pensions = 1
        report.comptes = _compte_invalide(session, invalide)
        invalidite.demander(
            session,
            SYSTEM,
            invalidite.DemandeIn(
                personne_id=en_attente.id,
                date_demande=date(2025, 12, 1),
                date_arret=date(2024, 12, 2),
                iban=en_attente.iban or IBAN_DEMO,
                salaires_hors_secu=[invalidite.SalaireAnnuel(annee=a, salaire_cents=rng.randint(1_800_000, 4_000_000)) for a in range(2016, 2024)],
            ),
        )
        report.en_attente = 1
        caisse = demande.organisme_code
        service.change_person(session, defunt.id, schemas.PersonneChange(date_deces=date(2025, 11, 15)), caller=SYSTEM, today=REFERENCE)
        record = deces.declarer(session, SYSTEM, deces.DecesIn(personne_id=defunt.id, date_deces=date(2025, 11, 15), activite_salariee=date(2025, 10, 31)))
        deces.demander(
            session,
            SYSTEM,
            record.id,
            deces.DemandeCapitalIn(
                nom=defunt.nom_naissance, prenoms="Claire", lien="conjoint", a_charge=False, date_demande=date(2025, 11, 25), iban=IBAN_DEMO
            ),
        )
        deces.decider(session, SYSTEM, record.id, deces.DecisionCapitalIn(date_decision=date(2025, 12, 20)))
        deces_id = record.id
    return report, caisse, deces_id
