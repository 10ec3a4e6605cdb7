"""The reads of the répertoire that decide something: whose file, which rows, what the journal keeps.

Routers and pages call these; each checks the access policy (``secu.acces``) and journals what
personal data it shows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, departements_of, exiger, refus
from secu.core.db import paginate
from secu.core.errors import NotFound
from secu.core.identifiers import validate_siret
from secu.core.security import Action, Caller, JournalAcces, Ressource, journal
from secu.register import schemas
from secu.register.access import read_person, require_person
from secu.register.attestation import attestation
from secu.register.models import CarteVitale, Employeur, Etablissement, Foyer, Personne

REFUS_EMPLOYEUR = "accès refusé : cet employeur ne relève pas de votre périmètre"


# -- households --------------------------------------------------------------------------------


def read_household(session: Session, caller: Caller, foyer_id: int) -> Foyer:
    """A household as its allocataire's file allows; every member shown is a read in their own journal."""
    foyer = session.get(Foyer, foyer_id)
    if foyer is None:
        raise NotFound("foyer introuvable", field="foyer_id")
    allocataire = next(m for m in foyer.membres if m.role == "allocataire")
    read_person(session, caller, allocataire.personne_id, what=Ressource.FOYER)
    for membre in foyer.membres:
        if membre.personne_id != allocataire.personne_id:
            journal(session, caller, Action.LECTURE, Ressource.FOYER, foyer.id, personne_id=membre.personne_id)
    return foyer


# -- the rights read on a carte Vitale ----------------------------------------------------------


def rights_on_card(session: Session, caller: Caller, numero: str, on: date) -> schemas.Attestation:
    """What a professional's software reads with the card in the reader (the ADRi's job)."""
    exiger(caller, Permission.LIRE_DROITS_SUR_CARTE_VITALE)
    carte = session.scalar(select(CarteVitale).where(CarteVitale.numero == numero.strip(), CarteVitale.statut == "active"))
    if carte is None:
        raise NotFound("carte Vitale inconnue ou invalidée (perdue, volée ou remplacée)", field="carte_vitale")
    personne = session.get(Personne, carte.personne_id)
    if personne is None:
        raise NotFound("carte Vitale inconnue ou invalidée (perdue, volée ou remplacée)", field="carte_vitale")
    journal(session, caller, Action.LECTURE, Ressource.DROITS_CARTE_VITALE, personne.id, personne_id=personne.id)
    return attestation(session, personne, on)


# -- who read a file ----------------------------------------------------------------------------


def who_read(session: Session, caller: Caller, personne_id: int, *, page: int, taille: int) -> list[dict[str, Any]]:
    """The journal of one file: the assuré sees their own (and their minor children's), the administrator (DPO) anyone's."""
    reach = exiger(caller, Permission.VOIR_QUI_A_LU_UN_DOSSIER)
    if reach is Portee.LE_SIEN and caller.personne_id != personne_id:
        require_person(session, caller, personne_id)  # a parent: the files of the minors attached to them
    rows = list(
        session.scalars(
            select(JournalAcces)
            .where(JournalAcces.personne_id == personne_id)
            .order_by(JournalAcces.id.desc())
            .offset((page - 1) * taille)
            .limit(taille)
        )
    )
    if not rows and reach is Portee.TOUT and session.get(Personne, personne_id) is None:
        raise NotFound("dossier introuvable", field="personne_id")
    # Who read a file is itself part of the file: reading it is journalled too.
    journal(session, caller, Action.LECTURE, Ressource.JOURNAL_ACCES, personne_id, personne_id=personne_id)
    return [
        {"horodatage": r.horodatage, "role": r.role, "action": r.action, "ressource": r.ressource, "utilisateur_id": r.utilisateur_id}
        for r in rows
    ]


# -- employers ----------------------------------------------------------------------------------


def _in_territory(caller: Caller):  # type: ignore[no-untyped-def]
    """The employers with an establishment in the caller's organism's territory."""
    return Employeur.id.in_(select(Etablissement.employeur_id).where(
        Etablissement.departement.in_(departements_of(caller.organisme_code))))


def _may_see_employer(session: Session, caller: Caller, employeur_id: int) -> None:
    reach = exiger(caller, Permission.LIRE_EMPLOYEUR, REFUS_EMPLOYEUR)
    if reach is Portee.LE_SIEN and caller.employeur_id != employeur_id:
        raise refus(REFUS_EMPLOYEUR)
    if reach is Portee.SON_TERRITOIRE and session.scalar(
            select(Employeur.id).where(Employeur.id == employeur_id, _in_territory(caller))) is None:
        raise refus(REFUS_EMPLOYEUR)


def search_employers(session: Session, caller: Caller, *, q: str | None, page: int, taille: int) -> tuple[list[Employeur], int]:
    """By raison sociale or SIREN; an employer finds only itself."""
    query = select(Employeur)
    reach = exiger(caller, Permission.LIRE_EMPLOYEUR, REFUS_EMPLOYEUR)
    if reach is Portee.LE_SIEN:
        query = query.where(Employeur.id == caller.employeur_id)
    elif reach is Portee.SON_TERRITOIRE:
        query = query.where(_in_territory(caller))
    if q:
        term = q.strip().upper()
        query = query.where((Employeur.siren == term.replace(" ", "")) | func.upper(Employeur.raison_sociale).like(f"%{term}%"))
    return paginate(session, query, page=page, taille=taille, order_by=(Employeur.raison_sociale, Employeur.id))


def read_employer(session: Session, caller: Caller, employeur_id: int) -> Employeur:
    _may_see_employer(session, caller, employeur_id)
    employeur = session.get(Employeur, employeur_id)
    if employeur is None:
        raise NotFound("employeur introuvable", field="employeur_id")
    return employeur


def read_establishment(session: Session, caller: Caller, siret: str) -> Etablissement:
    number = validate_siret(siret, field="siret")
    etab = session.scalar(select(Etablissement).where(Etablissement.siret == number))
    if etab is None:
        raise NotFound("établissement introuvable", field="siret")
    _may_see_employer(session, caller, etab.employeur_id)
    return etab
