"""The demande de retraite, its instruction, decision and notification, the pension and the monthly run over HTTP (issue 14 §3).

| route | who |
|---|---|
| ``POST /api/retraite/demandes`` | the assuré for himself, an agent of his caisse retraite, an administrator |
| ``GET /api/retraite/demandes/{id}`` | the assuré, an agent of the caisse the claim went to, an administrator |
| ``GET /api/retraite/file`` | an agent of a caisse retraite: its claims awaiting a decision; an administrator: all |
| ``POST /api/retraite/demandes/{id}/instruction`` | an agent of that caisse, an administrator |
| ``POST /api/retraite/demandes/{id}/decision`` | an agent of that caisse, an administrator |
| ``GET /api/retraite/demandes/{id}/notification``, ``….pdf`` | as a claim |
| ``GET /api/retraite/pensions/{id}`` | as a claim |
| ``POST /api/retraite/paiements`` | an agent of the caisse (its own runs), an administrator |

Every read of a person's file and every claim listed in the queue leaves a journal row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from secu.acces import Permission, exiger, exiger_organisme
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.entree import Entree
from secu.retraite import demande as service
from secu.retraite import paiement

router = APIRouter(prefix="/retraite", tags=["retraite"])


@router.post("/demandes", summary="Déposer une demande de retraite (pension de droit propre du régime général)")
def demander(request: Request, caller: CallerDep, data: service.DemandeIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_DEMANDER)
    with transaction(request) as session:
        return service.demande_out(session, service.demander(session, caller, data))


@router.get("/demandes/{demande_id}", summary="Une demande de retraite : son instruction et la décision")
def lire_demande(request: Request, caller: CallerDep, demande_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.lire_demande(session, caller, demande_id))


@router.get("/file", summary="Les demandes de retraite de la caisse qui attendent une décision")
def file(request: Request, caller: CallerDep) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        items = [service.demande_out(session, d) for d in service.file_caisse(session, caller)]
    return {"items": items, "total": len(items)}


@router.post("/demandes/{demande_id}/instruction", summary="Instruire : la carrière, le calcul de la pension et ses étapes")
def instruire(request: Request, caller: CallerDep, demande_id: IdPath, data: service.InstructionIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.instruire(session, caller, demande_id, data))


@router.post("/demandes/{demande_id}/decision", summary="Décider : attribuer la pension instruite, ou rejeter la demande avec son motif")
def decider(request: Request, caller: CallerDep, demande_id: IdPath, data: service.DecisionIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE)
    with transaction(request) as session:
        return service.demande_out(session, service.decider(session, caller, demande_id, data))


@router.get("/demandes/{demande_id}/notification", summary="La notification de la décision (lettre)")
def notification(request: Request, caller: CallerDep, demande_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        lettre = service.lire_notification(session, caller, demande_id)
        return {"demande_id": lettre.demande_id, "date": lettre.date_notification, "objet": lettre.objet, **json.loads(lettre.contenu)}


@router.get(
    "/demandes/{demande_id}/notification.pdf",
    summary="La notification de la décision, en PDF",
    response_class=Response,
    responses={
        200: {"description": "la lettre en PDF (lecture journalisée)", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
def notification_pdf(request: Request, caller: CallerDep, demande_id: IdPath) -> Response:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        contenu = service.lettre_pdf(service.lire_notification(session, caller, demande_id))
    return Response(
        contenu,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notification-retraite-{demande_id}.pdf"', "Cache-Control": "no-store"},
    )


@router.get("/pensions/{pension_id}", summary="Une pension de retraite : son calcul et ses versements")
def pension(request: Request, caller: CallerDep, pension_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE)
    with transaction(request) as session:
        return service.lire_pension(session, caller, pension_id)


class PaiementIn(Entree):
    organisme_code: str = Field(min_length=1, max_length=20)
    echeance: dt.date = Field(description="l'échéance : le 9 du mois suivant le mois payé (terme échu)")


@router.post("/paiements", summary="Lancer (ou relancer sans risque) le paiement mensuel des retraites d'une caisse à une échéance")
def payer(request: Request, caller: CallerDep, data: PaiementIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.RETRAITE_PAYER, data.organisme_code, "action réservée aux agents de cette caisse")
    bilan = paiement.run_payments(request.app.state.sessions, data.organisme_code, data.echeance)
    out = dict(bilan.__dict__)
    out.pop("fichier_sepa")
    return out


__all__ = ["router"]
