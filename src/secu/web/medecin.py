"""Le poste du médecin-conseil: the queue of invalidity claims awaiting his avis in his territory (issue 13 §8).

Each claim listed is journaled (``file_invalidite``), as the API's queue does; the avis itself is given through
``POST /api/especes/invalidite/demandes/{id}/avis``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from secu.acces import Permission
from secu.core import ages
from secu.core.db import unit_of_work
from secu.especes import invalidite
from secu.organismes import get_organisme
from secu.register.models import Personne
from secu.web.session import PageCaller, PageRoute, render, require

router = APIRouter(prefix="/medecin-conseil", include_in_schema=False, route_class=PageRoute)


@router.get("/invalidite", response_class=HTMLResponse)
def file_invalidite(request: Request, caller: PageCaller) -> Response:
    require(caller, Permission.DONNER_AVIS_INVALIDITE)
    today = date.today()
    with unit_of_work(request.app.state.sessions) as session:
        demandes = invalidite.file_medecin_conseil(session, caller)
        lignes: list[dict[str, Any]] = []
        for demande in demandes:
            personne = session.get(Personne, demande.personne_id)
            assert personne is not None
            lignes.append(
                {
                    "id": demande.id,
                    "nom": personne.nom_usage or personne.nom_naissance,
                    "prenoms": personne.prenoms,
                    "age": ages.age_le(personne.date_naissance, today),
                    "departement": demande.departement,
                    "date_demande": demande.date_demande,
                    "date_arret": demande.date_arret,
                    "attente": (today - demande.date_demande).days,
                }
            )
    territoire = get_organisme(caller.organisme_code).nom if caller.organisme_code else "tout le territoire"
    return render(request, "medecin/file_invalidite.html", {"demandes": lignes, "territoire": territoire})
