"""Pages of the arrêts de travail: « Mes arrêts et indemnités » in the espace assuré (each IJ period and its
explanation, the attestation de paiement des IJ in PDF), and in the bureau de l'agent a person's arrêts, why an IJ
was not paid, and the form to instruct an avis d'arrêt keyed from paper.

Every read goes through :mod:`secu.especes.service` (the same access rules and journal rows as the API), every write
through :func:`secu.especes.service.recevoir_avis` (the same checks and French messages).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from secu.api.deps import IdPath
from secu.api.errors import _field as api_field
from secu.api.errors import _french as api_message
from secu.core.db import unit_of_work
from secu.core.errors import Forbidden, InvalidField, NotFound, SecuError
from secu.core.security import Caller, Role
from secu.especes import invalidite, service
from secu.especes.attestation import attestation_paiement_pdf
from secu.register.models import Personne
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require_role

router = APIRouter(include_in_schema=False, route_class=PageRoute)

RISQUES = {
    "maladie": "Maladie",
    "maternite": "Maternité",
    "paternite": "Paternité et accueil de l'enfant",
    "adoption": "Adoption",
    "atmp": "Accident du travail ou maladie professionnelle",
}
STATUTS = {"en_attente_salaire": "en attente de l'attestation de salaire", "indemnisable": "indemnisable"}
CHAMPS_AVIS = {
    "numero": "Numéro de l'avis",
    "nature": "Nature de l'avis",
    "risque": "Risque",
    "arret_numero": "Numéro de l'avis initial",
    "date_prescription": "Date de prescription",
    "date_reception": "Date de réception",
    "date_envoi": "Date d'envoi",
    "debut": "Premier jour d'arrêt",
    "fin": "Dernier jour d'arrêt",
    "date_reprise": "Date de reprise",
    "sinistre_reference": "Référence du sinistre (AT/MP)",
    "ald": "Affection de longue durée",
    "empechement": "Hospitalisation ou empêchement",
}


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(field, "Date invalide : utilisez le format AAAA-MM-JJ.") from None


def _own(caller: Caller) -> int:
    require_role(caller, Role.ASSURE)
    if caller.personne_id is None:
        raise NotFound("Aucun dossier n'est rattaché à votre compte.")
    return caller.personne_id


# -- espace assuré ----------------------------------------------------------------------------


@router.get("/assure/arrets")
def my_arrets(request: Request, caller: PageCaller) -> Response:
    personne_id = _own(caller)
    with unit_of_work(request.app.state.sessions) as session:
        arrets = service.arrets_of(session, caller, personne_id)
        pensions = invalidite.pensions_de(session, caller, personne_id)
    today = date.today()
    return render(request, "assure/arrets.html", {"arrets": arrets, "pensions": pensions, "risques": RISQUES, "statuts": STATUTS,
                                                  "du": today.replace(month=1, day=1), "au": today})  # fmt: skip


@router.get("/assure/arrets/attestation.pdf")
def my_payment_attestation(request: Request, caller: PageCaller) -> Response:
    personne_id = _own(caller)
    today = date.today()
    du = _day(request.query_params.get("du"), "du", today.replace(month=1, day=1))
    au = _day(request.query_params.get("au"), "au", today)
    with unit_of_work(request.app.state.sessions) as session:
        data = service.attestation_paiement(session, caller, personne_id, du, au)
    return Response(
        attestation_paiement_pdf(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attestation-ij-{du.isoformat()}-{au.isoformat()}.pdf"', "Cache-Control": "no-store"},
    )


# -- bureau de l'agent ------------------------------------------------------------------------


def _agent_page(request: Request, caller: Caller, personne_id: int, valeurs: dict[str, Any], erreurs: dict[str, str], *, status_code: int = 200) -> Response:
    with unit_of_work(request.app.state.sessions) as session:
        arrets = service.arrets_of(session, caller, personne_id)  # access and journal: the service's
        personne = session.get(Personne, personne_id)
        assert personne is not None
        nom = f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"
    return render(
        request,
        "agent/arrets.html",
        {
            "personne_id": personne_id,
            "nom": nom,
            "arrets": arrets,
            "risques": RISQUES,
            "statuts": STATUTS,
            "v": valeurs,
            "erreurs": erreurs,
            "champs": CHAMPS_AVIS,
            "message": request.query_params.get("message"),
            "aujourdhui": date.today().isoformat(),
        },
        status_code=status_code,
    )


@router.get("/agent/personnes/{personne_id}/arrets")
def agent_arrets(request: Request, caller: PageCaller, personne_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    return _agent_page(request, caller, personne_id, {"nature": "initial", "risque": "maladie"}, {})


@router.post("/agent/personnes/{personne_id}/arrets", response_class=HTMLResponse)
async def agent_instruct(request: Request, caller: PageCaller, personne_id: IdPath) -> Response:
    """Key an avis d'arrêt received on paper: the same checks and answers as ``POST /api/especes/avis``."""
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {name: str(form.get(name, "") or "").strip() for name in CHAMPS_AVIS}
    with unit_of_work(request.app.state.sessions) as session:
        personne = session.get(Personne, personne_id)
        if personne is None:
            raise NotFound("dossier introuvable", field="personne_id")
        nir = personne.nir
    data: dict[str, Any] = {k: v for k, v in valeurs.items() if v and k not in ("ald", "empechement")}
    data |= {"nir": nir, "ald": valeurs["ald"] == "oui", "empechement": valeurs["empechement"] == "oui"}
    try:
        avis = service.AvisIn.model_validate(data)
    except ValidationError as error:
        erreurs: dict[str, str] = {}
        for e in error.errors():
            erreurs.setdefault(api_field(e["loc"]), _capitalize(api_message(dict(e))))
        return _agent_page(request, caller, personne_id, valeurs, erreurs, status_code=422)
    try:
        answer = service.recevoir_avis_retrying(request.app.state.sessions, caller, avis, today=date.today())
    except Forbidden:
        raise  # the French refusal page, journalled
    except SecuError as error:
        field = error.field if error.field in CHAMPS_AVIS else "numero"
        return _agent_page(request, caller, personne_id, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    message = "deja" if answer["deja_recu"] else answer["avis"]["sanction"]
    return RedirectResponse(f"/agent/personnes/{personne_id}/arrets?message={message}", status_code=303)
