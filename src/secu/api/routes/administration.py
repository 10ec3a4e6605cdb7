"""Administration: accounts and the access journal (for the DPO)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from secu.api.deps import CallerDep, PaginationDep, allow, transaction
from secu.core.errors import Conflict, InvalidField
from secu.core.security import (
    JournalAcces,
    Role,
    Utilisateur,
    hash_password,
    journal,
    verify_journal,
)
from secu.organismes import get_organisme

router = APIRouter(tags=["administration"])


class UtilisateurIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=3, max_length=80)
    password: str = Field(min_length=12, max_length=200, description="12 caractères au moins")
    role: Role
    nom_affiche: str = Field(max_length=150)
    organisme_code: str | None = None
    personne_id: int | None = None
    employeur_id: int | None = None
    professionnel_id: int | None = None


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


REQUIRED_LINK = {
    Role.AGENT: "organisme_code",
    Role.MEDECIN_CONSEIL: "organisme_code",
    Role.ASSURE: "personne_id",
    Role.EMPLOYEUR: "employeur_id",
    Role.PROFESSIONNEL: "professionnel_id",
}


def create_user(session, data: UtilisateurIn) -> Utilisateur:  # type: ignore[no-untyped-def]
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


@router.post("/utilisateurs", response_model=UtilisateurOut, status_code=201, summary="Créer un compte")
def create(request: Request, caller: CallerDep, data: UtilisateurIn) -> UtilisateurOut:
    allow(caller, Role.ADMIN)
    with transaction(request) as session:
        user = create_user(session, data)
        journal(session, caller, "creation", "utilisateur", user.id)
        return UtilisateurOut.model_validate(user)


@router.get("/journal-acces", response_model=list[JournalOut], summary="Journal des accès aux données personnelles")
def access_journal(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    personne_id: Annotated[int | None, Query()] = None,
    utilisateur_id: Annotated[int | None, Query()] = None,
) -> list[JournalOut]:
    allow(caller, Role.ADMIN)
    query = select(JournalAcces)
    if personne_id is not None:
        query = query.where(JournalAcces.personne_id == personne_id)
    if utilisateur_id is not None:
        query = query.where(JournalAcces.utilisateur_id == utilisateur_id)
    with transaction(request) as session:
        rows = session.scalars(query.order_by(JournalAcces.id.desc()).offset((pagination.page - 1) * pagination.taille).limit(pagination.taille))
        return [JournalOut.model_validate(r) for r in rows]


@router.get("/journal-acces/verification", summary="Vérifier l'intégrité du journal (chaîne d'empreintes)")
def verify(request: Request, caller: CallerDep) -> dict:  # type: ignore[type-arg]
    allow(caller, Role.ADMIN)
    with transaction(request) as session:
        broken = verify_journal(session)
    return {"intact": not broken, "lignes_alterees": broken}
