"""Assurance Maladie over HTTP: lots of FSE in, décomptes and payments out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from pydantic_core import to_json
from sqlalchemy import select
from sqlalchemy.orm import Session

from secu.acces import Permission, exiger, exiger_organisme, peut, refus
from secu.api.deps import CallerDep, IdPath, PaginationDep, transaction
from secu.core.db import paginate
from secu.core.entree import Entree, ObjetJson
from secu.core.errors import NotFound
from secu.core.security import Action, Caller, Ressource, journal
from secu.maladie import intake
from secu.maladie.models import CampagnePaiement, Fse
from secu.maladie.paiement import run_payments
from secu.register.access import read_person, require_person

router = APIRouter(prefix="/maladie", tags=["assurance maladie"])


class ResultatOut(BaseModel):
    numero: str | None
    statut: str
    code: str | None
    motif: str | None
    champ: str | None
    fse_id: int | None
    rembourse_cents: int
    lignes: list[dict[str, Any]]


class LotOut(BaseModel):
    lot_id: int
    numero: str
    acceptees: int
    rejetees: int
    resultats: list[ResultatOut]


@router.post("/lots", response_model=LotOut, summary="Transmettre un lot de feuilles de soins")
def receive(request: Request, caller: CallerDep, data: intake.LotIn) -> Response:
    """Each FSE is taken or rejected on its own: a rejection carries a code and a French label.

    The same lot (or FSE) sent again, even at the same moment, gets the same answer as the first time."""
    lot_id, numero, results = intake.receive_lot_retrying(request.app.state.sessions, caller, data, today=date.today())
    # LotOut's fields, written straight to JSON: the answer of a lot of hundreds of feuilles is megabytes, which
    # validating again against the response model would walk once more for nothing (the test of the route checks
    # that the answer is a LotOut, its fields in their order).
    head = {
        "lot_id": lot_id,
        "numero": numero,
        "acceptees": sum(r.statut == "liquidee" for r in results),
        "rejetees": sum(r.statut == "rejetee" for r in results),
    }
    return Response(_object(head, "resultats", b"[" + b",".join(_resultat_json(r) for r in results) + b"]"), media_type="application/json")


def _object(fields: dict[str, Any], last: str, raw: bytes) -> bytes:
    """The JSON object of ``fields`` followed by ``last``, whose value is the JSON text ``raw``."""
    return (to_json(fields)[:-1] + b"," if fields else b"{") + to_json(last) + b":" + raw + b"}"


def _resultat_json(result: intake.Resultat) -> bytes:
    """A ResultatOut as JSON; each line's explanation is copied from the JSON text stored (nine tenths of the
    answer's bytes), not written again from its steps."""
    head = {name: getattr(result, name) for name in ResultatOut.model_fields if name != "lignes"}
    if len(result.explications) != len(result.lignes):
        return _object(head, "lignes", to_json(result.lignes))
    lines = (
        _object({k: v for k, v in line.items() if k != "explication"}, "explication", text.encode())
        for line, text in zip(result.lignes, result.explications, strict=True)
    )
    return _object(head, "lignes", b"[" + b",".join(lines) + b"]")


def _fse_visible(session, caller: Caller, fse: Fse) -> None:  # type: ignore[no-untyped-def]
    """The professional who sent it sees it; the others as far as they see the patient's file."""
    refused = "accès refusé : cette feuille ne relève pas de votre périmètre"
    if peut(caller, Permission.LIRE_FSE_TRANSMISES) and caller.professionnel_id == fse.professionnel_id:
        return
    if fse.personne_id is None or not peut(caller, Permission.LIRE_FSE):
        raise refus(refused)
    require_person(session, caller, fse.personne_id)


def _fse_out(session: Session, fse: Fse) -> dict[str, Any]:
    return {
        "id": fse.id,
        "numero": fse.numero,
        "date_soins": fse.date_soins,
        "organisme_code": fse.organisme_code,
        "statut": fse.statut,
        "code_rejet": fse.code_rejet,
        "motif_rejet": fse.motif_rejet,
        "tiers_payant": fse.tiers_payant,
        "rembourse_cents": fse.rembourse_cents,
        "verse_cents": fse.verse_cents,
        "a_recuperer_cents": fse.a_recuperer_cents,
        "recupere_cents": fse.recupere_cents,
        "paye_a": "professionnel" if fse.tiers_payant else "assure",
        "paye": fse.paiement_id is not None,
        "lignes": intake.lines_out(session, fse.lignes),
    }


@router.get("/fse/{fse_id}", summary="Une feuille de soins et sa liquidation expliquée")
def read_fse(request: Request, caller: CallerDep, fse_id: IdPath) -> dict[str, Any]:
    with transaction(request) as session:
        fse = session.get(Fse, fse_id)
        if fse is None:
            raise NotFound("feuille de soins introuvable", field="fse_id")
        _fse_visible(session, caller, fse)
        if fse.personne_id is not None:
            journal(session, caller, Action.LECTURE, Ressource.FSE, fse.id, personne_id=fse.personne_id)
        return _fse_out(session, fse)


