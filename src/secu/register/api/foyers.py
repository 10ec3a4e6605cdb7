"""Households, as the caisses see them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request

from secu.api.deps import CallerDep, IdPath, transaction
from secu.register import lectures, schemas, service

router = APIRouter(tags=["foyers"])


@router.post("/foyers", response_model=schemas.FoyerOut, status_code=201, summary="Créer un foyer")
def create(request: Request, caller: CallerDep, data: schemas.FoyerIn) -> schemas.FoyerOut:
    with transaction(request) as session:
        return schemas.FoyerOut.model_validate(service.create_household(session, data, caller=caller, today=date.today()))


@router.get("/foyers/{foyer_id}", response_model=schemas.FoyerOut, summary="Un foyer et ses membres")
def read(request: Request, caller: CallerDep, foyer_id: IdPath) -> schemas.FoyerOut:
    with transaction(request) as session:
        return schemas.FoyerOut.model_validate(lectures.read_household(session, caller, foyer_id))
