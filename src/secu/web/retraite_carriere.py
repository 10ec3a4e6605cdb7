"""Pages of the compte de carrière (issue 14 items 1 and 5).

Espace assuré: « Mon relevé de carrière » (year by year: salary, quarters by kind, sources; the PDF), the request of
a correction, « Mon estimation retraite ». Bureau de l'agent: the corrections waiting in his caisse de retraite, a
person's relevé, the decision. Open to everyone, without sign-in: the retirement simulator (nothing stored).

Every read and write goes through :mod:`secu.retraite.carriere` and :mod:`secu.retraite.estimation`: the API's
access rules, checks, French messages and journal rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from secu.api.deps import IdPath
from secu.core.db import unit_of_work
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.security import Caller, Ressource, Role
from secu.retraite import carriere, estimation
from secu.retraite.models import NATURES
from secu.retraite.releve_pdf import releve_pdf
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require_role

router = APIRouter(include_in_schema=False, route_class=PageRoute)
M = TypeVar("M", bound=BaseModel)

CHAMPS_CORRECTION = {"annee": "Année", "nature": "Nature", "montant": "Montant", "jours": "Jours", "trimestres": "Trimestres", "mois": "Mois",
                     "origine": "Employeur ou organisme", "explication": "Explication"}
CHAMPS_SIMULATION = {"date_naissance": "Date de naissance", "trimestres": "Trimestres validés", "sam": "Salaire annuel moyen",
                     "salaire": "Salaire annuel supposé", "evolution": "Évolution annuelle", "enfants": "Enfants", "salaires": "Salaires"}


def _own(caller: Caller) -> int:
    require_role(caller, Role.ASSURE)
    if caller.personne_id is None:
        raise NotFound("Aucun dossier n'est rattaché à votre compte.")
    return caller.personne_id


def _phrase(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _euros(value: str, field: str) -> int:
    texte = (value or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not texte:
        return 0
    try:
        euros = Decimal(texte)
    except InvalidOperation:
        raise InvalidField(field, "montant en euros attendu, par exemple 1250,50") from None
    if euros < 0 or euros != euros.quantize(Decimal("0.01")) or euros > Decimal(10**8):
        raise InvalidField(field, "montant positif en euros, deux décimales au plus")
    return int(euros * 100)


def _modele(model: type[M], **values: Any) -> M:
    """A form's values as the service's input model; a value out of its bounds is the field's French message."""
    try:
        return model(**values)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "formulaire"
        raise InvalidField(field, "valeur hors des bornes admises") from None


def _entier(value: str, field: str) -> int:
    try:
        return int(value) if (value or "").strip() else 0
    except ValueError:
        raise InvalidField(field, "nombre entier attendu") from None


# -- espace assuré: the relevé ---------------------------------------------------------------


@router.get("/assure/retraite/carriere")
def mon_releve(request: Request, caller: PageCaller) -> Response:
    me = _own(caller)
    with unit_of_work(request.app.state.sessions) as session:
        releve = carriere.releve(session, caller, me)
    return render(request, "retraite/carriere.html", {"releve": releve, "libelles": carriere.LIBELLES_NATURE, "ok": request.query_params.get("ok") == "1"})


