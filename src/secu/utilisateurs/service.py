"""The use cases of user accounts: create, sign in, sign out, deactivate.

The API's routes, the sign-in page, the ``secu utilisateur`` command, the demo and the tests all
call these functions, so an account is checked the same way whoever creates it, and a password is
throttled the same way wherever it is typed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from secu.config import settings
from secu.core.db import unit_of_work
from secu.core.entree import Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound, SecuError, Unauthenticated
from secu.core.security import (
    Caller,
    Jeton,
    Role,
    Utilisateur,
    hash_password,
    issue_token,
    revoke_token,
    utcnow,
    verify_password,
)
from secu.organismes import get_organisme

FAILURE_DELAY_SECONDS = 0.3  # every failed attempt costs time, so guessing is slow
LOGIN_MAX: int = getattr(Utilisateur.__table__.c.login.type, "length", None) or 80  # the column's length


class TooManyAttempts(SecuError):
    status_code = 429


class UtilisateurIn(Entree):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=3, max_length=80)
    password: str = Field(min_length=12, max_length=200, description="12 caractères au moins")
    role: Role
    nom_affiche: str = Field(max_length=150)
    organisme_code: str | None = Field(default=None, max_length=20)
    personne_id: Identifiant | None = None
    employeur_id: Identifiant | None = None
    professionnel_id: Identifiant | None = None


# What each profile must be attached to, so the access policy can scope it.
REQUIRED_LINK = {
    Role.AGENT: "organisme_code",
    Role.MEDECIN_CONSEIL: "organisme_code",
    Role.ASSURE: "personne_id",
    Role.EMPLOYEUR: "employeur_id",
    Role.PROFESSIONNEL: "professionnel_id",
}


def create_user(session: Session, data: UtilisateurIn) -> Utilisateur:
    """Create an account: its profile's link is required, a médecin-conseil belongs to a DRSM, the login is free."""
    link = REQUIRED_LINK.get(data.role)
    if link and getattr(data, link) is None:
        raise InvalidField(link, f"obligatoire pour le profil {data.role.value}")
    if data.organisme_code is not None:
        organisme = get_organisme(data.organisme_code)
        if data.role is Role.MEDECIN_CONSEIL and organisme.type != "DRSM":
            raise InvalidField("organisme_code", "un médecin-conseil est rattaché à une DRSM")
    if session.scalar(select(Utilisateur.id).where(Utilisateur.login == data.login)) is not None:
        raise Conflict("cet identifiant est déjà pris", field="login")
    user = Utilisateur(
        login=data.login,
        password_hash=hash_password(data.password),
        role=data.role.value,
        nom_affiche=data.nom_affiche,
        organisme_code=data.organisme_code,
        personne_id=data.personne_id,
        employeur_id=data.employeur_id,
        professionnel_id=data.professionnel_id,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class Connexion:
    """A successful sign-in: the bearer token, when it expires, and the profile (where the pages send the user)."""

    token: str
    expire_le: datetime
    role: Role


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _find(session: Session, login: str) -> Utilisateur | None:
    # A login no account can have (a NUL byte, which PostgreSQL refuses in text; longer than the column) is an
    # unknown user: same answer, same delay, and no query that the database would turn into an error.
    if "\x00" in login or len(login) > LOGIN_MAX:
        return None
    return session.scalar(select(Utilisateur).where(Utilisateur.login == login))


def _refuse_if_locked(user: Utilisateur | None, now: datetime) -> None:
    if user is None or user.bloque_jusqu_a is None:
        return
    until = _aware(user.bloque_jusqu_a)
    if until > now:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(f"trop de tentatives infructueuses : réessayez dans {minutes} minute(s)", field="password")


def _count_failure(user: Utilisateur, now: datetime) -> None:
    config = settings()
    user.echecs_connexion += 1
    if user.echecs_connexion >= config.max_failed_logins:
        user.bloque_jusqu_a = now + timedelta(seconds=config.lockout_seconds)
        user.echecs_connexion = 0


def _attempt(session: Session, login: str, password: str, now: datetime) -> Connexion | None:
    user = _find(session, login)
    _refuse_if_locked(user, now)
    if user is None or not user.actif or not verify_password(user.password_hash, password):
        if user is not None:
            _count_failure(user, now)
        return None
    user.echecs_connexion = 0
    user.bloque_jusqu_a = None
    token, expires = issue_token(session, user, hours=settings().token_hours)
    return Connexion(token=token, expire_le=expires, role=Role(user.role))


def sign_in(sessions: sessionmaker[Session], login: str, password: str) -> Connexion:
    """Check a password (argon2) and issue a token; too many failures lock the account for a while.

    The use case owns its transaction: a failed attempt is counted and committed before the refusal,
    which comes after a fixed delay, so guessing is slow whichever way the password is typed.
    """
    with unit_of_work(sessions) as session:
        connexion = _attempt(session, login, password, utcnow())
    if connexion is None:
        time.sleep(FAILURE_DELAY_SECONDS)
        raise Unauthenticated("identifiant ou mot de passe incorrect", field="password")
    return connexion


def sign_out(session: Session, token: str) -> None:
    """Revoke a token: it signs no one in any more (API and pages alike)."""
    revoke_token(session, token)


def deactivate_user(session: Session, user_id: int) -> Utilisateur:
    """Close an account: it can no longer sign in, and every token it holds is revoked at once."""
    user = session.get(Utilisateur, user_id)
    if user is None:
        raise NotFound("compte introuvable", field="utilisateur_id")
    user.actif = False
    session.execute(update(Jeton).where(Jeton.utilisateur_id == user.id, Jeton.revoque.is_(False)).values(revoque=True))
    session.flush()
    return user


def account_of(session: Session, caller: Caller) -> Utilisateur:
    """The signed-in account (``GET /api/auth/moi``)."""
    user = session.get(Utilisateur, caller.user_id)
    if user is None:
        raise NotFound("compte introuvable", field="utilisateur_id")
    return user
