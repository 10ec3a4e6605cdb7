"""Branche famille over HTTP: dossiers allocataires, changes of situation, rights, payment runs, simulator."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from secu.acces import Permission, exiger, exiger_organisme
from secu.api.deps import CallerDep, IdPath, transaction
from secu.core.errors import InvalidField, NotFound
from secu.core.security import Action, journal
from secu.core.security import Ressource as RessourceJournal
from secu.famille import paiement, schemas, service
from secu.famille.models import CampagneFamille

router = APIRouter(prefix="/famille", tags=["famille (CAF)"])


@router.post("/dossiers", status_code=201, summary="Déclarer le foyer d'un allocataire (ouvrir son dossier)")
def declare(request: Request, caller: CallerDep, data: schemas.DeclarationIn) -> dict[str, Any]:
    with transaction(request) as session:
        dossier = service.declare_household(session, data, caller=caller, today=date.today())
        return service.dossier_out(session, caller, dossier.id)


@router.get("/dossiers", summary="Les dossiers visibles : ceux de sa CAF (agent), le sien (allocataire)")
def list_dossiers(request: Request, caller: CallerDep) -> dict[str, Any]:
    with transaction(request) as session:
        return {"items": service.dossiers_of(session, caller)}


@router.get("/dossiers/{dossier_id}", summary="Un dossier allocataire : membres et changements de situation datés")
def read(request: Request, caller: CallerDep, dossier_id: IdPath) -> dict[str, Any]:
    with transaction(request) as session:
        return service.dossier_out(session, caller, dossier_id)


@router.post("/dossiers/{dossier_id}/changements", status_code=201, summary="Déclarer un changement de situation daté")
def change(request: Request, caller: CallerDep, dossier_id: IdPath, data: schemas.ChangementIn) -> dict[str, Any]:
    with transaction(request) as session:
        event = service.record_change(session, dossier_id, data, caller=caller, today=date.today())
        return {"id": event.id, "nature": event.nature, "date_evenement": event.date_evenement, "date_effet": event.date_effet}


@router.get("/dossiers/{dossier_id}/droits", summary="Les droits d'un mois, prestation par prestation, expliqués")
def rights(request: Request, caller: CallerDep, dossier_id: IdPath, mois: Annotated[date, Query(description="un jour du mois")]) -> dict[str, Any]:
    with transaction(request) as session:
        return service.show_rights(session, caller, dossier_id, mois)


@router.get("/dossiers/{dossier_id}/paiements", summary="L'historique des paiements, rappels, indus et retenues")
def payments(request: Request, caller: CallerDep, dossier_id: IdPath) -> dict[str, Any]:
    with transaction(request) as session:
        dossier = service.load_dossier(session, caller, dossier_id)
        service.journal_read(session, caller, dossier, RessourceJournal.PAIEMENTS_FAMILLE)
        return {"paiements": paiement.history(session, dossier.id), "indus": paiement.indus_of(session, dossier.id)}


@router.post("/paiements", summary="Lancer (ou reprendre) le paiement mensuel d'une CAF")
def pay(request: Request, caller: CallerDep, data: schemas.CampagneIn) -> dict[str, Any]:
    exiger_organisme(caller, Permission.PAYER_PRESTATIONS, data.organisme_code, "un agent ne lance que les paiements de sa CAF")
    bilan = paiement.run_payments(request.app.state.sessions, data.organisme_code, data.mois, date_execution=data.date_execution)
    out = {k: v for k, v in asdict(bilan).items() if k != "fichier_sepa"}
    return out | {"fichier": f"/api/famille/paiements/{bilan.campagne_id}/sepa.xml"}


@router.get("/paiements/{campagne_id}/sepa.xml", summary="Le fichier de virements SEPA (pain.001) d'un paiement mensuel",
            response_class=Response, responses={200: {"description": "le fichier pain.001 (lecture journalisée)",
                                                     "content": {"application/xml": {"schema": {"type": "string"}}}}})
def sepa_file(request: Request, caller: CallerDep, campagne_id: IdPath) -> Response:
    exiger(caller, Permission.PAYER_PRESTATIONS)
    with transaction(request) as session:
        run = session.get(CampagneFamille, campagne_id)
        if run is None or run.statut != "terminee":
            raise NotFound("paiement mensuel introuvable ou inachevé", field="campagne_id")
        exiger_organisme(caller, Permission.PAYER_PRESTATIONS, run.organisme_code, "accès refusé : paiement d'une autre CAF")
        # Every payee's name and IBAN: the download is a read, journalled like any other.
        journal(session, caller, Action.LECTURE, RessourceJournal.FICHIER_SEPA, run.id, detail=f"famille {run.organisme_code}")
        return Response(run.fichier_sepa or "", media_type="application/xml")


@router.post("/simulation", summary="Simuler les droits d'un foyer pour un mois (rien n'est enregistré)")
def simulate(data: schemas.SimulationIn) -> dict[str, Any]:
    """The household JSON of the famille README; each benefit's gross, CRDS, net and explanation.

    Open without signing in, like the CAF's own simulator: it reads no one's file and stores nothing."""
    from secu.famille import foyer as foyer_file

    month = service.first_of_month(data.mois)
    try:
        foyers, enfants = foyer_file.frames(data.foyer, [month])
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidField("foyer", f"foyer illisible : {error}") from error
    by_key = service.rights_of_frames(foyers, enfants)
    droits = next(iter(by_key.values()), [])
    return {
        "mois": month.isoformat(),
        "prestations": [asdict(d) | {"mois": d.mois.isoformat()} for d in droits],
        "total_brut_cents": sum(d.brut_cents for d in droits), "total_crds_cents": sum(d.crds_cents for d in droits),
        "total_net_cents": sum(d.net_cents for d in droits),
    }
