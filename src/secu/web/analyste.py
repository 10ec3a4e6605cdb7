"""Le tableau de bord de l'analyste: the ledger's accounts per branch and month, and the simulated year.

Aggregates only: sums of the ledger (`secu.core.ledger.balances`) per branch
and month, and the result a `secu simulate` run wrote (`resultat.json`). No
name, no NIR, no person's row is ever read here. Charts are SVG drawn on the
server, each with its data table beside it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from secu import branches as registre
from secu.core import ledger
from secu.core.db import unit_of_work
from secu.core.money import format_eur
from secu.core.security import Role
from secu.statistiques.rules import seuil
from secu.web.session import PageCaller, PageRoute, render, require_role, templates

templates.env.filters.setdefault("euros", lambda cents: format_eur(int(cents or 0)))

router = APIRouter(prefix="/analyste", include_in_schema=False, route_class=PageRoute)

SIMULATION = "simulation."


def _branches() -> dict[str, str]:
    """Ledger branch → French name, from each branch's comptes module (secu.branches): a new branch shows as is."""
    return registre.libelles_grand_livre()


def _branches_simulees() -> dict[str, str]:
    """Simulated branch → short French name (secu.branches)."""
    return {b.code: b.libelle_court for b in registre.simulees()}
MOIS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def mois_libelle(m: date) -> str:
    return f"{MOIS[m.month - 1]} {m.year}"


# -- charts ------------------------------------------------------------------------------------


@dataclass
class Serie:
    libelle: str
    classe: str  # CSS class: colour and pattern (never colour alone)
    valeurs: list[float]
    textes: list[str]


@dataclass
class Graphique:
    ident: str
    titre: str
    description: str
    categories: list[str]
    series: list[Serie]
    unite: str
    largeur: int = 640
    hauteur: int = 300
    barres: list[dict[str, Any]] = field(default_factory=list)
    graduations: list[dict[str, Any]] = field(default_factory=list)
    etiquettes: list[dict[str, Any]] = field(default_factory=list)
    zero: float = 0.0
    gauche: int = 80
    courtes: list[str] = field(default_factory=list)  # axis labels when the full ones would overlap


def _pas(etendue: float) -> float:
    """A round step (1, 2, 2,5 or 5 × 10ⁿ) giving about five graduations."""
    if etendue <= 0:
        return 1.0
    brut = etendue / 5
    puissance = 10 ** math.floor(math.log10(brut))
    for facteur in (1, 2, 2.5, 5, 10):
        if brut <= facteur * puissance:
            return float(facteur * puissance)
    return float(10 * puissance)


def _nombre(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}".replace(",", "\u00a0")
    return f"{x:,.1f}".replace(",", "\u00a0").replace(".", ",")


def dessiner(g: Graphique) -> Graphique:
    """Place bars, graduations and labels (in SVG user units) for a grouped bar chart."""
    gauche, droite, haut, bas = 80, 10, 10, 40
    zone_l, zone_h = g.largeur - gauche - droite, g.hauteur - haut - bas
    valeurs = [v for s in g.series for v in s.valeurs] or [0.0]
    bas_v, haut_v = min(0.0, min(valeurs)), max(0.0, max(valeurs))
    pas = _pas(haut_v - bas_v)
    bas_v = math.floor(bas_v / pas) * pas
    haut_v = max(math.ceil(haut_v / pas) * pas, bas_v + pas)

    def y(v: float) -> float:
        return haut + zone_h * (haut_v - v) / (haut_v - bas_v)

    g.zero = y(0.0)
    t = bas_v
    while t <= haut_v + pas / 1000:
        g.graduations.append({"y": round(y(t), 1), "texte": _nombre(t), "x1": gauche, "x2": g.largeur - droite})
        t += pas
    n = max(len(g.categories), 1)
    groupe = zone_l / n
    largeur_barre = min(40.0, groupe * 0.8 / max(len(g.series), 1))
    for i, categorie in enumerate(g.categories):
        debut = gauche + i * groupe + (groupe - largeur_barre * len(g.series)) / 2
        for j, serie in enumerate(g.series):
            v = serie.valeurs[i]
            y0, y1 = sorted((y(0.0), y(v)))
            g.barres.append({"x": round(debut + j * largeur_barre, 1), "y": round(y0, 1), "l": round(largeur_barre - 2, 1),
                             "h": round(max(y1 - y0, 0.5), 1), "classe": serie.classe,
                             "titre": f"{serie.libelle}, {categorie} : {serie.textes[i]}"})
        texte = g.courtes[i] if g.courtes else categorie
        g.etiquettes.append({"x": round(gauche + (i + 0.5) * groupe, 1), "y": g.hauteur - bas + 18, "texte": texte})
    g.gauche = gauche
    return g


