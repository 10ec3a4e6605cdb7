"""A simulated year: a synthetic France, its twelve months through the rules, the ledger, the comparison.

:func:`simulate` generates the dataset (``secu.synth``) for ``68,4 M × scale``
people, runs :func:`secu.batch.jobs.mois` for every (partition, month) through
:func:`secu.batch.engine.run`, adds the accounts up, books one balanced entry
per branch and month in the ledger and returns the year per branch beside the
published accounts (:mod:`secu.simulation.publies`).

The run folder (``--out``)::

    DIR/simulation.json     the run: year, scale, people, seed (a folder holding another run is refused)
    DIR/dataset/            the synthetic France (secu synth)
    DIR/comptes/            one accounts file per partition (its twelve months), written by the engine
    DIR/resultat.json       the year's result (what --json prints)

Running the same command again resumes: the dataset is kept, the engine
skips the tasks already done, and the ledger's idempotency keys
(``simulation:<run>:<branche>:<AAAA-MM>``) return the entries already booked.
"""

from __future__ import annotations

import hashlib
import json
import os
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from secu import branches
from secu.batch import jobs
from secu.core.errors import InvalidField
from secu.simulation import publies

if TYPE_CHECKING:
    from secu.batch.engine import Job

Progress = Callable[[int, int], None]

ANNEE_MIN, ANNEE_MAX = 2023, 2026
"""Years whose legal parameters secu carries (the rules start on 2023-01-01; the tables end in 2026)."""
ENGINES = ("local", "spark")
MANIFESTE = "simulation.json"
RESULTAT = "resultat.json"
VERSION = 1
"""Version of the run folder's layout (simulation.json, resultat.json)."""

COMPTE_PREFIXE = "simulation."
"""Every account of a simulated year starts with this: the simulated books must never add up with the real ones
(a balance by account prefix keeps them apart), even in the same database."""


@dataclass(frozen=True)
class Parametres:
    annee: int
    echelle: Decimal
    personnes: int
    graine: int
    moteur: str = "local"
    workers: int | None = None


@dataclass
class Resultat:
    parametres: Parametres
    dossier: Path
    comptes: pl.DataFrame
    """The year's accounts, summed over partitions: one row per (branche, mois, sens, poste)."""
    ecritures: int = 0
    ecritures_nouvelles: int = 0
    partitions: int = 0
    extras: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Checks


def personnes_pour(echelle: Decimal) -> int:
    """People simulated at ``echelle``: the reference population × scale, to the nearest person (half up)."""
    return int((Decimal(publies.population_reference()) * echelle).to_integral_value(rounding=ROUND_HALF_UP))


def check(annee: int, echelle: str | Decimal | float, graine: int, moteur: str = "local", workers: int | None = None) -> Parametres:
    """The run's parameters, or a French refusal naming the field."""
    try:
        scale = Decimal(str(echelle))
    except ArithmeticError:
        raise InvalidField("echelle", f"échelle illisible : {echelle!r} (un nombre, ex. 0.001)") from None
    if not scale.is_finite() or scale <= 0 or scale > 1:
        raise InvalidField("echelle", f"échelle impossible : {echelle} (elle doit être supérieure à 0 et au plus 1)")
    people = personnes_pour(scale)
    if people < 1:
        raise InvalidField("echelle", f"échelle trop petite : {echelle} × {publies.population_reference():,} habitants "
                                      "donne moins d'une personne".replace(",", " "))
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        raise InvalidField("annee", f"pas de paramètres légaux pour {annee} : secu simule de {ANNEE_MIN} à {ANNEE_MAX}")
    publies.annee(annee)  # the yardstick must exist too
    if moteur not in ENGINES:
        raise InvalidField("engine", f"moteur inconnu : {moteur!r} (local ou spark)")
    if workers is not None and workers < 1:
        raise InvalidField("workers", "le nombre de processus doit être au moins 1")
    return Parametres(annee, scale, people, graine, moteur, workers)


def _manifest(p: Parametres) -> dict[str, Any]:
    # The engine and the workers do not change the result (README §4): not part of what a run is.
    return {"version": VERSION, "annee": p.annee, "echelle": str(p.echelle), "personnes": p.personnes, "graine": p.graine}


