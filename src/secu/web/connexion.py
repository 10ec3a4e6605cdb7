"""Sign-in and sign-out pages: the API's own check, throttling and tokens, behind a form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from secu.core.db import unit_of_work
from secu.core.errors import SecuError
from secu.utilisateurs import service
from secu.web.session import PageRoute, check_csrf, clear_session, render, session_token, set_session

router = APIRouter(include_in_schema=False, route_class=PageRoute)

HOMES = {"assure": "/assure", "agent": "/agent", "analyste": "/analyste", "medecin_conseil": "/medecin-conseil/invalidite"}


def _safe_next(suite: str | None) -> str | None:
    # Only a path of this site: never send someone elsewhere after signing in.
    if suite and suite.startswith("/") and not suite.startswith("//") and "\\" not in suite:
        return suite
    return None


@router.get("/connexion")
def form(request: Request, suite: str = "", expiree: int = 0, deconnecte: int = 0) -> Response:
    return render(request, "connexion/formulaire.html",
                  {"suite": _safe_next(suite) or "", "expiree": bool(expiree), "deconnecte": bool(deconnecte), "identifiant": "", "erreur": None})


@router.post("/connexion")
def sign_in(
    request: Request,
    identifiant: Annotated[str, Form(max_length=200)] = "",
    mot_de_passe: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    suite: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, {"csrf": csrf})
    try:
        # The API's sign-in use case: same password check, same throttling per login and source, same token.
        connexion = service.sign_in(request.app.state.sessions, identifiant.strip(), mot_de_passe, source=service.source_of(request))
    except SecuError as error:
        message = (error.message[0].upper() + error.message[1:] + ".") if error.message else "Connexion impossible."
        return render(request, "connexion/formulaire.html",
                      {"suite": _safe_next(suite) or "", "expiree": False, "deconnecte": False, "identifiant": identifiant, "erreur": message},
                      status_code=error.status_code)
    response = RedirectResponse(_safe_next(suite) or HOMES.get(connexion.role, "/"), status_code=303)
    set_session(response, request, connexion.token)
    return response


@router.post("/deconnexion")
def sign_out(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, {"csrf": csrf})
    token = session_token(request)
    if token is not None:
        with unit_of_work(request.app.state.sessions) as session:
            service.sign_out(session, token)
    response = RedirectResponse("/connexion?deconnecte=1", status_code=303)
    clear_session(response)
    return response
