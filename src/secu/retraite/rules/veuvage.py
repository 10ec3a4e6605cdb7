"""The allocation veuvage (CSS L. 356-1 to L. 356-4, D. 356-1, D. 356-2, D. 356-3, D. 356-5), vectorized over survivors × months.

The temporary allowance of the surviving spouse who is too young for the réversion (under 55). One row per
survivor and month paid, :func:`allocation_veuvage`:

* **conditions** (L. 356-1, D. 356-1, D. 356-2): under 55 at the death (``veuvage.age_limite``); not remarried, PACSed nor
  living in concubinage (``remarie``); the deceased affiliated to the assurance vieillesse at least 3 months
  (``veuvage.affiliation_mois``) in the 12 months before the month of the death (``veuvage.affiliation_periode_mois``;
  D. 356-1 says twelve where the task and the fact sheet said 15);
* **period** (D. 356-5): from the first day of the month of the death, 24 months (``veuvage.duree_mois``); when
  the survivor was 50 or more at the death (``veuvage.age_prolongation``), until the 55th birthday. secu pays a
  month that begins before the end (the months of the 55th birthday excluded: secu's reading, not checked);
* **amount** (L. 356-2, D. 356-2, 3°): ``veuvage.montant`` in force in the month; the survivor's resources of the
  3 calendar months before (``ressources_trimestre``: counted ones only, D. 356-3 — neither the capital décès
  of L. 361-1, nor the allocation de logement, the APL or the PCH) plus three months of allocation may not
  exceed the quarterly ceiling, 3.75 × the monthly amount; above, the allocation is reduced by the excess
  (a third of it each month, half up to the cent). The earnings of an activity or training begun while the
  allocation is paid (``revenus_reprise_trimestre``, included in ``ressources_trimestre``) are counted after an
  abattement of 100 % the first 3 months and 50 % the next 9 from ``debut_reprise`` (the first day of the month
  after the start; D. 356-3, 3°) — secu applies to the quarter the rate of the month paid.

Left out: the residence condition, the 6-month exemption of a business creation (D. 356-3), the capital décès
other than L. 361-1 counted as an income at the livret A rate (D. 356-3, 2°: the caller adds it).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from secu.core.ages import age_expr
from secu.core.errors import InvalidField
from secu.core.money import apply_rate_expr, div_half_up_expr
from secu.core.parameters import join_parameters
from secu.retraite.rules.reversion import anniversaire, avec_defauts, colonnes_obligatoires

PARAMETRES_DECES = (
    "veuvage.age_limite", "veuvage.age_prolongation", "veuvage.duree_mois", "veuvage.affiliation_mois", "veuvage.affiliation_periode_mois",
)
"""Joined on the date of the death (with their references)."""

PARAMETRES_MOIS = (
    "veuvage.montant", "veuvage.coefficient_plafond", "veuvage.abattement_reprise_debut", "veuvage.abattement_reprise_suite",
    "veuvage.mois_abattement_debut", "veuvage.mois_cumul",
)
"""Joined on the month paid (with their references)."""

REF_CONDITIONS = "CSS art. L. 356-1, D. 356-1 et D. 356-2 (conjoint survivant de moins de 55 ans, non remarié ; assuré affilié au moins 3 mois)"
REF_DUREE = "CSS art. D. 356-5 (deux ans à compter du premier jour du mois du décès ; jusqu'à 55 ans si 50 ans au décès)"
REF_REDUCTION = "CSS art. L. 356-2 et D. 356-2, 3° (plafond trimestriel de ressources ; allocation réduite du dépassement)"
REF_REPRISE = "CSS art. D. 356-3, 3° (activité commencée pendant le versement : abattement de 100 % puis 50 %, douze mois)"

_OBLIGATOIRES = ("date_deces", "naissance", "mois", "mois_affiliation_defunt", "ressources_trimestre")
_DEFAUTS: Mapping[str, pl.Expr] = {
    "remarie": pl.lit(False),
    "revenus_reprise_trimestre": pl.lit(0, dtype=pl.Int64),
    "debut_reprise": pl.lit(None, dtype=pl.Date),
}
_I = pl.Int64


def allocation_veuvage(demandes: pl.DataFrame) -> pl.DataFrame:
    """The allocation veuvage of each row (survivor × month; see the module docstring).

    Input: ``date_deces``, ``naissance`` (the survivor's), ``mois`` (the month paid; Date), ``mois_affiliation_defunt``
    (months the deceased was affiliated in the period before the death), ``ressources_trimestre`` (cents, the
    3 calendar months before the month); optional ``remarie`` (bool), ``revenus_reprise_trimestre`` (cents, the part
    of those resources earned in an activity begun during the payment) and ``debut_reprise`` (Date).
    Output: the input, the parameters and references, ``age_deces``, ``condition_age``, ``condition_affiliation``,
    ``condition_situation``, ``debut_droit``, ``fin_droit`` (exclusive), ``en_periode``, ``droit`` (all of them),
    ``rang_mois_reprise``, ``taux_abattement_reprise``, ``abattement_reprise``, ``ressources_retenues``,
    ``plafond_trimestriel``, ``allocation_trimestre``, ``depassement``, ``reduction_mensuelle``, ``allocation_mensuelle``.
    """
    frame = avec_defauts(demandes, _DEFAUTS)
    colonnes_obligatoires(frame, _OBLIGATOIRES)
    frame = frame.with_columns(
        pl.col("date_deces", "naissance", "mois", "debut_reprise").cast(pl.Date),
        pl.col("mois_affiliation_defunt", "ressources_trimestre", "revenus_reprise_trimestre").cast(_I),
        pl.col("remarie").cast(pl.Boolean),
    )
    _verifier(frame)
    frame = join_parameters(frame, list(PARAMETRES_DECES), on="date_deces", with_references=True)
    frame = join_parameters(frame, list(PARAMETRES_MOIS), on="mois", with_references=True)

    debut = pl.col("date_deces").dt.month_start()
    fin_deux_ans = debut.dt.offset_by(pl.format("{}mo", pl.col("veuvage_duree_mois")))
    cinquante_cinq = anniversaire(pl.col("naissance"), pl.col("veuvage_age_limite"))
    frame = frame.with_columns(age_expr("naissance", "date_deces").cast(_I).alias("age_deces"), debut.alias("debut_droit"))
    fin = pl.when(pl.col("age_deces") >= pl.col("veuvage_age_prolongation")).then(cinquante_cinq).otherwise(pl.min_horizontal(fin_deux_ans, cinquante_cinq))
    mois = pl.col("mois").dt.month_start()
    frame = frame.with_columns(
        (pl.col("age_deces") < pl.col("veuvage_age_limite")).alias("condition_age"),
        (pl.col("mois_affiliation_defunt") >= pl.col("veuvage_affiliation_mois")).alias("condition_affiliation"),
        (~pl.col("remarie")).alias("condition_situation"),
        fin.alias("fin_droit"),
    )
    frame = frame.with_columns(((mois >= pl.col("debut_droit")) & (mois < pl.col("fin_droit"))).alias("en_periode"))
    frame = frame.with_columns(pl.all_horizontal("condition_age", "condition_affiliation", "condition_situation", "en_periode").alias("droit"))

    # D. 356-3, 3°: the earnings of an activity begun during the payment.
    rang = (mois.dt.year() - pl.col("debut_reprise").dt.year()) * 12 + mois.dt.month().cast(pl.Int32) - pl.col("debut_reprise").dt.month().cast(pl.Int32) + 1
    frame = frame.with_columns(rang.cast(_I).alias("rang_mois_reprise"))
    taux = (pl.when(pl.col("rang_mois_reprise").is_null() | (pl.col("rang_mois_reprise") < 1)).then(pl.lit(0))
            .when(pl.col("rang_mois_reprise") <= pl.col("veuvage_mois_abattement_debut")).then(pl.col("veuvage_abattement_reprise_debut"))
            .when(pl.col("rang_mois_reprise") <= pl.col("veuvage_mois_cumul")).then(pl.col("veuvage_abattement_reprise_suite"))
            .otherwise(pl.lit(0)))
    frame = frame.with_columns(taux.cast(pl.Decimal(38, 9)).alias("taux_abattement_reprise"))
    frame = frame.with_columns(apply_rate_expr(pl.col("revenus_reprise_trimestre"), pl.col("taux_abattement_reprise")).alias("abattement_reprise"))
    frame = frame.with_columns((pl.col("ressources_trimestre") - pl.col("abattement_reprise")).alias("ressources_retenues"))

    # L. 356-2, D. 356-1: the quarterly ceiling and the reduction.
    frame = frame.with_columns(
        apply_rate_expr(pl.col("veuvage_montant"), pl.col("veuvage_coefficient_plafond")).alias("plafond_trimestriel"),
        (pl.col("veuvage_montant") * 3).alias("allocation_trimestre"),
    )
    depassement = pl.max_horizontal(pl.col("ressources_retenues") + pl.col("allocation_trimestre") - pl.col("plafond_trimestriel"), pl.lit(0, dtype=_I))
    frame = frame.with_columns(depassement.alias("depassement"))
    frame = frame.with_columns(div_half_up_expr(pl.col("depassement"), 3, non_negative=True).alias("reduction_mensuelle"))
    montant = pl.max_horizontal(pl.col("veuvage_montant") - pl.col("reduction_mensuelle"), pl.lit(0, dtype=_I))
    return frame.with_columns(pl.when(pl.col("droit")).then(montant).otherwise(0).cast(_I).alias("allocation_mensuelle"))


def _verifier(frame: pl.DataFrame) -> None:
    for column in ("ressources_trimestre", "revenus_reprise_trimestre", "mois_affiliation_defunt"):
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, f"{column} ne peut pas être négatif")
    if frame.select((pl.col("revenus_reprise_trimestre") > pl.col("ressources_trimestre")).any()).item():
        raise InvalidField("revenus_reprise_trimestre",
                           "les revenus d'une reprise d'activité font partie des ressources du trimestre : ils ne peuvent pas les dépasser")
    if frame.select(((pl.col("revenus_reprise_trimestre") > 0) & pl.col("debut_reprise").is_null()).any()).item():
        raise InvalidField("debut_reprise", "la date de la reprise d'activité est nécessaire quand des revenus de reprise sont déclarés")
    if frame.select((pl.col("date_deces") < pl.col("naissance")).any()).item():
        raise InvalidField("date_deces", "le décès de l'assuré précède la naissance du conjoint survivant : dates incohérentes")
    if frame.select((pl.col("mois").dt.month_start() < pl.col("date_deces").dt.month_start()).any()).item():
        raise InvalidField("mois", "le mois payé précède le mois du décès (CSS art. D. 356-5)")


__all__ = ["PARAMETRES_DECES", "PARAMETRES_MOIS", "REF_CONDITIONS", "REF_DUREE", "REF_REDUCTION", "REF_REPRISE", "allocation_veuvage"]
