"""The retirement claim's pages (issue 14 §3, §6): the espace assuré's « ma retraite » (file a claim, follow it, read
the decision's letter, the payments) and the agent's « instruire une demande » (the caisse's queue, the career
facts, the rule's result with its steps, the decision).

Every read and write goes through :mod:`secu.retraite.demande`, as the API's routes do (same checks, same French
messages, same journal rows).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from secu.acces import Permission
from secu.api.deps import IdPath
from secu.core.db import unit_of_work
from secu.core.errors import Forbidden, SecuError
from secu.core.money import to_cents
from secu.core.security import Role
from secu.organismes import get_organisme
from secu.register.models import Personne
from secu.retraite import demande as service
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require, require_role

router = APIRouter(include_in_schema=False, route_class=PageRoute)

STATUTS = {"deposee": "déposée, en attente d'instruction", "instruite": "en cours d'instruction", "attribuee": "retraite attribuée", "rejetee": "rejetée"}
CHAMPS_DEMANDE = {
    "date_effet": "Date de départ souhaitée",
    "enfants": "Nombre d'enfants élevés",
    "trimestres_autres_regimes": "Trimestres dans d'autres régimes",
    "inaptitude": "Inaptitude au travail",
    "iban": "IBAN",
    "bic": "BIC",
}
CHAMPS_INSTRUCTION = {
    "sam": "Salaire annuel moyen (euros)",
    "trimestres_rg": "Trimestres au régime général",
    "trimestres": "Trimestres tous régimes (majorations comprises)",
    "trimestres_cotises": "Trimestres cotisés",
    "trimestres_apres_age_legal": "Trimestres cotisés après l'âge légal",
    "age_debut_activite": "Âge de début d'activité",
    "total_pensions_mensuel": "Total mensuel des autres pensions (euros)",
    "rfr": "Revenu fiscal de référence N-2 (euros)",
    "parts": "Nombre de parts",
    "decision": "Décision",
    "motif": "Motif du rejet",
}
# The service's field names → the form's.
CHAMPS_SERVICE = {"sam_cents": "sam", "total_pensions_mensuel_cents": "total_pensions_mensuel", "rfr_cents": "rfr", "date_decision": "decision"}


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(form: Any, name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _errors(error: ValidationError, renames: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in error.errors():
        field = str(e["loc"][0]) if e["loc"] else "formulaire"
        out.setdefault(renames.get(field, field), "valeur invalide" if e["type"] != "missing" else "obligatoire")
    return out


# -- espace assuré: « ma retraite » -----------------------------------------------------------------


def _ma_retraite(request: Request, caller: PageCaller, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200,
                 message: str | None = None) -> HTMLResponse:
    assert caller.personne_id is not None
    with unit_of_work(request.app.state.sessions) as session:
        etat = service.ma_retraite(session, caller, caller.personne_id)
    ouverte = any(d["statut"] in ("deposee", "instruite", "attribuee") for d in etat["demandes"])
    for d in etat["demandes"]:
        d["statut_libelle"] = STATUTS[d["statut"]]
        d["caisse"] = get_organisme(d["organisme_code"]).nom
    return render(request, "retraite/demande_ma_retraite.html", {
        "etat": etat, "peut_demander": not ouverte, "v": valeurs, "erreurs": erreurs, "champs": CHAMPS_DEMANDE, "message": message,
    }, status_code=status_code)


@router.get("/assure/retraite", response_class=HTMLResponse)
def ma_retraite(request: Request, caller: PageCaller, message: str | None = None) -> Response:
    require_role(caller, Role.ASSURE)
    require(caller, Permission.RETRAITE_LIRE)
    return _ma_retraite(request, caller, {"enfants": "0", "trimestres_autres_regimes": "0"}, {}, message=message)


@router.post("/assure/retraite", response_class=HTMLResponse)
async def demander(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ASSURE)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {name: _text(form, name) for name in CHAMPS_DEMANDE}
    data: dict[str, Any] = {k: v for k, v in valeurs.items() if v and k != "inaptitude"}
    data.update(personne_id=caller.personne_id, date_demande=date.today().isoformat(), inaptitude=valeurs["inaptitude"] == "oui")
    try:
        entree = service.DemandeIn.model_validate(data)
    except ValidationError as error:
        return _ma_retraite(request, caller, valeurs, _errors(error, {}), status_code=422)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            service.demander(session, caller, entree)
    except Forbidden:
        raise
    except SecuError as error:
        field = error.field if error.field in CHAMPS_DEMANDE else "date_effet"
        return _ma_retraite(request, caller, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse("/assure/retraite?message=deposee", status_code=303)


@router.get("/assure/retraite/notifications/{demande_id}.pdf")
def lettre(request: Request, caller: PageCaller, demande_id: IdPath) -> Response:
    require_role(caller, Role.ASSURE)
    with unit_of_work(request.app.state.sessions) as session:
        contenu = service.lettre_pdf(service.lire_notification(session, caller, demande_id))
    return Response(contenu, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="notification-retraite-{demande_id}.pdf"', "Cache-Control": "no-store"})


# -- bureau de l'agent: « instruire une demande » ---------------------------------------------------


CHAMPS_DEPOT = {"personne_id": "N° de dossier de l'assuré", "date_demande": "Reçue le", **CHAMPS_DEMANDE}


@router.get("/agent/retraite", response_class=HTMLResponse)
def file(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.AGENT)
    require(caller, Permission.RETRAITE_INSTRUIRE)
    return _file(request, caller, {"date_demande": date.today().isoformat(), "enfants": "0", "trimestres_autres_regimes": "0"}, {})


@router.post("/agent/retraite", response_class=HTMLResponse)
async def deposer(request: Request, caller: PageCaller) -> Response:
    """An agent files a claim received at the counter or by post, for the assuré."""
    require_role(caller, Role.AGENT)
    require(caller, Permission.RETRAITE_DEMANDER)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {name: _text(form, name) for name in CHAMPS_DEPOT}
    data: dict[str, Any] = {k: v for k, v in valeurs.items() if v and k != "inaptitude"}
    data["inaptitude"] = valeurs["inaptitude"] == "oui"
    try:
        entree = service.DemandeIn.model_validate(data)
        with unit_of_work(request.app.state.sessions) as session:
            demande_id = service.demander(session, caller, entree).id
    except ValidationError as error:
        return _file(request, caller, valeurs, _errors(error, {}), status_code=422)
    except Forbidden:
        raise
    except SecuError as error:
        field = error.field if error.field in CHAMPS_DEPOT else "personne_id"
        return _file(request, caller, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse(f"/agent/retraite/demandes/{demande_id}", status_code=303)


def _file(request: Request, caller: PageCaller, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200) -> HTMLResponse:
    with unit_of_work(request.app.state.sessions) as session:
        lignes = []
        for demande in service.file_caisse(session, caller):
            personne = session.get(Personne, demande.personne_id)
            assert personne is not None
            lignes.append({"id": demande.id, "nom": f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}", "date_demande": demande.date_demande,
                           "date_effet": demande.date_effet, "statut": STATUTS[demande.statut]})
    caisse = get_organisme(caller.organisme_code).nom if caller.organisme_code else ""
    return render(request, "retraite/agent_file.html", {"demandes": lignes, "caisse": caisse, "v": valeurs, "erreurs": erreurs,
                                                         "champs": CHAMPS_DEPOT}, status_code=status_code)


def _instruire(request: Request, caller: PageCaller, demande_id: int, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200,
               message: str | None = None) -> HTMLResponse:
    with unit_of_work(request.app.state.sessions) as session:
        demande = service.lire_demande(session, caller, demande_id)
        personne = session.get(Personne, demande.personne_id)
        assert personne is not None
        out = service.demande_out(session, demande)
    out["statut_libelle"] = STATUTS[out["statut"]]
    instruite = out["instruction"]
    if not valeurs and instruite is not None:  # a second instruction starts from the first one's facts
        valeurs = {"sam": f"{instruite['sam_cents'] / 100:.2f}".replace(".", ","),
                   **{k: str(instruite[k]) for k in ("trimestres", "trimestres_rg", "trimestres_cotises")}}
    return render(request, "retraite/agent_instruire.html", {
        "d": out, "personne": personne, "v": valeurs, "erreurs": erreurs, "champs": CHAMPS_INSTRUCTION, "message": message,
        "aujourdhui": date.today().isoformat(),
    }, status_code=status_code)


@router.get("/agent/retraite/demandes/{demande_id}", response_class=HTMLResponse)
def instruire_form(request: Request, caller: PageCaller, demande_id: IdPath, message: str | None = None) -> Response:
    require_role(caller, Role.AGENT)
    require(caller, Permission.RETRAITE_INSTRUIRE)
    return _instruire(request, caller, demande_id, {}, {}, message=message)


def _euros(valeurs: dict[str, str], name: str) -> int | None:
    text = valeurs[name].replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return None if not text else to_cents(text, field=name)


@router.post("/agent/retraite/demandes/{demande_id}/instruction", response_class=HTMLResponse)
async def instruire(request: Request, caller: PageCaller, demande_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    noms = ("sam", "trimestres_rg", "trimestres", "trimestres_cotises", "trimestres_apres_age_legal", "age_debut_activite", "total_pensions_mensuel",
            "rfr", "parts")
    valeurs = {name: _text(form, name) for name in noms}
    valeurs.update(carriere_longue=_text(form, "carriere_longue"), inaptitude_reconnue=_text(form, "inaptitude_reconnue"))
    try:
        parts = None if not valeurs["parts"] else Decimal(valeurs["parts"].replace(",", "."))
        data: dict[str, Any] = {
            "sam_cents": _euros(valeurs, "sam"), "total_pensions_mensuel_cents": _euros(valeurs, "total_pensions_mensuel"),
            "rfr_cents": _euros(valeurs, "rfr"), "parts": parts,
            "carriere_longue": valeurs["carriere_longue"] == "oui", "inaptitude_reconnue": valeurs["inaptitude_reconnue"] == "oui",
        }
        data.update({k: valeurs[k] for k in ("trimestres_rg", "trimestres", "trimestres_cotises", "trimestres_apres_age_legal", "age_debut_activite")
                     if valeurs[k]})
        entree = service.InstructionIn.model_validate(data)
    except InvalidOperation:
        return _instruire(request, caller, demande_id, valeurs, {"parts": "Nombre invalide"}, status_code=422)
    except ValidationError as error:
        return _instruire(request, caller, demande_id, valeurs, _errors(error, CHAMPS_SERVICE), status_code=422)
    except SecuError as error:
        return _instruire(request, caller, demande_id, valeurs, {CHAMPS_SERVICE.get(error.field or "", error.field or "sam"): _capitalize(error.message)},
                          status_code=error.status_code)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            service.instruire(session, caller, demande_id, entree)
    except Forbidden:
        raise
    except SecuError as error:
        field = CHAMPS_SERVICE.get(error.field or "", error.field or "")
        return _instruire(request, caller, demande_id, valeurs, {field if field in CHAMPS_INSTRUCTION else "sam": _capitalize(error.message)},
                          status_code=error.status_code)
    return RedirectResponse(f"/agent/retraite/demandes/{demande_id}?message=instruite", status_code=303)


@router.post("/agent/retraite/demandes/{demande_id}/decision", response_class=HTMLResponse)
async def decider(request: Request, caller: PageCaller, demande_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {"decision": _text(form, "decision"), "motif": _text(form, "motif")}
    try:
        entree = service.DecisionIn(decision=valeurs["decision"], motif=valeurs["motif"] or None, date_decision=date.today())
        with unit_of_work(request.app.state.sessions) as session:
            service.decider(session, caller, demande_id, entree)
    except ValidationError as error:
        return _instruire(request, caller, demande_id, valeurs, _errors(error, CHAMPS_SERVICE), status_code=422)
    except Forbidden:
        raise
    except SecuError as error:
        field = error.field if error.field in ("decision", "motif") else "decision"
        return _instruire(request, caller, demande_id, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse(f"/agent/retraite/demandes/{demande_id}?message={valeurs['decision']}", status_code=303)
