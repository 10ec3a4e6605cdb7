"""Who may see or change whose file: the data side of the access policy.

``secu.acces`` decides which portée each profile has (see its table); this module resolves a portée
against the répertoire — is this person the caller, a minor attached to them today, attached to the
caller's caisse, resident in the caller's territory?

| role              | persons it may read                                   | medical detail (ALD) |
|-------------------|-------------------------------------------------------|----------------------|
| assuré            | self, and the minors attached to them today           | own and children's   |
| agent             | persons attached to the agent's organism (any branch) | never                |
| médecin-conseil   | persons residing in the DRSM's territory              | yes                  |
| professionnel     | none; rights only on presenting a carte Vitale number | no                   |
| employeur         | none (own establishments only)                        | no                   |
| analyste          | none: aggregates without name or NIR                  | no                   |
| admin             | everyone (administration)                             | never (secret médical) |

Refusals are journalled too (by the entry point, after the rollback), so an
attempt to browse files shows.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from secu.acces import Permission, Portee, departements_of, portee, refus
from secu.core.errors import Forbidden, NotFound
from secu.core.security import Action, Caller, Ressource, journal
from secu.register.models import AyantDroit, Personne, Rattachement

__all__ = ["departements_of", "may_read", "reaches", "may_write", "read_person", "require_person", "require_person_write"]


def _is_parent_of(session: Session, parent_id: int | None, child_id: int, on: date) -> bool:
    if parent_id is None:
        return False
    return (
        session.scalar(
            select(AyantDroit.id).where(
                AyantDroit.enfant_id == child_id,
                AyantDroit.ouvrant_droit_id == parent_id,
                AyantDroit.date_debut <= on,
                or_(AyantDroit.date_fin.is_(None), AyantDroit.date_fin >= on),
            )
        )
        is not None
    )


def _attached_to(session: Session, personne_id: int, organisme_code: str | None) -> bool:
    return (
        organisme_code is not None
        and session.scalar(
            select(Rattachement.branche).where(
                Rattachement.personne_id == personne_id, Rattachement.organisme_code == organisme_code
            )
        )
        is not None
    )


def _reaches(session: Session, caller: Caller, reach: Portee | None, personne: Personne) -> bool:
    """Whether a portée of the policy reaches this person's file."""
    if reach is Portee.TOUT:
        return True
    if reach is Portee.SA_CAISSE:
        return _attached_to(session, personne.id, caller.organisme_code)
    if reach is Portee.SON_TERRITOIRE:
        return personne.departement in departements_of(caller.organisme_code)
    if reach is Portee.LE_SIEN:
        return personne.id == caller.personne_id or _is_parent_of(session, caller.personne_id, personne.id, date.today())
    return False


def reaches(session: Session, caller: Caller, reach: Portee | None, personne: Personne) -> bool:
    """Whether a portée reaches this person's file (LE_SIEN: the caller and the minors attached to them today)."""
    return _reaches(session, caller, reach, personne)


def may_read(session: Session, caller: Caller, personne: Personne, *, medical: bool = False) -> bool:
    permission = Permission.LIRE_DONNEES_MEDICALES if medical else Permission.LIRE_PERSONNE
    return _reaches(session, caller, portee(caller, permission), personne)


def may_write(session: Session, caller: Caller, personne: Personne, *, allow_self: bool = False) -> bool:
    reach = portee(caller, Permission.GERER_DOSSIER_PERSONNE)
    if reach is None and allow_self:
        reach = portee(caller, Permission.DECLARER_POUR_SOI)
    return _reaches(session, caller, reach, personne)


def _refused(message: str, personne_id: int) -> Forbidden:
    # The caller's transaction rolls back; the entry point journals the refusal
    # in a transaction of its own (see secu.api.errors), so it is never lost.
    return refus(message, personne_id)


def _load(session: Session, personne_id: int, field: str) -> Personne:
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field=field)
    return personne


def require_person(
    session: Session, caller: Caller, personne_id: int, *, medical: bool = False, field: str = "personne_id"
) -> Personne:
    personne = _load(session, personne_id, field)
    if not may_read(session, caller, personne, medical=medical):
        raise _refused(
            "accès refusé : ces données médicales sont couvertes par le secret médical" if medical
            else "accès refusé : ce dossier ne relève pas de votre périmètre",
            personne_id,
        )
    return personne


def require_person_write(
    session: Session, caller: Caller, personne_id: int, *, allow_self: bool = False, field: str = "personne_id"
) -> Personne:
    personne = _load(session, personne_id, field)
    if not may_write(session, caller, personne, allow_self=allow_self):
        raise _refused("action refusée : ce dossier ne relève pas de votre périmètre", personne_id)
    return personne


def read_person(
    session: Session, caller: Caller, personne_id: int, *, what: Ressource | str = Ressource.PERSONNE, medical: bool = False
) -> Personne:
    """Fetch a person the caller may see, and journal the read (``what``: a resource of the journal's vocabulary)."""
    personne = require_person(session, caller, personne_id, medical=medical)
    journal(session, caller, Action.LECTURE, Ressource(what), personne.id, personne_id=personne.id)
    return personne
