"""What the vieillesse branch books in the simulated year: the pensions of the synthetic France's retirees.

The retirees of a partition (:func:`secu.synth.retraites.retraites`, careers summarised: SAM, quarters, age at
departure) go through :func:`secu.retraite.rules.droit_propre.pension_droit_propre` once, at the date of the
constant legislation (``calibration.yaml``, ``retraite.carriere.legislation``); each month from January, every
retiree alive on its first day is paid the pension revalued by
:func:`secu.retraite.rules.revalorisation.pension_en_service` (each 1 January after the date d'effet, CSS
L. 161-23-1, L. 161-25). The CSG, CRDS and CASA withheld come from the one rule on pensions,
:func:`secu.especes.rules.prelevements_pension` (the household's resources of the dataset standing in for the
RFR). Accounts (gross charges, before what is withheld):

============================  ==========  =================================================================
poste                         branche     volume
============================  ==========  =================================================================
prestations.droit_propre      vieillesse  monthly pensions paid
crds.pensions                 cades       (produit) pensions on which CRDS was withheld; owed by the CNAV
casa                          autonomie   (produit) pensions on which CASA was withheld (CSS L. 14-10-4)
============================  ==========  =================================================================

The CSG withheld is not booked: its split among the branches for the revenus de remplacement (CSS L. 131-8) is
not among secu's parameters (as for the IJ, :mod:`secu.especes.comptes`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from secu.batch.engine import SCHEMA
from secu.batch.jobs import CHARGE, PRODUIT, Partition, empty, months_to
from secu.branches import Branche

BRANCHES = (Branche("vieillesse", "Vieillesse", "Vieillesse", "retraite"),)

GRAND_LIVRE = {
    ("cades", PRODUIT, "crds.pensions"): ("retraite", "dettes.attributaires.cades"),  # withheld by the CNAV, owed to the CADES
    ("autonomie", PRODUIT, "casa"): ("retraite", "dettes.attributaires.cnsa"),  # withheld by the CNAV, owed to the CNSA
}

CARRIERE = ("naissance", "date_effet", "sam", "trimestres", "trimestres_rg", "trimestres_cotises", "enfants")
"""The career columns the pension rule reads (:data:`secu.synth.retraites.CARRIERE_SCHEMA`)."""


def pensions_liquidees(retraites: pl.DataFrame) -> pl.DataFrame:
    """The synthetic retirees (:data:`secu.synth.retraites.RETRAITE_SCHEMA`) with their pension at the date d'effet:
    the rule's output columns (``pension_mensuelle``, ``minimum_contributif``, ``decote_trimestres``,
    ``surcote_trimestres``…) beside the retiree's own. The total of pensions for the écrêtement of the minimum
    contributif is left unknown (null: the rule says so in its steps): the dataset holds no complementary pension."""
    from secu.retraite.rules.droit_propre import pension_droit_propre

    if retraites.height == 0:
        return retraites
    computed = pension_droit_propre(retraites.select("personne", *CARRIERE))
    outputs = [c for c in computed.columns if c not in (*CARRIERE, "personne")]
    return retraites.join(computed.select("personne", *outputs), on="personne", how="left")


def pensions_du_mois(pensions: pl.DataFrame, mois: list[date]) -> pl.DataFrame:
    """One row per retiree and month paid among ``mois`` (alive on the month's first day): the pension
    revalued each 1 January after its date d'effet (``pension_mensuelle_revalorisee``). A month before the date
    d'effet pays the pension at that date's level (the constant legislation's date may fall after January)."""
    from secu.retraite.rules.revalorisation import pension_en_service

    months = pl.DataFrame({"mois": mois}, schema={"mois": pl.Date()})
    rows = pensions.join(months, how="cross").filter(pl.col("date_deces").is_null() | (pl.col("date_deces") >= pl.col("mois")))
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, dtype=pl.Int64).alias("pension_mensuelle_revalorisee"))
    served = pension_en_service(
        rows.select("personne", "date_effet", pl.max_horizontal("mois", "date_effet").alias("mois"), "pension_mensuelle")
    )
    return rows.with_columns(served["pension_mensuelle_revalorisee"])


def _prelevements(paid: pl.DataFrame, foyers: pl.DataFrame) -> pl.DataFrame:
    """The CSG, CRDS and CASA withheld on each pension paid: the household's yearly resources of the dataset as the
    RFR, one part per parent (hypothèse: the dataset holds no tax household)."""
    from secu.especes.rules import prelevements_pension

    rows = paid.join(foyers.select("foyer", "ressources_n2", "nb_parents"), on="foyer", how="left").select(
        "mois",
        pl.col("pension_mensuelle_revalorisee").alias("montant"),
        pl.col("ressources_n2").alias("rfr"),
        pl.col("nb_parents").fill_null(1).clip(1, 2).cast(pl.Float64).alias("parts"),
    )
    return prelevements_pension(rows)


