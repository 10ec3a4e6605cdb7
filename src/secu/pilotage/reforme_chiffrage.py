"""A reform costed on the code that pays: the baseline year and the reform's year, on the same synthetic France and seed.

:func:`chiffrer` takes a baseline simulated year (:func:`secu.simulation.run.simulate`) and runs the same
dataset through the same job under the reform (:class:`secu.pilotage.reforme.JobReforme`, in the engine's
workers), then each household's year twice (:mod:`secu.pilotage.reforme_menages`). The reform's folder
(``DIR/reformes/<clé>/``: ``reforme.yaml``, ``comptes/``, ``menages.parquet``, ``resultat.json``) is kept,
so the same reform on the same run resumes; nothing of a reform is booked in the ledger (a costing, not
accounts).

What it reports (:func:`rapport`): per branch, Δ recettes, dépenses and solde ramenés à la France entière
(× population de référence ÷ personnes simulées, as the simulated year), in euros; the households' Δ of
(prestations − prélèvements) by décile of niveau de vie of the baseline (deciles of persons: each person
carries their household's niveau de vie, INSEE's convention) and by type de ménage, with the persons of the
households that gain or lose.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from secu import branches
from secu.batch import jobs
from secu.core.money import div_half_up
from secu.pilotage.reforme import JobReforme, Reforme
from secu.pilotage.reforme_menages import TYPES_MENAGE, menages
from secu.simulation import run as simulation

DECILES = 10


def dossier_reforme(dossier: Path, reforme: Reforme) -> Path:
    return Path(dossier) / "reformes" / reforme.cle


def chiffrer(base: simulation.Resultat, reforme: Reforme, progress: simulation.Progress | None = None) -> dict[str, Any]:
    """The reform's year beside the baseline ``base`` (same dataset, seed, year); the document of ``--json``'s ``reforme``."""
    p = base.parametres
    folder = dossier_reforme(base.dossier, reforme)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reforme.yaml").write_text(reforme.texte, encoding="utf-8")
    dataset = base.dossier / "dataset"
    comptes = simulation.run_accounts(dataset, folder / "comptes", p, progress, job=JobReforme(reforme.texte))
    households = folder / "menages.parquet"
    if households.is_file():
        frame = pl.read_parquet(households)
    else:
        frame = menages(reforme.texte, dataset, simulation.partitions(dataset), p.annee, p.graine, p.workers)
        temporary = households.with_suffix(".tmp")
        frame.write_parquet(temporary)
        os.replace(temporary, households)
    doc = rapport(reforme, p, base.comptes, comptes, frame)
    temporary = folder / "resultat.json.tmp"
    temporary.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, folder / "resultat.json")
    return doc


def _euros(cents: int) -> int:
    return div_half_up(cents, 100)


def _sum(comptes: pl.DataFrame, branche: str, sens: str) -> int:
    rows = comptes.filter((pl.col("branche") == branche) & (pl.col("sens") == sens))
    return int(rows["montant_cents"].sum()) if rows.height else 0


def deltas(base: pl.DataFrame, reforme: pl.DataFrame, p: simulation.Parametres) -> dict[str, dict[str, Any]]:
    """Per branch (the simulated ones, then the third parties touched): Δ recettes, dépenses, solde.

    ``recettes``, ``depenses``, ``solde``: euros, ramenés à la France entière; ``simule``: cents of the sample.
    """
    simulated = [b.code for b in branches.simulees()]
    others = sorted((set(base["branche"].to_list()) | set(reforme["branche"].to_list())) - set(simulated))
    out: dict[str, dict[str, Any]] = {}
    for b in simulated + others:
        r = _sum(reforme, b, jobs.PRODUIT) - _sum(base, b, jobs.PRODUIT)
        d = _sum(reforme, b, jobs.CHARGE) - _sum(base, b, jobs.CHARGE)
        if b in others and not (r or d):
            continue
        xr, xd = simulation.extrapolate(r, p), simulation.extrapolate(d, p)
        out[b] = {"recettes": _euros(xr), "depenses": _euros(xd), "solde": _euros(xr - xd), "tiers": b in others,
                  "simule": {"recettes_cents": r, "depenses_cents": d, "solde_cents": r - d}}
    return out


def avec_deciles(frame: pl.DataFrame) -> pl.DataFrame:
    """The households with their revenu disponible, niveau de vie (cents a year per UC), Δ and décile of persons."""
    enriched = frame.with_columns(
        (pl.col("ressources_cents") + pl.col("prestations_base_cents")).alias("revenu_disponible_cents"),
        ((pl.col("prestations_reforme_cents") - pl.col("prelevements_reforme_cents"))
         - (pl.col("prestations_base_cents") - pl.col("prelevements_base_cents"))).alias("delta_cents"),
    ).with_columns(
        (pl.col("revenu_disponible_cents") * 10 // pl.col("uc_dixiemes")).alias("niveau_de_vie_cents"),
    ).sort("niveau_de_vie_cents", "foyer")
    total = int(enriched["personnes"].sum()) or 1
    cumulated = pl.col("personnes").cum_sum()
    # The décile of the household's last person: deciles of persons, a household never split.
    decile = ((cumulated * DECILES + total - 1) // total).clip(1, DECILES)
    return enriched.with_columns(decile.cast(pl.Int64).alias("decile"))


def _groupes(frame: pl.DataFrame, by: str, p: simulation.Parametres) -> list[dict[str, Any]]:
    summary = frame.group_by(by).agg(
        pl.len().alias("menages"),
        pl.col("personnes").sum(),
        pl.col("personnes").filter(pl.col("delta_cents") > 0).sum().alias("gagnants"),
        pl.col("personnes").filter(pl.col("delta_cents") < 0).sum().alias("perdants"),
        pl.col("delta_cents").sum(),
        pl.col("niveau_de_vie_cents").min().alias("nv_min"),
        pl.col("niveau_de_vie_cents").max().alias("nv_max"),
    ).sort(by)
    rows = []
    for r in summary.iter_rows(named=True):
        menages_count, delta = int(r["menages"]), int(r["delta_cents"])
        rows.append({
            by: r[by],
            "menages": menages_count,
            "personnes": int(r["personnes"]),
            "gagnants": int(r["gagnants"]),
            "perdants": int(r["perdants"]),
            "gagnants_france": _people(int(r["gagnants"]), p),
            "perdants_france": _people(int(r["perdants"]), p),
            "delta_moyen_menage": _euros(div_half_up(delta, menages_count)) if menages_count else 0,
            "delta_total": _euros(simulation.extrapolate(delta, p)),
            "niveau_de_vie_min": _euros(int(r["nv_min"])),
            "niveau_de_vie_max": _euros(int(r["nv_max"])),
        })
    return rows


def _people(count: int, p: simulation.Parametres) -> int:
    """Persons of the sample ramenées à la France entière (× population de référence ÷ personnes simulées)."""
    from secu.simulation import publies

    return div_half_up(count * publies.population_reference(), p.personnes)


def rapport(reforme: Reforme, p: simulation.Parametres, base: pl.DataFrame, comptes: pl.DataFrame, frame: pl.DataFrame) -> dict[str, Any]:
    """The reform's document (``--json``'s ``reforme``): the parameters changed, Δ per branch, deciles, household types."""
    households = avec_deciles(frame)
    delta = deltas(base, comptes, p)
    total = {k: sum(v[k] for v in delta.values() if not v["tiers"]) for k in ("recettes", "depenses", "solde")}
    types = _groupes(households, "type_menage", p)
    for row in types:
        row["libelle"] = TYPES_MENAGE.get(row["type_menage"], row["type_menage"])
    gagnants = int(households.filter(pl.col("delta_cents") > 0)["personnes"].sum())
    perdants = int(households.filter(pl.col("delta_cents") < 0)["personnes"].sum())
    return {
        "titre": reforme.titre,
        "description": reforme.description,
        "cle": reforme.cle,
        "debut": reforme.debut().isoformat(),
        "parametres": reforme.resume(),
        "unite": "euros par an, ramenés à la France entière sauf delta_moyen_menage et niveaux de vie (euros du ménage simulé)",
        "delta": delta,
        "delta_branches": total,
        "deciles": _groupes(households, "decile", p),
        "types_menage": types,
        "personnes_concernees": {"gagnants": gagnants, "perdants": perdants, "gagnants_france": _people(gagnants, p),
                                 "perdants_france": _people(perdants, p), "personnes": int(households["personnes"].sum())},
        "definitions": {
            "delta_menage": "Δ (prestations nettes − prélèvements salariaux) du ménage sur l'année : prestations familiales nettes "
                            "de CRDS (AAH comprise) et IJ nettes ; cotisations salariales, CSG et CRDS des bulletins",
            "niveau_de_vie": "revenu disponible du scénario de base ÷ unités de consommation (échelle OCDE modifiée : 1 premier "
                             "adulte, 0,5 autre personne de 14 ans ou plus, 0,3 enfant de moins de 14 ans ; INSEE, définitions "
                             "« Niveau de vie » et « Unité de consommation »)",
            "revenu_disponible": "revenu net annuel du ménage synthétique (ressources_n2 : salaires nets, pensions, allocations) "
                                 "+ prestations familiales nettes du scénario de base",
            "deciles": "déciles de personnes : chaque personne porte le niveau de vie de son ménage, un ménage n'est pas coupé",
        },
    }