def prepare(dossier: Path, p: Parametres) -> None:
    """Claim ``dossier`` for the run, or refuse one that holds anything else (nothing is overwritten)."""
    dossier = Path(dossier)
    if dossier.exists() and not dossier.is_dir():
        raise InvalidField("out", f"{dossier} existe et n'est pas un dossier")
    manifest = dossier / MANIFESTE
    if manifest.is_file():
        try:
            existing = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            existing = None
        if existing != _manifest(p):
            raise InvalidField("out", f"le dossier {dossier} contient une autre simulation ({_describe(existing)}) : "
                                      "choisir un autre dossier, rien n'a été écrasé")
        return
    if dossier.is_dir() and any(dossier.iterdir()):
        raise InvalidField("out", f"le dossier {dossier} n'est pas vide et ne contient pas de simulation : "
                                  "choisir un dossier vide ou nouveau, rien n'a été écrasé")
    dossier.mkdir(parents=True, exist_ok=True)
    temporary = manifest.with_suffix(".tmp")
    temporary.write_text(json.dumps(_manifest(p), indent=2), encoding="utf-8")
    os.replace(temporary, manifest)


def _describe(manifest: object) -> str:
    if not isinstance(manifest, dict):
        return "fichier simulation.json illisible"
    return f"année {manifest.get('annee')}, échelle {manifest.get('echelle')}, graine {manifest.get('graine')}"


# --------------------------------------------------------------------------
# The dataset and the months


def _dataset(dossier: Path, p: Parametres) -> Path:
    """The synthetic France of the run; secu synth completes a dataset it had begun with the same arguments."""
    from secu.synth.generator import synthesize

    target = dossier / "dataset"
    manifest = target / "manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")).get("complet"):
        return target
    synthesize(target, p.personnes, seed=p.graine, annee=p.annee)
    return target


def partitions(dataset: Path) -> int:
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    return int(manifest["partitions"])


JOB = "secu.batch.jobs:annee"
"""The job of a simulated year: a partition's accounts for every month (README of secu.batch, §3)."""


def months(annee: int) -> list[date]:
    return [date(annee, m, 1) for m in range(1, 13)]


def run_accounts(dataset: Path, out: Path, p: Parametres, progress: Progress | None = None, job: Job | str = JOB) -> pl.DataFrame:
    """Every partition's year through the engine; the year's accounts summed over partitions.

    One task per partition, its month December, run by ``jobs.annee``: the rules that cumulate over the
    year (plafonds, réduction générale, yearly caps) see the partition's year once, so the cost grows with
    the months rather than their square; the result holds the accounts of each month. ``job``: the same year
    under a reform (``secu.pilotage.reforme.JobReforme``).
    """
    from secu.batch import engine

    tasks = [engine.Task(dataset, part, months(p.annee)[-1], p.graine) for part in range(partitions(dataset))]
    moteur: Literal["local", "spark"] = "spark" if p.moteur == "spark" else "local"
    return engine.run(tasks, out, engine=moteur, workers=p.workers, progress=progress, job=job)


# --------------------------------------------------------------------------
# The ledger


def run_key(p: Parametres, dataset_manifest: dict[str, Any] | None = None) -> str:
    """What identifies a simulated year: same year, people, seed and generator give the same entries."""
    generator = (dataset_manifest or {}).get("generator_version", (dataset_manifest or {}).get("version", ""))
    text = f"{p.annee}|{p.personnes}|{p.graine}|{generator}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def entries(comptes: pl.DataFrame, p: Parametres, key: str) -> list[Any]:
    """One balanced entry per ledger branch and month (debits positive, credits negative).

    Each branch of :mod:`secu.branches` (at its national caisse, the organismes'): ``charges.*`` debited,
    ``produits.*`` credited, the difference on
    its current account at the Urssaf Caisse nationale (``tresorerie.compte_courant``), which holds the
    branches' cash. Lines a branch books elsewhere come from its ``GRAND_LIVRE`` (the famille entry carries
    the AAH advanced for the State and the CRDS withheld on the benefits). What the URSSAF collects for
    third parties (Unédic, AGS, CADES, FNAL…) is one recouvrement entry: cash in, owed to each of them.
    Recipients a branch declares ``HORS_GRAND_LIVRE`` (the Agirc-Arrco, not collected by the URSSAF) stay out.
    """
    from secu.core import ledger

    urssaf = branches.caisse_nationale("recouvrement")
    declared = {b.code: b for b in branches.simulees()}
    special, outside = branches.grand_livre_special(), branches.hors_grand_livre()
    books: dict[tuple[date, str, str], dict[str, int]] = {}

    def add(month: date, branche: str, compte: str, cents: int) -> None:
        caisse = branches.caisse_nationale(branche)
        book = books.setdefault((month, branche, caisse), {})
        book[compte] = book.get(compte, 0) + cents

    for r in comptes.iter_rows(named=True):
        month, b, sens, poste, cents = r["mois"], r["branche"], r["sens"], r["poste"], int(r["montant_cents"])
        signed = -cents if sens == jobs.PRODUIT else cents  # debits positive: a produit is credited
        if not cents or b in outside:
            continue
        if (b, sens, poste) in special:
            add(month, *special[(b, sens, poste)], signed)
        elif b in declared:
            add(month, declared[b].grand_livre, f"produits.{poste}" if sens == jobs.PRODUIT else f"charges.{poste}", signed)
        elif sens == jobs.PRODUIT:
            add(month, "recouvrement", f"dettes.attributaires.{b}.{poste}", signed)
        else:
            raise InvalidField("comptes", f"charge d'un tiers sans place au grand livre : {b} {poste}")

    result = []
    for (month, branche, caisse), book in sorted(books.items()):
        balance = -sum(book.values())
        cash = "tresorerie.encaissements" if branche == "recouvrement" else "tresorerie.compte_courant"
        book[cash] = book.get(cash, 0) + balance
        lines = tuple(
            ledger.Ligne(branche, caisse, COMPTE_PREFIXE + compte, cents, contrepartie=None if branche == "recouvrement" else urssaf)
            for compte, cents in sorted(book.items()) if cents
        )
        if len(lines) < 2:
            continue
        end = date(month.year, month.month, monthrange(month.year, month.month)[1])
        result.append(ledger.NouvelleEcriture(
            cle_idempotence=f"simulation:{key}:{branche}:{month:%Y-%m}",
            date_operation=end,
            libelle=f"Année simulée {p.annee} (échelle {p.echelle}, graine {p.graine}) : {branche}, {month:%m/%Y}",
            document_source=f"secu simulate {key}",
            lignes=lines,
        ))
    return result


