"""Users, roles, bearer tokens and the access journal.

Passwords are hashed with argon2id; tokens are random and stored only as their
SHA-256, so a copy of the database lets no one sign in. The access journal
(`journal_acces`) is append-only — the database refuses UPDATE and DELETE —
and each row carries a hash of its content and of the row before it, so a
tampered or removed row shows.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from secu.core.db import Base
from secu.core.errors import Unauthenticated


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    ASSURE = "assure"
    AGENT = "agent"
    MEDECIN_CONSEIL = "medecin_conseil"
    PROFESSIONNEL = "professionnel"
    EMPLOYEUR = "employeur"
    ANALYSTE = "analyste"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.ASSURE: "assuré",
    Role.AGENT: "agent de caisse",
    Role.MEDECIN_CONSEIL: "médecin-conseil",
    Role.PROFESSIONNEL: "professionnel de santé",
    Role.EMPLOYEUR: "employeur",
    Role.ANALYSTE: "analyste",
    Role.ADMIN: "administrateur",
}


class Utilisateur(Base):
    __tablename__ = "utilisateur"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    nom_affiche: Mapped[str] = mapped_column(String(150))
    organisme_code: Mapped[str | None] = mapped_column(String(20))  # agent, médecin-conseil
    personne_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"))  # assuré
    employeur_id: Mapped[int | None] = mapped_column(ForeignKey("employeur.id"))  # employeur
    professionnel_id: Mapped[int | None] = mapped_column(ForeignKey("professionnel_sante.id"))
    actif: Mapped[bool] = mapped_column(Boolean, default=True)
    echecs_connexion: Mapped[int] = mapped_column(Integer, default=0)
    bloque_jusqu_a: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Jeton(Base):
    __tablename__ = "jeton"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    utilisateur_id: Mapped[int] = mapped_column(ForeignKey("utilisateur.id"), index=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expire_le: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoque: Mapped[bool] = mapped_column(Boolean, default=False)


class JournalAcces(Base):
    """Who read or changed whose personal data, what, when — never the data itself."""

    __tablename__ = "journal_acces"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    horodatage: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    utilisateur_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))  # lecture, creation, modification, refus
    ressource: Mapped[str] = mapped_column(String(40))
    ressource_id: Mapped[str | None] = mapped_column(String(40))
    personne_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    empreinte_precedente: Mapped[str | None] = mapped_column(String(64))
    empreinte: Mapped[str] = mapped_column(String(64))


# -- passwords -----------------------------------------------------------------

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- tokens ----------------------------------------------------------------------


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: Utilisateur, *, hours: int) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(hours=hours)
    session.add(Jeton(utilisateur_id=user.id, empreinte=_fingerprint(token), expire_le=expires))
    return token, expires


def user_for_token(session: Session, token: str) -> Utilisateur:
    jeton = session.scalar(select(Jeton).where(Jeton.empreinte == _fingerprint(token)))
    if jeton is None or jeton.revoque:
        raise Unauthenticated("jeton d'accès inconnu ou révoqué ; reconnectez-vous")
    if _aware(jeton.expire_le) <= utcnow():
        raise Unauthenticated("session expirée ; reconnectez-vous")
    user = session.get(Utilisateur, jeton.utilisateur_id)
    if user is None or not user.actif:
        raise Unauthenticated("compte désactivé")
    return user


def revoke_token(session: Session, token: str) -> None:
    jeton = session.scalar(select(Jeton).where(Jeton.empreinte == _fingerprint(token)))
    if jeton is not None:
        jeton.revoque = True


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; we only ever store UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the caller --------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who is asking: what the access policy needs, and nothing more."""

    user_id: int | None
    role: Role
    organisme_code: str | None = None
    personne_id: int | None = None
    employeur_id: int | None = None
    professionnel_id: int | None = None

    @classmethod
    def of(cls, user: Utilisateur) -> Caller:
        return cls(
            user_id=user.id,
            role=Role(user.role),
            organisme_code=user.organisme_code,
            personne_id=user.personne_id,
            employeur_id=user.employeur_id,
            professionnel_id=user.professionnel_id,
        )


SYSTEM = Caller(user_id=None, role=Role.ADMIN)


# -- the access journal ----------------------------------------------------------------


