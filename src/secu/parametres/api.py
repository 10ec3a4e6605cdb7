"""The law's dated parameters over HTTP: names, and one parameter's history or value at a date. No sign-in."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from secu.core.errors import NotFound, UnknownParameter
from secu.core.parameters import JsonValue, json_value, parameters

router = APIRouter(tags=["référentiels"])


class ValeurOut(BaseModel):
    date_effet: date
    valeur: JsonValue  # exact decimal text: "0.0525", a table {"gir1": "1.615"}, a barème [{"seuil": "0", "taux": "0"}, …]
    reference: str
    statut: str  # confirme, secondaire or non-verifie


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
        valeurs=[ValeurOut(date_effet=v.date_effet, valeur=json_value(v.value), reference=v.reference,
                            statut=v.statut) for v in values],
    )
