"""Employers and their establishments (SIREN/SIRET, NAF, headcount)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from secu.api.deps import CallerDep, IdPath, PaginationDep, transaction
from secu.register import lectures, schemas, service

router = APIRouter(tags=["employeurs"])


@router.get("/employeurs", response_model=schemas.Page[schemas.EmployeurOut], summary="Rechercher des employeurs")
def search(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    q: Annotated[str | None, Query(max_length=100, description="raison sociale ou SIREN")] = None,
) -> schemas.Page[schemas.EmployeurOut]:
    with transaction(request) as session:
        rows, total = lectures.search_employers(session, caller, q=q, page=pagination.page, taille=pagination.taille)
        return schemas.Page[schemas.EmployeurOut](
            items=[schemas.EmployeurOut.model_validate(r) for r in rows], total=total, page=pagination.page, taille=pagination.taille
        )


@router.post("/employeurs", response_model=schemas.EmployeurOut, status_code=201, summary="Enregistrer un employeur")
def create(request: Request, caller: CallerDep, data: schemas.EmployeurIn) -> schemas.EmployeurOut:
    with transaction(request) as session:
        return schemas.EmployeurOut.model_validate(service.register_employer(session, data, caller=caller))


@router.get("/employeurs/{employeur_id}", response_model=schemas.EmployeurOut, summary="Un employeur et ses établissements")
def read(request: Request, caller: CallerDep, employeur_id: IdPath) -> schemas.EmployeurOut:
    with transaction(request) as session:
        return schemas.EmployeurOut.model_validate(lectures.read_employer(session, caller, employeur_id))


@router.post("/employeurs/{employeur_id}/etablissements", response_model=schemas.EtablissementOut, status_code=201, summary="Ajouter un établissement")
def add_establishment(request: Request, caller: CallerDep, employeur_id: IdPath, data: schemas.EtablissementIn) -> schemas.EtablissementOut:
    with transaction(request) as session:
        return schemas.EtablissementOut.model_validate(service.add_establishment(session, employeur_id, data, caller=caller))


@router.get("/etablissements/{siret}", response_model=schemas.EtablissementOut, summary="Un établissement par son SIRET")
def read_establishment(request: Request, caller: CallerDep, siret: str) -> schemas.EtablissementOut:
    with transaction(request) as session:
        return schemas.EtablissementOut.model_validate(lectures.read_establishment(session, caller, siret))
