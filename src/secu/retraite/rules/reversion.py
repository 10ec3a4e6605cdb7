"""The pension de réversion of the régime général (CSS L. 353-1 to L. 353-3, D. 353-1, D. 353-1-1, R. 353-1-1), vectorized.

One row per survivor (a conjoint or ex-conjoint claiming the réversion of one deceased insured person).
:func:`pension_reversion` takes the deceased's pension and the survivor's situation and gives each step's
amount; :func:`secu.retraite.explication_solidarite.etapes_reversion` tells them. The small helpers at the end
(:func:`colonnes_obligatoires`, :func:`avec_defauts`, :func:`anniversaire`) are the three solidarity rules'
shared input checks and date arithmetic.

The steps, in the CNAV's order (each amount annual, in cents, rounded half up to the cent where it is divided):

1. **54 %** of the deceased's pension (paid or due, before majorations): ``reversion_brute`` (D. 353-1, al. 1);
2. at least the **minimum** (``reversion.minimum``), in full when the deceased had at least 60 quarters, else
   in sixtieths (D. 353-1, al. 2): ``minimum_proratise``;
3. at most **27 % of the PASS** (54 % of a pension capped at 50 % of the PASS, R. 351-29): ``reversion_maximum``;
4. shared between the spouses and ex-spouses **pro rata of the duration of each marriage** (L. 353-3):
   ``reversion_partagee`` (``duree_mariage`` ÷ ``duree_mariages_total``, months; both absent: one spouse);
5. **+10 %** when the survivor had or raised at least three children (L. 353-1 al. 3, R. 351-30), at least a tenth
   of the minimum: ``majoration_enfants``;
6. the **resources**: those of the 3 calendar months before the date d'effet, the survivor's earned income less
   30 % from 55 years of age (R. 353-1-1), times 4; when they exceed a quarter of the ceiling, those of the 12
   months instead. Not counted (the caller leaves them out): the deceased's earned and replacement income, the
   réversions of the complementary schemes, the income of property inherited from the deceased or received
   because of the death (R. 353-1-1, 1° to 3°). The ceiling: 2 080 × SMIC horaire at 1 January alone, × 1.6 in
   a couple (remarried, PACS, concubinage: the household's resources then) (D. 353-1-1);
7. **écrêtement**: the réversion (with its majoration) plus the resources above the ceiling reduce it by the
   excess (L. 353-1, al. 4): ``reversion_annuelle``; ``reversion_mensuelle`` is its twelfth rounded down to the
   cent (as the published monthly minimum: 4 019,13 € a year → 334,92 € a month in 2026), plus the
   majoration forfaitaire per dependent child (its legal basis not read: added after the écrêtement, when a
   réversion is due);
8. the **final amount** (R. 353-1-1): the resources are revised until three months after the survivor has
   all their own pensions (``date_droits_propres``), or, without them, until the age of 67:
   ``date_montant_definitif`` (the date d'effet itself when that moment has passed: the amount is final at once).

Under 55 at the date d'effet, no réversion (``condition_age`` false, amounts 0): the allocation veuvage
(:mod:`secu.retraite.rules.veuvage`) is the benefit of the younger survivor.

Left out: the majoration of 11.1 % at the age of the taux plein (L. 353-6); the réversion of the complementary
schemes (Agirc-Arrco); a deceased insured in several aligned schemes (the LURA single calculation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from secu.core.ages import age_expr
from secu.core.errors import InvalidField
from secu.core.money import apply_rate_expr, div_half_up_expr, div_toward_zero_expr
from secu.core.parameters import join_parameters

PARAMETRES = (
    "reversion.taux", "reversion.age_minimum", "reversion.plafond_smic_heures", "reversion.coefficient_menage",
    "reversion.abattement_revenus_activite", "reversion.age_abattement", "reversion.minimum", "reversion.trimestres_minimum",
    "reversion.maximum_pass", "reversion.majoration_enfants", "reversion.enfants_majoration",
    "reversion.majoration_enfants_plancher", "reversion.delai_montant_definitif_mois", "reversion.age_montant_definitif",
    "pss.annuel",
)
"""The parameters joined on the date d'effet (with their ``_reference`` columns)."""

MAJORATION_FORFAITAIRE = "reversion.majoration_forfaitaire_enfant"
"""Joined on the rows with a dependent child only: its first known value is of 1 April 2025."""

REF_ECRETEMENT = "CSS art. L. 353-1, al. 1 et 4 (réduite à due concurrence du dépassement du plafond)"
REF_PARTAGE = "CSS art. L. 353-3 (partage entre conjoints et ex-conjoints au prorata de la durée de chaque mariage)"
REF_RESSOURCES = "CSS art. R. 353-1-1 (ressources des 3 mois civils précédant la date d'effet, ou des 12 mois au-delà du quart du plafond)"
REF_DEFINITIF = "CSS art. R. 353-1-1 (révision des ressources jusqu'au montant définitif)"

