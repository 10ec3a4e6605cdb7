"""Households, as the caisses see them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request

from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.errors import NotFound
from secu.core.security import Action, Ressource, journal
from secu.register import schemas, service
from secu.register.access import read_person
from secu.register.models import Foyer

router = APIRouter(tags=["foyers"])


@router.post("/foyers", response_model=schemas.FoyerOut, status_code=201, summary="Créer un foyer")
def create(request: Request, caller: CallerDep, data: schemas.FoyerIn) -> schemas.FoyerOut:
    with transaction(request) as session:
        return schemas.FoyerOut.model_validate(service.create_household(session, data, caller=caller, today=date.today()))


@router.get("/foyers/{foyer_id}", response_model=schemas.FoyerOut, summary="Un foyer et ses membres")
def read(request: Request, caller: CallerDep, foyer_id: IdPath) -> schemas.FoyerOut:
    with transaction(request) as session:
        foyer = session.get(Foyer, foyer_id)
        if foyer is None:
            raise NotFound("foyer introuvable", field="foyer_id")
        allocataire = next(m for m in foyer.membres if m.role == "allocataire")
        read_person(session, caller, allocataire.personne_id, what=Ressource.FOYER)
        for membre in foyer.membres:  # the household shows every member: each read is journalled
            if membre.personne_id != allocataire.personne_id:
                journal(session, caller, Action.LECTURE, Ressource.FOYER, foyer.id, personne_id=membre.personne_id)
        return schemas.FoyerOut.model_validate(foyer)
