"""Le bureau de l'agent de caisse: find a person of the caisse, open the file, register, record a change.

Every read goes through `secu.register.access` (scope of the caisse, journal)
and every write through `secu.register.service` (same rules and French
messages as the API). Medical data (ALD) is never shown to an agent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from secu.acces import Permission, peut
from secu.api.deps import IdPath
from secu.api.errors import _field as api_field
from secu.api.errors import _french as api_message
from secu.core.db import paginate, unit_of_work
from secu.core.errors import Forbidden, SecuError
from secu.core.money import format_eur
from secu.core.security import ROLE_LABELS, Caller, JournalAcces, Role, journal_refus
from secu.famille.models import DossierAllocataire
from secu.famille.service import dossier_out, may_see
from secu.maladie.models import Fse
from secu.organismes import get_organisme
from secu.register import schemas, service
from secu.register.access import read_person
from secu.register.attestation import attestation
from secu.register.models import MedecinTraitant, MembreFoyer, ProfessionnelSante
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require_role, templates

router = APIRouter(prefix="/agent", include_in_schema=False, route_class=PageRoute)

CallerPage = PageCaller

BRANCHES_LIBELLES = {
    "maladie": "Maladie",
    "atmp": "Accidents du travail",
    "retraite": "Retraite",
    "famille": "Famille",
    "recouvrement": "Recouvrement",
    "autonomie": "Autonomie",
}
_ROLE_LIBELLES: dict[str, str] = {role.value: libelle for role, libelle in ROLE_LABELS.items()}  # the journal stores plain strings
ACTIONS = {"lecture": "consultation", "creation": "création", "modification": "modification", "refus": "accès refusé"}
ROLES_FOYER = {"allocataire": "allocataire", "conjoint": "conjoint ou conjointe", "enfant": "enfant", "autre": "autre personne"}

# The fields of the forms, in order, with their French labels.
CHAMPS_IMMATRICULATION = (
    ("nir", "NIR (numéro de sécurité sociale)"),
    ("nom_naissance", "Nom de naissance"),
    ("nom_usage", "Nom d'usage"),
    ("prenoms", "Prénoms"),
    ("date_naissance", "Date de naissance"),
    ("sexe", "Sexe"),
    ("departement", "Département de résidence"),
    ("commune", "Code commune INSEE"),
    ("code_postal", "Code postal"),
    ("adresse", "Adresse"),
    ("regime", "Régime"),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("email", "Adresse électronique"),
)
CHAMPS_CHANGEMENT = (
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("commune", "Code commune INSEE"),
    ("departement", "Département de résidence"),
    ("nom_usage", "Nom d'usage"),
    ("email", "Adresse électronique"),
)


# -- helpers ----------------------------------------------------------------------------------


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return render(request, template, context, status_code=status_code)


def _form_errors(error: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in error.errors():
        out.setdefault(api_field(e["loc"]), _capitalize(api_message(dict(e))))
    return out


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _texts(form: Any, names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {name: str(form.get(name, "") or "").strip() for name, _ in names}


def _nir_lisible(nir: str) -> str:
    n = nir
    return f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:15]}" if len(n) == 15 else n


def _iban_masque(iban: str | None) -> str | None:
    return None if not iban else f"{iban[:4]} •••• •••• {iban[-4:]}"


templates.env.filters.setdefault("euros", lambda cents: format_eur(int(cents or 0)))
templates.env.filters["agent_date"] = lambda d: "" if d is None else f"{d:%d/%m/%Y}"
templates.env.filters["agent_horodatage"] = lambda d: "" if d is None else f"{d:%d/%m/%Y à %H:%M:%S}"
templates.env.filters["agent_nir"] = _nir_lisible


# -- search -----------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def bureau(
    request: Request,
    caller: CallerPage,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    require_role(caller, Role.AGENT)
    organisme = get_organisme(caller.organisme_code).nom if caller.organisme_code else ""
    context: dict[str, Any] = {"q": q or "", "organisme": organisme, "resultats": None, "total": 0, "page": page, "taille": 20,
                               "instruit_carrieres": peut(caller, Permission.RETRAITE_INSTRUIRE_CORRECTION)}
    if q is not None:
        with unit_of_work(request.app.state.sessions) as session:
            rows, total = service.search_persons(session, caller, q=q, page=page, taille=20)
            context["resultats"] = [schemas.PersonneResume.model_validate(r) for r in rows]
            context["total"] = total
    return _render(request, "agent/bureau.html", context)


# -- the file ----------------------------------------------------------------------------------


def _medecins_traitants(session: Any, personne_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(MedecinTraitant).where(MedecinTraitant.personne_id == personne_id).order_by(MedecinTraitant.date_debut.desc())
    )
    out = []
    for mt in rows:
        medecin = session.get(ProfessionnelSante, mt.professionnel_id)
        out.append({"medecin": f"Dr {medecin.prenom} {medecin.nom}" if medecin else "médecin inconnu",
                    "specialite": (medecin.specialite if medecin else None), "depuis": mt.date_debut, "jusqu_au": mt.date_fin})
    return out


def _famille(session: Any, caller: Caller, personne_id: int) -> dict[str, Any] | None:
    """The dossier allocataire the person belongs to, when the agent's caisse manages it."""
    dossiers = session.scalars(
        select(DossierAllocataire)
        .join(MembreFoyer, MembreFoyer.foyer_id == DossierAllocataire.foyer_id)
        .where(MembreFoyer.personne_id == personne_id)
        .order_by(DossierAllocataire.id)
    ).all()
    for dossier in dossiers:
        if may_see(session, caller, dossier):
            out = dossier_out(session, caller, dossier.id)  # journals one read per member
            out["organisme"] = get_organisme(dossier.organisme_code).nom
            return out
    return None


