"""The réversion, the allocation veuvage and the ASPA over HTTP (issue 14 §4): claim, instruction, decision, letters, revision,
recovery on the estate. The payment is the caisse's one run (``POST /api/retraite/paiements``).

| route | who |
|---|---|
| ``POST /api/retraite/survivants/demandes`` | the claimant for herself, an agent of her caisse retraite, an administrator |
| ``GET /api/retraite/survivants/demandes/{id}`` | the claimant, an agent of the caisse the claim went to, an administrator |
| ``GET /api/retraite/survivants/file`` | an agent of a caisse retraite: its claims awaiting a decision; an administrator: all |
| ``POST /api/retraite/survivants/demandes/{id}/instruction``, ``…/decision`` | an agent of that caisse, an administrator |
| ``GET /api/retraite/survivants/prestations/{id}`` | as a claim |
| ``POST /api/retraite/survivants/prestations/{id}/revision``, ``…/recuperation`` | an agent of that caisse, an administrator |
| ``GET /api/retraite/survivants/notifications/{id}``, ``….pdf`` | the addressee, the caisse, an administrator |

Every read of a person's file and every claim listed in the queue leaves a journal row.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, transaction
from secu.retraite import survivants as service

router = APIRouter(prefix="/retraite/survivants", tags=["retraite"])


@router.post("/demandes", summary="Demander une pension de réversion, l'allocation veuvage ou l'ASPA")
def demander(request: Request, caller: CallerDep, data: service.DemandeSolidariteIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_DEMANDER)
    with transaction(request) as session:
        return service.demande_out(session, service.demander(session, caller, data))


@router.get("/demandes/{demande_id}", summary="Une demande de réversion, d'allocation veuvage ou d'ASPA")
def lire_demande(request: Request, caller: CallerDep, demande_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.lire_demande(session, caller, demande_id))


@router.get("/file", summary="Les demandes de réversion, d'allocation veuvage et d'ASPA de la caisse qui attendent une décision")
def file(request: Request, caller: CallerDep) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        items = [service.demande_out(session, d) for d in service.file_caisse(session, caller)]
    return {"items": items, "total": len(items)}


@router.post("/demandes/{demande_id}/instruction", summary="Instruire : les faits établis, le calcul et ses étapes")
def instruire(request: Request, caller: CallerDep, demande_id: IdPath, data: service.InstructionSolidariteIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.instruire(session, caller, demande_id, data))


@router.post("/demandes/{demande_id}/decision", summary="Décider : attribuer la prestation instruite, ou rejeter la demande avec son motif")
def decider(request: Request, caller: CallerDep, demande_id: IdPath, data: service.DecisionSolidariteIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.decider(session, caller, demande_id, data))


@router.get("/prestations/{prestation_id}", summary="Une prestation attribuée : ses montants par période et ses versements")
def prestation(request: Request, caller: CallerDep, prestation_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        return service.lire_prestation(session, caller, prestation_id)


@router.post("/prestations/{prestation_id}/revision", summary="Réviser les ressources à compter d'un mois (nouveau montant et lettre)")
def reviser(request: Request, caller: CallerDep, prestation_id: IdPath, data: service.RevisionIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        montant = service.reviser(session, caller, prestation_id, data)
        return {"prestation_id": prestation_id, "a_compter_du": montant.a_compter_du, "montant_mensuel_cents": montant.montant_mensuel_cents,
                "definitif": montant.definitif, "explication": json.loads(montant.explication)}


@router.post("/prestations/{prestation_id}/recuperation", summary="ASPA : la récupération sur la succession de l'allocataire décédé")
def recuperer(request: Request, caller: CallerDep, prestation_id: IdPath, data: service.RecuperationIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        r = service.recuperer(session, caller, prestation_id, data)
        return {"prestation_id": prestation_id, "date_deces": r.date_deces, "actif_net_cents": r.actif_net_cents, "aspa_versee_cents": r.aspa_versee_cents,
                "mois_versement": r.mois_versement, "montant_cents": r.montant_cents, "explication": json.loads(r.explication)}


@router.get(
    "/notifications/{notification_id}.pdf",
    summary="Une lettre de la caisse, en PDF",
    response_class=Response,
    responses={200: {"description": "la lettre en PDF (lecture journalisée)",
                     "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
def notification_pdf(request: Request, caller: CallerDep, notification_id: IdPath) -> Response:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        contenu = service.lettre_pdf(service.lire_notification(session, caller, notification_id))
    return Response(contenu, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="lettre-retraite-{notification_id}.pdf"', "Cache-Control": "no-store"})


@router.get("/notifications/{notification_id}", summary="Une lettre de la caisse (décision, révision, récupération)")
def notification(request: Request, caller: CallerDep, notification_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        lettre = service.lire_notification(session, caller, notification_id)
        return {"id": lettre.id, "demande_id": lettre.demande_id, "motif": lettre.motif, "date": lettre.date_notification, "objet": lettre.objet,
                **json.loads(lettre.contenu)}


__all__ = ["router"]
