"""The pages of the réversion, the allocation veuvage and the ASPA (issue 14 §4): the espace assuré's « réversion, veuvage,
ASPA » (file a claim, follow it, read the letters, the payments) and the agent's queue (instruct, decide).

Every read and write goes through :mod:`secu.retraite.survivants`, as the API's routes do (same checks, same French
messages, same journal rows).
"""

from __future__ import annotations

from datetime import date
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
from secu.retraite import survivants as service
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require, require_role

router = APIRouter(include_in_schema=False, route_class=PageRoute)

STATUTS = {"deposee": "déposée, en attente d'instruction", "instruite": "en cours d'instruction", "attribuee": "attribuée", "rejetee": "rejetée"}
CHAMPS_DEMANDE = {
    "nature": "Prestation demandée",
    "defunt_id": "N° de dossier de l'assuré décédé",
    "date_effet": "Date d'effet souhaitée",
    "revenus_activite_3_mois": "Revenus d'activité des 3 derniers mois (euros)",
    "autres_ressources_3_mois": "Autres ressources des 3 derniers mois (euros)",
    "revenus_activite_12_mois": "Revenus d'activité des 12 derniers mois (euros)",
    "autres_ressources_12_mois": "Autres ressources des 12 derniers mois (euros)",
    "ressources_trimestre": "Ressources du dernier trimestre (euros, allocation veuvage)",
    "duree_mariage_mois": "Durée du mariage (mois)",
    "enfants": "Enfants eus ou élevés",
    "iban": "IBAN",
    "bic": "BIC",
}
CHAMPS_EUROS = ("revenus_activite_3_mois", "autres_ressources_3_mois", "revenus_activite_12_mois", "autres_ressources_12_mois", "ressources_trimestre")
CHAMPS_INSTRUCTION = {
    "pension_defunt": "Pension annuelle due à l'assuré décédé (euros)",
    "trimestres_defunt": "Trimestres de l'assuré au régime général",
    "duree_mariages_total_mois": "Durée totale des mariages de l'assuré (mois)",
    "date_droits_propres": "Entrée en jouissance de toutes les retraites personnelles",
    "mois_affiliation_defunt": "Mois d'affiliation de l'assuré dans les 12 mois avant le décès",
    "rfr": "Revenu fiscal de référence N-2 (euros)",
    "decision": "Décision",
    "motif": "Motif du rejet",
}
CHAMPS_SERVICE = {"pension_defunt_cents": "pension_defunt", "rfr_cents": "rfr", "date_decision": "decision"}


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


def _cents(valeurs: dict[str, str], name: str) -> int | None:
    text = valeurs.get(name, "")
    return None if not text else to_cents(text, field=name)


# -- espace assuré ------------------------------------------------------------------------------------


def _page_assure(request: Request, caller: PageCaller, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200,
                 message: str | None = None) -> HTMLResponse:
    assert caller.personne_id is not None
    with unit_of_work(request.app.state.sessions) as session:
        etat = service.mes_prestations(session, caller, caller.personne_id)
    for d in etat["demandes"]:
        d["statut_libelle"], d["libelle"], d["caisse"] = STATUTS[d["statut"]], service.LIBELLES[d["nature"]], get_organisme(d["organisme_code"]).nom
    for p in etat["prestations"]:
        p["libelle"] = service.LIBELLES[p["nature"]]
    return render(request, "retraite/survivants_assure.html", {"etat": etat, "v": valeurs, "erreurs": erreurs, "champs": CHAMPS_DEMANDE,
                                                               "message": message, "libelles": service.LIBELLES}, status_code=status_code)


@router.get("/assure/retraite/survivants", response_class=HTMLResponse)
def mes_prestations(request: Request, caller: PageCaller, message: str | None = None) -> Response:
    require_role(caller, Role.ASSURE)
    require(caller, Permission.RETRAITE_LIRE)
    return _page_assure(request, caller, {"nature": "reversion", "enfants": "0"}, {}, message=message)


