"""L'analyste : les pensions de retraite par génération, from the latest simulated year.

Aggregates only (:func:`secu.retraite.comptes.pensions_par_generation`): the retirees of the synthetic France of the
newest ``secu simulate`` run under secu's simulations folder, their pension of December computed by the retraite
rules, by generation; cells of fewer than the secret statistique's threshold hidden. No name, no NIR, no row of a
person reaches the page.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from secu.core.money import format_eur
from secu.core.security import Role
from secu.statistiques.rules import seuil
from secu.web.analyste import dossier_des_simulations
from secu.web.session import PageCaller, PageRoute, render, require_role

router = APIRouter(prefix="/analyste", include_in_schema=False, route_class=PageRoute)


def derniere_simulation(racine: Path) -> Path | None:
    """The newest run folder under ``racine`` that holds a result and its dataset."""
    if not racine.is_dir():
        return None
    runs = [f.parent for f in racine.glob("*/resultat.json") if (f.parent / "simulation.json").is_file() and (f.parent / "dataset").is_dir()]
    return max(runs, key=lambda d: (d / "resultat.json").stat().st_mtime, default=None)


@lru_cache(maxsize=4)
def _tableau(dossier: str, mtime: int, publication: date) -> pl.DataFrame:
    from secu.retraite.comptes import pensions_par_generation

    run = json.loads((Path(dossier) / "simulation.json").read_text(encoding="utf-8"))
    return pensions_par_generation(Path(dossier) / "dataset", int(run["annee"]), int(run["graine"]), publication)


def _pourcent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %".replace(".", ",")


def _trimestres(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}".replace(".", ",")


def lignes(table: pl.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as the page shows them (French numbers; a hidden cell says so)."""
    out = []
    for r in table.iter_rows(named=True):
        secret = bool(r["secret"])
        out.append({
            "generation": "Ensemble des générations montrées" if r["generation"] == "ensemble" else r["generation"], "secret": secret,
            "effectif": "secret" if secret else f"{r['effectif']:,}".replace(",", "\u202f"),
            "pension": "—" if r["pension_moyenne"] is None else format_eur(int(r["pension_moyenne"])),
            "mico": _pourcent(r["part_minimum_contributif"]), "decote": _pourcent(r["part_decote"]),
            "decote_moyenne": _trimestres(r["decote_moyenne"]), "surcote": _pourcent(r["part_surcote"]),
            "surcote_moyenne": _trimestres(r["surcote_moyenne"]),
        })
    return out


@router.get("/retraites", response_class=HTMLResponse)
def pensions_par_generation(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ANALYSTE)
    today = date.today()
    dossier = derniere_simulation(dossier_des_simulations())
    context: dict[str, Any] = {"seuil_secret": seuil(today), "simulation": None}
    if dossier is not None:
        run = json.loads((dossier / "simulation.json").read_text(encoding="utf-8"))
        table = _tableau(str(dossier), (dossier / "resultat.json").stat().st_mtime_ns, today)
        context["simulation"] = {"dossier": dossier.name, "annee": run["annee"], "echelle": str(run["echelle"]).replace(".", ","),
                                 "graine": run["graine"], "lignes": lignes(table)}
    return render(request, "analyste/retraites.html", context)