def _row_hash(previous: str | None, fields: dict[str, object]) -> str:
    payload = json.dumps({"precedente": previous, **fields}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class Action(StrEnum):
    """What was done to personal data (the journal's ``action`` column)."""

    LECTURE = "lecture"
    CREATION = "creation"
    MODIFICATION = "modification"
    REFUS = "refus"


class Ressource(StrEnum):
    """What was read or changed (the journal's ``ressource`` column); the values are the stored strings."""

    # the répertoire
    PERSONNE = "personne"
    RECHERCHE_PERSONNE = "personne.recherche"
    ATTESTATION = "attestation"
    AYANT_DROIT = "ayant_droit"
    AYANTS_DROIT = "ayants_droit"
    AFFILIATION = "affiliation"
    AFFILIATIONS = "affiliations"
    CARTE_VITALE = "carte_vitale"
    CARTES_VITALE = "cartes_vitale"
    DROITS_CARTE_VITALE = "droits.carte_vitale"
    MEDECIN_TRAITANT = "medecin_traitant"
    ALD = "ald"
    C2S = "c2s"
    FOYER = "foyer"
    EMPLOYEUR = "employeur"
    ETABLISSEMENT = "etablissement"
    PROFESSIONNEL_SANTE = "professionnel_sante"
    JOURNAL_ACCES = "journal_acces"
    ESPACE_ASSURE = "espace_assure"
    # accounts and the ledger
    UTILISATEUR = "utilisateur"
    ECRITURE = "ecriture"
    FICHIER_SEPA = "fichier_sepa"  # a payment run's file: every payee's name and IBAN
    # maladie
    FSE = "fse"
    RETOUR_AMC = "fse.retour_amc"
    DECOMPTE = "decompte"
    # famille
    DOSSIER_ALLOCATAIRE = "dossier_allocataire"
    DROITS_FAMILLE = "droits_famille"
    PAIEMENTS_FAMILLE = "paiements_famille"
    # recouvrement
    DECLARATION_DSN = "declaration_dsn"
    REMUNERATION = "remuneration"
    REMUNERATIONS = "remunerations"
    # autonomie
    DECISION_AUTONOMIE = "decision_autonomie"
    DECISIONS_AUTONOMIE = "decisions_autonomie"


def journal(
    session: Session,
    caller: Caller,
    action: Action,
    ressource: Ressource,
    ressource_id: object = None,
    *,
    personne_id: int | None = None,
    detail: str | None = None,
) -> JournalAcces:
    """Write one row of the access journal, in the caller's transaction.

    Action and resource come from the vocabulary above (a string outside it is refused), so the
    journal can be searched by what was done to what."""
    return _append(session, caller, Action(action), Ressource(ressource).value, ressource_id, personne_id, detail)


def journal_refus(
    session: Session, caller: Caller, chemin: str, *, personne_id: int | None = None, detail: str | None = None
) -> JournalAcces:
    """Journal a refusal: its resource is the address that was asked for (cut to the column's 40 characters)."""
    return _append(session, caller, Action.REFUS, chemin[:40], personne_id, personne_id, detail)


def _append(
    session: Session,
    caller: Caller,
    action: Action,
    ressource: str,
    ressource_id: object,
    personne_id: int | None,
    detail: str | None,
) -> JournalAcces:
    previous = session.scalar(select(JournalAcces.empreinte).order_by(JournalAcces.id.desc()).limit(1))
    moment = utcnow()
    identifiant = None if ressource_id is None else str(ressource_id)
    fields: dict[str, object] = {
        "horodatage": moment.isoformat(),
        "utilisateur_id": caller.user_id,
        "role": str(caller.role),
        "action": action.value,
        "ressource": ressource,
        "ressource_id": identifiant,
        "personne_id": personne_id,
        "detail": detail,
    }
    row = JournalAcces(
        horodatage=moment,
        utilisateur_id=caller.user_id,
        role=str(caller.role),
        action=action.value,
        ressource=ressource,
        ressource_id=identifiant,
        personne_id=personne_id,
        detail=detail,
        empreinte_precedente=previous,
        empreinte=_row_hash(previous, fields),
    )
    session.add(row)
    session.flush()
    return row


def verify_journal(session: Session) -> list[int]:
    """Ids of rows whose hash no longer matches their content or their predecessor."""
    broken: list[int] = []
    known: set[str] = set()
    for row in session.scalars(select(JournalAcces).order_by(JournalAcces.id)):
        fields: dict[str, object] = {
            "horodatage": _aware(row.horodatage).astimezone(UTC).isoformat(),
            "utilisateur_id": row.utilisateur_id,
            "role": row.role,
            "action": row.action,
            "ressource": row.ressource,
            "ressource_id": row.ressource_id,
            "personne_id": row.personne_id,
            "detail": row.detail,
        }
        if _row_hash(row.empreinte_precedente, fields) != row.empreinte or (
            row.empreinte_precedente is not None and row.empreinte_precedente not in known
        ):
            broken.append(row.id)
        known.add(row.empreinte)
    return broken