def book(database_url: str, comptes: pl.DataFrame, p: Parametres, key: str) -> tuple[int, int]:
    """Post the entries in one transaction; returns (entries, entries new in this run)."""
    from sqlalchemy import func, select

    from secu.core import ledger
    from secu.core.db import make_engine, migrate, session_factory, unit_of_work

    todo = entries(comptes, p, key)
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with unit_of_work(session_factory(engine)) as session:
            keys = [e.cle_idempotence for e in todo]
            query = select(func.count()).select_from(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence.in_(keys))
            known = int(session.scalar(query) or 0) if keys else 0
            for entry in todo:
                ledger.post(session, entry)
    finally:
        engine.dispose()
    return len(todo), len(todo) - known


# --------------------------------------------------------------------------
# The whole run


def simulate(p: Parametres, dossier: Path, database_url: str | None, progress: Progress | None = None) -> Resultat:
    """The whole run (see the module's docstring); ``database_url`` None books nothing."""
    dossier = Path(dossier)
    prepare(dossier, p)
    dataset = _dataset(dossier, p)
    comptes = run_accounts(dataset, dossier / "comptes", p, progress)
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    result = Resultat(p, dossier, comptes, partitions=int(manifest["partitions"]))
    if database_url is not None:
        result.ecritures, result.ecritures_nouvelles = book(database_url, comptes, p, run_key(p, manifest))
    doc = rapport(result)
    temporary = dossier / (RESULTAT + ".tmp")
    temporary.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, dossier / RESULTAT)
    return result


# --------------------------------------------------------------------------
# The comparison


def _sum(comptes: pl.DataFrame, branche: str, sens: str) -> int:
    rows = comptes.filter((pl.col("branche") == branche) & (pl.col("sens") == sens))
    return int(rows["montant_cents"].sum()) if rows.height else 0


def extrapolate(cents: int, p: Parametres) -> int:
    """Simulated cents × population of reference / people simulated, half up to the cent."""
    numerator = cents * publies.population_reference()
    q, r = divmod(abs(numerator), p.personnes)
    q += 1 if 2 * r >= p.personnes else 0
    return q if numerator >= 0 else -q


