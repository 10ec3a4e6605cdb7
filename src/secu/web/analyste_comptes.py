"""Les comptes au format de la CCSS, page de l'analyste: per branch the CCSS lines from the ledger, the tableau
d'équilibre beside the LFSS's voted, rectified and executed values (each with its text and statut), the ONDAM's
sous-objectifs, a chart of each, and the export of the tables (CSV, Parquet).

Everything comes through :mod:`secu.pilotage.service` (the access policy, the secret statistique for aggregates);
no name, no NIR, no person's row is read here. The charts are SVG drawn on the server (:mod:`secu.web.analyste`),
each with its table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from secu.core.db import unit_of_work
from secu.core.money import format_eur
from secu.core.security import Action, Ressource, Role, journal
from secu.pilotage import comptes as ccss
from secu.pilotage import export, lfss, service
from secu.statistiques.rules import seuil
from secu.web.analyste import Graphique, Serie, dessiner
from secu.web.session import PageCaller, PageRoute, render, require_role

router = APIRouter(prefix="/analyste/comptes", include_in_schema=False, route_class=PageRoute)

COURTS = {"maladie": "Maladie", "atmp": "AT-MP", "vieillesse": "Vieillesse", "famille": "Famille", "autonomie": "Autonomie",
          "recouvrement": "Recouvrement", "toutes": "Toutes branches", "toutes_fsv": "Toutes branches et FSV"}

REGIMES = {"general": "général", "agricole": "agricole"}


def _annee(annee: int | None) -> int:
    return ccss.verifier_annee(annee if annee is not None else date.today().year)


def _md_texte(value: str | None) -> str:
    return "—" if value is None else value.replace(".", ",").replace("-", "−")


def _graphique_secu(doc: dict[str, Any]) -> Graphique | None:
    robss = [c for c in doc["tableau"] if c["regime"] == "robss" and c["branche"] not in ("toutes", ccss.RECOUVREMENT)
             and c["recettes_cents"] is not None and (c["recettes_cents"] or c["depenses_cents"])]
    if not robss:
        return None
    return dessiner(Graphique(
        ident="comptes-secu",
        titre=f"Comptes {doc['annee']} tenus par secu : recettes et dépenses par branche (en euros)",
        description=f"Diagramme en barres groupées, {len(robss)} branches. Les valeurs figurent dans le tableau d'équilibre qui suit.",
        categories=[COURTS[c["branche"]] for c in robss],
        series=[
            Serie("Dépenses", "barre-charges", [c["depenses_cents"] / 100 for c in robss], [format_eur(c["depenses_cents"]) for c in robss]),
            Serie("Recettes", "barre-produits", [c["recettes_cents"] / 100 for c in robss], [format_eur(c["recettes_cents"]) for c in robss]),
        ],
        unite="€",
    ))


def _graphique_lfss(annee: int, publies: list[dict[str, Any]]) -> Graphique | None:
    """The soldes of the LFSS by branch: two states at most (the chart has two patterns), the first published and the
    last (voted or rectified, and executed when there is one)."""
    branches = [b for b in ("maladie", "atmp", "vieillesse", "famille", "autonomie") if any(p["branche"] == b for p in publies)]
    etats = [e for e in lfss.ETATS if any(p["etat"] == e and p["branche"] in branches for p in publies)]
    if not branches or not etats:
        return None
    par = {(p["branche"], p["etat"]): p for p in publies}
    series = []
    for classe, etat in zip(("barre-charges", "barre-produits"), dict.fromkeys((etats[0], etats[-1])), strict=False):
        cells = [par.get((b, etat)) for b in branches]
        series.append(Serie(lfss.ETATS[etat], classe, [float(Decimal(c["solde_md"])) if c else 0.0 for c in cells],
                            [_md_texte(c["solde_md"]) + " Md€" if c else "non publié" for c in cells]))
    return dessiner(Graphique(
        ident="lfss-soldes",
        titre=f"LFSS {annee} : solde par branche de l'ensemble des régimes obligatoires de base (Md€)",
        description="Diagramme en barres groupées par branche. Les valeurs, avec leur texte, figurent dans le tableau d'équilibre.",
        categories=[COURTS[b] for b in branches], series=series, unite="Md€",
    ))


def _lignes_par_branche(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in doc["lignes"]:
        bloc = out.setdefault((row["branche"], row["regime"]), {"branche": row["branche"], "libelle": ccss.LIBELLES[row["branche"]],
                                                               "regime": row["regime"], "charges": [], "produits": []})
        bloc["charges" if row["sens"] == "charge" else "produits"].append(row)
    return list(out.values())


@router.get("", response_class=HTMLResponse)
def comptes(request: Request, caller: PageCaller, annee: int | None = Query(None, ge=1996, le=2100), simulation: bool = False) -> Response:
    require_role(caller, Role.ANALYSTE)
    an = _annee(annee)
    with unit_of_work(request.app.state.sessions) as session:
        doc = service.lire_comptes(session, caller, an, simulation=simulation)
    data = lfss.charger()
    ondam = [{"sous_objectif": s, "libelle": lib,
              "valeurs": {e: data.objectifs(an).get((s, e)) for e in lfss.ETATS}} for s, lib in lfss.SOUS_OBJECTIFS.items()]
    lfss_par_branche = []
    for b in lfss.BRANCHES:
        etats = [p for p in doc["lfss"] if p["branche"] == b]
        secu = next((c for c in doc["tableau"] if c["branche"] == b and c["regime"] == "robss"), None)
        if etats or secu:
            lfss_par_branche.append({"branche": b, "libelle": lfss.BRANCHES[b], "etats": etats, "secu": secu})
    return render(request, "analyste/comptes.html", {
        "doc": doc, "annee": an, "simulation": simulation, "annees": sorted({*data.exercices(), date.today().year}),
        "graphique_secu": _graphique_secu(doc), "graphique_lfss": _graphique_lfss(an, doc["lfss"]),
        "blocs": _lignes_par_branche(doc), "lfss_par_branche": lfss_par_branche, "ondam": ondam,
        "etats": lfss.ETATS, "md": _md_texte, "regimes": REGIMES, "courts": COURTS, "seuil_secret": seuil(date.today()),
    })


@router.get("/export")
def comptes_export(request: Request, caller: PageCaller, annee: int = Query(..., ge=1996, le=2100), simulation: bool = False,
                   table: str = Query("lignes", max_length=10), format: str = Query("csv", max_length=10)) -> Response:
    require_role(caller, Role.ANALYSTE)
    with unit_of_work(request.app.state.sessions) as session:
        doc = service.lire_comptes(session, caller, ccss.verifier_annee(annee), simulation=simulation)
        content, media, nom = export.exporter(doc, table, format)
        journal(session, caller, Action.LECTURE, Ressource.EXPORT_COMPTES, annee, detail=f"{table}.{format}")
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{nom}"'})
