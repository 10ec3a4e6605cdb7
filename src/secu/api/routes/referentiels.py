"""Public reference data: organisms and routing, dated legal parameters. No personal data, no sign-in."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from secu.core.errors import NotFound, UnknownParameter
from secu.core.parameters import JsonValue, json_value, parameters
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


class ValeurOut(BaseModel):
    date_effet: date
    valeur: JsonValue  # exact decimal text: "0.0525", a table {"gir1": "1.615"}, a barème [{"seuil": "0", "taux": "0"}, …]
    reference: str


class ParametreOut(BaseModel):
    nom: str
    description: str
    unite: str
    valeurs: list[ValeurOut]


@router.get("/parametres", response_model=list[str], summary="Noms des paramètres légaux datés")
def parameter_names() -> list[str]:
    return sorted(parameters().names())


@router.get("/parametres/{nom}", response_model=ParametreOut, summary="Historique d'un paramètre, ou sa valeur à une date")
def parameter(nom: str, date_: Annotated[date | None, Query(alias="date")] = None) -> ParametreOut:
    try:
        p = parameters().get(nom)
    except UnknownParameter:
        raise NotFound(f"paramètre inconnu : {nom}", field="nom") from None
    values = [p.at(date_)] if date_ else list(p.values)
    return ParametreOut(
        nom=p.name,
        description=p.description,
        unite=p.unit,
        valeurs=[ValeurOut(date_effet=v.date_effet, valeur=json_value(v.value), reference=v.reference) for v in values],
    )
