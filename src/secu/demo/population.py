"""Seed a register with a small, deterministic, valid population.

Everything goes through the register's use cases, so the demo obeys the same
rules as real input: NIR keys, SIRET and RPPS checksums, IBAN keys, routing.
The same seed gives the same people; the reference date is fixed so the
population does not drift with the calendar.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.fr import nir as std_nir

from secu.core import ages
from secu.core.security import SYSTEM, Caller, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.register.models import Personne

REFERENCE = date(2026, 1, 1)
DEMO_PASSWORD = "demo-secu-2026"

# Where the demo people live: (département, commune INSEE, code postal, weight).
RESIDENCES = (
    ("75", "75056", "75011", 6),
    ("13", "13055", "13001", 3),
    ("69", "69123", "69003", 3),
    ("59", "59350", "59000", 2),
    ("33", "33063", "33000", 2),
    ("2A", "2A004", "20000", 1),
    ("971", "97120", "97110", 1),
    ("974", "97411", "97400", 1),
    ("48", "48095", "48000", 1),
    ("976", "97611", "97600", 1),
)

NOMS = (
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE LEROY ROUX DAVID "
    "BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER "
    "BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY"
).split()
Sexe = Literal["1", "2"]
SEXES: tuple[Sexe, Sexe] = ("1", "2")  # the NIR's first digit; drawn as rng.choice("12") drew them, same population
PRENOMS = {
    "1": "Jean Pierre Louis Lucas Gabriel Léo Hugo Arthur Jules Nathan Paul Thomas Karim Mamadou Théo Antoine".split(),
    "2": "Marie Camille Léa Manon Chloé Emma Inès Jade Louise Alice Sarah Julie Fatima Aminata Claire Anne".split(),
}
SPECIALITES = ("medecine-generale", "pediatrie", "gynecologie", "psychiatrie", "cardiologie", "dermatologie", "ophtalmologie")


@dataclass
class DemoReport:
    personnes: int = 0
    enfants: int = 0
    foyers: int = 0
    employeurs: int = 0
    professionnels: int = 0
    ald: int = 0
    c2s: int = 0
    allocataires: int = 0
    comptes: dict[str, str] = field(default_factory=dict)


class _Numbers:
    """Valid identifiers, drawn from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def nir(self, sexe: str, born: date, departement: str) -> str:
        def make() -> str:
            if departement in ("971", "972", "973", "974", "976"):
                lieu = departement + f"{self.rng.randint(1, 34):02d}"
            elif departement in ("2A", "2B"):
                lieu = departement + f"{self.rng.randint(1, 366):03d}"
            else:
                lieu = departement + f"{self.rng.randint(1, 400):03d}"
            body = f"{sexe}{born.year % 100:02d}{born.month:02d}{lieu}{self.rng.randint(1, 999):03d}"
            return body + std_nir.calc_check_digits(body)

        return self._unique(make)

    def siren(self) -> str:
        return self._unique(lambda: (lambda b: b + luhn.calc_check_digit(b))(f"{self.rng.randint(10_000_000, 99_999_999)}"))

    def siret(self, siren: str, nic: int) -> str:
        body = f"{siren}{nic:04d}"
        return body + luhn.calc_check_digit(body)

    def rpps(self) -> str:
        return self._unique(lambda: (lambda b: b + luhn.calc_check_digit(b))(f"10{self.rng.randint(10_000_000, 99_999_999)}"))

    def iban(self) -> str:
        bank, branch = self.rng.randint(10000, 99999), self.rng.randint(10000, 99999)
        account = self.rng.randint(10**10, 10**11 - 1)
        rib_key = 97 - ((89 * bank + 15 * branch + 3 * account) % 97)
        bban = f"{bank:05d}{branch:05d}{account:011d}{rib_key:02d}"
        return "FR" + std_iban.calc_check_digits("FR00" + bban) + bban


def _birth(rng: random.Random, age_min: int, age_max: int) -> date:
    return REFERENCE - timedelta(days=rng.randint(age_min * 365 + 10, age_max * 365 - 10))


def _pick_residence(rng: random.Random) -> tuple[str, str, str]:
    departement, commune, postal, _ = rng.choices(RESIDENCES, weights=[r[3] for r in RESIDENCES])[0]
    return departement, commune, postal


