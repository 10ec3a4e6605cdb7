"""The pages: the welcome page, the organism's logo, the vendored stylesheet, script and htmx under /static, each portal's router."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select

from secu.core.db import unit_of_work
from secu.register.models import Employeur, Personne, ProfessionnelSante
from secu.web.identite import identite
from secu.web.session import PageRoute, render, templates  # noqa: F401  (templates: for the portals)

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False, route_class=PageRoute)
# Served from the package: nothing is fetched from another site at run time.
router.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
identite()  # a wrong SECU_ORGANISME_NOM or SECU_ORGANISME_LOGO stops the start with its French message


@router.get("/organisme/logo")
def logo() -> FileResponse:
    """The organism's logo (SECU_ORGANISME_LOGO), or secu's neutral one."""
    choisi = identite()
    return FileResponse(choisi.logo, media_type=choisi.type_du_logo, headers={
        "Cache-Control": "public, max-age=3600",
        # An SVG opened on its own could run a script: this one may not.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    })


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    with unit_of_work(request.app.state.sessions) as session:
        counts = {
            "personnes": session.scalar(select(func.count()).select_from(Personne)) or 0,
            "employeurs": session.scalar(select(func.count()).select_from(Employeur)) or 0,
            "professionnels": session.scalar(select(func.count()).select_from(ProfessionnelSante)) or 0,
        }
    return render(request, "accueil.html", {"counts": counts})


# A portal is included once its module exists, so each can land on its own.
for _name in ("connexion", "assure", "agent", "analyste", "analyste_comptes", "arrets", "medecin", "retraite_carriere", "analyste_retraite",
              "retraite_demande", "retraite_survivants"):
    if importlib.util.find_spec(f"secu.web.{_name}") is not None:
        router.include_router(importlib.import_module(f"secu.web.{_name}").router)
# The analyst's reform costing lives with the pilotage (a page of its own, under /analyste/reformes).
if importlib.util.find_spec("secu.pilotage.reforme_page") is not None:
    router.include_router(importlib.import_module("secu.pilotage.reforme_page").router)
