"""Health professionals: the directory (RPPS, profession, specialty, sector, OPTAM)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, PaginationDep, transaction
from secu.core.db import paginate
from secu.core.errors import NotFound
from secu.register import lectures, schemas, service
from secu.register.models import ProfessionnelSante

router = APIRouter(tags=["professionnels de santé"])


@router.get("/professionnels", response_model=schemas.Page[schemas.ProfessionnelOut], summary="Annuaire des professionnels de santé")
def search(
    request: Request,
    caller: CallerDep,
    pagination: PaginationDep,
    nom: Annotated[str | None, Query(max_length=100)] = None,
    profession: Annotated[str | None, Query(max_length=30)] = None,
    departement: Annotated[str | None, Query(max_length=3)] = None,
) -> schemas.Page[schemas.ProfessionnelOut]:
    exiger(caller, Permission.LIRE_ANNUAIRE_PROFESSIONNELS)  # public information (annuaire santé): every profile
    query = select(ProfessionnelSante)
    if nom:
        query = query.where(func.upper(ProfessionnelSante.nom).like(f"{nom.strip().upper()}%"))
    if profession:
        query = query.where(ProfessionnelSante.profession == profession)
    if departement:
        query = query.where(ProfessionnelSante.departement == departement.upper())
    with transaction(request) as session:
        rows, total = paginate(session, query, page=pagination.page, taille=pagination.taille, order_by=(ProfessionnelSante.nom, ProfessionnelSante.id))
        return schemas.Page[schemas.ProfessionnelOut](
            items=[schemas.ProfessionnelOut.model_validate(r) for r in rows], total=total, page=pagination.page, taille=pagination.taille
        )


@router.post("/professionnels", response_model=schemas.ProfessionnelOut, status_code=201, summary="Enregistrer un professionnel de santé")
def create(request: Request, caller: CallerDep, data: schemas.ProfessionnelIn) -> schemas.ProfessionnelOut:
    with transaction(request) as session:
        return schemas.ProfessionnelOut.model_validate(service.register_professional(session, data, caller=caller))


@router.get("/professionnels/{professionnel_id}", response_model=schemas.ProfessionnelOut, summary="Un professionnel de santé")
def read(request: Request, caller: CallerDep, professionnel_id: IdPath) -> schemas.ProfessionnelOut:
    exiger(caller, Permission.LIRE_ANNUAIRE_PROFESSIONNELS)
    with transaction(request) as session:
        pro = session.get(ProfessionnelSante, professionnel_id)
        if pro is None:
            raise NotFound("professionnel introuvable", field="professionnel_id")
        return schemas.ProfessionnelOut.model_validate(pro)


@router.get("/droits", response_model=schemas.Attestation, tags=["droits"], summary="Droits d'un patient, sur présentation de sa carte Vitale")
def rights_by_card(
    request: Request,
    caller: CallerDep,
    carte_vitale: Annotated[str, Query(min_length=1, max_length=20, description="numéro de la carte Vitale présentée")],
    date_: Annotated[date | None, Query(alias="date")] = None,
) -> schemas.Attestation:
    """What a professional's software reads with the card in the reader (the ADRi's job)."""
    with transaction(request) as session:
        return lectures.rights_on_card(session, caller, carte_vitale, date_ or date.today())