def seed(session: Session, *, households: int = 120, seed_value: int = 2026) -> DemoReport:
    """Populate an empty register; refuses to run twice on the same database."""
    if session.scalar(select(func.count()).select_from(Personne)):
        raise RuntimeError("le répertoire n'est pas vide : la population de démonstration n'est créée qu'une fois")
    rng = random.Random(seed_value)
    money = random.Random(seed_value * 7919 + 1)  # resources: a generator of their own, so the people stay the same
    numbers = _Numbers(rng)
    report = DemoReport()
    caller: Caller = SYSTEM

    # Professionals first, so people can declare a médecin traitant.
    doctors: dict[str, list[int]] = {}
    for departement, commune, _postal, weight in RESIDENCES:
        for index in range(2 + weight):
            profession = "medecin" if index < 2 + weight // 2 else rng.choice(("infirmier", "masseur-kinesitherapeute", "pharmacien", "sage-femme"))
            specialite = ("medecine-generale" if index < 2 else rng.choice(SPECIALITES)) if profession == "medecin" else None
            secteur: Literal[1, 2] = 1 if index < 2 or rng.random() < 0.6 else 2
            pro = service.register_professional(
                session,
                schemas.ProfessionnelIn(
                    rpps=numbers.rpps(),
                    nom=rng.choice(NOMS),
                    prenom=rng.choice(PRENOMS[rng.choice("12")]),
                    profession=profession,
                    specialite=specialite,
                    secteur=secteur if profession == "medecin" else 1,
                    optam=profession == "medecin" and secteur == 2 and rng.random() < 0.5,
                    departement=departement,
                    commune=commune,
                    iban=numbers.iban(),
                ),
                caller=caller,
            )
            report.professionnels += 1
            if profession == "medecin" and specialite == "medecine-generale":
                doctors.setdefault(departement, []).append(pro.id)

    # Employers with one to three establishments.
    for _ in range(20):
        departement, commune, _postal = _pick_residence(rng)
        siren = numbers.siren()
        service.register_employer(
            session,
            schemas.EmployeurIn(
                siren=siren,
                raison_sociale=f"{rng.choice(NOMS)} {rng.choice(('ET FILS', 'SERVICES', 'INDUSTRIE', 'CONSEIL', 'BÂTIMENT', 'TRANSPORTS'))}",
                etablissements=[
                    schemas.EtablissementIn(
                        siret=numbers.siret(siren, nic),
                        code_naf=rng.choice(("62.01Z", "41.20A", "47.11D", "56.10A", "86.21Z", "49.41A", "25.62B")),
                        effectif=rng.choice((3, 8, 15, 30, 60, 120, 260)),
                        departement=departement,
                        commune=commune,
                    )
                    for nic in range(1, 2 + rng.randint(0, 2))
                ],
            ),
            caller=caller,
        )
        report.employeurs += 1

    for _ in range(households):
        departement, commune, postal = _pick_residence(rng)
        nom = rng.choice(NOMS)
        adults = []
        couple = rng.random() < 0.6
        first_sex = rng.choice(SEXES)
        other_sex: Sexe = "2" if first_sex == "1" else "1"
        for sexe in ([first_sex, other_sex] if couple else [first_sex]):
            born = _birth(rng, 22, 85)
            personne = service.register_person(
                session,
                schemas.PersonneIn(
                    nir=numbers.nir(sexe, born, departement if rng.random() < 0.7 else rng.choice(("75", "69", "99"))),
                    nom_naissance=nom if sexe == first_sex else rng.choice(NOMS),
                    prenoms=rng.choice(PRENOMS[sexe]),
                    date_naissance=born,
                    sexe=sexe,
                    departement=departement,
                    commune=commune,
                    code_postal=postal,
                    adresse=f"{rng.randint(1, 120)} rue {rng.choice(('de la République', 'Victor Hugo', 'Pasteur', 'des Écoles', 'du Port'))}",
                    iban=numbers.iban(),
                ),
                caller=caller,
                today=REFERENCE,
            )
            adults.append(personne)
            start = max(born + timedelta(days=18 * 365 + 5), date(2016, 1, 1))
            motif: Literal["activite", "residence"] = "activite" if rng.random() < 0.75 else "residence"
            service.open_affiliation(session, personne.id, schemas.AffiliationIn(motif=motif, date_debut=start), caller=caller)
            carte = schemas.CarteVitaleIn(date_emission=max(start, born + timedelta(days=16 * 365 + 5)))
            service.issue_card(session, personne.id, carte, caller=caller, today=REFERENCE)
            if departement in doctors and rng.random() < 0.85:
                medecin = rng.choice(doctors[departement])  # drawn before the date, as always: the same population
                choix = schemas.MedecinTraitantIn(professionnel_id=medecin, date_debut=start + timedelta(days=rng.randint(0, 300)))
                service.declare_medecin_traitant(session, personne.id, choix, caller=caller, today=REFERENCE)
            if rng.random() < 0.18:
                _ald(session, personne, rng, start)
                report.ald += 1
            if rng.random() < 0.08:
                service.open_c2s(session, personne.id, schemas.C2SIn(date_debut=date(2025, 7, 1), date_fin=date(2026, 6, 30)), caller=caller)
                report.c2s += 1
            report.personnes += 1

        youngest_parent_age = min((REFERENCE - a.date_naissance).days // 365 for a in adults)
        children = []
        if youngest_parent_age < 55:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                sexe = rng.choice(SEXES)
                born = _birth(rng, 0, min(17, youngest_parent_age - 19))
                enfant = service.register_person(
                    session,
                    schemas.PersonneIn(
                        nir=numbers.nir(sexe, born, departement),
                        nom_naissance=nom,
                        prenoms=rng.choice(PRENOMS[sexe]),
                        date_naissance=born,
                        sexe=sexe,
                        departement=departement,
                        commune=commune,
                        code_postal=postal,
                    ),
                    caller=caller,
                    today=REFERENCE,
                )
                for parent in adults:
                    service.attach_child(session, parent.id, schemas.AyantDroitIn(enfant_id=enfant.id, date_debut=born), caller=caller, today=REFERENCE)
                if (REFERENCE - born).days >= 12 * 366:
                    service.issue_card(session, enfant.id, schemas.CarteVitaleIn(date_emission=born + timedelta(days=12 * 366)), caller=caller, today=REFERENCE)
                children.append(enfant)
                report.enfants += 1
                report.personnes += 1
        if children:
            # A family is known to its CAF: the household is declared through the branche famille.
            _declare_to_caf(session, adults, children, nom, money)
            report.allocataires += 1
        else:
            membres = [schemas.MembreIn(personne_id=adults[0].id, role="allocataire", date_debut=date(2020, 1, 1))]
            membres += [schemas.MembreIn(personne_id=a.id, role="conjoint", date_debut=date(2020, 1, 1)) for a in adults[1:]]
            service.create_household(session, schemas.FoyerIn(libelle=f"Foyer {nom}", membres=membres), caller=caller, today=REFERENCE)
        report.foyers += 1

    report.comptes = _accounts(session)
    return report


FAMILLE_DEBUT = date(2025, 9, 1)
"""The demo families' dossiers open here: their first rights are those of October 2025 (CSS R552-2)."""


def _declare_to_caf(session: Session, adults: list[Personne], children: list[Personne], nom: str, money: random.Random) -> None:
    from secu.famille import schemas as famille_schemas
    from secu.famille import service as famille_service

    membres = [famille_schemas.MembreDeclare(personne_id=adults[0].id, role="allocataire", date_debut=FAMILLE_DEBUT)]
    membres += [famille_schemas.MembreDeclare(personne_id=a.id, role="conjoint", date_debut=FAMILLE_DEBUT) for a in adults[1:]]
    membres += [
        famille_schemas.MembreDeclare(
            personne_id=c.id, role="enfant", date_debut=max(c.date_naissance, FAMILLE_DEBUT),
            enfant=famille_schemas.EnfantAttributs(garde_alternee=len(adults) == 1 and money.random() < 0.15),
        )
        for c in children
    ]
    # Net catégoriel of each adult for 2023 and 2024 (N-2 of 2025 and 2026): a spread from no income to
    # well above the AF ceilings, so every tranche and the means-tested benefits appear.
    ressources = []
    for adult in adults:
        base = money.choice((0, 9_000, 16_000, 22_000, 28_000, 36_000, 48_000, 65_000))
        for annee in (2023, 2024):
            montant = round(base * (1 + 0.03 * (annee - 2023)) * money.uniform(0.9, 1.1)) if base else 0
            ressources.append(famille_schemas.RessourceIn(personne_id=adult.id, annee=annee, montant=montant))
    famille_service.declare_household(
        session,
        famille_schemas.DeclarationIn(membres=membres, date_debut=FAMILLE_DEBUT, ressources=ressources, libelle=f"Foyer {nom}"),
        caller=SYSTEM, today=REFERENCE,
    )


def _ald(session: Session, personne: Personne, rng: random.Random, start: date) -> None:
    medecin_conseil = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=_drsm_of(personne))
    code = rng.choice(("8", "8", "30", "23", "5", "13", "15", "16", "25", "14"))
    debut = start + timedelta(days=rng.randint(30, 2000))
    service.admit_ald(
        session,
        personne.id,
        schemas.AldIn(code=code, date_debut=min(debut, REFERENCE), protocole=f"PS-{rng.randint(100000, 999999)}"),
        caller=medecin_conseil,
    )


