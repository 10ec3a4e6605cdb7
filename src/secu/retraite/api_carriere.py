"""The compte de carrière over HTTP (issue 14 items 1 and 5).

| route | who |
|---|---|
| ``GET /api/retraite/carriere/{personne_id}`` | the assuré (his own), an agent of his caisse de retraite |
| ``GET /api/retraite/carriere/{personne_id}/releve.pdf`` | the same |
| ``POST /api/retraite/carriere/{personne_id}/corrections`` | the assuré, on his own compte |
| ``GET /api/retraite/corrections`` | an agent of a caisse de retraite: the corrections waiting in his caisse |
| ``POST /api/retraite/corrections/{correction_id}/instruction`` | an agent of the person's caisse de retraite |
| ``GET /api/retraite/carriere/{personne_id}/estimation`` | as the relevé |
| ``POST /api/retraite/simulateur`` | anyone, without sign-in: nothing is stored, nobody's file is read |

Every read of a compte leaves a journal row.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.security import Ressource
from secu.retraite import carriere, estimation
from secu.retraite.releve_pdf import releve_pdf

router = APIRouter(prefix="/retraite", tags=["retraite"])


@router.get("/carriere/{personne_id}", summary="Le relevé de carrière : par année, salaires, trimestres par nature et sources")
def lire_carriere(request: Request, caller: CallerDep, personne_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE_CARRIERE)
    with transaction(request) as session:
        return carriere.releve(session, caller, personne_id)


@router.get("/carriere/{personne_id}/releve.pdf", summary="Le relevé de carrière en PDF", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def releve_en_pdf(request: Request, caller: CallerDep, personne_id: IdPath) -> Response:
    exiger(caller, Permission.RETRAITE_LIRE_CARRIERE)
    with transaction(request) as session:
        releve = carriere.releve(session, caller, personne_id, ressource=Ressource.RELEVE_CARRIERE)
    return Response(releve_pdf(releve), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="releve-de-carriere.pdf"', "Cache-Control": "no-store"})


@router.post("/carriere/{personne_id}/corrections", status_code=201, summary="Demander la correction d'une année du compte")
def demander_correction(request: Request, caller: CallerDep, personne_id: IdPath, data: carriere.CorrectionIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_DEMANDER_CORRECTION)
    with transaction(request) as session:
        return carriere.correction_out(carriere.demander_correction(session, caller, personne_id, data))


@router.get("/corrections", summary="Les demandes de correction à instruire dans la caisse de l'agent")
def corrections(request: Request, caller: CallerDep) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE_CORRECTION)
    with transaction(request) as session:
        items = [carriere.correction_out(c) for c in carriere.corrections_a_instruire(session, caller)]
    return {"items": items, "total": len(items)}


@router.post("/corrections/{correction_id}/instruction", summary="Instruire une correction : l'accepter (elle entre au compte) ou la refuser (motif)")
def instruire(request: Request, caller: CallerDep, correction_id: IdPath, data: carriere.InstructionIn) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_INSTRUIRE_CORRECTION)
    with transaction(request) as session:
        return carriere.correction_out(carriere.instruire_correction(session, caller, correction_id, data))


@router.get("/carriere/{personne_id}/estimation", summary="L'estimation : date du taux plein, pension à l'âge légal, au taux plein, à 67 ans")
def estimer(
    request: Request,
    caller: CallerDep,
    personne_id: IdPath,
    evolution: Annotated[str, Query(max_length=8, description="évolution annuelle du salaire en %, par exemple 1.5 (0 : constant)")] = "0",
    salaire: Annotated[str | None, Query(max_length=14, description="salaire annuel brut supposé en euros (défaut : le dernier connu)")] = None,
) -> dict[str, Any]:
    exiger(caller, Permission.RETRAITE_LIRE_CARRIERE)
    hypothese = estimation.hypothese_de(salaire, evolution)
    with transaction(request) as session:
        return estimation.estimer_compte(session, caller, personne_id, hypothese)


@router.post("/simulateur", summary="Le simulateur ouvert : une estimation sans connexion, rien n'est enregistré")
async def simuler(data: estimation.SimulationIn) -> dict[str, Any]:
    return await run_in_threadpool(estimation.simuler, data)
