"""Accounts over HTTP: sign in (bearer token), sign out, who am I; the administration of accounts and of the
access journal (for the DPO). The decisions are the use cases of ``secu.utilisateurs.service``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, PaginationDep, bearer, transaction
from secu.core.security import ROLE_LABELS, Action, JournalAcces, Ressource, Role, journal, verify_journal
from secu.utilisateurs import service
from secu.utilisateurs.service import UtilisateurIn

router = APIRouter()
auth = APIRouter(prefix="/auth", tags=["authentification"])
administration = APIRouter(tags=["administration"])


class JetonOut(BaseModel):
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


class UtilisateurOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    login: str
    role: str
    nom_affiche: str
    organisme_code: str | None
    personne_id: int | None
    employeur_id: int | None
    professionnel_id: int | None
    actif: bool


class JournalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    horodatage: datetime
    utilisateur_id: int | None
    role: str
    action: str
    ressource: str
    ressource_id: str | None
    personne_id: int | None
    detail: str | None

    @field_validator("horodatage")
    @classmethod
    def _utc(cls, moment: datetime) -> datetime:
        """SQLite gives the stored UTC moment back without its offset: say it, so the answer is an RFC 3339 date-time."""
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@auth.post("/jeton", response_model=JetonOut, summary="Obtenir un jeton d'accès")
def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> JetonOut:
    connexion = service.sign_in(request.app.state.sessions, form.username, form.password, source=service.source_of(request))
    return JetonOut(access_token=connexion.token, expire_le=connexion.expire_le, role=connexion.role.value)


@auth.post("/deconnexion", status_code=204, summary="Révoquer le jeton courant")
def sign_out(
    request: Request, caller: CallerDep, credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]
) -> None:
    with transaction(request) as session:
        service.sign_out(session, credentials.credentials)


@auth.get("/moi", response_model=Moi, summary="Le compte connecté")
def me(request: Request, caller: CallerDep) -> Moi:
    with transaction(request) as session:
        user = service.account_of(session, caller)
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


@administration.post("/utilisateurs", response_model=UtilisateurOut, status_code=201, summary="Créer un compte")
def create(request: Request, caller: CallerDep, data: UtilisateurIn) -> UtilisateurOut:
    exiger(caller, Permission.ADMINISTRER_COMPTES)
    with transaction(request) as session:
        user = service.create_user(session, data)
        journal(session, caller, Action.CREATION, Ressource.UTILISATEUR, user.id)
        return UtilisateurOut.model_validate(user)


@administration.post(
    "/utilisateurs/{utilisateur_id}/desactivation", response_model=UtilisateurOut, summary="Désactiver un compte"
)
def deactivate(request: Request, caller: CallerDep, utilisateur_id: IdPath) -> UtilisateurOut:
    exiger(caller, Permission.ADMINISTRER_COMPTES)
    with transaction(request) as session:
        user = service.deactivate_user(session, utilisateur_id)
        journal(session, caller, Action.MODIFICATION, Ressource.UTILISATEUR, user.id, detail="désactivation")
        return UtilisateurOut.model_validate(user)


@administration.get(
    "/journal-acces", response_model=list[JournalOut], summary="Journal des accès aux données personnelles"
)
def access_journal(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    personne_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,  # bounded like the column: never a 500
    utilisateur_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[JournalOut]:
    exiger(caller, Permission.CONSULTER_JOURNAL)
    query = select(JournalAcces)
    if personne_id is not None:
        query = query.where(JournalAcces.personne_id == personne_id)
    if utilisateur_id is not None:
        query = query.where(JournalAcces.utilisateur_id == utilisateur_id)
    offset = (pagination.page - 1) * pagination.taille
    with transaction(request) as session:
        rows = session.scalars(query.order_by(JournalAcces.id.desc()).offset(offset).limit(pagination.taille))
        return [JournalOut.model_validate(r) for r in rows]


@administration.get("/journal-acces/verification", summary="Vérifier l'intégrité du journal (chaîne d'empreintes)")
def verify(request: Request, caller: CallerDep) -> dict[str, object]:
    exiger(caller, Permission.CONSULTER_JOURNAL)
    with transaction(request) as session:
        etat = verify_journal(session)
    # ids of the rows found altered, and what breaks the chain (gaps, forks, missing last rows) in French
    return {"intact": etat.intact, "lignes_alterees": etat.lignes_alterees, "anomalies": etat.anomalies}


router.include_router(auth)
router.include_router(administration)