@router.post("/assure/retraite/survivants", response_class=HTMLResponse)
async def demander(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ASSURE)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {name: _text(form, name) for name in CHAMPS_DEMANDE}
    valeurs["couple"] = _text(form, "couple")
    try:
        data: dict[str, Any] = {k: v for k, v in valeurs.items() if v and k not in (*CHAMPS_EUROS, "couple")}
        data.update({k: _cents(valeurs, k) for k in CHAMPS_EUROS if valeurs[k]})
        data.update(personne_id=caller.personne_id, date_demande=date.today().isoformat(), couple=valeurs["couple"] == "oui")
        entree = service.DemandeSolidariteIn.model_validate(data)
        with unit_of_work(request.app.state.sessions) as session:
            service.demander(session, caller, entree)
    except ValidationError as error:
        return _page_assure(request, caller, valeurs, _errors(error, {}), status_code=422)
    except Forbidden:
        raise
    except SecuError as error:
        field = error.field if error.field in CHAMPS_DEMANDE else "nature"
        return _page_assure(request, caller, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse("/assure/retraite/survivants?message=deposee", status_code=303)


@router.get("/assure/retraite/survivants/lettres/{notification_id}.pdf")
def lettre(request: Request, caller: PageCaller, notification_id: IdPath) -> Response:
    require_role(caller, Role.ASSURE)
    with unit_of_work(request.app.state.sessions) as session:
        contenu = service.lettre_pdf(service.lire_notification(session, caller, notification_id))
    return Response(contenu, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="lettre-retraite-{notification_id}.pdf"', "Cache-Control": "no-store"})


# -- bureau de l'agent ----------------------------------------------------------------------------------


@router.get("/agent/retraite/survivants", response_class=HTMLResponse)
def file(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.AGENT)
    require(caller, Permission.RETRAITE_INSTRUIRE)
    with unit_of_work(request.app.state.sessions) as session:
        lignes = []
        for demande in service.file_caisse(session, caller):
            personne = session.get(Personne, demande.personne_id)
            assert personne is not None
            lignes.append({"id": demande.id, "nom": f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}",
                           "libelle": service.LIBELLES[demande.nature], "date_demande": demande.date_demande, "date_effet": demande.date_effet,
                           "statut": STATUTS[demande.statut]})
    caisse = get_organisme(caller.organisme_code).nom if caller.organisme_code else ""
    return render(request, "retraite/survivants_agent_file.html", {"demandes": lignes, "caisse": caisse})


def _instruire(request: Request, caller: PageCaller, demande_id: int, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200,
               message: str | None = None) -> HTMLResponse:
    with unit_of_work(request.app.state.sessions) as session:
        demande = service.lire_demande(session, caller, demande_id)
        personne = session.get(Personne, demande.personne_id)
        defunt = session.get(Personne, demande.defunt_id) if demande.defunt_id else None
        out = service.demande_out(session, demande)
    out["statut_libelle"], out["libelle"] = STATUTS[out["statut"]], service.LIBELLES[out["nature"]]
    return render(request, "retraite/survivants_agent_instruire.html", {
        "d": out, "personne": personne, "defunt": defunt, "v": valeurs, "erreurs": erreurs, "champs": CHAMPS_INSTRUCTION, "message": message,
    }, status_code=status_code)


@router.get("/agent/retraite/survivants/demandes/{demande_id}", response_class=HTMLResponse)
def instruire_form(request: Request, caller: PageCaller, demande_id: IdPath, message: str | None = None) -> Response:
    require_role(caller, Role.AGENT)
    require(caller, Permission.RETRAITE_INSTRUIRE)
    return _instruire(request, caller, demande_id, {}, {}, message=message)


@router.post("/agent/retraite/survivants/demandes/{demande_id}/instruction", response_class=HTMLResponse)
async def instruire(request: Request, caller: PageCaller, demande_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {name: _text(form, name) for name in CHAMPS_INSTRUCTION if name not in ("decision", "motif")}
    try:
        data: dict[str, Any] = {k: v for k, v in valeurs.items() if v and k not in ("pension_defunt", "rfr")}
        data.update(pension_defunt_cents=_cents(valeurs, "pension_defunt"), rfr_cents=_cents(valeurs, "rfr"))
        entree = service.InstructionSolidariteIn.model_validate(data)
        with unit_of_work(request.app.state.sessions) as session:
            service.instruire(session, caller, demande_id, entree)
    except ValidationError as error:
        return _instruire(request, caller, demande_id, valeurs, _errors(error, CHAMPS_SERVICE), status_code=422)
    except Forbidden:
        raise
    except SecuError as error:
        field = CHAMPS_SERVICE.get(error.field or "", error.field or "")
        return _instruire(request, caller, demande_id, valeurs, {field if field in CHAMPS_INSTRUCTION else "pension_defunt": _capitalize(error.message)},
                          status_code=error.status_code)
    return RedirectResponse(f"/agent/retraite/survivants/demandes/{demande_id}?message=instruite", status_code=303)


@router.post("/agent/retraite/survivants/demandes/{demande_id}/decision", response_class=HTMLResponse)
async def decider(request: Request, caller: PageCaller, demande_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    valeurs = {"decision": _text(form, "decision"), "motif": _text(form, "motif")}
    try:
        entree = service.DecisionSolidariteIn(decision=valeurs["decision"], motif=valeurs["motif"] or None, date_decision=date.today())
        with unit_of_work(request.app.state.sessions) as session:
            service.decider(session, caller, demande_id, entree)
    except ValidationError as error:
        return _instruire(request, caller, demande_id, valeurs, _errors(error, CHAMPS_SERVICE), status_code=422)
    except Forbidden:
        raise
    except SecuError as error:
        field = error.field if error.field in ("decision", "motif") else "decision"
        return _instruire(request, caller, demande_id, valeurs, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse(f"/agent/retraite/survivants/demandes/{demande_id}?message={valeurs['decision']}", status_code=303)
