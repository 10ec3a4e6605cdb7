"""The use cases of user accounts: create, sign in, sign out, deactivate.

The API's routes, the sign-in page, the ``secu utilisateur`` command, the demo and the tests all
call these functions, so an account is checked the same way whoever creates it, and a password is
throttled the same way wherever it is typed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import cast

from fastapi import Request
from pydantic import ConfigDict, Field
from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from secu.config import settings
from secu.core.db import unit_of_work
from secu.core.entree import Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound, SecuError, Unauthenticated
from secu.core.security import (
    Caller,
    Jeton,
    LimiteConnexion,
    Role,
    Utilisateur,
    hash_password,
    issue_token,
    revoke_token,
    utcnow,
    verify_password,
)
from secu.organismes import get_organisme

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
    # unknown user: same answer, same work, and no query that the database would turn into an error.
    if "\x00" in login or len(login) > LOGIN_MAX:
        return None
    return session.scalar(select(Utilisateur).where(Utilisateur.login == login))


# -- throttling ---------------------------------------------------------------------------------------------
#
# Why a throttle and not a lock-out. OWASP's Authentication Cheat Sheet ("Account Lockout") warns that locking an
# account after N failures lets an attacker lock its owner out, and favours delays growing with the failures; its
# ASVS (v4, 2.2.1) asks anti-automation to defeat brute force AND account-lockout attacks alike. The CNIL's password
# recommendation names "une temporisation d'accès au compte après plusieurs échecs" among the restrictions that
# protect a password. (Read from secondary sources here; ANSSI's 2021 guide on authentication and passwords was not
# checked for its exact wording.) So every attempt is counted under three keys:
#
# - the login AND the source: a few free failures, then a delay doubling with each failure (capped): this is the
#   attacker's own key, and it costs the rightful user nothing, who types from elsewhere;
# - the source alone (many logins tried from one address: password spraying): a higher threshold, same delays;
# - the login alone, over all sources (a distributed guess): a higher threshold, same delays, but a source the
#   account signed in from recently is exempt from it and from the source's key (its own key still applies), so
#   the right password from a known source still works while the account is under attack.
#
# An attempt is counted BEFORE its password is checked, in one short transaction holding the keys' rows locked (in
# a fixed order: no deadlock): parallel guesses cannot all pass the check, at most the free failures are ever
# verified. A success gives back what it was counted. A refused attempt counts nothing (it is not checked).
# Unknown logins are counted exactly like known ones and verified against a dummy hash of the same cost, so
# neither the answer, its status, the 429, nor the work done tells whether an account exists.

KNOWN_SOURCE = timedelta(days=90)  # how long a source that signed in counts as the account's own
FORGET_AFTER = timedelta(days=1)  # failures older than this (past the last delay) are forgotten


def _key(*parts: str) -> str:
    # A hash: a password typed in the login field by mistake is never stored.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _delay(failures: int, threshold: int) -> timedelta:
    if failures < threshold:
        return timedelta(0)
    config = settings()
    seconds = config.login_delay_seconds * 2 ** min(failures - threshold, 20)
    return timedelta(seconds=min(seconds, config.lockout_seconds))


@dataclass
class _Counter:
    cle: str
    threshold: int
    row: LimiteConnexion


def _lock_counter(session: Session, cle: str, threshold: int, now: datetime) -> _Counter:
    table = cast(Table, LimiteConnexion.__table__)
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        dialect_insert(table).values(cle=cle, echecs=0, prochain_essai=now, dernier_succes=None).on_conflict_do_nothing()
    )
    row = session.scalar(select(LimiteConnexion).where(LimiteConnexion.cle == cle).with_for_update())
    assert row is not None  # inserted just above, or already there
    return _Counter(cle, threshold, row)


def _failures(counter: _Counter, now: datetime) -> int:
    if _aware(counter.row.prochain_essai) + FORGET_AFTER < now:
        return 0
    return counter.row.echecs


def _count_attempt(sessions: sessionmaker[Session], login: str, source: str, now: datetime) -> list[str]:
    """Count one attempt under its keys, or refuse it (429) while one of them waits; the keys counted."""
    config = settings()
    with unit_of_work(sessions) as session:
        pair = _lock_counter(session, _key("paire", login, source), config.max_failed_logins, now)
        counters = [pair]
        succes = pair.row.dernier_succes
        if succes is None or _aware(succes) + KNOWN_SOURCE < now:
            counters.append(_lock_counter(session, _key("source", source), config.max_failed_logins_per_source, now))
            counters.append(_lock_counter(session, _key("compte", login), config.max_failed_logins_per_account, now))
        waits = [_aware(c.row.prochain_essai) for c in counters if _failures(c, now) and _aware(c.row.prochain_essai) > now]
        if waits:
            minutes = max(1, int((max(waits) - now).total_seconds() // 60) + 1)
            raise TooManyAttempts(f"trop de tentatives infructueuses : réessayez dans {minutes} minute(s)", field="password")
        for counter in counters:
            failures = _failures(counter, now) + 1
            counter.row.echecs = failures
            counter.row.prochain_essai = now + _delay(failures, counter.threshold)
        return [counter.cle for counter in counters]


PURGE_EVERY = timedelta(hours=1)
_last_purge: datetime | None = None


def _purge_if_due(sessions: sessionmaker[Session], now: datetime) -> None:
    """Delete the counters that no longer say anything (failures forgotten, no recent success): a spray of random
    logins from many addresses must not grow the table for ever. At most once an hour per process."""
    global _last_purge
    if _last_purge is not None and now - _last_purge < PURGE_EVERY:
        return
    _last_purge = now
    with unit_of_work(sessions) as session:
        session.execute(delete(LimiteConnexion).where(
            LimiteConnexion.prochain_essai < now - FORGET_AFTER,
            or_(LimiteConnexion.dernier_succes.is_(None), LimiteConnexion.dernier_succes < now - KNOWN_SOURCE),
        ))


def _give_back(session: Session, keys: list[str], now: datetime) -> None:
    """A success: its login and source are known from now on, and what it was counted is given back."""
    config = settings()
    thresholds = [config.max_failed_logins, config.max_failed_logins_per_source, config.max_failed_logins_per_account]
    for index, (cle, threshold) in enumerate(zip(keys, thresholds, strict=False)):
        row = session.scalar(select(LimiteConnexion).where(LimiteConnexion.cle == cle).with_for_update())
        if row is None:
            continue
        if index == 0:  # the login and source: cleared, and known
            row.echecs, row.prochain_essai, row.dernier_succes = 0, now, now
            continue
        row.echecs = max(row.echecs - 1, 0)
        if row.echecs < threshold:
            row.prochain_essai = now


def source_of(request: Request) -> str:
    """The address an HTTP attempt comes from, as the server sees it. Behind a TLS proxy, run the server with the
    proxy's address trusted (uvicorn ``--forwarded-allow-ips``) so this is the client's, not the proxy's; a
    forwarded header is never read here, since anyone can write one."""
    return request.client.host if request.client is not None else "inconnue"


@cache
def _dummy_hash() -> str:
    # What an unknown login's password is checked against: a hash of the same cost as the accounts'.
    return hash_password(secrets.token_urlsafe(24))


def sign_in(sessions: sessionmaker[Session], login: str, password: str, *, source: str = "locale") -> Connexion:
    """Check a password (argon2) and issue a token, throttled per login and source (see above).

    ``source`` is the address the attempt comes from (the HTTP client's; behind a proxy, the one the proxy
    forwards, as the server is told to trust). Unknown, deactivated and known accounts are answered alike."""
    now = utcnow()
    _purge_if_due(sessions, now)
    keys = _count_attempt(sessions, login, source, now)
    with unit_of_work(sessions) as session:
        user = _find(session, login)
        stored = user.password_hash if user is not None else _dummy_hash()
        if not verify_password(stored, password) or user is None or not user.actif:
            raise Unauthenticated("identifiant ou mot de passe incorrect", field="password")
        _give_back(session, keys, now)
        token, expires = issue_token(session, user, hours=settings().token_hours)
        return Connexion(token=token, expire_le=expires, role=Role(user.role))


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