@router.get("/assure/retraite/carriere/releve.pdf")
def mon_releve_pdf(request: Request, caller: PageCaller) -> Response:
    me = _own(caller)
    with unit_of_work(request.app.state.sessions) as session:
        releve = carriere.releve(session, caller, me, ressource=Ressource.RELEVE_CARRIERE)
    return Response(releve_pdf(releve), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="releve-de-carriere.pdf"', "Cache-Control": "no-store"})


def _correction_page(request: Request, valeurs: dict[str, str], erreurs: dict[str, str], status_code: int = 200) -> Response:
    return render(request, "retraite/carriere_correction.html", {"valeurs": valeurs, "erreurs": erreurs, "natures": NATURES,
                                                                 "libelles": carriere.LIBELLES_NATURE, "champs": CHAMPS_CORRECTION},
                  status_code=status_code)


@router.get("/assure/retraite/carriere/correction")
def correction_form(request: Request, caller: PageCaller) -> Response:
    _own(caller)
    annee = request.query_params.get("annee", "")
    return _correction_page(request, {"annee": annee if annee.isdigit() else "", "nature": "salaire"}, {})


@router.post("/assure/retraite/carriere/correction")
async def correction_send(request: Request, caller: PageCaller) -> Response:
    form = await request.form()
    check_csrf(request, form)
    me = _own(caller)
    valeurs = {k: v for k, v in form.items() if isinstance(v, str) and k in CHAMPS_CORRECTION and len(v) <= 2000}
    try:
        annee = _entier(valeurs.get("annee", ""), "annee")
        if not 1930 <= annee <= 2100:
            raise InvalidField("annee", "année attendue, par exemple 2019")
        data = _modele(carriere.CorrectionIn, annee=annee, nature=valeurs.get("nature", ""),
                       montant_cents=_euros(valeurs.get("montant", ""), "montant"), jours=_entier(valeurs.get("jours", ""), "jours"),
                       trimestres=_entier(valeurs.get("trimestres", ""), "trimestres"), mois=_entier(valeurs.get("mois", ""), "mois"),
                       origine=valeurs.get("origine", "")[:100], explication=valeurs.get("explication", "") or " ")
        with unit_of_work(request.app.state.sessions) as session:
            carriere.demander_correction(session, caller, me, data)
    except InvalidField as error:
        field = {"montant_cents": "montant"}.get(error.field or "", error.field or "explication")
        if field not in CHAMPS_CORRECTION:
            field = "explication"
        return _correction_page(request, valeurs, {field: _phrase(error.message)}, 422)
    return RedirectResponse("/assure/retraite/carriere?ok=1", status_code=303)


# -- espace assuré: the estimation -------------------------------------------------------------


@router.get("/assure/retraite/estimation")
def mon_estimation(request: Request, caller: PageCaller) -> Response:
    me = _own(caller)
    valeurs = {"salaire": request.query_params.get("salaire", "")[:14], "evolution": request.query_params.get("evolution", "0")[:8]}
    resultat, erreurs = None, {}
    try:
        hypothese = estimation.hypothese_de(valeurs["salaire"] or None, valeurs["evolution"] or "0")
        with unit_of_work(request.app.state.sessions) as session:
            resultat = estimation.estimer_compte(session, caller, me, hypothese)
    except InvalidField as error:
        erreurs[error.field if error.field in ("salaire", "evolution") else "salaire"] = _phrase(error.message)
    return render(request, "retraite/estimation.html", {"valeurs": valeurs, "erreurs": erreurs, "resultat": resultat},
                  status_code=422 if erreurs and (valeurs["salaire"] or valeurs["evolution"] not in ("", "0")) else 200)


# -- the open simulator ------------------------------------------------------------------------


def _simulation(valeurs: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    try:
        salaires = []
        for ligne in (valeurs.get("salaires") or "").splitlines():
            if ligne.strip():
                annee, _, montant = ligne.replace(";", ":").replace("=", ":").partition(":")
                if not montant:
                    raise InvalidField("salaires", "une ligne par année : « 2019 : 28000 »")
                salaires.append(estimation.SalairePasse(annee=_entier(annee.strip(), "salaires"), salaire_cents=_euros(montant, "salaires")))
        try:
            naissance = date.fromisoformat(valeurs.get("date_naissance", ""))
        except ValueError:
            raise InvalidField("date_naissance", "date de naissance attendue (jour, mois, année)") from None
        try:
            evolution = Decimal((valeurs.get("evolution") or "0").replace(",", "."))
        except InvalidOperation:
            raise InvalidField("evolution", "pourcentage attendu, par exemple 1,5") from None
        if not -10 <= evolution <= 10:
            raise InvalidField("evolution", "l'évolution annuelle est comprise entre -10 % et +10 %")
        sam = valeurs.get("sam", "").strip()
        data = _modele(
            estimation.SimulationIn, date_naissance=naissance, trimestres=min(300, _entier(valeurs.get("trimestres", ""), "trimestres")),
            sam_cents=_euros(sam, "sam") if sam else None, salaires=salaires, salaire_cents=_euros(valeurs.get("salaire", ""), "salaire"),
            evolution_pourcent=evolution, enfants=min(20, _entier(valeurs.get("enfants", ""), "enfants")), mere=valeurs.get("mere") == "oui",
        )
        return estimation.simuler(data), {}
    except InvalidField as error:
        field = {"sam_cents": "sam", "salaire_cents": "salaire", "trimestres_rg": "trimestres", "evolution_pourcent": "evolution"}.get(
            error.field or "", error.field or "salaires")
        return None, {field if field in CHAMPS_SIMULATION else "salaires": _phrase(error.message)}


@router.get("/retraite/simulateur")
def simulateur(request: Request) -> Response:
    return render(request, "retraite/simulateur.html", {"valeurs": {"evolution": "0"}, "erreurs": {}, "resultat": None, "champs": CHAMPS_SIMULATION})


@router.post("/retraite/simulateur")
async def simulateur_calcul(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    valeurs = {k: v for k, v in form.items() if isinstance(v, str) and k in (*CHAMPS_SIMULATION, "mere") and len(v) <= 4000}
    resultat, erreurs = await run_in_threadpool(_simulation, valeurs)
    ctx = {"valeurs": valeurs, "erreurs": erreurs, "resultat": resultat, "champs": CHAMPS_SIMULATION}
    if request.headers.get("HX-Request"):
        return render(request, "retraite/estimation_resultat.html", ctx)  # htmx swaps 2xx answers only
    return render(request, "retraite/simulateur.html", ctx, status_code=422 if erreurs else 200)


# -- bureau de l'agent: the corrections of his caisse de retraite ------------------------------


@router.get("/agent/retraite/corrections")
def corrections_agent(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.AGENT)
    with unit_of_work(request.app.state.sessions) as session:
        items = [carriere.correction_out(c) for c in carriere.corrections_a_instruire(session, caller)]
    return render(request, "retraite/carriere_corrections_agent.html", {"corrections": items, "erreur": request.query_params.get("erreur"),
                                                                        "ok": request.query_params.get("ok")})


@router.get("/agent/retraite/carriere/{personne_id}")
def releve_agent(request: Request, caller: PageCaller, personne_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    with unit_of_work(request.app.state.sessions) as session:
        releve = carriere.releve(session, caller, personne_id)
    return render(request, "retraite/carriere.html", {"releve": releve, "libelles": carriere.LIBELLES_NATURE, "agent": True, "ok": False})


@router.post("/agent/retraite/corrections/{correction_id}")
async def instruire(request: Request, caller: PageCaller, correction_id: IdPath) -> Response:
    form = await request.form()
    check_csrf(request, form)
    require_role(caller, Role.AGENT)
    decision = str(form.get("decision") or "")[:8]
    motif = str(form.get("motif_refus") or "")[:500]
    try:
        with unit_of_work(request.app.state.sessions) as session:
            carriere.instruire_correction(session, caller, correction_id, carriere.InstructionIn(
                decision=decision, date_decision=date.today(), motif_refus=motif or None))
    except (InvalidField, Conflict) as error:
        from urllib.parse import quote

        return RedirectResponse(f"/agent/retraite/corrections?erreur={quote(_phrase(error.message))}", status_code=303)
    return RedirectResponse(f"/agent/retraite/corrections?ok={correction_id}", status_code=303)