def _md(cents: int) -> Decimal:
    return (Decimal(cents) / publies.MILLIARD_CENTS).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ratio(simulated_cents: int, published_md: Decimal) -> Decimal | None:
    if published_md == 0:
        return None
    return (Decimal(simulated_cents) / (published_md * publies.MILLIARD_CENTS)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def rapport(result: Resultat) -> dict[str, Any]:
    """The year per branch beside the published figures (the document --json prints)."""
    p, comptes = result.parametres, result.comptes
    published = publies.annee(p.annee)
    simulated = [b.code for b in branches.simulees()]
    per_branch = {}
    for b in simulated:
        recettes, depenses = _sum(comptes, b, jobs.PRODUIT), _sum(comptes, b, jobs.CHARGE)
        x_recettes, x_depenses = extrapolate(recettes, p), extrapolate(depenses, p)
        pub = published.branches.get(b)  # a branch without published accounts yet is shown without them
        per_branch[b] = {
            "simule": {"recettes_cents": recettes, "depenses_cents": depenses, "solde_cents": recettes - depenses},
            "extrapole": {"recettes_cents": x_recettes, "depenses_cents": x_depenses, "solde_cents": x_recettes - x_depenses,
                          "recettes_md": str(_md(x_recettes)), "depenses_md": str(_md(x_depenses)),
                          "solde_md": str(_md(x_recettes - x_depenses))},
            "publie": {} if pub is None else {"recettes_md": str(pub.recettes), "depenses_md": str(pub.depenses), "solde_md": str(pub.solde)},
            "ratio": {"recettes": None if pub is None else _num(_ratio(x_recettes, pub.recettes)),
                      "depenses": None if pub is None else _num(_ratio(x_depenses, pub.depenses))},
            "perimetre_simule": publies.PERIMETRE_SIMULE.get(b, {}),
            "postes": _postes(comptes, b),
            "reperes": publies.reperes(b),
        }
    tiers = {}
    for b in sorted(set(comptes["branche"].to_list()) - set(simulated)):
        recettes, depenses = _sum(comptes, b, jobs.PRODUIT), _sum(comptes, b, jobs.CHARGE)
        tiers[b] = {"recettes_cents": recettes, "depenses_cents": depenses,
                    "extrapole_recettes_md": str(_md(extrapolate(recettes, p))), "extrapole_depenses_md": str(_md(extrapolate(depenses, p))),
                    "postes": _postes(comptes, b)}
    return {
        "annee": p.annee,
        "echelle": str(p.echelle),
        "personnes": p.personnes,
        "graine": p.graine,
        "partitions": result.partitions,
        "population_reference": publies.population_reference(),
        "population_source": publies.population_source(),
        "extrapolation": f"montants simulés × {publies.population_reference()} / {p.personnes}, arrondis au centime",
        "publie": {"statut": published.statut, "perimetre": published.perimetre, "perimetre_libelle": published.perimetre_libelle,
                   "source": published.source, "unite": "Md€"},
        "branches": per_branch,
        "tiers": tiers,
        "prestations_especes": prestations_especes(comptes, p),
        "grand_livre": {"ecritures": result.ecritures, "nouvelles": result.ecritures_nouvelles, "prefixe_comptes": COMPTE_PREFIXE},
        "dossier": str(result.dossier),
    }


def prestations_especes(comptes: pl.DataFrame, p: Parametres) -> dict[str, Any]:
    """The IJ and invalidity pensions of the year (charges ``prestations.<poste>`` of :mod:`secu.especes.comptes`),
    scaled back, each beside its published figure (:func:`secu.simulation.publies.prestations_especes`), and the
    IJ's total beside the published IJ total (the figures of the same year and source only)."""
    lignes: list[dict[str, Any]] = []
    for pub in publies.prestations_especes():
        rows = comptes.filter((pl.col("branche") == pub.branche) & (pl.col("sens") == jobs.CHARGE)
                              & (pl.col("poste") == f"prestations.{pub.poste}"))
        cents = int(rows["montant_cents"].sum()) if rows.height else 0
        volume = int(rows["volume"].sum()) if rows.height else 0
        x = extrapolate(cents, p)
        lignes.append({"poste": pub.poste, "branche": pub.branche, "libelle": pub.libelle, "simule_cents": cents, "volume": volume,
                       "extrapole_cents": x, "extrapole_md": str(_md(x)), "publie_md": str(pub.montant), "annee_publiee": pub.annee,
                       "ratio": _num(_ratio(x, pub.montant)), "source": pub.source})
    ij = [r for r in lignes if r["poste"].startswith("ij_")]
    years = {r["annee_publiee"] for r in ij}
    total_x = sum(r["extrapole_cents"] for r in ij)
    total_pub = sum((Decimal(r["publie_md"]) for r in ij), Decimal(0))
    total = {"extrapole_cents": total_x, "extrapole_md": str(_md(total_x)), "publie_md": str(total_pub),
             "annee_publiee": years.pop() if len(years) == 1 else None, "ratio": _num(_ratio(total_x, total_pub)) if ij else None}
    return {"lignes": lignes, "ij_total": total}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _postes(comptes: pl.DataFrame, branche: str) -> list[dict[str, Any]]:
    rows = (comptes.filter(pl.col("branche") == branche).group_by("sens", "poste")
            .agg(pl.col("montant_cents").sum(), pl.col("volume").sum()).sort("sens", "poste"))
    return [{"sens": r["sens"], "poste": r["poste"], "montant_cents": int(r["montant_cents"]), "volume": int(r["volume"])}
            for r in rows.iter_rows(named=True)]
