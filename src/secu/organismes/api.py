"""The network of organisms over HTTP: the list, one organism, routing. Public reference data: no sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from secu.organismes import all_organismes, get_organisme, route

router = APIRouter(tags=["référentiels"])


class OrganismeOut(BaseModel):
    code: str
    nom: str
    type: str
    branches: list[str]
    departements: list[str]
    region: str | None


def _organisme_out(o) -> OrganismeOut:  # type: ignore[no-untyped-def]
    return OrganismeOut(code=o.code, nom=o.nom, type=o.type, branches=sorted(o.branches), departements=list(o.departements), region=o.region)


@router.get("/organismes", response_model=list[OrganismeOut], summary="Le réseau des organismes")
def organisms(type: Annotated[str | None, Query(max_length=20)] = None) -> list[OrganismeOut]:
    return [_organisme_out(o) for o in all_organismes() if type is None or o.type == type.upper()]


@router.get("/organismes/routage", response_model=OrganismeOut, summary="Quel organisme gère une personne selon sa résidence")
def routing(
    departement: Annotated[str, Query(max_length=3)],
    branche: Annotated[str, Query(max_length=20)],
    commune: Annotated[str | None, Query(max_length=5)] = None,
    regime: Annotated[str, Query(max_length=10)] = "general",
) -> OrganismeOut:
    return _organisme_out(route(departement, branche, commune=commune, regime=regime))


@router.get("/organismes/{code}", response_model=OrganismeOut, summary="Un organisme")
def organism(code: str) -> OrganismeOut:
    return _organisme_out(get_organisme(code))
