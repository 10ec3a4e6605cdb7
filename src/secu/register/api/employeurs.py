"""Employers and their establishments (SIREN/SIRET, NAF, headcount)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select

from secu.acces import Permission, Portee, exiger, refus
from secu.api.deps import CallerDep, IdPath, PaginationDep, transaction
from secu.core.db import paginate
from secu.core.errors import NotFound
from secu.core.identifiers import validate_siret
from secu.core.security import Caller
from secu.register import schemas, service
from secu.register.models import Employeur, Etablissement

router = APIRouter(tags=["employeurs"])


REFUS = "accès refusé : cet employeur ne relève pas de votre périmètre"


def _may_see(caller: Caller, employeur_id: int) -> None:
    reach = exiger(caller, Permission.LIRE_EMPLOYEUR, REFUS)
    if reach is Portee.LE_SIEN and caller.employeur_id != employeur_id:
        raise refus(REFUS)


@router.get("/employeurs", response_model=schemas.Page[schemas.EmployeurOut], summary="Rechercher des employeurs")
def search(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    q: Annotated[str | None, Query(max_length=100, description="raison sociale ou SIREN")] = None,
) -> schemas.Page[schemas.EmployeurOut]:
    query = select(Employeur)
    if exiger(caller, Permission.LIRE_EMPLOYEUR) is Portee.LE_SIEN:
        query = query.where(Employeur.id == caller.employeur_id)
    if q:
        term = q.strip().upper()
        query = query.where((Employeur.siren == term.replace(" ", "")) | func.upper(Employeur.raison_sociale).like(f"%{term}%"))
    with transaction(request) as session:
        rows, total = paginate(session, query, page=pagination.page, taille=pagination.taille, order_by=(Employeur.raison_sociale, Employeur.id))
        return schemas.Page[schemas.EmployeurOut](
            items=[schemas.EmployeurOut.model_validate(r) for r in rows], total=total, page=pagination.page, taille=pagination.taille
        )


@router.post("/employeurs", response_model=schemas.EmployeurOut, status_code=201, summary="Enregistrer un employeur")
def create(request: Request, caller: CallerDep, data: schemas.EmployeurIn) -> schemas.EmployeurOut:
    with transaction(request) as session:
        return schemas.EmployeurOut.model_validate(service.register_employer(session, data, caller=caller))


@router.get("/employeurs/{employeur_id}", response_model=schemas.EmployeurOut, summary="Un employeur et ses établissements")
def read(request: Request, caller: CallerDep, employeur_id: IdPath) -> schemas.EmployeurOut:
    _may_see(caller, employeur_id)
    with transaction(request) as session:
        employeur = session.get(Employeur, employeur_id)
        if employeur is None:
            raise NotFound("employeur introuvable", field="employeur_id")
        return schemas.EmployeurOut.model_validate(employeur)


@router.post("/employeurs/{employeur_id}/etablissements", response_model=schemas.EtablissementOut, status_code=201, summary="Ajouter un établissement")
def add_establishment(request: Request, caller: CallerDep, employeur_id: IdPath, data: schemas.EtablissementIn) -> schemas.EtablissementOut:
    with transaction(request) as session:
        return schemas.EtablissementOut.model_validate(service.add_establishment(session, employeur_id, data, caller=caller))


@router.get("/etablissements/{siret}", response_model=schemas.EtablissementOut, summary="Un établissement par son SIRET")
def read_establishment(request: Request, caller: CallerDep, siret: str) -> schemas.EtablissementOut:
    number = validate_siret(siret, field="siret")
    with transaction(request) as session:
        etab = session.scalar(select(Etablissement).where(Etablissement.siret == number))
        if etab is None:
            raise NotFound("établissement introuvable", field="siret")
        _may_see(caller, etab.employeur_id)
        return schemas.EtablissementOut.model_validate(etab)
