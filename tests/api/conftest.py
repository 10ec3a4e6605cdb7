"""A small known world on a fresh database, and a signed-in client per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from fastapi.testclient import TestClient

from secu.acces import payeur_autonomie
from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Caller, Role
from secu.organismes import all_organismes, route
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user

PASSWORD = "mot-de-passe-de-test"
TODAY = date.today()



def with_key(body: str) -> str:
    from stdnum.fr import nir

    return body + nir.calc_check_digits(body)


def drsm_for(departement: str) -> str:
    return next(o.code for o in all_organismes() if o.type == "DRSM" and departement in o.departements)


@dataclass
class World:
    client: TestClient
    parent_id: int = 0
    child_id: int = 0
    other_id: int = 0
    doctor_id: int = 0
    nurse_id: int = 0
    employer_id: int = 0
    other_employer_id: int = 0
    siret: str = ""
    other_siret: str = ""
    card: str = ""
    cpam_paris: str = ""
    cpam_marseille: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    def as_(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[login]}"}


def build_world(app) -> World:  # type: ignore[no-untyped-def]
    world = World(client=TestClient(app))
    world.cpam_paris = route("75", "maladie").code
    world.cpam_marseille = route("13", "maladie").code
    with unit_of_work(app.state.sessions) as s:
        parent = service.register_person(
            s,
            schemas.PersonneIn(
                nir=with_key("1850575115001"), nom_naissance="Durand", prenoms="Paul", date_naissance=date(1985, 5, 14),
                sexe="1", departement="75", commune="75111", iban="FR7630006000011234567890189",
            ),
            caller=SYSTEM, today=TODAY,
        )
        child = service.register_person(
            s,
            schemas.PersonneIn(
                nir=with_key("2150675115001"), nom_naissance="Durand", prenoms="Léa", date_naissance=date(2015, 6, 2),
                sexe="2", departement="75", commune="75111",
            ),
            caller=SYSTEM, today=TODAY,
        )
        other = service.register_person(
            s,
            schemas.PersonneIn(
                nir=with_key("2900313055001"), nom_naissance="Martin", prenoms="Claire", date_naissance=date(1990, 3, 3),
                sexe="2", departement="13", commune="13055",
            ),
            caller=SYSTEM, today=TODAY,
        )
        doctor = service.register_professional(
            s,
            schemas.ProfessionnelIn(
                rpps="10003456786", nom="Morel", prenom="Anne", profession="medecin", specialite="medecine-generale",
                departement="75", iban="FR7630004000031234567890143",
            ),
            caller=SYSTEM,
        )
        nurse = service.register_professional(
            s, schemas.ProfessionnelIn(rpps="10004567896", nom="Petit", prenom="Marc", profession="infirmier", departement="75"), caller=SYSTEM
        )
        employer = service.register_employer(
            s,
            schemas.EmployeurIn(
                siren="732829320", raison_sociale="Exemple SA",
                etablissements=[schemas.EtablissementIn(siret="73282932000074", code_naf="62.01Z", effectif=30, departement="75")],
            ),
            caller=SYSTEM,
        )
        other_employer = service.register_employer(
            s,
            schemas.EmployeurIn(
                siren="552100554", raison_sociale="Autre SAS",
                etablissements=[schemas.EtablissementIn(siret="55210055400013", code_naf="29.10Z", effectif=300, departement="13")],
            ),
            caller=SYSTEM,
        )
        service.attach_child(s, parent.id, schemas.AyantDroitIn(enfant_id=child.id, date_debut=date(2015, 6, 2)), caller=SYSTEM, today=TODAY)
        service.open_affiliation(s, parent.id, schemas.AffiliationIn(motif="activite", date_debut=date(2010, 1, 1)), caller=SYSTEM)
        service.open_affiliation(s, other.id, schemas.AffiliationIn(motif="residence", date_debut=date(2012, 1, 1)), caller=SYSTEM)
        card = service.issue_card(s, parent.id, schemas.CarteVitaleIn(date_emission=date(2012, 1, 1)), caller=SYSTEM, today=TODAY)
        declaration = schemas.MedecinTraitantIn(professionnel_id=doctor.id, date_debut=date(2020, 1, 1))
        service.declare_medecin_traitant(s, parent.id, declaration, caller=SYSTEM, today=TODAY)
        mc = Caller(user_id=None, role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("75"))
        service.admit_ald(s, parent.id, schemas.AldIn(code="8", date_debut=date(2021, 1, 1), protocole="PS-1"), caller=mc)
        world.parent_id, world.child_id, world.other_id = parent.id, child.id, other.id
        world.doctor_id, world.nurse_id = doctor.id, nurse.id
        world.employer_id, world.other_employer_id = employer.id, other_employer.id
        world.siret, world.other_siret = "73282932000074", "55210055400013"
        world.card = card.numero
        accounts = {
            "admin": dict(role=Role.ADMIN),
            "agent.paris": dict(role=Role.AGENT, organisme_code=world.cpam_paris),
            "agent.marseille": dict(role=Role.AGENT, organisme_code=world.cpam_marseille),
            # Agents of the other kinds of organism of Paris: its CAF, its URSSAF, its département.
            "agent.caf": dict(role=Role.AGENT, organisme_code=route("75", "famille").code),
            "agent.urssaf": dict(role=Role.AGENT, organisme_code=route("75", "recouvrement").code),
            "agent.cd75": dict(role=Role.AGENT, organisme_code=payeur_autonomie("75")),
            "mc.idf": dict(role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("75")),
            "mc.paca": dict(role=Role.MEDECIN_CONSEIL, organisme_code=drsm_for("13")),
            "assure.parent": dict(role=Role.ASSURE, personne_id=parent.id),
            "assure.other": dict(role=Role.ASSURE, personne_id=other.id),
            "docteur": dict(role=Role.PROFESSIONNEL, professionnel_id=doctor.id),
            "employeur": dict(role=Role.EMPLOYEUR, employeur_id=employer.id),
            "analyste": dict(role=Role.ANALYSTE),
        }
        for login, extra in accounts.items():
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, **extra))
    for login in accounts:
        response = world.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        world.tokens[login] = response.json()["access_token"]
    return world


@pytest.fixture(scope="module")
def app(database_url):  # type: ignore[no-untyped-def]
    application = create_app(database_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def world(app) -> World:  # type: ignore[no-untyped-def]
    return build_world(app)