def comptes_des_pensions(paid: pl.DataFrame, foyers: pl.DataFrame) -> pl.DataFrame:
    """The pensions paid (:func:`pensions_du_mois`) → charges ``prestations.droit_propre``, the CRDS and CASA withheld."""
    if paid.height == 0:
        return empty()
    withheld = _prelevements(paid, foyers)
    frame = pl.DataFrame({"mois": paid["mois"], "brut": paid["pension_mensuelle_revalorisee"], "crds": withheld["crds"], "casa": withheld["casa"]})
    summary = frame.group_by("mois").agg(
        pl.col("brut").sum(), pl.col("crds").sum(), pl.col("casa").sum(), pl.len().alias("volume"),
        (pl.col("crds") > 0).sum().alias("volume_crds"), (pl.col("casa") > 0).sum().alias("volume_casa"),
    )
    lines = [
        summary.select(pl.lit("vieillesse").alias("branche"), "mois", pl.lit(CHARGE).alias("sens"), pl.lit("prestations.droit_propre").alias("poste"),
                       pl.col("brut").alias("montant_cents"), "volume"),
        summary.select(pl.lit("cades").alias("branche"), "mois", pl.lit(PRODUIT).alias("sens"), pl.lit("crds.pensions").alias("poste"),
                       pl.col("crds").alias("montant_cents"), pl.col("volume_crds").alias("volume")),
        summary.select(pl.lit("autonomie").alias("branche"), "mois", pl.lit(PRODUIT).alias("sens"), pl.lit("casa").alias("poste"),
                       pl.col("casa").alias("montant_cents"), pl.col("volume_casa").alias("volume")),
    ]
    out = pl.concat(lines, how="vertical_relaxed").filter(pl.col("montant_cents") != 0)
    return out.select([pl.col(k).cast(v) for k, v in SCHEMA.items()]).sort("branche", "mois", "poste")


def _comptes(partition: Partition, mois: list[date]) -> pl.DataFrame:
    from secu.synth import retraites

    retirees = retraites.retraites(partition.personnes, mois[0].year, partition.seed)
    if retirees.height == 0:
        return empty()
    return comptes_des_pensions(pensions_du_mois(pensions_liquidees(retirees), mois), partition.foyers)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """The pensions of every month from January to ``jusqu_au``."""
    return _comptes(partition, months_to(jusqu_au))


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's pensions (nothing cumulates across months: the month alone)."""
    return _comptes(partition, [mois])


GENERATIONS = 5
"""Years of birth per cell of :func:`pensions_par_generation`."""


def pensions_par_generation(dataset: Path, annee: int, seed: int, publication: date) -> pl.DataFrame:
    """The retirees of a synthetic dataset paid in December of ``annee``, by generation (years of birth, by
    :data:`GENERATIONS`): ``effectif``, ``pension_moyenne`` (cents, gross, revalued), ``part_minimum_contributif``,
    ``part_decote`` and ``decote_moyenne`` (quarters, among those with a décote), ``part_surcote`` and
    ``surcote_moyenne``; cells of 1 to ``seuil − 1`` retirees hidden (:func:`secu.statistiques.rules.secret_statistique`
    at ``publication``), and a last row for all generations."""
    from secu.statistiques.rules import secret_statistique
    from secu.synth import retraites

    december = date(annee, 12, 1)
    frames = []
    for path in sorted((Path(dataset) / "personnes").glob("part-*.parquet")):
        retirees = retraites.retraites(pl.read_parquet(path), annee, seed)
        if retirees.height:
            frames.append(pensions_du_mois(pensions_liquidees(retirees), [december]))
    columns = ("date_naissance", "pension_mensuelle_revalorisee", "minimum_contributif", "decote_trimestres", "surcote_trimestres")
    paid = pl.concat([f.select(columns) for f in frames]) if frames else pl.DataFrame(
        schema={"date_naissance": pl.Date(), "pension_mensuelle_revalorisee": pl.Int64(), "minimum_contributif": pl.Boolean(),
                "decote_trimestres": pl.Int64(), "surcote_trimestres": pl.Int64()})
    first = pl.col("date_naissance").dt.year() // GENERATIONS * GENERATIONS
    measures = [
        pl.len().alias("effectif"),
        pl.col("pension_mensuelle_revalorisee").mean().round(0).cast(pl.Int64).alias("pension_moyenne"),
        pl.col("minimum_contributif").mean().alias("part_minimum_contributif"),
        (pl.col("decote_trimestres") > 0).mean().alias("part_decote"),
        pl.col("decote_trimestres").filter(pl.col("decote_trimestres") > 0).mean().alias("decote_moyenne"),
        (pl.col("surcote_trimestres") > 0).mean().alias("part_surcote"),
        pl.col("surcote_trimestres").filter(pl.col("surcote_trimestres") > 0).mean().alias("surcote_moyenne"),
    ]
    cells = paid.group_by(first.alias("debut")).agg(measures).sort("debut").with_columns(
        pl.format("{}-{}", "debut", pl.col("debut") + GENERATIONS - 1).alias("generation"))
    total = paid.select(measures).with_columns(pl.lit(None, dtype=cells["debut"].dtype).alias("debut"), pl.lit("ensemble").alias("generation"))
    table = pl.concat([cells, total.select(cells.columns)], how="vertical_relaxed").with_columns(pl.lit(publication).alias("date"))
    hidden = [c for c in table.columns if c not in ("debut", "generation", "date", "effectif")]
    return secret_statistique(table, masquer=hidden).drop("date")
