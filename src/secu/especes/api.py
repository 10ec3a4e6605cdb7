"""Prestations en espèces over HTTP: avis d'arrêt, attestations de salaire, congés, an assuré's arrêts and IJ, the
liquidation and the payment runs, the attestation de paiement des IJ (JSON and PDF), the employer's subrogated IJ.

Who may do what (``secu.acces``):

| route | who |
|---|---|
| post an avis d'arrêt, declare a congé | the prescriber (professionnel), an agent of the assuré's CPAM, an admin |
| post an attestation de salaire | the employer (its own establishments), an agent of the assuré's CPAM, an admin |
| an assuré's arrêts and IJ, the attestation de paiement | the assuré (and his minors), his CPAM's agents, the region's médecin-conseil, an admin (journaled) |
| liquidate, pay, the SEPA file | an agent of the caisse, an admin |
| the IJ received under subrogation | the employer (its own SIRET), an admin — journaled per salarié |
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from secu.acces import Permission, exiger, exiger_organisme
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.entree import Entree
from secu.core.errors import NotFound
from secu.core.security import Action, Ressource, journal
from secu.especes import paiement, service
from secu.especes.attestation import attestation_paiement_pdf
from secu.especes.models import CampagneIJ
from secu.especes.schemas import AttestationSalaire

router = APIRouter(prefix="/especes", tags=["prestations en espèces (IJ)"])


@router.post("/avis", summary="Recevoir un avis d'arrêt de travail (initial, prolongation, reprise) ; le même avis deux fois est un seul arrêt")
def post_avis(request: Request, caller: CallerDep, data: service.AvisIn) -> dict[str, Any]:
    exiger(caller, Permission.TRANSMETTRE_AVIS_ARRET)
    return service.recevoir_avis_retrying(request.app.state.sessions, caller, data, today=date.today())


@router.post("/attestations-salaire", summary="Recevoir l'attestation de salaire de l'employeur pour un arrêt (une fois par référence)")
def post_attestation(request: Request, caller: CallerDep, data: AttestationSalaire) -> dict[str, Any]:
    exiger(caller, Permission.TRANSMETTRE_ATTESTATION_SALAIRE)
    return service.recevoir_attestation_retrying(request.app.state.sessions, caller, data)


@router.post("/conges", status_code=201, summary="Déclarer un congé maternité, paternité et d'accueil de l'enfant, ou d'adoption")
def post_conge(request: Request, caller: CallerDep, data: service.CongeIn) -> dict[str, Any]:
    exiger(caller, Permission.TRANSMETTRE_AVIS_ARRET)
    with transaction(request) as session:
        return service.arret_out(service.declarer_conge(session, caller, data))


@router.get("/personnes/{personne_id}/arrets", summary="Les arrêts d'un assuré, chaque période d'IJ expliquée, et pourquoi un jour n'est pas payé")
def read_arrets(request: Request, caller: CallerDep, personne_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_ARRETS)
    with transaction(request) as session:
        items = service.arrets_of(session, caller, personne_id)
    return {"items": items, "total": len(items)}


Du = Annotated[date, Query(description="premier jour de paiement retenu")]
Au = Annotated[date, Query(description="dernier jour de paiement retenu")]


@router.get("/personnes/{personne_id}/attestation-paiement", summary="L'attestation de paiement des IJ sur une période")
def read_attestation(request: Request, caller: CallerDep, personne_id: IdPath, du: Du, au: Au) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_ARRETS)
    with transaction(request) as session:
        return service.attestation_paiement(session, caller, personne_id, du, au)


@router.get(
    "/personnes/{personne_id}/attestation-paiement.pdf",
    summary="L'attestation de paiement des IJ, en PDF",
    response_class=Response,
    responses={
        200: {"description": "l'attestation en PDF (lecture journalisée)", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
def read_attestation_pdf(request: Request, caller: CallerDep, personne_id: IdPath, du: Du, au: Au) -> Response:
    exiger(caller, Permission.LIRE_ARRETS)
    with transaction(request) as session:
        data = service.attestation_paiement(session, caller, personne_id, du, au)
    return Response(
        attestation_paiement_pdf(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attestation-ij-{du.isoformat()}-{au.isoformat()}.pdf"', "Cache-Control": "no-store"},
    )


class LiquidationIn(Entree):
    organisme_code: str = Field(min_length=1, max_length=20, description="la caisse primaire")
    au: date = Field(description="liquider les périodes terminées à cette date")


@router.post("/liquidations", summary="Liquider les IJ des arrêts d'une caisse jusqu'à une date (sans rien calculer deux fois)")
def liquidate(request: Request, caller: CallerDep, data: LiquidationIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.PAYER_PRESTATIONS, data.organisme_code, "un agent ne liquide que les IJ de sa caisse")
    with transaction(request) as session:
        return asdict(service.liquider_periodes(session, data.au, organisme_code=data.organisme_code, caller=caller))


class PaiementIn(Entree):
    organisme_code: str = Field(min_length=1, max_length=20)
    date_execution: date


@router.post("/paiements", summary="Lancer (ou reprendre) le paiement des IJ d'une caisse")
def pay(request: Request, caller: CallerDep, data: PaiementIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.PAYER_PRESTATIONS, data.organisme_code, "un agent ne lance que les paiements de sa caisse")
    bilan = paiement.run_payments(request.app.state.sessions, data.organisme_code, data.date_execution)
    return {k: v for k, v in asdict(bilan).items() if k != "fichier_sepa"} | {"fichier": f"/api/especes/paiements/{bilan.campagne_id}/sepa.xml"}


@router.get(
    "/paiements/{campagne_id}/sepa.xml",
    summary="Le fichier de virements SEPA (pain.001) d'un paiement des IJ",
    response_class=Response,
    responses={200: {"description": "le fichier pain.001 (lecture journalisée)", "content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def sepa_file(request: Request, caller: CallerDep, campagne_id: IdPath) -> Response:
    exiger(caller, Permission.PAYER_PRESTATIONS)
    with transaction(request) as session:
        run = session.get(CampagneIJ, campagne_id)
        if run is None or run.statut != "terminee":
            raise NotFound("paiement des IJ introuvable ou inachevé", field="campagne_id")
        exiger_organisme(caller, Permission.PAYER_PRESTATIONS, run.organisme_code, "accès refusé : paiement d'une autre caisse")
        journal(session, caller, Action.LECTURE, Ressource.FICHIER_SEPA, run.id, detail=f"IJ {run.organisme_code}")
        return Response(run.fichier_sepa or "", media_type="application/xml")


@router.get("/employeurs/{siret}/ij-subrogees", summary="Les IJ que la caisse verse à l'employeur subrogé, pour un établissement")
def subrogated(request: Request, caller: CallerDep, siret: str) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_IJ_SUBROGEES)
    with transaction(request) as session:
        items = service.ij_subrogees(session, caller, siret)
    return {"siret": siret, "items": items, "total_net_cents": sum(i["net_cents"] for i in items)}
