"""The welcome page: what this service is and where to go."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from secu.core.db import unit_of_work
from secu.register.models import Employeur, Personne, ProfessionnelSante

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    with unit_of_work(request.app.state.sessions) as session:
        counts = {
            "personnes": session.scalar(select(func.count()).select_from(Personne)) or 0,
            "employeurs": session.scalar(select(func.count()).select_from(Employeur)) or 0,
            "professionnels": session.scalar(select(func.count()).select_from(ProfessionnelSante)) or 0,
        }
    return templates.TemplateResponse(request, "accueil.html", {"counts": counts})