@router.get("/personnes/{personne_id}", response_class=HTMLResponse)
def dossier(request: Request, caller: CallerPage, personne_id: IdPath, message: str | None = None) -> Response:
    require_role(caller, Role.AGENT)
    with unit_of_work(request.app.state.sessions) as session:
        personne = read_person(session, caller, personne_id, what="personne")
        identite = schemas.PersonneOut.model_validate(personne)
        read_person(session, caller, personne_id, what="attestation")
        droits = attestation(session, personne, date.today())
        # Medical data: an agent never sees an ALD, not even as an exonération of the attestation.
        exonerations = [e for e in droits.exonerations if e.motif != "ALD"]
        read_person(session, caller, personne_id, what="medecin_traitant")
        medecins = _medecins_traitants(session, personne_id)
        soins: list[dict[str, Any]] | None = None  # None: not this agent's branch (a CAF agent sees no reimbursement)
        total_fse = 0
        if peut(caller, Permission.LIRE_FSE):
            read_person(session, caller, personne_id, what="decompte")
            fses, total_fse = paginate(
                session, select(Fse).where(Fse.personne_id == personne_id, Fse.statut == "liquidee"),
                page=1, taille=10, order_by=(Fse.date_soins.desc(), Fse.id.desc()),
            )
            soins = [{"numero": f.numero, "date_soins": f.date_soins, "rembourse_cents": f.rembourse_cents,
                      "paye_a": "professionnel (tiers payant)" if f.tiers_payant else "assuré", "paye": f.paiement_id is not None}
                     for f in fses]
        famille = _famille(session, caller, personne_id)
        # Who read this file: reading the journal is itself a read of the file, journalled first.
        read_person(session, caller, personne_id, what="journal_acces")
        acces = [
            {"horodatage": r.horodatage, "role": _ROLE_LIBELLES.get(r.role, r.role),
             "utilisateur_id": r.utilisateur_id, "action": ACTIONS.get(r.action, r.action), "ressource": r.ressource}
            for r in session.scalars(
                select(JournalAcces).where(JournalAcces.personne_id == personne_id).order_by(JournalAcces.id.desc()).limit(25)
            )
        ]
    rattachements = [{"branche": BRANCHES_LIBELLES.get(r.branche, r.branche), "organisme": get_organisme(r.organisme_code).nom}
                     for r in identite.rattachements]
    return _render(request, "agent/dossier.html", {
        "p": identite, "iban": _iban_masque(identite.iban), "rattachements": rattachements, "droits": droits,
        "exonerations": exonerations, "medecins": medecins, "soins": soins, "total_fse": total_fse, "famille": famille,
        "roles_foyer": ROLES_FOYER, "acces": acces, "message": message, "voit_arrets": peut(caller, Permission.LIRE_ARRETS),
        "voit_carriere": peut(caller, Permission.RETRAITE_LIRE_CARRIERE),
    })


