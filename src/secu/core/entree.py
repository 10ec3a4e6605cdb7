"""What every input must be before it reaches the rules or the database: text without control characters.

A NUL byte is refused by PostgreSQL (a server error, not an answer), and control characters have no place in a
name, an address or a label: they hide text in the journal and break the files secu writes (SEPA, CSV). Every
input model of the API derives from ``Entree``, and a JSON object taken whole is an ``ObjetJson``; the address
and the forms are checked before any route by ``secu.api.limites`` with the same message, naming the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# C0 controls (NUL, tab, line breaks…), DEL and the C1 controls: none belongs in a field of one line.
CONTROLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ERREUR = "caractere_controle"
MESSAGE = "caractère de contrôle interdit (caractère nul, tabulation, saut de ligne…) en position {position}"


def position_controle(value: str) -> int | None:
    """The 1-based position of the first control character, or None."""
    found = CONTROLE.search(value)
    return None if found is None else found.start() + 1


def _refuse(value: str, where: str = "") -> None:
    position = position_controle(value)
    if position is not None:
        message = MESSAGE + (" (dans « {ou} »)" if where else "")
        raise PydanticCustomError(ERREUR, message, {"position": position, "ou": where})


def _walk(value: Any, where: str = "") -> None:
    # A field of text, or text inside a list or an object of JSON (a FHIR resource, a DSN in JSON, a lot's FSE):
    # the refusal says where inside it, as « emetteur.siren » or « lignes[2] ».
    if isinstance(value, str):
        _refuse(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            _walk(key, where or "clé")
            _walk(item, name)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _walk(item, f"{where}[{index}]")


def _json(value: dict[str, Any]) -> dict[str, Any]:
    _walk(value)
    return value


ID_MAX = 2**31 - 1
"""The largest row identifier (PostgreSQL's ``integer``): a larger one is a clear 422, never a database error."""

Identifiant = Annotated[int, Field(ge=1, le=ID_MAX, description="identifiant (entier positif)")]
"""A row identifier sent in a body (the path's is ``secu.api.deps.IdPath``): bounded like the column it names."""

CENTIMES_MAX = 10**9
"""The largest amount in cents one person's figures may carry (10 millions d'euros): the rules multiply such amounts
by rates of nine decimals, and the product must stay within 64-bit integers."""

Centimes = Annotated[int, Field(ge=0, le=CENTIMES_MAX, description="montant en centimes (10 millions d'euros au plus)")]
"""An amount in cents sent by a caller (a plan d'aide, resources): bounded, so the rules never overflow."""

ObjetJson = Annotated[dict[str, Any], AfterValidator(_json)]
"""A JSON object taken whole (a FHIR resource, a DSN in JSON): no control character in any key or text."""


class Entree(BaseModel):
    """The base of every input model: no field, however nested, carries a control character."""

    champs_examines_ailleurs: ClassVar[frozenset[str]] = frozenset()
    """Fields whose content a later step validates item by item (a lot's FSE: one bad FSE is rejected alone)."""

    @field_validator("*", mode="after")
    @classmethod
    def _sans_caractere_de_controle(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name not in cls.champs_examines_ailleurs:
            _walk(value)
        return value
