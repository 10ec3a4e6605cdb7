"""Sign in (argon2-checked password → bearer token), sign out, who am I."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select

from secu.api.deps import CallerDep, bearer, transaction
from secu.config import settings
from secu.core.errors import SecuError, Unauthenticated
from secu.core.security import (
    ROLE_LABELS,
    Role,
    Utilisateur,
    issue_token,
    revoke_token,
    verify_password,
)

router = APIRouter(prefix="/auth", tags=["authentification"])

FAILURE_DELAY_SECONDS = 0.3  # every failed attempt costs time, so guessing is slow


class TooManyAttempts(SecuError):
    status_code = 429


class Jeton(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expire_le: datetime
    role: str


class Moi(BaseModel):
    id: int
    login: str
    nom_affiche: str
    role: str
    role_libelle: str
    organisme_code: str | None
    personne_id: int | None
    employeur_id: int | None
    professionnel_id: int | None


LOGIN_MAX = Utilisateur.__table__.c.login.type.length or 80


@router.post("/jeton", response_model=Jeton, summary="Obtenir un jeton d'accès")
def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Jeton:
    config = settings()
    now = datetime.now(UTC)
    with transaction(request) as session:
        # A login no account can have (a NUL byte, which PostgreSQL refuses in text; longer than the column) is an
        # unknown user: same answer, same delay, and no query that the database would turn into an error.
        possible = "\x00" not in form.username and len(form.username) <= LOGIN_MAX
        user = session.scalar(select(Utilisateur).where(Utilisateur.login == form.username)) if possible else None
        if user is not None and user.bloque_jusqu_a is not None:
            until = user.bloque_jusqu_a if user.bloque_jusqu_a.tzinfo else user.bloque_jusqu_a.replace(tzinfo=UTC)
            if until > now:
                minutes = max(1, int((until - now).total_seconds() // 60) + 1)
                raise TooManyAttempts(
                    f"trop de tentatives infructueuses : réessayez dans {minutes} minute(s)", field="password"
                )
        if user is None or not user.actif or not verify_password(user.password_hash, form.password):
            if user is not None:
                user.echecs_connexion += 1
                if user.echecs_connexion >= config.max_failed_logins:
                    user.bloque_jusqu_a = now + timedelta(seconds=config.lockout_seconds)
                    user.echecs_connexion = 0
            failed = True
        else:
            user.echecs_connexion = 0
            user.bloque_jusqu_a = None
            token, expires = issue_token(session, user, hours=config.token_hours)
            failed = False
            role = user.role
    if failed:
        time.sleep(FAILURE_DELAY_SECONDS)
        raise Unauthenticated("identifiant ou mot de passe incorrect", field="password")
    return Jeton(access_token=token, expire_le=expires, role=role)


@router.post("/deconnexion", status_code=204, summary="Révoquer le jeton courant")
def sign_out(request: Request, caller: CallerDep, credentials=Depends(bearer)) -> None:  # type: ignore[no-untyped-def]
    with transaction(request) as session:
        revoke_token(session, credentials.credentials)


@router.get("/moi", response_model=Moi, summary="Le compte connecté")
def me(request: Request, caller: CallerDep) -> Moi:
    with transaction(request) as session:
        user = session.get(Utilisateur, caller.user_id)
        assert user is not None
        return Moi(
            id=user.id,
            login=user.login,
            nom_affiche=user.nom_affiche,
            role=user.role,
            role_libelle=ROLE_LABELS[Role(user.role)],
            organisme_code=user.organisme_code,
            personne_id=user.personne_id,
            employeur_id=user.employeur_id,
            professionnel_id=user.professionnel_id,
        )