def _drsm_of(personne: Personne) -> str:
    from secu.organismes import all_organismes

    for organisme in all_organismes():
        if organisme.type == "DRSM" and personne.departement in organisme.departements:
            return organisme.code
    raise LookupError(f"aucune DRSM pour le département {personne.departement}")


AGE_ASSURE_DEMO = (25, 55)
"""The demo assuré is the first parent of this age on REFERENCE: of working age, so the demo employer employs them
and they have an arrêt de travail (secu.demo.dsn); a choice of the demo."""


def demo_parent(session: Session) -> Personne:
    """The person behind `assure.demo`: the first parent (by the order children were attached) of working age, else
    the first parent."""
    from secu.register.models import AyantDroit

    parents = list(dict.fromkeys(session.scalars(select(AyantDroit.ouvrant_droit_id).order_by(AyantDroit.id))))
    people = {p.id: p for p in session.scalars(select(Personne).where(Personne.id.in_(parents)))}
    low, high = AGE_ASSURE_DEMO
    actif = next((people[i] for i in parents if low <= ages.age_le(people[i].date_naissance, REFERENCE) <= high), None)
    parent = actif or (people[parents[0]] if parents else None)
    assert parent is not None
    return parent


def _accounts(session: Session) -> dict[str, str]:
    """One account per role, all with the demo password; returns login → what it shows."""
    from secu.acces import payeur_autonomie
    from secu.register.models import Employeur, ProfessionnelSante
    from secu.utilisateurs.service import UtilisateurIn, create_user

    parent = demo_parent(session)
    cpam = route(parent.departement, "maladie", commune=parent.commune).code
    caf = route(parent.departement, "famille", commune=parent.commune).code
    drsm = _drsm_of(parent)
    employeur_id = session.scalar(select(Employeur.id).order_by(Employeur.id).limit(1))
    medecin_id = session.scalar(select(ProfessionnelSante.id).where(ProfessionnelSante.profession == "medecin").order_by(ProfessionnelSante.id).limit(1))
    accounts = [
        UtilisateurIn(login="admin", password=DEMO_PASSWORD, role=Role.ADMIN, nom_affiche="Administrateur"),
        UtilisateurIn(login="agent.demo", password=DEMO_PASSWORD, role=Role.AGENT, nom_affiche="Agent de la caisse", organisme_code=cpam),
        UtilisateurIn(login="agent.caf", password=DEMO_PASSWORD, role=Role.AGENT, nom_affiche="Agent de la CAF", organisme_code=caf),
        UtilisateurIn(login="agent.departement", password=DEMO_PASSWORD, role=Role.AGENT, nom_affiche="Agent du département",
                      organisme_code=payeur_autonomie(parent.departement)),
        UtilisateurIn(login="medecin.conseil", password=DEMO_PASSWORD, role=Role.MEDECIN_CONSEIL, nom_affiche="Médecin-conseil", organisme_code=drsm),
        UtilisateurIn(
            login="assure.demo", password=DEMO_PASSWORD, role=Role.ASSURE, nom_affiche=f"{parent.prenoms} {parent.nom_naissance}", personne_id=parent.id
        ),
        UtilisateurIn(login="employeur.demo", password=DEMO_PASSWORD, role=Role.EMPLOYEUR, nom_affiche="Employeur", employeur_id=employeur_id),
        UtilisateurIn(login="docteur.demo", password=DEMO_PASSWORD, role=Role.PROFESSIONNEL, nom_affiche="Médecin", professionnel_id=medecin_id),
        UtilisateurIn(login="analyste", password=DEMO_PASSWORD, role=Role.ANALYSTE, nom_affiche="Analyste DSS"),
    ]
    for account in accounts:
        create_user(session, account)
    return {
        "admin": "administration (pas de données médicales)",
        "agent.demo": f"agent de l'organisme {cpam}",
        "agent.caf": f"agent de l'organisme {caf} : dossiers allocataires, paiements",
        "agent.departement": f"agent de {payeur_autonomie(parent.departement)} : APA et PCH de ses résidents",
        "medecin.conseil": f"médecin-conseil de {drsm}",
        "assure.demo": "un parent et ses enfants",
        "employeur.demo": "un employeur et ses établissements",
        "docteur.demo": "un médecin (droits sur carte Vitale)",
        "analyste": "agrégats sans nom ni NIR",
    }
