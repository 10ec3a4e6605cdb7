"""The pilotage over HTTP: the accounts in the CCSS's shape, their export, the LFSS's values, closing an exercise."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from secu.acces import Permission, exiger
from secu.api.deps import CallerDep, transaction
from secu.core.security import Action, Ressource, journal
from secu.pilotage import comptes as ccss
from secu.pilotage import export, lfss, service

router = APIRouter(prefix="/pilotage", tags=["pilotage"])

Annee = Annotated[int, Query(ge=1996, le=2100, description="l'exercice (année civile)")]
Branche = Annotated[str | None, Query(max_length=20, description="maladie, atmp, vieillesse, famille, autonomie ou recouvrement")]
Simulation = Annotated[bool, Query(description="les comptes de l'année simulée (simulation.*) plutôt que ceux des opérations")]


class ExerciceOut(BaseModel):
    annee: int
    clos: bool


@router.get("/comptes", summary="Comptes d'un exercice au format de la CCSS, et le tableau d'équilibre à côté des valeurs de la LFSS")
def comptes(request: Request, caller: CallerDep, annee: Annee, branche: Branche = None, simulation: Simulation = False) -> dict[str, Any]:
    with transaction(request) as session:
        return service.lire_comptes(session, caller, annee, branche=branche, simulation=simulation)


@router.get("/comptes/export", summary="Export des comptes (lignes ou tableau d'équilibre) en CSV ou Parquet",
            responses={200: {"content": {m: {} for m in export.FORMATS.values()}}})
def comptes_export(
    request: Request, caller: CallerDep, annee: Annee, branche: Branche = None, simulation: Simulation = False,
    table: Annotated[str, Query(max_length=10)] = "lignes", format: Annotated[str, Query(max_length=10)] = "csv",
) -> Response:
    with transaction(request) as session:
        doc = service.lire_comptes(session, caller, annee, branche=branche, simulation=simulation)
        content, media, nom = export.exporter(doc, table, format)
        journal(session, caller, Action.LECTURE, Ressource.EXPORT_COMPTES, annee, detail=f"{table}.{format}")
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{nom}"'})


@router.get("/lfss", summary="Les valeurs de la LFSS d'un exercice (voté, rectifié, exécuté), chacune avec son texte")
def valeurs_lfss(caller: CallerDep, annee: Annee) -> dict[str, Any]:
    exiger(caller, Permission.LIRE_COMPTES_NATIONAUX)
    data = lfss.charger()
    return {
        "annee": annee,
        "tableaux": ccss.publie(annee),
        "ondam": [
            {"sous_objectif": s, "libelle": lfss.SOUS_OBJECTIFS[s], "etat": e, "montant_md": str(o.montant_md),
             "texte": f"{o.texte.intitule}, {o.texte.article}", "url": o.texte.url, "statut": o.statut}
            for (s, e), o in sorted(data.objectifs(annee).items(), key=lambda kv: (list(lfss.SOUS_OBJECTIFS).index(kv[0][0]), list(lfss.ETATS).index(kv[0][1])))
        ],
    }


@router.get("/exercices", response_model=list[ExerciceOut], summary="Les exercices clos du grand livre")
def exercices(request: Request, caller: CallerDep) -> list[ExerciceOut]:
    with transaction(request) as session:
        return [ExerciceOut(annee=a, clos=True) for a in service.exercices(session, caller)]


@router.post("/exercices/{annee}/cloture", response_model=ExerciceOut, status_code=201,
             summary="Clore un exercice : plus aucune écriture datée dans l'année (les corrections vont dans l'exercice ouvert)")
def cloturer(request: Request, caller: CallerDep, annee: Annotated[int, Path(ge=1996, le=2100)]) -> ExerciceOut:
    with transaction(request) as session:
        clos = service.cloturer(session, caller, annee)
        return ExerciceOut(annee=clos.annee, clos=True)