# -- registering a person -----------------------------------------------------------------------


def _journal_refusal(request: Request, caller: Caller, error: Forbidden) -> None:
    """A refusal shown beside a field rather than as a page is journalled all the same, in its own unit of work."""
    with unit_of_work(request.app.state.sessions) as session:
        journal_refus(session, caller, request.url.path, detail=error.message)


def _immatriculation(request: Request, caller: Caller, valeurs: dict[str, str], erreurs: dict[str, str],
                     alerte: str | None = None, status_code: int = 200) -> HTMLResponse:
    return _render(request, "agent/immatriculation.html",
                   {"champs": dict(CHAMPS_IMMATRICULATION), "v": valeurs, "erreurs": erreurs, "alerte": alerte}, status_code)


@router.get("/immatriculation", response_class=HTMLResponse)
def immatriculation_form(request: Request, caller: CallerPage) -> Response:
    require_role(caller, Role.AGENT)
    return _immatriculation(request, caller, {"regime": "general"}, {})


@router.post("/immatriculation", response_class=HTMLResponse)
async def immatriculation(request: Request, caller: CallerPage) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    valeurs = _texts(form, CHAMPS_IMMATRICULATION)
    data = {k: v for k, v in valeurs.items() if v != ""}
    data.setdefault("regime", "general")
    try:
        entree = schemas.PersonneIn.model_validate(data)
    except ValidationError as error:
        return _immatriculation(request, caller, valeurs, _form_errors(error), status_code=422)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            personne = service.register_person(session, entree, caller=caller, today=date.today())
            personne_id = personne.id
    except Forbidden as error:
        # Residing outside the caisse's territory: said beside the département (and journalled as a refusal).
        _journal_refusal(request, caller, error)
        return _immatriculation(request, caller, valeurs, {"departement": _capitalize(error.message)}, status_code=403)
    except SecuError as error:
        if error.field in valeurs:
            return _immatriculation(request, caller, valeurs, {error.field: _capitalize(error.message)}, status_code=error.status_code)
        return _immatriculation(request, caller, valeurs, {}, alerte=_capitalize(error.message), status_code=error.status_code)
    return RedirectResponse(f"/agent/personnes/{personne_id}?message=immatriculee", status_code=303)


# -- recording a change ----------------------------------------------------------------------------


def _changement(request: Request, caller: Caller, p: Any, valeurs: dict[str, str], erreurs: dict[str, str],
                medecins: list[dict[str, Any]], mt_valeurs: dict[str, str], mt_erreurs: dict[str, str],
                status_code: int = 200) -> HTMLResponse:
    return _render(request, "agent/changement.html", {
        "p": p, "champs": dict(CHAMPS_CHANGEMENT), "v": valeurs, "erreurs": erreurs,
        "medecins": medecins, "mt": mt_valeurs, "mt_erreurs": mt_erreurs, "aujourdhui": date.today().isoformat(),
    }, status_code)


