"""Each household's year under the rules: what it receives and what it pays, to rank winners and losers of a reform.

For one partition of the synthetic France (``secu.synth``, README of ``secu.batch`` §1) and one year, per
household (``foyer``: the dataset's household, standing for the INSEE ménage):

* ``prestations_cents``: the famille benefits net of CRDS (:func:`secu.famille.rules.droits`, AAH included)
  and the IJ net of CSG and CRDS (:func:`secu.especes.rules.indemnites_journalieres`), over the year;
* ``prelevements_cents``: the employee contributions of the payslips, CSG and CRDS included
  (:func:`secu.recouvrement.rules.net`, ``total_salarial_cents``). Employer contributions are not borne by
  the household in the INSEE's revenu disponible, and are left out here (they are in the branches' Δ);
* ``solde_cents`` = prestations − prélèvements: a reform's gain for the household is the change of it.

Maladie's reimbursements (benefits in kind) and the pensions (no simulated pension yet) are not in it.

Niveau de vie (INSEE, « Niveau de vie » and « Unité de consommation », définitions, insee.fr/fr/metadonnees/
definition/c1890 and c1802): the household's revenu disponible divided by its number of unités de
consommation on the OECD-modified scale — 1 for the first adult, 0.5 for every other person of 14 or more,
0.3 for every child under 14. The revenu disponible of the synthetic household is its net yearly income as
generated (``ressources_n2``: net pay, pensions, allowances, README of ``secu.batch`` §1) plus the baseline's
benefits net; ages and members are taken on 31 December of the year (those alive then). The scale is a
statistical convention, not a value of law: it is kept here, with its source.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from secu.core.ages import age_expr

UC_DIXIEMES_PREMIER_ADULTE = 10
UC_DIXIEMES_AUTRE_14_ANS = 5
UC_DIXIEMES_MOINS_14_ANS = 3
AGE_UC = 14
"""INSEE, définition « Unité de consommation » (échelle de l'OCDE modifiée): 1 / 0,5 / 0,3, seuil de 14 ans."""

TYPES_MENAGE = {
    "personne_seule": "Personne seule",
    "couple_sans_enfant": "Couple sans enfant",
    "monoparentale_1_2": "Famille monoparentale, 1 ou 2 enfants",
    "monoparentale_3_plus": "Famille monoparentale, 3 enfants ou plus",
    "couple_1_2": "Couple avec 1 ou 2 enfants",
    "couple_3_plus": "Couple avec 3 enfants ou plus",
}

SCHEMA_MENAGES = {
    "foyer": pl.Int64(), "personnes": pl.Int64(), "uc_dixiemes": pl.Int64(), "type_menage": pl.String(),
    "ressources_cents": pl.Int64(), "prestations_cents": pl.Int64(), "prelevements_cents": pl.Int64(),
}


def _months(annee: int) -> list[date]:
    return [date(annee, m, 1) for m in range(1, 13)]


def composition(personnes: pl.DataFrame, foyers: pl.DataFrame, annee: int) -> pl.DataFrame:
    """Per household alive on 31 December: persons, unités de consommation (in tenths), type de ménage."""
    fin = date(annee, 12, 31)
    alive = personnes.filter((pl.col("date_naissance") <= fin) & pl.col("date_deces").is_null())
    members = alive.with_columns(age_expr("date_naissance", pl.lit(fin)).alias("__age")).group_by("foyer").agg(
        pl.len().cast(pl.Int64).alias("personnes"),
        (pl.col("__age") >= AGE_UC).sum().cast(pl.Int64).alias("__grands"),
        (pl.col("__age") < AGE_UC).sum().cast(pl.Int64).alias("__petits"),
        pl.col("role").is_in(["allocataire", "conjoint"]).sum().cast(pl.Int64).alias("__adultes"),
        (pl.col("role") == "enfant").sum().cast(pl.Int64).alias("__enfants"),
    )
    # The first person counts 1 even when nobody is 14 or more (then one child less counts 0.3).
    uc = (pl.lit(UC_DIXIEMES_PREMIER_ADULTE) + UC_DIXIEMES_AUTRE_14_ANS * (pl.col("__grands") - 1).clip(lower_bound=0)
          + UC_DIXIEMES_MOINS_14_ANS * (pl.col("__petits") - (pl.col("__grands") == 0).cast(pl.Int64)))
    kind = (pl.when(pl.col("__enfants") == 0)
            .then(pl.when(pl.col("__adultes") >= 2).then(pl.lit("couple_sans_enfant")).otherwise(pl.lit("personne_seule")))
            .otherwise(pl.format("{}_{}", pl.when(pl.col("__adultes") >= 2).then(pl.lit("couple")).otherwise(pl.lit("monoparentale")),
                                 pl.when(pl.col("__enfants") >= 3).then(pl.lit("3_plus")).otherwise(pl.lit("1_2")))))
    return members.join(foyers.select("foyer", pl.col("ressources_n2").alias("ressources_cents")), on="foyer", how="left").select(
        "foyer", "personnes", uc.cast(pl.Int64).alias("uc_dixiemes"), kind.alias("type_menage"),
        pl.col("ressources_cents").fill_null(0).cast(pl.Int64),
    )


def flux(dataset: Path, part: int, annee: int, seed: int) -> pl.DataFrame:
    """Per household of the partition: its benefits and its contributions of the year under the parameters in force
    in this process (the package's, or a reform's installed by :func:`secu.pilotage.reforme.appliquee`)."""
    from secu.batch import jobs
    from secu.especes.comptes import arrets_du_mois
    from secu.especes.rules import indemnites_journalieres
    from secu.famille.rules import droits, par_prestation
    from secu.recouvrement.rules import net
    from secu.synth import evenements

    data = jobs.partition(dataset, part, date(annee, 12, 1), seed, memo=False)
    foyer_of = data.personnes.select("personne", "foyer")
    amounts: list[pl.DataFrame] = []
    for month in _months(annee):
        foyers, enfants = evenements.famille(data.personnes, data.foyers, month)
        if foyers.height:
            paid = par_prestation(droits(foyers, enfants))
            amounts.append(paid.group_by("foyer").agg(pl.col("net").sum().cast(pl.Int64).alias("prestations_cents"),
                                                     pl.lit(0, dtype=pl.Int64).alias("prelevements_cents")))
    arrets = evenements.arrets(data.personnes, annee, seed)
    rows = arrets_du_mois(arrets, date(annee, 12, 1))
    if rows.height:
        ij = indemnites_journalieres(rows).group_by("personne").agg(pl.col("montant_net").sum())
        amounts.append(ij.join(foyer_of, on="personne").group_by("foyer").agg(
            pl.col("montant_net").sum().cast(pl.Int64).alias("prestations_cents"), pl.lit(0, dtype=pl.Int64).alias("prelevements_cents")))
    payslips = pl.concat([evenements.paie(data.personnes, data.employeurs, m, seed) for m in _months(annee)], how="vertical_relaxed")
    if payslips.height:
        paid_in = net(payslips).group_by("salarie").agg(pl.col("total_salarial_cents").sum())
        amounts.append(paid_in.with_columns(pl.col("salarie").cast(pl.Int64).alias("personne")).join(foyer_of, on="personne")
                       .group_by("foyer").agg(pl.lit(0, dtype=pl.Int64).alias("prestations_cents"),
                                              pl.col("total_salarial_cents").sum().cast(pl.Int64).alias("prelevements_cents")))
    totals = (pl.concat([a.select("foyer", "prestations_cents", "prelevements_cents") for a in amounts], how="vertical")
              .group_by("foyer").agg(pl.col("prestations_cents").sum(), pl.col("prelevements_cents").sum())
              if amounts else pl.DataFrame(schema={"foyer": pl.Int64, "prestations_cents": pl.Int64, "prelevements_cents": pl.Int64}))
    menages = composition(data.personnes, data.foyers, annee).join(totals, on="foyer", how="left")
    return menages.with_columns(pl.col("prestations_cents").fill_null(0), pl.col("prelevements_cents").fill_null(0)) \
        .select([pl.col(k).cast(v) for k, v in SCHEMA_MENAGES.items()]).sort("foyer")


def partition_avant_apres(texte: str, dataset: Path, part: int, annee: int, seed: int) -> pl.DataFrame:
    """One partition's households, baseline and reform side by side (``*_base``, ``*_reforme``).

    Run in a worker process (:func:`menages`): the reform's tree is installed there only.
    """
    from secu.pilotage.reforme import appliquee, lire

    base = flux(dataset, part, annee, seed)
    with appliquee(lire("reforme", texte=texte)):
        reforme = flux(dataset, part, annee, seed)
    flows = ["prestations_cents", "prelevements_cents"]
    return base.rename({c: c.replace("_cents", "_base_cents") for c in flows}).join(
        reforme.select("foyer", *[pl.col(c).alias(c.replace("_cents", "_reforme_cents")) for c in flows]), on="foyer", how="full",
        coalesce=True,
    ).fill_null(0).sort("foyer")


def menages(texte: str, dataset: Path, partitions: int, annee: int, seed: int, workers: int | None = None) -> pl.DataFrame:
    """Every partition's households before and after the reform, computed in worker processes (spawned: the
    parent process's parameters are never changed, so a web server can ask for it)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    count = max(1, min(workers or os.cpu_count() or 1, partitions))
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn")) as pool:
        frames = list(pool.map(partition_avant_apres, *zip(*[(texte, dataset, p, annee, seed) for p in range(partitions)], strict=True)))
    return pl.concat(frames, how="vertical").sort("foyer")
