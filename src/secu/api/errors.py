"""Turn every refusal into a French JSON answer naming the field: {"detail": {"champ", "message"}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    @app.exception_handler(SecuError)
    async def secu_error(request: Request, error: SecuError) -> JSONResponse:
        if isinstance(error, Forbidden):
            _journal_refusal(request, error)
        headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
        return JSONResponse(status_code=error.status_code, content={"detail": error.to_dict()}, headers=headers)

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