# -- the ledger per branch and month ---------------------------------------------------------------


def _mois_du_grand_livre(session: Any, simulation: bool) -> list[date]:
    column = func.strftime("%Y-%m", ledger.LigneEcriture.date_operation) if session.bind.dialect.name == "sqlite" \
        else func.to_char(ledger.LigneEcriture.date_operation, "YYYY-MM")
    condition = ledger.LigneEcriture.compte.startswith(SIMULATION, autoescape=True)
    query = select(column).distinct().where(condition if simulation else ~condition).order_by(column)
    return [date(int(m[:4]), int(m[5:7]), 1) for m in session.scalars(query)]


def _fin_de_mois(m: date) -> date:
    suivant = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return date.fromordinal(suivant.toordinal() - 1)


def _ecritures_par_branche(session: Any, m: date) -> dict[str, int]:
    """How many entries each branch's month adds up (the secret statistique counts them), the simulated year apart."""
    ligne = ledger.LigneEcriture
    query = (select(ligne.branche, func.count(ligne.ecriture_id.distinct()))
             .where(ligne.date_operation >= m, ligne.date_operation <= _fin_de_mois(m),
                    ~ligne.compte.startswith(SIMULATION, autoescape=True))
             .group_by(ligne.branche))
    return {branche: int(n) for branche, n in session.execute(query)}