_OBLIGATOIRES = (
    "date_effet", "date_deces", "naissance", "pension_defunt", "trimestres_defunt",
    "revenus_activite_3_mois", "autres_ressources_3_mois",
)
_DEFAUTS: Mapping[str, pl.Expr] = {
    "couple": pl.lit(False),
    "enfants": pl.lit(0, dtype=pl.Int64),
    "enfants_a_charge": pl.lit(0, dtype=pl.Int64),
    "revenus_activite_12_mois": pl.lit(None, dtype=pl.Int64),
    "autres_ressources_12_mois": pl.lit(None, dtype=pl.Int64),
    "duree_mariage": pl.lit(None, dtype=pl.Int64),
    "duree_mariages_total": pl.lit(None, dtype=pl.Int64),
    "date_droits_propres": pl.lit(None, dtype=pl.Date),
}
_MONTANTS = ("pension_defunt", "revenus_activite_3_mois", "autres_ressources_3_mois", "revenus_activite_12_mois", "autres_ressources_12_mois")
_I = pl.Int64


def pension_reversion(demandes: pl.DataFrame) -> pl.DataFrame:
    """The réversion of each row (see the module docstring for the steps and the columns).

    Input: ``date_effet``, ``date_deces``, ``naissance`` (the survivor's; Date), ``pension_defunt`` (the deceased's
    annual base pension, paid or due, cents), ``trimestres_defunt`` (his quarters in the régime général),
    ``revenus_activite_3_mois`` and ``autres_ressources_3_mois`` (the survivor's — or the household's — resources
    of the 3 calendar months before the date d'effet, counted ones only, cents); optional ``couple`` (bool),
    ``revenus_activite_12_mois`` and ``autres_ressources_12_mois`` (needed when the 3 months exceed a quarter of
    the ceiling), ``enfants`` (children had or raised), ``enfants_a_charge``, ``duree_mariage`` and
    ``duree_mariages_total`` (months, L. 353-3), ``date_droits_propres`` (Date: when all the survivor's own pensions
    started). Output: the input, the parameters and their references, and ``age``, ``condition_age``,
    ``reversion_brute``, ``minimum_proratise``, ``minimum_applique``, ``reversion_maximum``, ``reversion_avant_partage``,
    ``reversion_partagee``, ``majoration_enfants``, ``reversion_majoree``, ``smic_horaire_1er_janvier``,
    ``plafond_ressources``, ``revenus_activite_retenus_3_mois``, ``ressources_3_mois``, ``periode_ressources``
    (3 or 12), ``ressources_annuelles``, ``depassement``, ``reversion_annuelle``, ``majoration_forfaitaire``
    (monthly), ``reversion_mensuelle``, ``date_montant_definitif``.
    """
    frame = avec_defauts(demandes, _DEFAUTS)
    colonnes_obligatoires(frame, _OBLIGATOIRES)
    frame = frame.with_columns(
        pl.col("date_effet", "date_deces", "naissance", "date_droits_propres").cast(pl.Date),
        pl.col(*_MONTANTS, "trimestres_defunt", "enfants", "enfants_a_charge", "duree_mariage", "duree_mariages_total").cast(_I),
        pl.col("couple").cast(pl.Boolean),
    )
    _verifier(frame)
    frame = frame.with_row_index("__ligne")
    frame = join_parameters(frame, list(PARAMETRES), on="date_effet", with_references=True)
    janvier = frame.select("__ligne", pl.date(pl.col("date_effet").dt.year(), 1, 1).alias("__janvier"))
    janvier = join_parameters(janvier, ["smic.horaire"], on="__janvier", with_references=True)
    frame = frame.join(janvier.select("__ligne", pl.col("smic_horaire").alias("smic_horaire_1er_janvier"),
                                      pl.col("smic_horaire_reference").alias("smic_horaire_1er_janvier_reference")), on="__ligne")

    # 1-3. 54 %, the minimum in sixtieths, the maximum.
    trimestres = pl.min_horizontal(pl.col("trimestres_defunt"), pl.col("reversion_trimestres_minimum"))
    minimum = div_half_up_expr(pl.col("reversion_minimum") * trimestres, pl.col("reversion_trimestres_minimum"), non_negative=True)
    frame = frame.with_columns(
        age_expr("naissance", "date_effet").cast(_I).alias("age"),
        apply_rate_expr(pl.col("pension_defunt"), pl.col("reversion_taux")).alias("reversion_brute"),
        minimum.alias("minimum_proratise"),
        apply_rate_expr(pl.col("pss_annuel"), pl.col("reversion_maximum_pass")).alias("reversion_maximum"),
    )
    frame = frame.with_columns(
        (pl.col("age") >= pl.col("reversion_age_minimum")).alias("condition_age"),
        (pl.col("minimum_proratise") > pl.col("reversion_brute")).alias("minimum_applique"),
        pl.min_horizontal(pl.max_horizontal("reversion_brute", "minimum_proratise"), pl.col("reversion_maximum")).alias("reversion_avant_partage"),
    )
    # 4. L. 353-3: the share of this marriage.
    numerateur = pl.col("duree_mariage").fill_null(1)
    denominateur = pl.col("duree_mariages_total").fill_null(1)
    frame = frame.with_columns(div_half_up_expr(pl.col("reversion_avant_partage") * numerateur, denominateur, non_negative=True).alias("reversion_partagee"))
    # 5. +10 % for three children, at least a tenth of the minimum.
    plancher = apply_rate_expr(pl.col("reversion_minimum"), pl.col("reversion_majoration_enfants_plancher"))
    majoration = pl.max_horizontal(apply_rate_expr(pl.col("reversion_partagee"), pl.col("reversion_majoration_enfants")), plancher)
    frame = frame.with_columns(
        pl.when(pl.col("enfants") >= pl.col("reversion_enfants_majoration")).then(majoration).otherwise(0).cast(_I).alias("majoration_enfants"))
    frame = frame.with_columns((pl.col("reversion_partagee") + pl.col("majoration_enfants")).alias("reversion_majoree"))

    # 6. The ceiling and the resources (R. 353-1-1, D. 353-1-1).
    personnel = apply_rate_expr(pl.col("smic_horaire_1er_janvier"), pl.col("reversion_plafond_smic_heures"))
    plafond = pl.when(pl.col("couple")).then(apply_rate_expr(personnel, pl.col("reversion_coefficient_menage"))).otherwise(personnel)
    frame = frame.with_columns(plafond.alias("plafond_ressources"))
    frame = frame.with_columns(
        _revenus_retenus(pl.col("revenus_activite_3_mois")).alias("revenus_activite_retenus_3_mois"),
        _revenus_retenus(pl.col("revenus_activite_12_mois")).alias("__activite_12"),
    )
    frame = frame.with_columns((pl.col("revenus_activite_retenus_3_mois") + pl.col("autres_ressources_3_mois")).alias("ressources_3_mois"))
    douze = (pl.col("ressources_3_mois") * 4) > pl.col("plafond_ressources")
    frame = frame.with_columns(pl.when(douze).then(12).otherwise(3).cast(_I).alias("periode_ressources"))
    manquants = frame.filter(douze & pl.col("condition_age") & (pl.col("revenus_activite_12_mois").is_null() | pl.col("autres_ressources_12_mois").is_null()))
    if manquants.height:
        colonne = "revenus_activite_12_mois" if manquants.get_column("revenus_activite_12_mois").null_count() else "autres_ressources_12_mois"
        raise InvalidField(colonne, "les ressources des trois mois dépassent le quart du plafond : celles des douze mois civils "
                                    "précédant la date d'effet sont nécessaires (CSS art. R. 353-1-1)")
    annuelles = pl.when(douze).then(pl.col("__activite_12") + pl.col("autres_ressources_12_mois")).otherwise(pl.col("ressources_3_mois") * 4)
    frame = frame.with_columns(annuelles.alias("ressources_annuelles"))

    # 7. Écrêtement, then the monthly amount and the majoration forfaitaire.
    depassement = pl.max_horizontal(pl.col("ressources_annuelles") + pl.col("reversion_majoree") - pl.col("plafond_ressources"), pl.lit(0, dtype=_I))
    frame = frame.with_columns(pl.when(pl.col("condition_age")).then(depassement).otherwise(0).cast(_I).alias("depassement"))
    annuelle = pl.max_horizontal(pl.col("reversion_majoree") - pl.col("depassement"), pl.lit(0, dtype=_I))
    frame = frame.with_columns(pl.when(pl.col("condition_age")).then(annuelle).otherwise(0).cast(_I).alias("reversion_annuelle"))
    frame = _majoration_forfaitaire(frame)
    frame = frame.with_columns(
        (div_toward_zero_expr(pl.col("reversion_annuelle"), 12) + pl.col("majoration_forfaitaire")).alias("reversion_mensuelle"))

    # 8. The final amount.
    definitif = pl.coalesce(
        pl.col("date_droits_propres").dt.offset_by(pl.format("{}mo", pl.col("reversion_delai_montant_definitif_mois"))),
        anniversaire(pl.col("naissance"), pl.col("reversion_age_montant_definitif")),
    )
    frame = frame.with_columns(pl.max_horizontal(definitif, pl.col("date_effet")).alias("date_montant_definitif"))
    return frame.sort("__ligne").drop("__ligne", "__activite_12")


