"""Turn every refusal into a French JSON answer naming the field: {"detail": {"champ", "message"}}.

The OpenAPI document says so (:func:`document`): one model of that answer, ``Erreur``, for every
error status an operation can give — 400, 404, 413 and 422 everywhere, 409 on writes, 401 and 403
on the operations that need a token, 401 and 429 on sign-in — so that a client, or a
schema-conformance fuzz, can rely on it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from secu.core.db import unit_of_work
from secu.core.entree import ERREUR as ERREUR_CONTROLE
from secu.core.errors import Forbidden, SecuError
from secu.core.security import journal_refus

_MESSAGES = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "date_parsing": "date invalide (format attendu : AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date invalide (format attendu : AAAA-MM-JJ)",
    "date_type": "date invalide (format attendu : AAAA-MM-JJ)",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "bool_parsing": "valeur booléenne attendue (true ou false)",
    "bool_type": "valeur booléenne attendue (true ou false)",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "json_invalid": "JSON invalide",
    "dict_type": "objet attendu",
}


_HTTP_MESSAGES = {404: "adresse introuvable", 405: "méthode non autorisée pour cette adresse"}


def _french(error: dict) -> str:  # type: ignore[type-arg]
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == ERREUR_CONTROLE:
        return str(error.get("msg", "caractère de contrôle interdit"))
    if kind == "literal_error":
        return f"valeur non autorisée (attendu : {ctx.get('expected', '')})"
    if kind == "string_too_long":
        return f"texte trop long ({ctx.get('max_length')} caractères au plus)"
    if kind == "string_too_short":
        return f"texte trop court ({ctx.get('min_length')} caractères au moins)"
    if kind in ("greater_than_equal", "greater_than"):
        return f"valeur trop petite (minimum : {ctx.get('ge', ctx.get('gt'))})"
    if kind in ("less_than_equal", "less_than"):
        return f"valeur trop grande (maximum : {ctx.get('le', ctx.get('lt'))})"
    return _MESSAGES.get(kind, "valeur invalide")


def _field(loc: tuple | list) -> str:  # type: ignore[type-arg]
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "requete"


def install(app: FastAPI) -> None:
    # NUL and control characters in the address are refused at the door by api.limites (PostgreSQL takes no NUL).

    @app.exception_handler(SecuError)
    async def secu_error(request: Request, error: SecuError) -> JSONResponse:
        if isinstance(error, Forbidden):
            _journal_refusal(request, error)
        headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
        return JSONResponse(status_code=error.status_code, content={"detail": error.to_dict()}, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        # An address no route answers (404) or a method it does not take (405): the same French shape as the rest.
        message = _HTTP_MESSAGES.get(error.status_code, str(error.detail))
        return JSONResponse(status_code=error.status_code, content={"detail": {"champ": None, "message": message}},
                            headers=getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"champ": _field(e["loc"]), "message": _french(e)} for e in error.errors()]
        first = errors[0] if errors else {"champ": "requete", "message": "requête invalide"}
        return JSONResponse(status_code=422, content={"detail": {**first, "erreurs": errors}})


def _journal_refusal(request: Request, error: Forbidden) -> None:
    caller = getattr(request.state, "caller", None)
    if caller is None:
        return
    personne_id = getattr(error, "personne_id", None)
    with unit_of_work(request.app.state.sessions) as session:
        journal_refus(session, caller, request.url.path, personne_id=personne_id, detail=error.message)


# -- the error answer in the OpenAPI document ---------------------------------------------------------


class ErreurChamp(BaseModel):
    champ: str | None = Field(default=None, description="le champ concerné (« requete » quand c'est la requête entière)")
    message: str = Field(description="le message, en français")
    ligne: int | None = Field(default=None, description="DSN : la ligne du fichier")
    chemin: str | None = Field(default=None, description="DSN en JSON : le chemin dans le document")
    rubrique: str | None = Field(default=None, description="DSN : la rubrique de la norme")


class ErreurDetail(BaseModel):
    champ: str | None = Field(description="le champ concerné, s'il y en a un")
    message: str = Field(description="le message, en français")
    erreurs: list[ErreurChamp] | None = Field(default=None, description="422 d'une requête mal formée : chaque champ en défaut")


class Erreur(BaseModel):
    """Every refusal of secu: a French message and the field it concerns."""

    detail: ErreurDetail


_STATUTS = {
    400: "Demande incorrecte",
    401: "Authentification requise ou identifiants refusés",
    403: "Action non autorisée pour ce profil ou hors de son périmètre (refus journalisé)",
    404: "Introuvable",
    409: "Conflit avec ce qui existe déjà",
    413: "Requête trop volumineuse",
    422: "Champ invalide (le champ et le message en français)",
    429: "Trop de tentatives",
}
_ECRITURES = {"post", "put", "patch", "delete"}
_SIGN_IN = "/api/auth/jeton"


def _statuts(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    codes = [400, 404, 413, 422]
    if method in _ECRITURES:
        codes.append(409)
    if operation.get("security"):
        codes += [401, 403]
    if path == _SIGN_IN:
        codes += [401, 429]
    return sorted(set(codes))


def document(app: FastAPI) -> None:
    """Make the app's OpenAPI document carry secu's error answer and the status codes of each operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErreurChamp, ErreurDetail, Erreur):
            components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components[model.__name__].pop("$defs", None)
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        reference = {"$ref": "#/components/schemas/Erreur"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for code in _statuts(path, method, operation):
                    responses[str(code)] = {"description": _STATUTS[code], "content": {"application/json": {"schema": reference}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
