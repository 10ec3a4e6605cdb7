"""The analyst's page of reforms: upload a reform file, follow its costing, read the deltas and the deciles.

A costing runs the baseline and the reform on a small synthetic France (a few thousand people: about half a
minute to a minute on one core), longer than a page's request should wait: it runs as a **background job** in
this process (one at a time, the machine's cores are shared), in a folder of its own under
``SECU_HOME/reformes/<id>/`` (``reforme.yaml``, ``demande.json``, ``etat.json``, then ``resultat.json``); the
status page polls with htmx and shows the result when it is there. The reform's tree is installed only in the
engine's worker processes (:class:`secu.pilotage.reforme.JobReforme`), never in the server's threads. Nothing
is booked in the ledger. Aggregates only: sums by branch, décile and type de ménage of a synthetic population.

A job cut by a restart of the server stays « en cours » in its folder; the page says so after an hour.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from secu.core.errors import InvalidField, NotFound, SecuError
from secu.core.security import Role
from secu.pilotage.reforme import TAILLE_MAX, Reforme, lire
from secu.web.session import PageCaller, PageRoute, check_csrf, render, require_role

router = APIRouter(prefix="/analyste/reformes", include_in_schema=False, route_class=PageRoute)

ECHELLES = ("0.00001", "0.00002", "0.0001")
"""Scales a page may ask (684 to 6 840 people): what finishes in about a minute; larger ones go through `secu simulate`."""
ECHELLE_DEFAUT = "0.00002"
GRAINE_DEFAUT = 2025
_IDENT = re.compile(r"[0-9a-f]{16}\Z")
_EN_COURS = threading.Lock()
"""One costing at a time in this process."""
ABANDON = timedelta(hours=1)


def racine() -> Path:
    from secu.config import settings

    return settings().home / "reformes"


def _ecrire(path: Path, doc: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)


def _lire(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def calculer(dossier: Path, reforme: Reforme, annee: int, echelle: str, graine: int) -> None:
    """The job: baseline then reform, the result written to ``dossier/resultat.json``; any failure to ``etat.json``."""
    from secu.pilotage.reforme_chiffrage import chiffrer
    from secu.simulation import run as simulation

    try:
        params = simulation.check(annee, echelle, graine, "local", 1)
        base = simulation.simulate(params, dossier / "simulation", None)
        doc = {"reforme": chiffrer(base, reforme), "base": simulation.rapport(base)}
        _ecrire(dossier / "resultat.json", doc)
        _ecrire(dossier / "etat.json", {"etat": "termine", "fin": datetime.now(UTC).isoformat()})
    except SecuError as error:
        _ecrire(dossier / "etat.json", {"etat": "erreur", "message": str(error)})
    except Exception as error:  # noqa: BLE001 - the job's thread must leave its state, whatever happened
        _ecrire(dossier / "etat.json", {"etat": "erreur", "message": f"erreur interne du calcul ({type(error).__name__})"})
    finally:
        _EN_COURS.release()


def lancer(reforme: Reforme, annee: int, echelle: str, graine: int) -> str:
    """Start a costing in the background; its identifier. Refused while another one runs."""
    from secu.simulation import run as simulation

    simulation.check(annee, echelle, graine, "local", 1)
    if echelle not in ECHELLES:
        raise InvalidField("echelle", f"échelle non proposée ici : {echelle} (au choix : {', '.join(ECHELLES)} ; plus grande : secu simulate)")
    if not _EN_COURS.acquire(blocking=False):
        raise InvalidField("fichier", "un chiffrage est déjà en cours : attendez qu'il se termine")
    try:
        ident = uuid.uuid4().hex[:16]
        dossier = racine() / ident
        dossier.mkdir(parents=True)
        (dossier / "reforme.yaml").write_text(reforme.texte, encoding="utf-8")
        _ecrire(dossier / "demande.json", {"titre": reforme.titre, "annee": annee, "echelle": echelle, "graine": graine,
                                           "debut": datetime.now(UTC).isoformat()})
        _ecrire(dossier / "etat.json", {"etat": "en_cours"})
        threading.Thread(target=calculer, args=(dossier, reforme, annee, echelle, graine), name=f"reforme-{ident}", daemon=True).start()
    except BaseException:
        _EN_COURS.release()
        raise
    return ident


def etat(ident: str) -> dict[str, Any]:
    """A job's request, state and (when done) result; NotFound for an unknown identifier."""
    dossier = racine() / ident
    demande = _lire(dossier / "demande.json") if _IDENT.match(ident) else None
    if demande is None:
        raise NotFound("chiffrage introuvable", field="ident")
    state = _lire(dossier / "etat.json") or {"etat": "erreur", "message": "état illisible"}
    if state["etat"] == "en_cours" and datetime.fromisoformat(demande["debut"]) < datetime.now(UTC) - ABANDON:
        state = {"etat": "erreur", "message": "calcul interrompu (le serveur a sans doute redémarré) : relancez-le"}
    result = _lire(dossier / "resultat.json") if state["etat"] == "termine" else None
    return {"ident": ident, "demande": demande, "etat": state, "resultat": result}


