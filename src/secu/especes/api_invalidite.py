"""Invalidité and capital décès over HTTP (issue 13 §5, §6, §8).

| route | who |
|---|---|
| ``POST /api/especes/invalidite/demandes`` | the assuré for himself, an agent of his CPAM, an administrator |
| ``GET /api/especes/invalidite/demandes/{id}`` | the assuré, his CPAM, the médecin-conseil of his territory, an administrator (*) |
| ``GET /api/especes/invalidite/file`` | the médecin-conseil: the claims awaiting his avis in his territory |
| ``POST /api/especes/invalidite/demandes/{id}/avis`` | the médecin-conseil of the territory |
| ``POST /api/especes/invalidite/demandes/{id}/decision`` | an agent of the CPAM, an administrator |
| ``GET /api/especes/invalidite/pensions/{id}`` | as a claim |
| ``POST /api/especes/invalidite/paiements`` | an agent of the CPAM (its own runs), an administrator |
| ``POST /api/especes/deces``, ``…/{id}/demandes``, ``…/{id}/decision``, ``…/{id}/paiement``, ``GET …/{id}`` | the deceased's CPAM, an admin |

(*) The avis's medical motif: the assuré and the médecin-conseil only (secret médical).

Every read of a person's file and every listed claim of the queue leaves a journal row.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from secu.acces import Permission, exiger, exiger_organisme
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.entree import Entree
from secu.especes import deces, invalidite
from secu.especes import paiement_invalidite as paiement

router = APIRouter(prefix="/especes", tags=["prestations en espèces"])


@router.post("/invalidite/demandes", summary="Déposer une demande de pension d'invalidité")
def demander(request: Request, caller: CallerDep, data: invalidite.DemandeIn) -> dict[str, Any]:
    exiger(caller, Permission.DEMANDER_INVALIDITE)
    with transaction(request) as session:
        demande = invalidite.demander(session, caller, data)
        return invalidite.demande_out(demande, caller, session)


@router.get("/invalidite/demandes/{demande_id}", summary="Une demande de pension d'invalidité, l'avis et la décision")
def lire_demande(request: Request, caller: CallerDep, demande_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_INVALIDITE)
    with transaction(request) as session:
        demande = invalidite.lire_demande(session, caller, demande_id)
        return invalidite.demande_out(demande, caller, session)


@router.get("/invalidite/file", summary="La file du médecin-conseil : les demandes qui attendent son avis dans son territoire")
def file(request: Request, caller: CallerDep) -> dict[str, Any]:
    exiger(caller, Permission.DONNER_AVIS_INVALIDITE)
    with transaction(request) as session:
        demandes = invalidite.file_medecin_conseil(session, caller)
        items = [invalidite.demande_out(d, caller, session) for d in demandes]
    return {"items": items, "total": len(items)}


@router.post("/invalidite/demandes/{demande_id}/avis", summary="Rendre l'avis du médecin-conseil (catégorie et date d'effet, ou refus motivé)")
def avis(request: Request, caller: CallerDep, demande_id: IdPath, data: invalidite.AvisIn) -> dict[str, Any]:
    exiger(caller, Permission.DONNER_AVIS_INVALIDITE)
    with transaction(request) as session:
        demande = invalidite.donner_avis(session, caller, demande_id, data)
        return invalidite.demande_out(demande, caller, session)


@router.post("/invalidite/demandes/{demande_id}/decision", summary="Décider : accorder la pension (selon l'avis) ou la refuser")
def decision(request: Request, caller: CallerDep, demande_id: IdPath, data: invalidite.DecisionIn) -> dict[str, Any]:
    exiger(caller, Permission.DECIDER_INVALIDITE)
    with transaction(request) as session:
        demande = invalidite.decider(session, caller, demande_id, data)
        return invalidite.demande_out(demande, caller, session)


@router.get("/invalidite/pensions/{pension_id}", summary="Une pension d'invalidité : son montant du mois expliqué, ses versements")
def pension(
    request: Request,
    caller: CallerDep,
    pension_id: IdPath,
    mois: Annotated[dt.date | None, Query(description="n'importe quel jour du mois ; par défaut le mois courant")] = None,
) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_INVALIDITE)
    with transaction(request) as session:
        return invalidite.lire_pension(session, caller, pension_id, mois)


class PaiementIn(Entree):
    organisme_code: str = Field(max_length=20)
    mois: dt.date = Field(description="n'importe quel jour du mois payé")
    date_execution: dt.date | None = Field(default=None, description="par défaut le premier jour du mois suivant (à terme échu)")


@router.post("/invalidite/paiements", summary="Lancer (ou relancer sans risque) le paiement mensuel des pensions d'invalidité d'une caisse")
def payer(request: Request, caller: CallerDep, data: PaiementIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.PAYER_PRESTATIONS, data.organisme_code, "action réservée aux agents de cette caisse")
    bilan = paiement.run_payments(request.app.state.sessions, data.organisme_code, data.mois, date_execution=data.date_execution)
    out = dict(bilan.__dict__)
    out.pop("fichier_sepa")
    return out


@router.post("/deces", summary="Déclarer le décès d'un assuré : droit au capital décès et montant")
def declarer(request: Request, caller: CallerDep, data: deces.DecesIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_CAPITAL_DECES)
    with transaction(request) as session:
        return deces.deces_out(session, deces.declarer(session, caller, data))


@router.get("/deces/{deces_id}", summary="Un décès, le capital, les demandes et la décision")
def lire_deces(request: Request, caller: CallerDep, deces_id: IdPath) -> dict[str, Any]:
    exiger(caller, Permission.GERER_CAPITAL_DECES)
    with transaction(request) as session:
        return deces.lire(session, caller, deces_id)


@router.post("/deces/{deces_id}/demandes", summary="Enregistrer la demande de capital décès d'un bénéficiaire")
def demander_capital(request: Request, caller: CallerDep, deces_id: IdPath, data: deces.DemandeCapitalIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_CAPITAL_DECES)
    with transaction(request) as session:
        demande = deces.demander(session, caller, deces_id, data)
        return {"id": demande.id, "deces_id": demande.deces_id, "lien": demande.lien, "date_demande": demande.date_demande}


@router.post("/deces/{deces_id}/decision", summary="Attribuer le capital décès selon l'ordre des bénéficiaires")
def decider_capital(request: Request, caller: CallerDep, deces_id: IdPath, data: deces.DecisionCapitalIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_CAPITAL_DECES)
    with transaction(request) as session:
        return deces.deces_out(session, deces.decider(session, caller, deces_id, data))


@router.post("/deces/{deces_id}/paiement", summary="Payer le capital décès attribué (une seule fois)")
def payer_capital(request: Request, caller: CallerDep, deces_id: IdPath, data: deces.PaiementCapitalIn) -> dict[str, Any]:
    exiger(caller, Permission.GERER_CAPITAL_DECES)
    out = deces.payer(request.app.state.sessions, caller, deces_id, data.date_execution)
    out.pop("fichier_sepa")
    return out


__all__ = ["router"]