@router.get("/fse/{fse_id}/retour-amc", summary="Retour à l'organisme complémentaire, ligne par ligne")
def amc_return(request: Request, caller: CallerDep, fse_id: IdPath) -> dict[str, Any]:
    """What the AMO paid and what is left for the complementary insurer to consider, per line."""
    exiger(caller, Permission.LIRE_RETOUR_AMC)
    with transaction(request) as session:
        fse = session.get(Fse, fse_id)
        if fse is None or fse.statut != "liquidee":
            raise NotFound("feuille de soins liquidée introuvable", field="fse_id")
        _fse_visible(session, caller, fse)
        journal(session, caller, Action.LECTURE, Ressource.RETOUR_AMC, fse.id, personne_id=fse.personne_id)
        return {
            "fse": fse.numero,
            "date_soins": fse.date_soins,
            "lignes": [
                {
                    "numero": ligne.numero,
                    "acte": ligne.acte,
                    "montant_facture_cents": ligne.montant_cents,
                    "base_remboursement_cents": ligne.base_remboursement_cents,
                    "amo_paye_cents": ligne.rembourse_cents,
                    "ticket_moderateur_cents": ligne.ticket_moderateur_cents,
                    "depassement_cents": ligne.depassement_cents,
                    "participation_forfaitaire_cents": ligne.participation_forfaitaire_cents,
                    "franchise_cents": ligne.franchise_cents,
                }
                for ligne in fse.lignes
            ],
        }


@router.get("/personnes/{personne_id}/decompte", summary="Décompte de remboursements d'une personne")
def statement(
    request: Request,
    caller: CallerDep,
    personne_id: IdPath,
    pagination: PaginationDep,
    du: Annotated[date | None, Query()] = None,
    au: Annotated[date | None, Query()] = None,
) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_FSE)  # reimbursements: the maladie caisses, not a CAF's agent
    with transaction(request) as session:
        read_person(session, caller, personne_id, what=Ressource.DECOMPTE)
        query = select(Fse).where(Fse.personne_id == personne_id, Fse.statut == "liquidee")
        if du:
            query = query.where(Fse.date_soins >= du)
        if au:
            query = query.where(Fse.date_soins <= au)
        rows, total = paginate(session, query, page=pagination.page, taille=pagination.taille, order_by=(Fse.date_soins.desc(), Fse.id.desc()))
        return {"items": [_fse_out(session, f) for f in rows], "total": total, "page": pagination.page, "taille": pagination.taille}


@router.get("/professionnel/paiements", summary="Ce que la caisse a payé au professionnel connecté (tiers payant)")
def paid_to_professional(request: Request, caller: CallerDep, pagination: PaginationDep) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_PAIEMENTS_RECUS)
    with transaction(request) as session:
        query = select(Fse).where(Fse.professionnel_id == caller.professionnel_id, Fse.statut == "liquidee", Fse.tiers_payant.is_(True))
        rows, total = paginate(session, query, page=pagination.page, taille=pagination.taille, order_by=(Fse.date_soins.desc(), Fse.id.desc()))
        items = []
        for fse in rows:
            run = session.get(CampagnePaiement, fse.paiement_id) if fse.paiement_id else None
            items.append(
                {
                    "fse": fse.numero,
                    "date_soins": fse.date_soins,
                    "montant_cents": fse.verse_cents,
                    "paye_le": run.date_execution if run else None,
                    "campagne": run.id if run else None,
                }
            )
        return {"items": items, "total": total, "page": pagination.page, "taille": pagination.taille}


class CampagneIn(Entree):
    organisme_code: str = Field(max_length=20)
    date_execution: date


@router.post("/paiements", summary="Lancer (ou reprendre) la campagne de paiement d'une caisse")
def pay(request: Request, caller: CallerDep, data: CampagneIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.PAYER_PRESTATIONS, data.organisme_code, "un agent ne lance que les paiements de sa caisse")
    bilan = run_payments(request.app.state.sessions, data.organisme_code, data.date_execution)
    return {k: v for k, v in bilan.__dict__.items() if k != "fichier_sepa"} | {"fichier": f"/api/maladie/paiements/{bilan.campagne_id}/sepa.xml"}


@router.get(
    "/paiements/{campagne_id}/sepa.xml",
    summary="Le fichier de virements SEPA (pain.001) d'une campagne",
    response_class=Response,
    responses={200: {"description": "le fichier pain.001 (lecture journalisée)", "content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def sepa_file(request: Request, caller: CallerDep, campagne_id: IdPath) -> Response:
    exiger(caller, Permission.PAYER_PRESTATIONS)
    with transaction(request) as session:
        run = session.get(CampagnePaiement, campagne_id)
        if run is None or run.statut != "terminee":
            raise NotFound("campagne de paiement introuvable ou inachevée", field="campagne_id")
        exiger_organisme(caller, Permission.PAYER_PRESTATIONS, run.organisme_code, "accès refusé : campagne d'une autre caisse")
        # Every payee's name and IBAN: the download is a read, journalled like any other.
        journal(session, caller, Action.LECTURE, Ressource.FICHIER_SEPA, run.id, detail=f"maladie {run.organisme_code}")
        return Response(run.fichier_sepa or "", media_type="application/xml")


fhir_router = APIRouter(prefix="/fhir", tags=["FHIR R4"])


@fhir_router.post("/Claim", summary="Soumettre une feuille de soins en FHIR R4 (Claim → ClaimResponse)")
def fhir_claim(request: Request, caller: CallerDep, payload: Annotated[ObjetJson, Body(description="ressource Claim FHIR R4")]) -> dict[str, Any]:
    from secu.maladie import fhir

    exiger(caller, Permission.TRANSMETTRE_FSE)  # refused before the claim is read
    claim = fhir.parse_claim(payload)
    lot = fhir.claim_to_lot(claim)
    _, _, results = intake.receive_lot_retrying(request.app.state.sessions, caller, lot, today=date.today())
    return fhir.claim_response(claim, results[0])