def liste() -> list[dict[str, Any]]:
    """The costings of this SECU_HOME, newest first."""
    root = racine()
    if not root.is_dir():
        return []
    found = []
    for dossier in root.iterdir():
        if _IDENT.match(dossier.name) and (dossier / "demande.json").is_file():
            try:
                found.append(etat(dossier.name))
            except NotFound:
                continue
    return sorted(found, key=lambda e: e["demande"].get("debut", ""), reverse=True)


# -- what the page shows --------------------------------------------------------------------------


def _m_eur(euros: int) -> str:
    return f"{euros / 1_000_000:+,.1f}".replace(",", "\u00a0").replace(".", ",")


def _eur(euros: int) -> str:
    return f"{euros:+,}".replace(",", "\u00a0") + " €"


def _n(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def presentation(doc: dict[str, Any]) -> dict[str, Any]:
    """The result as the page's tables and charts."""
    from secu import branches
    from secu.web.analyste import Graphique, Serie, dessiner

    r = doc["reforme"]
    libelles = {b.code: b.libelle_court for b in branches.branches()}
    deltas = [{"branche": libelles.get(code, code) + (" (tiers)" if row["tiers"] else ""), "recettes": _m_eur(row["recettes"]),
               "depenses": _m_eur(row["depenses"]), "solde": _m_eur(row["solde"])} for code, row in r["delta"].items()]
    total = r["delta_branches"]
    deciles = r["deciles"]
    categories = [f"D{d['decile']}" for d in deciles]
    graphiques = [
        dessiner(Graphique(
            ident="reforme-deciles-delta",
            titre="Écart moyen par ménage selon le décile de niveau de vie (euros par an)",
            description=f"Diagramme en barres, {len(deciles)} déciles du plus modeste (D1) au plus aisé (D10). "
                        "Les valeurs figurent dans le tableau des déciles.",
            categories=categories,
            series=[Serie("Écart moyen par ménage", "barre-charges", [float(d["delta_moyen_menage"]) for d in deciles],
                          [_eur(d["delta_moyen_menage"]) for d in deciles])],
            unite="€",
        )),
        dessiner(Graphique(
            ident="reforme-deciles-personnes",
            titre="Personnes des ménages gagnants et perdants par décile de niveau de vie (échantillon simulé)",
            description="Diagramme en barres groupées par décile. Les valeurs figurent dans le tableau des déciles.",
            categories=categories,
            series=[Serie("Gagnants", "barre-charges", [float(d["gagnants"]) for d in deciles], [_n(d["gagnants"]) for d in deciles]),
                    Serie("Perdants", "barre-produits", [float(d["perdants"]) for d in deciles], [_n(d["perdants"]) for d in deciles])],
            unite="personnes",
        )),
    ]

    def groupe(row: dict[str, Any], libelle: str) -> dict[str, Any]:
        return {"libelle": libelle, "menages": _n(row["menages"]), "personnes": _n(row["personnes"]), "gagnants": _n(row["gagnants"]),
                "perdants": _n(row["perdants"]), "delta_moyen": _eur(row["delta_moyen_menage"]), "delta_total": _m_eur(row["delta_total"]),
                "nv_max": _n(row["niveau_de_vie_max"])}

    base = doc.get("base", {})
    return {
        "titre": r["titre"], "description": r.get("description"), "debut": r["debut"], "parametres": r["parametres"],
        "deltas": deltas, "total": {k: _m_eur(v) for k, v in total.items()}, "graphiques": graphiques,
        "deciles": [groupe(d, f"D{d['decile']}") for d in deciles],
        "types": [groupe(t, t["libelle"]) for t in r["types_menage"]],
        "personnes": {k: _n(v) for k, v in r["personnes_concernees"].items()},
        "definitions": r["definitions"],
        "base": {"annee": base.get("annee"), "personnes": _n(int(base.get("personnes", 0))), "echelle": str(base.get("echelle", "")).replace(".", ","),
                 "graine": base.get("graine"), "extrapolation": base.get("extrapolation")},
    }


# -- pages ----------------------------------------------------------------------------------------


def _formulaire(request: Request, erreurs: dict[str, str] | None = None, valeurs: dict[str, str] | None = None, status: int = 200) -> Response:
    return render(request, "analyste/reformes.html", {
        "erreurs": erreurs or {}, "valeurs": valeurs or {"annee": "2025", "echelle": ECHELLE_DEFAUT, "graine": str(GRAINE_DEFAUT)},
        "echelles": ECHELLES, "annees": [str(a) for a in range(2023, 2027)], "chiffrages": liste(),
    }, status_code=status)


@router.get("", response_class=HTMLResponse)
def formulaire(request: Request, caller: PageCaller) -> Response:
    require_role(caller, Role.ANALYSTE)
    return _formulaire(request)


@router.post("")
async def envoyer(request: Request, caller: PageCaller) -> Response:
    form = await request.form(max_files=1, max_fields=10)
    check_csrf(request, form)
    require_role(caller, Role.ANALYSTE)
    valeurs = {k: str(form.get(k) or "")[:16] for k in ("annee", "echelle", "graine")}
    try:
        upload = form.get("fichier")
        texte = ""
        if isinstance(upload, UploadFile) and upload.filename:
            contenu = await upload.read(TAILLE_MAX + 1)
            try:
                texte = contenu.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidField("fichier", "le fichier de réforme doit être un texte UTF-8") from None
        texte = texte or str(form.get("texte") or "")
        if not texte.strip():
            raise InvalidField("fichier", "choisissez le fichier YAML de la réforme (ou collez son texte)")
        try:
            annee, graine = int(valeurs["annee"]), int(valeurs["graine"])
        except ValueError:
            raise InvalidField("annee" if not valeurs["annee"].isdigit() else "graine", "un nombre entier est attendu") from None
        reforme = lire("fichier", texte=texte)
        ident = lancer(reforme, annee, valeurs["echelle"], graine)
    except InvalidField as error:
        return _formulaire(request, {error.field or "fichier": error.message}, valeurs, status=422)
    return RedirectResponse(f"/analyste/reformes/{ident}", status_code=303)


@router.get("/{ident}", response_class=HTMLResponse)
def chiffrage(request: Request, caller: PageCaller, ident: str) -> Response:
    require_role(caller, Role.ANALYSTE)
    job = etat(ident)
    return render(request, "analyste/reforme.html", {
        "job": job, "vue": presentation(job["resultat"]) if job["resultat"] else None,
    })


@router.get("/{ident}/etat", response_class=HTMLResponse)
def suivi(request: Request, caller: PageCaller, ident: str) -> Response:
    """The polled state: the same block while it runs, a full reload (HX-Refresh) once it has ended."""
    require_role(caller, Role.ANALYSTE)
    job = etat(ident)
    if job["etat"]["etat"] != "en_cours":
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "analyste/_reforme_suivi.html", {"job": job})