def _revenus_retenus(revenus: pl.Expr) -> pl.Expr:
    """Earned income as counted: less the abattement of 30 % from 55 (R. 353-1-1), half up to the cent."""
    abattement = apply_rate_expr(revenus, pl.col("reversion_abattement_revenus_activite"))
    return pl.when(pl.col("age") >= pl.col("reversion_age_abattement")).then(revenus - abattement).otherwise(revenus)


def _majoration_forfaitaire(frame: pl.DataFrame) -> pl.DataFrame:
    """The monthly majoration forfaitaire of the rows with a dependent child and a réversion due (0 elsewhere)."""
    dues = frame.filter((pl.col("enfants_a_charge") > 0) & (pl.col("reversion_annuelle") > 0)).select("__ligne", "date_effet")
    colonne = MAJORATION_FORFAITAIRE.replace(".", "_")
    if dues.height:
        dues = join_parameters(dues, [MAJORATION_FORFAITAIRE], on="date_effet", with_references=True).drop("date_effet")
    else:
        dues = dues.drop("date_effet").with_columns(pl.lit(None, dtype=_I).alias(colonne), pl.lit(None, dtype=pl.String).alias(f"{colonne}_reference"))
    frame = frame.join(dues, on="__ligne", how="left")
    montant = (pl.col(colonne) * pl.col("enfants_a_charge")).fill_null(0)
    return frame.with_columns(montant.cast(_I).alias("majoration_forfaitaire"), pl.col(f"{colonne}_reference").cast(pl.String))