def comptes_par_branche(session: Any, *, simulation: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Per branch, per month: charges (debit balance of charges.*) and produits (credit balance of produits.*)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for m in _mois_du_grand_livre(session, simulation):
        filtre = ledger.FiltreSoldes(du=m, au=_fin_de_mois(m), compte_prefixe=SIMULATION if simulation else None)
        totaux: dict[str, list[int]] = {}
        for s in ledger.balances(session, filtre):
            compte = s.compte
            if compte.startswith(SIMULATION) != simulation:
                continue
            if simulation:
                compte = compte[len(SIMULATION):]
            racine = compte.split(".", 1)[0]
            t = totaux.setdefault(s.branche, [0, 0])
            if racine == "charges":
                t[0] += s.solde_cents
            elif racine == "produits":
                t[1] -= s.solde_cents
        ecritures = {} if simulation else _ecritures_par_branche(session, m)
        for branche, (charges, produits) in totaux.items():
            if not (charges or produits):
                continue
            # Secret statistique: a month of a branch made of fewer entries than the threshold (a few families, one
            # person's APA) is not shown. The simulated year is a synthetic population: no one to single out.
            if not simulation and ecritures.get(branche, 0) < seuil(date.today()):
                out.setdefault(branche, []).append({"mois": m, "secret": True})
            else:
                out.setdefault(branche, []).append({"mois": m, "charges": charges, "produits": produits, "solde": produits - charges,
                                                    "secret": False})
    ordre = list(_branches())
    return dict(sorted(out.items(), key=lambda kv: ordre.index(kv[0]) if kv[0] in ordre else len(ordre)))


def graphique_branche(ident: str, branche: str, lignes: list[dict[str, Any]]) -> Graphique:
    libelle = _branches().get(branche, branche)
    return dessiner(Graphique(
        ident=ident,
        titre=f"{libelle} : charges et produits par mois (en euros)",
        description=f"Diagramme en barres groupées, {len(lignes)} mois, de {mois_libelle(lignes[0]['mois'])} à "
                    f"{mois_libelle(lignes[-1]['mois'])}. Les valeurs figurent dans le tableau qui suit.",
        categories=[mois_libelle(ligne["mois"]) for ligne in lignes],
        series=[
            Serie("Charges", "barre-charges", [ligne["charges"] / 100 for ligne in lignes], [format_eur(ligne["charges"]) for ligne in lignes]),
            Serie("Produits", "barre-produits", [ligne["produits"] / 100 for ligne in lignes], [format_eur(ligne["produits"]) for ligne in lignes]),
        ],
        unite="€",
        courtes=[MOIS[ligne["mois"].month - 1] for ligne in lignes] if len(lignes) > 6 else [],
    ))


# -- the simulated year --------------------------------------------------------------------------------


def dossier_des_simulations() -> Path:
    from secu.config import settings

    return settings().home / "simulations"


def resultats_de_simulation(racine: Path) -> list[dict[str, Any]]:
    """The `resultat.json` of each run under ``racine`` (the default --out of `secu simulate`), newest first."""
    if not racine.is_dir():
        return []
    trouves = []
    for fichier in sorted(racine.glob("*/resultat.json"), key=lambda f: f.stat().st_mtime, reverse=True):
        try:
            doc = json.loads(fichier.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("branches"), dict):
            doc["_dossier"] = fichier.parent.name
            trouves.append(doc)
    return trouves


def _md(texte: str | None) -> str:
    return "—" if texte is None else str(texte).replace(".", ",")


def comparaison(doc: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one run: per branch, the simulated year scaled back beside the published figures."""
    lignes = []
    for b, row in doc["branches"].items():
        x, p, r = row.get("extrapole", {}), row.get("publie", {}), row.get("ratio", {})
        lignes.append({
            "branche": _branches_simulees().get(b, b),
            "recettes_x": _md(x.get("recettes_md")), "recettes_p": _md(p.get("recettes_md")),
            "depenses_x": _md(x.get("depenses_md")), "depenses_p": _md(p.get("depenses_md")),
            "solde_x": _md(x.get("solde_md")), "solde_p": _md(p.get("solde_md")),
            "ratio_recettes": "—" if r.get("recettes") is None else f"{r['recettes']:.3f}".replace(".", ","),
            "ratio_depenses": "—" if r.get("depenses") is None else f"{r['depenses']:.3f}".replace(".", ","),
            "perimetre": row.get("perimetre_simule", {}),
            "_x": (float(Decimal(x.get("recettes_md", "0"))), float(Decimal(x.get("depenses_md", "0")))),
            "_p": (float(Decimal(p.get("recettes_md", "0"))), float(Decimal(p.get("depenses_md", "0")))),
        })
    graphiques = []
    for k, (sens, libelle) in enumerate((("recettes", "Recettes"), ("depenses", "Dépenses"))):
        graphiques.append(dessiner(Graphique(
            ident=f"simulation-{sens}",
            titre=f"{libelle} {doc.get('annee')} par branche : simulé ramené à la France entière et publié (Md€)",
            description="Diagramme en barres groupées par branche. Les valeurs figurent dans le tableau de comparaison.",
            categories=[ligne["branche"] for ligne in lignes],
            series=[
                Serie("Simulé, France entière", "barre-charges", [ligne["_x"][k] for ligne in lignes], [ligne[f"{sens}_x"] + " Md€" for ligne in lignes]),
                Serie("Publié", "barre-produits", [ligne["_p"][k] for ligne in lignes], [ligne[f"{sens}_p"] + " Md€" for ligne in lignes]),
            ],
            unite="Md€",
        )))
    publie = doc.get("publie", {})
    return {
        "annee": doc.get("annee"), "echelle": str(doc.get("echelle", "")).replace(".", ","),
        "personnes": _nombre(float(doc.get("personnes", 0))), "graine": doc.get("graine"),
        "dossier": doc.get("_dossier"), "publie": publie, "extrapolation": doc.get("extrapolation"),
        "population_source": doc.get("population_source"), "lignes": lignes, "graphiques": graphiques,
        "grand_livre": doc.get("grand_livre", {}),
    }


# -- pages ------------------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def tableau_de_bord(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ANALYSTE)
    with unit_of_work(request.app.state.sessions) as session:
        reel = comptes_par_branche(session)
        simule = comptes_par_branche(session, simulation=True)
    branches = []
    for b, toutes in reel.items():
        lignes = [ligne for ligne in toutes if not ligne["secret"]]
        branches.append({"code": b, "libelle": _branches().get(b, b), "lignes": lignes,
                         "graphique": graphique_branche(f"branche-{b}", b, lignes) if lignes else None,
                         "secrets": [mois_libelle(ligne["mois"]) for ligne in toutes if ligne["secret"]]})
    return render(request, "analyste/tableau_de_bord.html", {
        "branches": branches, "seuil_secret": seuil(date.today()), "simulation_au_grand_livre": bool(simule),
        "simulation_branches": sorted(simule), "resultats": len(resultats_de_simulation(dossier_des_simulations())),
    })


@router.get("/simulation", response_class=HTMLResponse)
def simulation(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ANALYSTE)
    with unit_of_work(request.app.state.sessions) as session:
        simule = comptes_par_branche(session, simulation=True)
    branches = [{"code": b, "libelle": _branches().get(b, b), "lignes": lignes,
                 "graphique": graphique_branche(f"simule-{b}", b, lignes)} for b, lignes in simule.items()]
    resultats = resultats_de_simulation(dossier_des_simulations())
    return render(request, "analyste/simulation.html", {
        "branches": branches, "comparaison": comparaison(resultats[0]) if resultats else None,
        "autres": [r["_dossier"] for r in resultats[1:]], "racine": "simulations/",
    })
