"""What the vieillesse branch books in the simulated year: the pensions of the synthetic France's retirees.

The retirees of a partition (:func:`secu.synth.retraites.retraites`, careers summarised: SAM, quarters, age at
departure) go through :func:`secu.retraite.rules.droit_propre.pension_droit_propre` once, at the date of the
constant legislation (``calibration.yaml``, ``retraite.carriere.legislation``); so do the careers of the late
spouses of the survivors (:func:`secu.synth.retraites.reversions`), whose pension then goes through
:func:`secu.retraite.rules.reversion.pension_reversion` at the same date. Each month from January, every pension
of a person alive on its first day is paid revalued by :func:`secu.retraite.rules.revalorisation.pension_en_service`
(each 1 January after the date d'effet, CSS L. 161-23-1, L. 161-25). The ASPA of the retirees the dataset marks
(:func:`secu.retraite.rules.aspa.aspa`) is computed each month at that month's law, their pensions of the month
as their resources; it is the FSV's (CSS L. 815-1, L. 135-2), advanced by the CNAV (:data:`GRAND_LIVRE`). The
CSG, CRDS and CASA withheld on the pensions come from the one rule on pensions,
:func:`secu.especes.rules.prelevements_pension` (the household's resources of the dataset standing in for the
RFR; the ASPA bears none). Accounts (gross charges, before what is withheld):

============================  ==========  =================================================================
poste                         branche     volume
============================  ==========  =================================================================
prestations.droit_propre      vieillesse  monthly pensions de droit propre paid
prestations.reversion         vieillesse  monthly pensions de réversion paid
prestations.aspa              fsv         monthly ASPA paid (financed by the FSV, advanced by the CNAV)
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
from secu.retraite.paiement_solidarite import FSV

BRANCHES = (
    Branche("vieillesse", "Vieillesse", "Vieillesse", "retraite"),
    # The FSV (CSS L. 135-1): its own ledger branch (the ASPA's charge, its debt to the caisses, the recoveries on
    # estates); not a branch of the simulated year: there the ASPA is a tiers' charge the CNAV is owed back (GRAND_LIVRE).
    Branche("fsv", "Fonds de solidarité vieillesse", "FSV", "fsv", simulee=False, organisme=FSV),
)

GRAND_LIVRE = {
    ("fsv", CHARGE, "prestations.aspa"): ("retraite", "creances.fsv.aspa"),  # paid by the CNAV for the FSV, owed back
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
        return retraites.with_columns(
            *[pl.lit(None, dtype=pl.Int64).alias(c) for c in ("pension_annuelle", "pension_mensuelle", "majoration_enfants",
                                                               "decote_trimestres", "surcote_trimestres")],
            pl.lit(None, dtype=pl.Boolean).alias("minimum_contributif"))
    computed = pension_droit_propre(retraites.select("personne", *CARRIERE))
    outputs = [c for c in computed.columns if c not in (*CARRIERE, "personne")]
    return retraites.join(computed.select("personne", *outputs), on="personne", how="left")


def pensions_du_mois(pensions: pl.DataFrame, mois: list[date]) -> pl.DataFrame:
    """One row per retiree and month paid among ``mois`` (alive on the month's first day): the pension
    revalued each 1 January after its date d'effet (``pension_mensuelle_revalorisee``). A month before the date
    d'effet pays the pension at that date's level (the constant legislation's date may fall after January).

    The rule runs once per retiree for the first month and for each month holding a revaluation date, the months
    between keep the amount of the last of those (nothing else changes a pension in payment)."""
    from secu.core.parameters import parameters
    from secu.retraite.rules.revalorisation import COEFFICIENT, pension_en_service

    months = pl.DataFrame({"mois": sorted(mois)}, schema={"mois": pl.Date()})
    rows = pensions.join(months, how="cross").filter(pl.col("date_deces").is_null() | (pl.col("date_deces") >= pl.col("mois")))
    if rows.height == 0:
        return rows.with_columns(pl.lit(None, dtype=pl.Int64).alias("pension_mensuelle_revalorisee"))
    dates = [v.date_effet for v in parameters().get(COEFFICIENT).values]
    keys = months.filter((pl.col("mois") == pl.col("mois").min())
                         | pl.any_horizontal([(pl.col("mois") <= d) & (pl.lit(d) <= pl.col("mois").dt.month_end()) for d in dates]))
    at_keys = pensions.select("personne", "date_effet", "pension_mensuelle").join(keys, how="cross")
    served = pension_en_service(at_keys.with_columns(pl.max_horizontal("mois", "date_effet").alias("mois"), pl.col("mois").alias("__cle")))
    served = served.select("personne", "__cle", "pension_mensuelle_revalorisee").sort("__cle")
    paid = rows.sort("mois").join_asof(served, left_on="mois", right_on="__cle", by="personne", strategy="backward", check_sortedness=False)
    return paid.drop("__cle").sort("personne", "mois")


def reversions_liquidees(reversions: pl.DataFrame, personnes: pl.DataFrame, propres: pl.DataFrame, annee: int) -> pl.DataFrame:
    """The survivors (:data:`secu.synth.retraites.REVERSION_SCHEMA`) with their réversion at the date d'effet of the
    constant legislation, in ``pension_mensuelle`` (the rule's ``reversion_mensuelle``; its other outputs beside).

    The late spouse's pension is his or her career's through the pension rule (without the majoration for
    children: the réversion has its own). The survivor's age and the death keep their distance to 1 January of
    ``annee`` (both moved by the same span to the legislation's date). Resources: the survivor's pay (gross monthly
    × 3 or × 12, a salarié's or independent's) and own pension de droit propre of the régime général (``propres``:
    ``personne``, ``pension_mensuelle``), the 3 or 12 months before; a couple's resources are not known (the
    survivors live without a spouse)."""
    from secu.retraite.rules.reversion import pension_reversion

    if reversions.height == 0:
        return reversions.with_columns(pl.lit(None, dtype=pl.Int64).alias("pension_mensuelle"))
    defunts = pensions_liquidees(reversions)
    shift = pl.lit(date(annee, 1, 1)) - pl.col("date_effet")
    pay = pl.when(pl.col("statut").is_in(["salarie", "independant"])).then(pl.col("salaire_brut_mensuel")).otherwise(0).fill_null(0)
    resources = defunts.join(personnes.select("personne", "statut", "salaire_brut_mensuel"), on="personne", how="left").join(
        propres.select("personne", pl.col("pension_mensuelle").alias("__propre")), on="personne", how="left")
    rows = resources.select(
        "personne", "date_effet",
        (pl.col("date_deces_conjoint") - shift).alias("date_deces"),
        (pl.col("date_naissance") - shift).alias("naissance"),
        (pl.col("pension_annuelle") - pl.col("majoration_enfants")).alias("pension_defunt"),
        pl.col("trimestres_rg").alias("trimestres_defunt"),
        *[(pay * k).cast(pl.Int64).alias(f"revenus_activite_{k}_mois") for k in (3, 12)],
        *[(pl.col("__propre").fill_null(0) * k).cast(pl.Int64).alias(f"autres_ressources_{k}_mois") for k in (3, 12)],
        "enfants",
    )
    computed = pension_reversion(rows)
    return reversions.join(computed.select("personne", pl.col("reversion_mensuelle").alias("pension_mensuelle"), "reversion_annuelle",
                                           "condition_age", "depassement"), on="personne", how="left")


def aspa_du_mois(servies: pl.DataFrame) -> pl.DataFrame:
    """The ASPA of each beneficiary and month (``servies``: ``personne``, ``mois``, ``date_naissance`` and
    ``ressources_mensuelles``, the month's pensions and other pensions, taken for each of the 3 or 12 months before),
    at the month's law: ``aspa_mensuelle``."""
    from secu.retraite.rules.aspa import aspa

    if servies.height == 0:
        return servies.with_columns(pl.lit(None, dtype=pl.Int64).alias("aspa_mensuelle"))
    computed = aspa(servies.select(
        pl.col("mois").alias("date_effet"), pl.col("date_naissance").alias("naissance"),
        *[pl.lit(0, dtype=pl.Int64).alias(f"revenus_activite_{k}_mois") for k in (3, 12)],
        *[(pl.col("ressources_mensuelles") * k).alias(f"autres_ressources_{k}_mois") for k in (3, 12)],
    ))
    return servies.with_columns(computed["aspa_mensuelle"])


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


def _lignes(frame: pl.DataFrame, branche: str, sens: str, poste: str, montant: str, volume: str) -> pl.DataFrame:
    return frame.select(pl.lit(branche).alias("branche"), "mois", pl.lit(sens).alias("sens"), pl.lit(poste).alias("poste"),
                        pl.col(montant).alias("montant_cents"), pl.col(volume).alias("volume"))


def comptes_des_pensions(paid: pl.DataFrame, foyers: pl.DataFrame, aspa: pl.DataFrame | None = None) -> pl.DataFrame:
    """The pensions paid (:func:`pensions_du_mois`, with ``nature``: ``droit_propre`` or ``reversion``) and the ASPA
    (:func:`aspa_du_mois`) → charges ``prestations.<nature>``, ``prestations.aspa`` (fsv), the CRDS and CASA withheld."""
    lines = []
    if paid.height:
        withheld = _prelevements(paid, foyers)
        frame = pl.DataFrame({"mois": paid["mois"], "nature": paid["nature"], "brut": paid["pension_mensuelle_revalorisee"],
                              "crds": withheld["crds"], "casa": withheld["casa"]})
        by_nature = frame.group_by("mois", "nature").agg(pl.col("brut").sum(), pl.len().alias("volume"))
        for nature in ("droit_propre", "reversion"):
            lines.append(_lignes(by_nature.filter(pl.col("nature") == nature), "vieillesse", CHARGE, f"prestations.{nature}", "brut", "volume"))
        withheld_month = frame.group_by("mois").agg(
            pl.col("crds").sum(), pl.col("casa").sum(), (pl.col("crds") > 0).sum().alias("volume_crds"), (pl.col("casa") > 0).sum().alias("volume_casa"))
        lines.append(_lignes(withheld_month, "cades", PRODUIT, "crds.pensions", "crds", "volume_crds"))
        lines.append(_lignes(withheld_month, "autonomie", PRODUIT, "casa", "casa", "volume_casa"))
    if aspa is not None and aspa.height:
        due = aspa.filter(pl.col("aspa_mensuelle") > 0).group_by("mois").agg(pl.col("aspa_mensuelle").sum(), pl.len().alias("volume"))
        lines.append(_lignes(due, "fsv", CHARGE, "prestations.aspa", "aspa_mensuelle", "volume"))
    if not lines:
        return empty()
    out = pl.concat(lines, how="vertical_relaxed").filter(pl.col("montant_cents") != 0)
    return out.select([pl.col(k).cast(v) for k, v in SCHEMA.items()]).sort("branche", "mois", "poste")


def comptes_des_retraites(retirees: pl.DataFrame, survivors: pl.DataFrame, personnes: pl.DataFrame, foyers: pl.DataFrame,
                          mois: list[date]) -> pl.DataFrame:
    """The retirees (:func:`secu.synth.retraites.retraites`) and survivors (:func:`~secu.synth.retraites.reversions`)
    of some people (``personnes``, ``foyers``: their rows of the dataset) → the accounts of the months ``mois``."""
    if retirees.height == 0 and survivors.height == 0:
        return empty()
    propres = pensions_liquidees(retirees)
    derivees = reversions_liquidees(survivors, personnes, propres, mois[0].year)
    columns = ["personne", "foyer", "date_naissance", "date_deces", "date_effet", "pension_mensuelle"]
    paid = pl.concat([
        pensions_du_mois(propres.select(columns), mois).with_columns(pl.lit("droit_propre").alias("nature")),
        pensions_du_mois(derivees.filter(pl.col("pension_mensuelle") > 0).select(columns), mois).with_columns(pl.lit("reversion").alias("nature")),
    ], how="vertical_relaxed")
    beneficiaries = propres.filter(pl.col("aspa")).select("personne", "date_naissance", "pension_autres_regimes")
    resources = paid.join(beneficiaries.select("personne"), on="personne", how="semi").group_by("personne", "mois").agg(
        pl.col("pension_mensuelle_revalorisee").sum().alias("__pensions"))
    servies = resources.join(beneficiaries, on="personne").select(
        "personne", "mois", "date_naissance", (pl.col("__pensions") + pl.col("pension_autres_regimes")).alias("ressources_mensuelles"))
    return comptes_des_pensions(paid, foyers, aspa_du_mois(servies))


def _comptes(partition: Partition, mois: list[date]) -> pl.DataFrame:
    from secu.synth import retraites

    annee = mois[0].year
    return comptes_des_retraites(retraites.retraites(partition.personnes, annee, partition.seed),
                                 retraites.reversions(partition.personnes, partition.foyers, annee, partition.seed),
                                 partition.personnes, partition.foyers, mois)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """The pensions and the ASPA of every month from January to ``jusqu_au``."""
    return _comptes(partition, months_to(jusqu_au))


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's pensions and ASPA (nothing cumulates across months: the month alone)."""
    return _comptes(partition, [mois])


GENERATIONS = 5
"""Years of birth per cell of :func:`pensions_par_generation`."""


def pensions_par_generation(dataset: Path, annee: int, seed: int, publication: date) -> pl.DataFrame:
    """The retirees of a synthetic dataset paid in December of ``annee``, by generation (years of birth, by
    :data:`GENERATIONS`): ``effectif``, ``pension_moyenne`` (cents, gross, revalued), ``part_minimum_contributif``,
    ``part_decote`` and ``decote_moyenne`` (quarters, among those with a décote), ``part_surcote`` and
    ``surcote_moyenne``; cells of 1 to ``seuil − 1`` retirees hidden (:func:`secu.statistiques.rules.secret_statistique`
    at ``publication``), and a last row ``ensemble`` for the generations shown (not the hidden ones: no subtraction
    reveals them)."""
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
        pl.format("{}-{}", "debut", pl.col("debut") + GENERATIONS - 1).alias("generation"), pl.lit(publication).alias("date"))
    hidden = [c for c in cells.columns if c not in ("debut", "generation", "date", "effectif")]
    cells = secret_statistique(cells, masquer=hidden).drop("date")
    # The total of the generations shown only: with the hidden ones, a subtraction would give them away.
    shown = cells.filter(~pl.col("secret"))["debut"].implode()
    total = paid.filter(first.is_in(shown)).select(measures).with_columns(
        pl.lit(None, dtype=cells["debut"].dtype).alias("debut"), pl.lit("ensemble").alias("generation"), pl.lit(False).alias("secret"))
    return pl.concat([cells, total.select(cells.columns)], how="vertical_relaxed")