def _verifier(frame: pl.DataFrame) -> None:
    for column in _MONTANTS:
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, "un montant ne peut pas être négatif")
    for column in ("trimestres_defunt", "enfants", "enfants_a_charge"):
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, "un nombre ne peut pas être négatif")
    if frame.select((pl.col("date_deces") < pl.col("naissance")).any()).item():
        raise InvalidField("date_deces", "le décès de l'assuré précède la naissance du conjoint survivant : dates incohérentes")
    if frame.select((pl.col("date_effet") < pl.col("date_deces")).any()).item():
        raise InvalidField("date_effet", "la date d'effet de la réversion précède le décès de l'assuré (CSS art. L. 353-1)")
    if frame.select(pl.col("duree_mariage").is_null().ne(pl.col("duree_mariages_total").is_null()).any()).item():
        raise InvalidField("duree_mariages_total", "la durée du mariage et la durée totale des mariages vont ensemble (CSS art. L. 353-3)")
    if frame.select(((pl.col("duree_mariage") <= 0) | (pl.col("duree_mariage") > pl.col("duree_mariages_total"))).any()).item():
        raise InvalidField("duree_mariage", "la durée du mariage doit être positive et au plus la durée totale des mariages du défunt")


# ---------------------------------------------------------------------------
# Shared by the three solidarity rules (réversion, veuvage, ASPA).


def colonnes_obligatoires(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    """Refuse a frame without one of ``columns`` or with a null in it (InvalidField naming the column, in French)."""
    for column in columns:
        if column not in frame.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if frame.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")


def avec_defauts(frame: pl.DataFrame, defauts: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """The frame with each optional column of ``defauts`` added where absent; nulls of a boolean or count column filled."""
    absentes = [expr.alias(name) for name, expr in defauts.items() if name not in frame.columns]
    frame = frame.with_columns(absentes) if absentes else frame
    remplir = [pl.col(name).fill_null(expr) for name, expr in defauts.items() if name in frame.columns and _a_remplir(expr)]
    return frame.with_columns(remplir) if remplir else frame


def _a_remplir(expr: pl.Expr) -> bool:
    """A default that is a value (False, 0), not a null: a null given for it means the default."""
    value = pl.select(expr).item()
    return value is not None


def anniversaire(naissance: pl.Expr, annees: pl.Expr) -> pl.Expr:
    """The date ``annees`` full years after ``naissance`` (28 February for a 29 February birth in a common year, as
    :mod:`secu.core.ages`: Polars clamps the day to the month's end)."""
    return naissance.dt.offset_by(pl.format("{}y", annees))


__all__ = [
    "MAJORATION_FORFAITAIRE", "PARAMETRES", "REF_DEFINITIF", "REF_ECRETEMENT", "REF_PARTAGE", "REF_RESSOURCES",
    "anniversaire", "avec_defauts", "colonnes_obligatoires", "pension_reversion",
]
