"""Aggregates for the analysts of the DSS: counts only, no name, no NIR, small cells hidden (secret statistique)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, transaction
from secu.statistiques import service
from secu.statistiques.rules import seuil

router = APIRouter(prefix="/statistiques", tags=["statistiques"])


class Cellule(BaseModel):
    departement: str
    sexe: str
    tranche_age: str
    effectif: int | None  # None: fewer persons than the threshold of the secret statistique
    secret: bool


class Population(BaseModel):
    date: date
    seuil_secret: int
    total: int | None
    couverts: int | None
    en_ald: int | None
    cellules: list[Cellule]


class ParOrganisme(BaseModel):
    organisme_code: str
    branche: str
    effectif: int | None
    secret: bool


@router.get("/population", response_model=Population, summary="Population du répertoire par département, sexe et âge")
def population(request: Request, caller: CallerDep) -> Population:
    exiger(caller, Permission.LIRE_STATISTIQUES)
    today = date.today()
    with transaction(request) as session:
        totals, cells = service.population(session, today)
    return Population(date=today, seuil_secret=seuil(today), **totals, cellules=[Cellule(**c) for c in cells])


@router.get("/organismes", response_model=list[ParOrganisme], summary="Personnes rattachées par organisme et branche")
def per_organism(request: Request, caller: CallerDep) -> list[ParOrganisme]:
    exiger(caller, Permission.LIRE_STATISTIQUES)
    with transaction(request) as session:
        return [ParOrganisme(**c) for c in service.per_organism(session, date.today())]