def _doctors_near(session: Any, departement: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ProfessionnelSante)
        .where(ProfessionnelSante.profession == "medecin", ProfessionnelSante.secteur != 3, ProfessionnelSante.departement == departement)
        .order_by(ProfessionnelSante.nom, ProfessionnelSante.prenom)
    )
    return [{"id": m.id, "libelle": f"Dr {m.prenom} {m.nom}" + (f" — {m.specialite}" if m.specialite else "") + f" (secteur {m.secteur})"}
            for m in rows]


def _current(p: schemas.PersonneOut) -> dict[str, str]:
    return {name: str(getattr(p, name) or "") for name, _ in CHAMPS_CHANGEMENT}


def _load_for_change(request: Request, caller: Caller, personne_id: int) -> tuple[schemas.PersonneOut, list[dict[str, Any]]]:
    with unit_of_work(request.app.state.sessions) as session:
        personne = read_person(session, caller, personne_id, what="personne")
        return schemas.PersonneOut.model_validate(personne), _doctors_near(session, personne.departement)


@router.get("/personnes/{personne_id}/changement", response_class=HTMLResponse)
def changement_form(request: Request, caller: CallerPage, personne_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    p, medecins = _load_for_change(request, caller, personne_id)
    return _changement(request, caller, p, _current(p), {}, medecins, {"date_debut": date.today().isoformat()}, {})


@router.post("/personnes/{personne_id}/changement", response_class=HTMLResponse)
async def changement(request: Request, caller: CallerPage, personne_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    p, medecins = _load_for_change(request, caller, personne_id)
    valeurs = _texts(form, CHAMPS_CHANGEMENT)
    avant = _current(p)
    changed = {k: (v or None) for k, v in valeurs.items() if v != avant[k]}
    if "departement" in changed or "commune" in changed:  # the commune is read against the département
        changed.setdefault("departement", valeurs["departement"] or None)
        changed.setdefault("commune", valeurs["commune"] or None)
    mt_defaut = {"date_debut": date.today().isoformat()}
    if not changed:
        return _changement(request, caller, p, valeurs, {"adresse": "Aucun changement : modifiez au moins un champ"},
                           medecins, mt_defaut, {}, status_code=422)
    try:
        entree = schemas.PersonneChange.model_validate(changed)
    except ValidationError as error:
        return _changement(request, caller, p, valeurs, _form_errors(error), medecins, mt_defaut, {}, status_code=422)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            service.change_person(session, personne_id, entree, caller=caller, today=date.today())
    except Forbidden:
        raise  # the French refusal page, journalled
    except SecuError as error:
        field = error.field if error.field in valeurs else "adresse"
        return _changement(request, caller, p, valeurs, {field: _capitalize(error.message)}, medecins, mt_defaut, {},
                           status_code=error.status_code)
    return RedirectResponse(f"/agent/personnes/{personne_id}?message=changement", status_code=303)


@router.post("/personnes/{personne_id}/medecin-traitant", response_class=HTMLResponse)
async def medecin_traitant(request: Request, caller: CallerPage, personne_id: IdPath) -> Response:
    require_role(caller, Role.AGENT)
    form = await request.form()
    check_csrf(request, form)
    p, medecins = _load_for_change(request, caller, personne_id)
    mt = {"professionnel_id": str(form.get("professionnel_id", "") or "").strip(), "date_debut": str(form.get("date_debut", "") or "").strip()}
    try:
        entree = schemas.MedecinTraitantIn.model_validate({k: v for k, v in mt.items() if v})
    except ValidationError as error:
        return _changement(request, caller, p, _current(p), {}, medecins, mt, _form_errors(error), status_code=422)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            service.declare_medecin_traitant(session, personne_id, entree, caller=caller, today=date.today())
    except Forbidden:
        raise  # the French refusal page, journalled
    except SecuError as error:
        field = error.field if error.field in mt else "professionnel_id"
        return _changement(request, caller, p, _current(p), {}, medecins, mt, {field: _capitalize(error.message)}, status_code=error.status_code)
    return RedirectResponse(f"/agent/personnes/{personne_id}?message=medecin", status_code=303)
