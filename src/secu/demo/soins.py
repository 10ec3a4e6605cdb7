"""Feuilles de soins for the demo population, sent through the real intake, then paid.

Each claim goes through :func:`secu.maladie.intake.receive_lot` exactly as a
professional's lot on the API would, so the demo's reimbursements carry the
same liquidation, explanations, counters and ledger entries as real ones.
Deterministic from the seed; dated in the year before the demo's reference
date so that nothing depends on the calendar.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from secu.core.ages import age_le
from secu.core.db import unit_of_work
from secu.core.parameters import parameters
from secu.core.security import SYSTEM, Utilisateur
from secu.maladie import intake
from secu.maladie.models import Fse
from secu.maladie.paiement import run_payments
from secu.maladie.rules import AGE_BANDS
from secu.maladie.tarifs import tarifs
from secu.register.models import AyantDroit, MedecinTraitant, Personne, ProfessionnelSante

# What each profession bills in the demo: (acte, coefficient, base unitaire in euros for items priced one by one).
ACTES = {
    "infirmier": (("AMI", "1", None), ("AMI", "4.1", None), ("AMX", "3.5", None)),
    "masseur-kinesitherapeute": (("AMK", "7.5", None), ("AMS", "9.5", None)),
    # Pharmacy codes of the national nomenclature (SNDS, ER_PHA_F): PH7 65 %, PH4 30 %, PH2 15 %.
    "pharmacien": (("PH7", "1", "7.12"), ("PH4", "1", "3.05"), ("PH2", "1", "2.10")),
    "sage-femme": (("C-SF", "1", None),),
}
SPECIALISTES = {"psychiatrie": "CNPSY", "medecine-generale": "G"}


@dataclass
class SoinsReport:
    feuilles: int = 0
    rejetees: int = 0
    rembourse_cents: int = 0
    paye_cents: int = 0


def _consultation_pediatre(naissance: date, day: date) -> str:
    """The pédiatre's consultation of the patient's age band (the rule's bands: ``secu.maladie.rules.AGE_BANDS``)."""
    age = age_le(naissance, day)
    for acte, (depuis, jusqua) in AGE_BANDS.items():
        if (depuis is None or age >= _age(depuis, day)) and (jusqua is None or age < _age(jusqua, day)):
            return acte
    raise ValueError(f"aucune consultation de pédiatre pour l'âge de {age} ans")


def _age(name: str, day: date) -> int:
    return int(parameters().get(name).at(day).number())


def _act_of(pro: ProfessionnelSante, patient: Personne, day: date, rng: random.Random) -> tuple[str, str, str | None]:
    if pro.profession != "medecin":
        return rng.choice(ACTES[pro.profession])
    if pro.specialite == "pediatrie":
        return _consultation_pediatre(patient.date_naissance, day), "1", None
    return SPECIALISTES.get(pro.specialite or "", "CS"), "1", None


def _claim(number: str, pro: ProfessionnelSante, patient: Personne, day: date, rng: random.Random, parcours: str | None) -> dict[str, object]:
    lines = []
    for _ in range(rng.choice((1, 1, 1, 2, 3)) if pro.profession == "pharmacien" else 1):
        acte, coefficient, unit = _act_of(pro, patient, day, rng)
        quantity = rng.choice((1, 1, 2)) if unit else 1
        if unit:
            montant = Decimal(unit) * quantity
        else:
            tariff = tarifs().at(acte, day).tarif_cents or 0
            base = (Decimal(tariff) * Decimal(coefficient) / 100).quantize(Decimal("0.01"))
            montant = base + (Decimal(rng.choice((5, 10, 20))) if pro.secteur == 2 else 0)  # dépassement d'honoraires
        lines.append({"acte": acte, "coefficient": coefficient, "quantite": quantity, "montant": str(montant),
                      **({"base_unitaire": unit} if unit else {})})
    claim: dict[str, object] = {"numero": number, "nir": patient.nir, "date_soins": day.isoformat(), "lignes": lines,
                                "tiers_payant": pro.profession in ("pharmacien", "infirmier") or rng.random() < 0.3}
    if parcours:
        claim["parcours"] = parcours
    return claim


def seed_claims(sessions: sessionmaker[Session], *, reference: date, seed_value: int = 2026, patients: int = 80) -> SoinsReport:
    """Send a year of claims for some of the population (and all of the demo assuré's family), then pay them."""
    report = SoinsReport()
    for index, (rpps, claim) in enumerate(plan_claims(sessions, reference=reference, seed_value=seed_value, patients=patients)):
        with unit_of_work(sessions) as session:
            _, results = intake.receive_lot(session, SYSTEM, intake.LotIn(numero=f"DEMO-LOT-{index:05d}", professionnel_rpps=rpps, fse=[claim]),
                                            today=reference)
        for result in results:
            report.feuilles += 1
            report.rejetees += result.statut == "rejetee"
            report.rembourse_cents += result.rembourse_cents
    with unit_of_work(sessions) as session:
        caisses = sorted({code for code in session.scalars(select(Fse.organisme_code).where(Fse.statut == "liquidee").distinct()) if code})
    for caisse in caisses:
        report.paye_cents += run_payments(sessions, caisse, reference).total_cents
    return report


def plan_claims(sessions: sessionmaker[Session], *, reference: date, seed_value: int = 2026, patients: int = 80) -> list[tuple[str, dict[str, object]]]:
    """The year of claims :func:`seed_claims` sends, in date order: (the professional's RPPS, the FSE as the API takes it)."""
    rng = random.Random(seed_value)
    with unit_of_work(sessions) as session:
        featured_person_id = session.scalar(select(Utilisateur.personne_id).where(Utilisateur.login == "assure.demo"))
        featured_doctor_id = session.scalar(select(Utilisateur.professionnel_id).where(Utilisateur.login == "docteur.demo"))
        people = list(session.scalars(select(Personne).order_by(Personne.id)))
        pros = list(session.scalars(select(ProfessionnelSante).where(ProfessionnelSante.secteur < 3).order_by(ProfessionnelSante.id)))
        mt = dict(session.execute(select(MedecinTraitant.personne_id, MedecinTraitant.professionnel_id)).all())
        family = {featured_person_id} | set(session.scalars(
            select(AyantDroit.enfant_id).where(AyantDroit.ouvrant_droit_id == featured_person_id))) if featured_person_id else set()
        others = [p for p in people if p.id not in family]
        chosen = [p for p in people if p.id in family] + rng.sample(others, min(patients, len(others)))
        by_departement: dict[str, list[ProfessionnelSante]] = {}
        for pro in pros:
            by_departement.setdefault(pro.departement, []).append(pro)
        doctors = {p.id: p for p in pros}
        plan: list[tuple[ProfessionnelSante, Personne, date, str | None]] = []
        for patient in chosen:
            local = by_departement.get(patient.departement) or pros
            for _ in range(rng.randint(3, 8) if patient.id in family else rng.randint(1, 5)):
                day = reference - timedelta(days=rng.randint(5, 360))
                if patient.date_naissance > day:
                    continue
                traitant = mt.get(patient.id)
                if patient.id in family and featured_doctor_id and rng.random() < 0.5:
                    pro, parcours = doctors[featured_doctor_id], None
                elif traitant in doctors and rng.random() < 0.5:
                    pro, parcours = doctors[traitant], None
                else:
                    pro = rng.choice(local)
                    parcours = rng.choice(("oriente", "oriente", "urgence", "hors_parcours")) if pro.profession == "medecin" else None
                plan.append((pro, patient, day, parcours))
        plan.sort(key=lambda item: item[2])  # claims arrive in date order, as the caps expect
        return [(pro.rpps, _claim(f"DEMO-{index:05d}", pro, patient, day, rng, parcours))
                for index, (pro, patient, day, parcours) in enumerate(plan)]
