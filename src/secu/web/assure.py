"""Espace assuré: attestation (page and PDF), remboursements, médecin traitant, prestations familiales, simulateur.

Every read goes through the services the API uses (``read_person``,
``show_rights``…), so a page shows exactly what the API would, and each read
of a file is journalled. A URL naming someone else's file gets the services'
own refusal, shown as a French page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from secu.api.deps import IdPath
from secu.core.db import unit_of_work
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.money import format_eur
from secu.core.security import Caller, Role
from secu.famille import service as famille
from secu.maladie.intake import lines_out
from secu.maladie.models import Fse
from secu.register import schemas, service
from secu.register.access import read_person
from secu.register.attestation import attestation
from secu.register.models import MedecinTraitant, Personne, ProfessionnelSante
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require_role, templates

router = APIRouter(prefix="/assure", include_in_schema=False, route_class=PageRoute)

PAGE_SIZE = 10
REGIMES = {"general": "général"}
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def _date_fr(d: date | None) -> str:
    if d is None:
        return ""
    return f"{'1er' if d.day == 1 else d.day} {MOIS[d.month - 1]} {d.year}"


def _mois_fr(d: date) -> str:
    return f"{MOIS[d.month - 1]} {d.year}"


templates.env.filters.setdefault("euros", lambda cents: format_eur(int(cents or 0)))
templates.env.filters.setdefault("date_fr", _date_fr)
templates.env.filters.setdefault("mois_fr", _mois_fr)


def _own(caller: Caller) -> int:
    require_role(caller, Role.ASSURE)
    if caller.personne_id is None:
        raise NotFound("Aucun dossier n'est rattaché à votre compte.")
    return caller.personne_id


def _name(p: Personne) -> str:
    return f"{p.prenoms} {p.nom_usage or p.nom_naissance}"


def _family(session: Any, caller: Caller, me: Personne, today: date) -> list[dict[str, Any]]:
    """The person and the minors attached to them: the files this account may open."""
    people = [{"id": me.id, "nom": _name(me), "moi": True}]
    for link in service.children_of(session, me.id, on=today):
        child = session.get(Personne, link.enfant_id)
        if child is not None:
            people.append({"id": child.id, "nom": _name(child), "moi": False})
    return people


# -- home -------------------------------------------------------------------------


@router.get("")
def home(request: Request, caller: PageCaller) -> Response:
    me_id = _own(caller)
    with unit_of_work(request.app.state.sessions) as session:
        me = read_person(session, caller, me_id, what="espace_assure")
        famille_ = _family(session, caller, me, date.today())
    return render(request, "assure/accueil.html", {"personne": {"nom": famille_[0]["nom"]}, "famille": famille_})


# -- attestation de droits ----------------------------------------------------------------


def _attestation(request: Request, caller: Caller, personne_id: int, on: date) -> schemas.Attestation:
    _own(caller)
    with unit_of_work(request.app.state.sessions) as session:
        personne = read_person(session, caller, personne_id, what="attestation")
        return attestation(session, personne, on)


def _on(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField("date", "Date invalide : utilisez le format AAAA-MM-JJ.") from None


@router.get("/attestation")
def my_attestation(caller: PageCaller) -> Response:
    return RedirectResponse(f"/assure/attestation/{_own(caller)}", status_code=303)


@router.get("/attestation/{personne_id}")
def attestation_page(request: Request, caller: PageCaller, personne_id: IdPath) -> Response:
    on = _on(request.query_params.get("date"))
    att = _attestation(request, caller, personne_id, on)
    with unit_of_work(request.app.state.sessions) as session:
        me = session.get(Personne, caller.personne_id)
        people = _family(session, caller, me, date.today()) if me else []
    return render(request, "assure/attestation.html", {"att": att, "personne_id": personne_id, "famille": people, "date_choisie": on, "regimes": REGIMES})


def _latin1(text: str) -> str:
    # The PDF's built-in fonts know Latin-1 only: spell out the few characters outside it.
    for a, b in (("€", "EUR"), ("’", "'"), ("œ", "oe"), ("Œ", "OE"), ("–", "-"), ("—", "-"), ("\u202f", " ")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def attestation_pdf(att: schemas.Attestation) -> bytes:
    """The attestation as a one-page PDF, made in memory (nothing written to disk)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Attestation de droits - {att.prenoms} {att.nom}"))
    pdf.set_author("secu - Sécurité sociale, régime général")
    pdf.set_lang("fr")
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1("Attestation de droits à l'assurance maladie"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _latin1(f"Établie le {_date_fr(date.today())}, pour la situation au {_date_fr(att.date)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def row(label: str, value: str) -> None:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(70, 7, _latin1(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")

    row("Nom", att.nom)
    row("Prénoms", att.prenoms)
    row("Date de naissance", _date_fr(att.date_naissance))
    row("Numéro de sécurité sociale", f"{att.nir[:13]} {att.nir[13:]}" if len(att.nir) == 15 else att.nir)
    row("Qualité", att.qualite)
    if att.ouvrants_droit:
        row("Ouvrant(s) droit", ", ".join(f"{o.prenoms} {o.nom}" for o in att.ouvrants_droit))
    pdf.ln(3)
    if att.couvert:
        row("Droits", "ouverts")
        if att.organisme:
            row("Caisse", f"{att.organisme.nom} ({att.organisme.code})")
        if att.regime:
            row("Régime", REGIMES.get(att.regime, att.regime))
        row("Depuis le", _date_fr(att.droits_depuis))
        if att.droits_jusqu_au:
            row("Jusqu'au", _date_fr(att.droits_jusqu_au))
    else:
        row("Droits", f"non ouverts - {att.motif_absence_droits or ''}")
    for exo in att.exonerations:
        row("Exonération", f"{exo.libelle} ({exo.reference}), depuis le {_date_fr(exo.depuis)}")
    if att.c2s:
        row(
            "Complémentaire santé solidaire",
            f"du {_date_fr(att.c2s.date_debut)} au {_date_fr(att.c2s.date_fin)}"
            + (f", participation {format_eur(att.c2s.participation_mensuelle_cents)} par mois" if att.c2s.avec_participation else ", sans participation"),
        )
    if att.medecin_traitant:
        row("Médecin traitant", f"Dr {att.medecin_traitant.prenom} {att.medecin_traitant.nom}, depuis le {_date_fr(att.medecin_traitant.depuis)}")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            "Cette attestation justifie de vos droits à la date indiquée. Elle ne remplace pas la carte Vitale. "
            "Droits de l'assuré : CSS L160-1 ; ayants droit mineurs : CSS L160-2."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


@router.get("/attestation/{personne_id}/pdf")
def attestation_download(request: Request, caller: PageCaller, personne_id: IdPath) -> Response:
    on = _on(request.query_params.get("date"))
    att = _attestation(request, caller, personne_id, on)
    return Response(
        attestation_pdf(att),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attestation-droits-{on.isoformat()}.pdf"', "Cache-Control": "no-store"},
    )


# -- remboursements ------------------------------------------------------------------


@router.get("/remboursements")
def claims(request: Request, caller: PageCaller) -> Response:
    me_id = _own(caller)
    try:
        personne_id = int(request.query_params.get("personne") or me_id)
        page = max(1, min(10_000, int(request.query_params.get("page") or 1)))
    except ValueError:
        raise InvalidField("page", "Numéro de page ou de personne invalide.") from None
    with unit_of_work(request.app.state.sessions) as session:
        # The décompte of the API: the same access check, the same journal entry.
        personne = read_person(session, caller, personne_id, what="decompte")
        query = select(Fse).where(Fse.personne_id == personne.id, Fse.statut == "liquidee")
        total = len(list(session.scalars(query.with_only_columns(Fse.id))))
        rows = session.scalars(query.order_by(Fse.date_soins.desc(), Fse.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        feuilles = [
            {
                "numero": f.numero,
                "date_soins": f.date_soins,
                "rembourse_cents": f.rembourse_cents,
                "verse_cents": f.verse_cents,
                "paye_a": "professionnel" if f.tiers_payant else "assure",
                "paye": f.paiement_id is not None,
                "lignes": lines_out(session, f.lignes),
            }
            for f in rows
        ]
        me = session.get(Personne, me_id)
        people = _family(session, caller, me, date.today()) if me else []
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "assure/remboursements.html",
        {"feuilles": feuilles, "total": total, "page": page, "pages": pages, "personne_id": personne_id, "famille": people, "nom": _name(personne)},
    )


# -- médecin traitant ----------------------------------------------------------------------


def _mt_context(request: Request, caller: Caller, me_id: int) -> dict[str, Any]:
    with unit_of_work(request.app.state.sessions) as session:
        read_person(session, caller, me_id, what="medecin_traitant")
        current = session.scalar(select(MedecinTraitant).where(MedecinTraitant.personne_id == me_id, MedecinTraitant.date_fin.is_(None)))
        medecin = session.get(ProfessionnelSante, current.professionnel_id) if current else None
        return {
            "actuel": None
            if current is None or medecin is None
            else {"nom": f"Dr {medecin.prenom} {medecin.nom}", "depuis": current.date_debut, "rpps": medecin.rpps}
        }


@router.get("/medecin-traitant")
def mt_form(request: Request, caller: PageCaller) -> Response:
    me_id = _own(caller)
    ctx = _mt_context(request, caller, me_id)
    return render(
        request,
        "assure/medecin_traitant.html",
        ctx | {"erreurs": {}, "valeurs": {"rpps": "", "date_debut": date.today().isoformat()}, "succes": request.query_params.get("ok") == "1"},
    )


@router.post("/medecin-traitant")
def mt_declare(
    request: Request,
    caller: PageCaller,
    rpps: Annotated[str, Form(max_length=40)] = "",
    date_debut: Annotated[str, Form(max_length=40)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, {"csrf": csrf})
    me_id = _own(caller)
    errors: dict[str, str] = {}
    rpps = rpps.strip().replace(" ", "")
    if not rpps.isdigit() or len(rpps) != 11:
        errors["rpps"] = "Le numéro RPPS compte 11 chiffres (il figure sur les ordonnances de votre médecin)."
    try:
        start = date.fromisoformat(date_debut)
    except ValueError:
        errors["date_debut"] = "Date invalide : indiquez le jour, le mois et l'année."
    if not errors:
        try:
            with unit_of_work(request.app.state.sessions) as session:
                medecin = session.scalar(select(ProfessionnelSante).where(ProfessionnelSante.rpps == rpps))
                if medecin is None:
                    raise InvalidField("professionnel_id", "aucun professionnel de santé ne porte ce numéro RPPS")
                # The register's own service: the API's validation, the API's journal entry.
                service.declare_medecin_traitant(
                    session, me_id, schemas.MedecinTraitantIn(professionnel_id=medecin.id, date_debut=start), caller=caller, today=date.today()
                )
        except (InvalidField, Conflict) as error:
            field = {"professionnel_id": "rpps"}.get(error.field or "", error.field or "rpps")
            errors[field if field in ("rpps", "date_debut") else "rpps"] = error.message[0].upper() + error.message[1:] + "."
    if errors:
        ctx = _mt_context(request, caller, me_id)
        return render(
            request,
            "assure/medecin_traitant.html",
            ctx | {"erreurs": errors, "valeurs": {"rpps": rpps, "date_debut": date_debut}, "succes": False},
            status_code=422,
        )
    return RedirectResponse("/assure/medecin-traitant?ok=1", status_code=303)


# -- prestations familiales -------------------------------------------------------------------


def _month(value: str | None) -> date:
    if not value:
        return famille.first_of_month(date.today())
    try:
        year, month = value.split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise InvalidField("mois", "Mois invalide : utilisez le format AAAA-MM.") from None


@router.get("/prestations")
def family_benefits(request: Request, caller: PageCaller) -> Response:
    _own(caller)
    month = _month(request.query_params.get("mois"))
    result: dict[str, Any] | None = None
    erreur: str | None = None
    with unit_of_work(request.app.state.sessions) as session:
        dossiers = famille.dossiers_of(session, caller)
    if dossiers:
        try:
            with unit_of_work(request.app.state.sessions) as session:
                # The CAF's own computation, explained, and journalled as a read of the household's files.
                result = famille.show_rights(session, caller, dossiers[0], month)
        except InvalidField as error:
            erreur = error.message[0].upper() + error.message[1:] + "."
    from secu.famille.explication import LIBELLES

    return render(
        request,
        "assure/prestations.html",
        {"resultat": result, "mois": month, "mois_valeur": month.strftime("%Y-%m"), "erreur": erreur, "a_un_dossier": bool(dossiers), "libelles": LIBELLES},
    )


# -- simulateur ------------------------------------------------------------------------------

MAX_ENFANTS = 6


def _simulation_form(form: Any) -> tuple[dict[str, Any], date, dict[str, str]]:
    """The household of the form, in the shape of ``secu.famille.foyer`` (the CAF simulator's own input)."""
    errors: dict[str, str] = {}
    couple = form.get("situation") == "couple"
    parents = [form.get("parent1", "")] + ([form.get("parent2", "")] if couple else [])
    for i, value in enumerate(parents, start=1):
        if not value:
            errors[f"parent{i}"] = "Indiquez la date de naissance."
    enfants = []
    for i in range(1, MAX_ENFANTS + 1):
        born = form.get(f"enfant{i}", "")
        if born:
            enfants.append({"date_naissance": born, "garde_alternee": form.get(f"alterne{i}") == "oui"})
    ressources = (form.get("ressources") or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if ressources == "":
        errors["ressources"] = "Indiquez les revenus du foyer (0 si aucun)."
    try:
        month = _month(form.get("mois"))
    except InvalidField as error:
        errors["mois"] = error.message
        month = date.today().replace(day=1)
    foyer = {"parents": parents, "enfants": enfants, "ressources_n2": ressources or "0", "biactif": couple and form.get("biactif") == "oui"}
    return foyer, month, errors


_FIELD_OF = {"parents[0]": "parent1", "parents[1]": "parent2", "ressources_n2": "ressources", "mois": "mois"}


def _form_field(field: str | None) -> str:
    if not field:
        return "foyer"
    if field in _FIELD_OF:
        return _FIELD_OF[field]
    if field.startswith("enfants["):
        try:
            return f"enfant{int(field[8 : field.index(']')]) + 1}"
        except ValueError:
            return "foyer"
    return "foyer"


def simulate(form: Any) -> tuple[dict[str, Any] | None, dict[str, str], date]:
    from secu.famille import foyer as foyer_file

    foyer, month, errors = _simulation_form(form)
    if errors:
        return None, errors, month
    try:
        foyers, enfants = foyer_file.frames(foyer, [month])
        by_key = famille.rights_of_frames(foyers, enfants)
    except InvalidField as error:
        field = _form_field(error.field)
        return None, {field: error.message[0].upper() + error.message[1:] + "."}, month
    except (KeyError, TypeError, ValueError) as error:
        return None, {"foyer": f"Foyer illisible : {error}."}, month
    droits = next(iter(by_key.values()), [])
    return (
        {
            "prestations": [d.__dict__ for d in droits],
            "total_brut_cents": sum(d.brut_cents for d in droits),
            "total_net_cents": sum(d.net_cents for d in droits),
        },
        {},
        month,
    )


@router.get("/simulateur")
def simulator(request: Request, caller: PageCaller) -> Response:
    _own(caller)
    from secu.famille.explication import LIBELLES

    return render(
        request,
        "assure/simulateur.html",
        {
            "erreurs": {},
            "valeurs": {"situation": "couple", "mois": date.today().strftime("%Y-%m")},
            "resultat": None,
            "max_enfants": MAX_ENFANTS,
            "libelles": LIBELLES,
        },
    )


@router.post("/simulateur")
async def simulator_run(request: Request, caller: PageCaller) -> Response:
    form = await request.form()
    check_csrf(request, form)
    _own(caller)
    from starlette.concurrency import run_in_threadpool

    from secu.famille.explication import LIBELLES

    values = {k: v for k, v in form.items() if isinstance(v, str) and len(v) <= 40}
    result, errors, month = await run_in_threadpool(simulate, values)
    ctx = {"erreurs": errors, "valeurs": values, "resultat": result, "mois": month, "max_enfants": MAX_ENFANTS, "libelles": LIBELLES}
    # htmx asks for the result only; without JavaScript the whole page comes back.
    if request.headers.get("HX-Request"):
        return render(request, "assure/_simulation_resultat.html", ctx)  # htmx swaps 2xx answers only
    return render(request, "assure/simulateur.html", ctx, status_code=422 if errors else 200)
