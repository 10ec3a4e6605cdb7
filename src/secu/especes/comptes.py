"""What the prestations en espèces book in the simulated year: IJ and invalidity pensions, as accounts.

The arrêts of the synthetic France (:func:`secu.synth.evenements.arrets`: the arrêt maladie the generator
draws, one more AT/MP arrêt for some salariés, the congé maternité of the salariées who give birth) go
through :func:`secu.especes.rules.indemnites_journalieres`, one row per arrêt and month; the
pensionnés d'invalidité (:func:`secu.synth.evenements.invalides`) through
:func:`secu.especes.rules.pension_invalidite`, one row per pensionné and month. Charges (gross, before the
CSG and CRDS withheld):

========================  ========  ==================================================================
poste                     branche   volume
========================  ========  ==================================================================
prestations.ij_maladie    maladie   days indemnified
prestations.ij_maternite  maladie   days indemnified (CSS L331-3; financed in part by the CNAF since
                                    2023, a transfer secu does not book)
prestations.invalidite    maladie   monthly pensions paid
prestations.ij_atmp       atmp      days indemnified
========================  ========  ==================================================================

The CRDS withheld on the IJ (ordonnance n° 96-50, art. 14) is a produit of the ``cades``, owed by the CNAM
(:data:`GRAND_LIVRE`); the CSG withheld (6,2 %) a produit of the ``urssaf``, owed by the CNAM (its split among
the branches for the revenus de remplacement, CSS L131-8, is the URSSAF's and not among secu's parameters). On the
pensions d'invalidité, the CSG, CRDS and CASA at the rate of the RFR (:func:`_prelevements_des_pensions`) go the
same way, the CASA to the ``autonomie`` (the CNSA); the ledger books each as the CNAM's debt to its recipient, as
the payment runs do, so the branch's cash is the net it pays.

**Steady state.** The dataset draws the arrêts that BEGIN in its year; the year's days of arrêts begun
the years before are missing from it, and the days of its own arrêts that fall after it are in it. The
simulated year folds the second onto the first: the days of month m of year Y + k (k = 0 … 3, the
longest arrêt lasting 3 years) of an arrêt begun in Y are paid in month m of Y — what arrêts begun in
Y − k pay in Y when every year draws the same arrêts. Each row keeps the law of the arrêt's first day.

This module declares no branch of its own (``BRANCHES`` is empty): the maladie and AT-MP branches are
:mod:`secu.maladie.comptes`'s; the batch job adds every module's accounts up by (branche, poste).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.batch.engine import SCHEMA
from secu.batch.jobs import CHARGE, PRODUIT, Partition, empty, months_to
from secu.branches import Branche

BRANCHES: tuple[Branche, ...] = ()
"""None: the IJ and pensions are booked on the maladie and AT-MP branches that secu.maladie.comptes declares."""

GRAND_LIVRE = {
    ("cades", PRODUIT, "crds.ij_maladie"): ("maladie", "dettes.attributaires.cades"),  # withheld by the CNAM, owed to the CADES
    ("cades", PRODUIT, "crds.ij_atmp"): ("atmp", "dettes.attributaires.cades"),
    ("urssaf", PRODUIT, "csg.ij_maladie"): ("maladie", "dettes.attributaires.csg"),  # withheld, owed to the URSSAF (L. 136-8, L. 131-8)
    ("urssaf", PRODUIT, "csg.ij_atmp"): ("atmp", "dettes.attributaires.csg"),
    ("urssaf", PRODUIT, "csg.invalidite"): ("maladie", "dettes.attributaires.csg"),
    ("cades", PRODUIT, "crds.invalidite"): ("maladie", "dettes.attributaires.cades"),
    ("autonomie", PRODUIT, "casa.invalidite"): ("maladie", "dettes.attributaires.cnsa"),  # CASF L. 14-10-4 2°: a resource of the CNSA
}
"""What the CNAM withholds on the IJ and the pensions: in the accounts, a produit of its recipient; in the ledger, as
the payment runs book it (``especes/paiement*.py``), a debt of the paying branch to that recipient."""

POSTES = {"maladie": ("maladie", "ij_maladie"), "maternite": ("maladie", "ij_maternite"), "atmp": ("atmp", "ij_atmp")}
"""Risk of an arrêt → (branche, poste ``prestations.<…>``) of its IJ."""

ANNEES_REPLIEES = 4
"""The year of the arrêt and the three after it (an arrêt lasts at most 3 years: R. 323-1, 2°)."""


def _calendrier(jusqu_au: date) -> pl.DataFrame:
    """Every (month booked, days paid in it): month m of the year, and month m of the 3 years after (steady state)."""
    rows = []
    for month in months_to(jusqu_au):
        for k in range(ANNEES_REPLIEES):
            first = date(month.year + k, month.month, 1)
            rows.append({"mois": month, "__p_debut": first})
    return pl.DataFrame(rows).with_columns(pl.col("__p_debut").dt.month_end().alias("__p_fin"))


def arrets_du_mois(arrets: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """The synthetic arrêts (:data:`secu.synth.evenements.ARRET_SCHEMA`) as the IJ rule's rows, one per arrêt and
    month paid (``mois``), from January to ``jusqu_au``: maternité over the congé's legal length
    (:func:`~secu.especes.rules.duree_conge`, from 6 weeks — or 8 from the 3rd child — before the birth). The
    conditions d'ouverture (R. 313-3) are checked on the contract's hours and pay (every salarié of the dataset
    works 75 hours a month at least: all pass them)."""
    from secu.especes.rules import duree_conge

    if arrets.height == 0:
        return pl.DataFrame()
    conge = arrets.filter(pl.col("risque") == "maternite")
    autres = arrets.filter(pl.col("risque") != "maternite").with_columns((pl.col("debut") + pl.duration(days=pl.col("jours") - 1)).alias("fin"))
    frames = [autres]
    if conge.height:
        durees = duree_conge(
            conge.select(
                pl.lit("maternite").alias("conge"),
                pl.when(pl.col("rang_3_plus")).then(pl.lit("rang_3_plus")).otherwise(pl.lit("rang_1_2")).alias("cas"),
                pl.col("accouchement").alias("date"),
            )
        )
        conge = (
            conge.with_columns(durees["jours_prenatal"], durees["jours_conge"])
            .with_columns(
                (pl.col("accouchement") - pl.duration(days=pl.col("jours_prenatal"))).alias("debut"),
            )
            .with_columns((pl.col("debut") + pl.duration(days=pl.col("jours_conge") - 1)).alias("fin"))
        )
        # The congés that begin in the year (steady state: those of the births early in the year began the year before,
        # like those of the next year's early births, which begin in this one).
        frames.append(conge.drop("jours_prenatal", "jours_conge").filter(pl.col("debut").dt.year() == jusqu_au.year))
    rows = pl.concat([f.select("personne", "risque", "debut", "fin", "ald", "salaire_mensuel", "heures_mensuelles") for f in frames], how="vertical")
    paid = rows.join(_calendrier(jusqu_au), how="cross").filter((pl.col("__p_debut") <= pl.col("fin")) & (pl.col("__p_fin") >= pl.col("debut")))
    return paid.select(
        "personne",
        "mois",
        "risque",
        "debut",
        "fin",
        pl.col("salaire_mensuel").alias("salaire_1"),
        pl.col("salaire_mensuel").alias("salaire_2"),
        pl.col("salaire_mensuel").alias("salaire_3"),
        "ald",
        # R. 313-3: the contract's hours and pay over the 3, 6 and 12 months before (no earlier arrêt in the dataset).
        (pl.col("heures_mensuelles").cast(pl.Float64) * 3).alias("heures_3_mois"),
        (pl.col("salaire_mensuel") * 6).alias("salaire_6_mois"),
        (pl.col("heures_mensuelles").cast(pl.Float64) * 12).alias("heures_12_mois"),
        (pl.col("salaire_mensuel") * 12).alias("salaire_12_mois"),
        pl.max_horizontal("debut", "__p_debut").alias("periode_debut"),
        pl.min_horizontal("fin", "__p_fin").alias("periode_fin"),
    )


def comptes_des_arrets(arrets: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """The IJ of every month from January to ``jusqu_au`` → charges ``prestations.ij_*`` and the CRDS withheld."""
    from secu.especes.rules import indemnites_journalieres

    rows = arrets_du_mois(arrets, jusqu_au)
    if rows.height == 0:
        return empty()
    paid = indemnites_journalieres(rows)
    summary = paid.group_by("mois", "risque").agg(pl.col("montant_brut").sum(), pl.col("csg").sum(), pl.col("crds").sum(), pl.col("jours_indemnises").sum())
    poste = pl.col("risque").replace_strict({k: f"prestations.{v[1]}" for k, v in POSTES.items()}, default=None)
    branche = pl.col("risque").replace_strict({k: v[0] for k, v in POSTES.items()}, default=None)
    charges = summary.select(
        branche.alias("branche"),
        "mois",
        pl.lit(CHARGE).alias("sens"),
        poste.alias("poste"),
        pl.col("montant_brut").alias("montant_cents"),
        pl.col("jours_indemnises").alias("volume"),
    )
    par_branche = summary.with_columns(branche.alias("__b")).group_by("mois", "__b").agg(pl.col("csg", "crds", "jours_indemnises").sum())
    retenues = [
        par_branche.select(
            pl.lit(destinataire).alias("branche"),
            "mois",
            pl.lit(PRODUIT).alias("sens"),
            pl.format(f"{colonne}.ij_{{}}", pl.col("__b")).alias("poste"),
            pl.col(colonne).alias("montant_cents"),
            pl.col("jours_indemnises").alias("volume"),
        )
        for destinataire, colonne in (("urssaf", "csg"), ("cades", "crds"))
    ]
    out = pl.concat([charges, *(r.filter(pl.col("montant_cents") != 0) for r in retenues)], how="vertical_relaxed")
    return out.select([pl.col(k).cast(v) for k, v in SCHEMA.items()])


def comptes_des_invalides(invalides: pl.DataFrame, jusqu_au: date) -> pl.DataFrame:
    """The pensions d'invalidité of every month from January to ``jusqu_au`` → charges ``prestations.invalidite``.

    A pension is paid for each month that begins before the death and before the age of conversion
    (``fin_pension``); the SAM is the career's yearly salary capped at the PASS of the month (R. 341-4). A 3e
    catégorie pension of a month before the first MTP secu holds (1 April 2023) is not computed: it is counted
    under ``prestations.invalidite_non_calculee`` (0 €, its volume), so that the gap shows instead of vanishing."""
    from secu.core.parameters import join_parameters, parameters
    from secu.especes.rules import MTP_PARAMETRE, pension_invalidite

    if invalides.height == 0:
        return empty()
    months = pl.DataFrame({"mois": months_to(jusqu_au)})
    rows = invalides.join(months, how="cross").filter(
        (pl.col("fin_pension") > pl.col("mois")) & (pl.col("date_deces").is_null() | (pl.col("date_deces") >= pl.col("mois")))
    )
    if rows.height == 0:
        return empty()
    premiere_mtp = parameters().get(MTP_PARAMETRE).values[0].date_effet
    sans_mtp = (pl.col("categorie") == 3) & (pl.col("mois") < premiere_mtp)
    rows = join_parameters(rows.filter(~sans_mtp), ["pss.annuel"], on="mois").with_columns(pl.min_horizontal("salaire_annuel", "pss_annuel").alias("sam"))
    paid = (
        pension_invalidite(rows.select("mois", "categorie", "sam"))
        if rows.height
        else pl.DataFrame(schema={"mois": pl.Date(), "pension_mensuelle": pl.Int64()})
    )
    summary = (
        paid.group_by("mois").agg(pl.col("pension_mensuelle").sum(), pl.len().alias("volume")).with_columns(pl.lit("prestations.invalidite").alias("poste"))
    )
    retenues = _prelevements_des_pensions(paid)
    missing = (
        invalides.join(months, how="cross")
        .filter(sans_mtp & (pl.col("fin_pension") > pl.col("mois")) & (pl.col("date_deces").is_null() | (pl.col("date_deces") >= pl.col("mois"))))
        .group_by("mois")
        .agg(pl.lit(0, dtype=pl.Int64).alias("pension_mensuelle"), pl.len().alias("volume"))
        .with_columns(pl.lit("prestations.invalidite_non_calculee").alias("poste"))
    )
    charges = pl.concat([summary, missing], how="vertical_relaxed").select(
        pl.lit("maladie").alias("branche"),
        "mois",
        pl.lit(CHARGE).alias("sens"),
        "poste",
        pl.col("pension_mensuelle").alias("montant_cents"),
        "volume",
    )
    return pl.concat([charges, retenues], how="vertical_relaxed").select([pl.col(k).cast(v) for k, v in SCHEMA.items()])


RETENUES_PENSION = (("urssaf", "csg", "csg.invalidite"), ("cades", "crds", "crds.invalidite"), ("autonomie", "casa", "casa.invalidite"))
"""(recipient, column of :func:`secu.especes.rules.prelevements_pension`, poste) of what is withheld on a pension."""


def _prelevements_des_pensions(paid: pl.DataFrame) -> pl.DataFrame:
    """The CSG, CRDS and CASA withheld on the month's pensions (:func:`secu.especes.rules.prelevements_pension`),
    as produits of their recipients, ``volume`` the pensions that bear each.

    Hypothèse (the dataset holds no tax household): the RFR of N-2 is twelve times the month's pension, one part —
    the pension as the household's only income, before the deduction on pensions (which secu does not model); the
    category then follows the thresholds of L. 136-8 III as for any pension."""
    from secu.especes.rules import prelevements_pension

    if paid.height == 0:
        return pl.DataFrame(schema={"branche": pl.String(), "mois": pl.Date(), "sens": pl.String(), "poste": pl.String(),
                                    "montant_cents": pl.Int64(), "volume": pl.Int64()})  # fmt: skip
    retenues = prelevements_pension(
        paid.select(pl.col("pension_mensuelle").alias("montant"), "mois", (pl.col("pension_mensuelle") * 12).alias("rfr"), pl.lit(1.0).alias("parts"))
    )
    colonnes = [c for _, c, _ in RETENUES_PENSION]
    sums = retenues.group_by("mois").agg(*(pl.col(c).sum() for c in colonnes), *((pl.col(c) > 0).sum().alias(f"n_{c}") for c in colonnes))
    frames = [
        sums.select(pl.lit(destinataire).alias("branche"), "mois", pl.lit(PRODUIT).alias("sens"), pl.lit(poste).alias("poste"),
                    pl.col(colonne).alias("montant_cents"), pl.col(f"n_{colonne}").cast(pl.Int64).alias("volume"))  # fmt: skip
        for destinataire, colonne, poste in RETENUES_PENSION
    ]
    return pl.concat(frames, how="vertical_relaxed").filter(pl.col("montant_cents") != 0)


def de_l_annee(partition: Partition, jusqu_au: date) -> pl.DataFrame:
    """The IJ and invalidity pensions of every month from January to ``jusqu_au``."""
    from secu.synth import evenements

    arrets = evenements.arrets(partition.personnes, jusqu_au.year, partition.seed)
    invalides = evenements.invalides(partition.personnes, jusqu_au.year, partition.seed)
    return pl.concat([comptes_des_arrets(arrets, jusqu_au), comptes_des_invalides(invalides, jusqu_au)], how="vertical")


def du_mois(partition: Partition, mois: date) -> pl.DataFrame:
    """The month's IJ and invalidity pensions (the year's rows of that month: nothing cumulates across months)."""
    return de_l_annee(partition, mois).filter(pl.col("mois") == mois)
