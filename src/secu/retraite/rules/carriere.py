"""The career at the régime général, vectorised: the quarters of each year and the salaire annuel moyen.

* :func:`annees_carriere` — one row per person × calendar year: the salary porté au compte (capped at the
  year's PASS, R. 351-29), the quarters it validates (R. 351-9: salary ÷ (hours × SMIC horaire at 1 January),
  rounded down, at most four a year; before 2002 the threshold is in francs — hours × the SMIC in francs — and
  the salary, carried in euros, is compared with it at the exact conversion rate, never with a SMIC rounded to
  the euro cent), the AVPF's (L. 381-1) and the assimilated periods' quarters (R. 351-12,
  counted by the caller) within the same four (R. 351-5), and the quarters of all régimes (four a year).
* :func:`salaire_annuel_moyen` — the SAM (L. 351-11, R. 351-29): each year's capped salary revalued by the
  coefficient of its year in the table of the pension's date d'effet, the best N kept (25 from generation
  1948; fewer for mothers under the LFSS 2026 measure), their mean.

Years before the first of ``carriere.heures_smic_trimestre`` (1972: R. 351-9 counts older years by other
thresholds) are refused. Amounts are Int64 cents; every quotient is exact in integers and rounded once, half
up to the cent; quarters are rounded down. A bad input raises InvalidField naming the column; nothing is
computed then.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import RATE_DTYPE, RATE_UNIT, apply_rate_expr, div_half_up_expr
from secu.core.parameters import join_parameters, parameters

PARAMS_ANNEE = ("pss.annuel", "smic.horaire", "carriere.heures_smic_trimestre", "carriere.trimestres_max_annee")
"""Parameters read on 1 January of the salary's year (R. 351-9: the SMIC in force on 1 January)."""

SMIC_FRANCS = "smic.horaire_francs"
"""The SMIC horaire in francs, years before the euro (R. 351-9's threshold is in francs then), with its conversion rate."""
FRANC = "franc.par_euro"

PARAMS_SAM_NAISSANCE = ("sam.nombre_annees",)
"""Parameters dated by the date of BIRTH (the number of years of the SAM is set by generation)."""

PARAMS_SAM_EFFET = ("sam.reduction_meres",)
"""Parameters read on the pension's date d'effet."""

COEFFICIENTS = "sam.coefficients_salaires"
"""The table of the coefficients de revalorisation, one column per date d'effet, keyed by the salary's year."""

_ENTIERS = ("salaire", "salaire_avpf", "trimestres_assimiles", "trimestres_autres_regimes")


class SalaireAnnuelMoyen(NamedTuple):
    """What :func:`salaire_annuel_moyen` returns: one frame per person and one per person × year."""

    personnes: pl.DataFrame
    annees: pl.DataFrame


def _exiger(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if frame.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")


def _avec_defauts(frame: pl.DataFrame, defauts: dict[str, int]) -> pl.DataFrame:
    manquantes = [pl.lit(valeur, dtype=pl.Int64).alias(nom) for nom, valeur in defauts.items() if nom not in frame.columns]
    frame = frame.with_columns(manquantes) if manquantes else frame
    _exiger(frame, tuple(defauts))
    return frame


def _positifs(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    for column in columns:
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, f"{column} ne peut pas être négatif")


def premiere_annee() -> int:
    """The first calendar year whose quarters secu counts (the first value of ``carriere.heures_smic_trimestre``)."""
    return parameters().get("carriere.heures_smic_trimestre").values[0].date_effet.year


def annees_carriere(annees: pl.DataFrame) -> pl.DataFrame:
    """Each person × calendar year of the career: the salary porté au compte and the quarters validated.

    Input, one row per ``personne`` (Int64) and ``annee`` (Int32): ``salaire`` (Int64 cents, the gross salary
    reported to the régime général that year, uncapped), and optionally ``salaire_avpf`` (the AVPF's salary,
    L. 381-1), ``trimestres_assimiles`` (quarters of assimilated periods, already counted by the service,
    R. 351-12) and ``trimestres_autres_regimes`` (quarters validated in other régimes that year), all 0 by
    default.

    Output, the input plus: ``seuil_trimestre`` (cents: ``carriere.heures_smic_trimestre`` × the SMIC horaire in
    force on 1 January, R. 351-9; before 2002, the franc threshold converted, half up to the cent, for display),
    ``seuil_trimestre_francs`` (centimes de franc, null from 2002: hours × ``smic.horaire_francs``; a salary in euro
    cents validates ⌊salaire × ``franc.par_euro`` ÷ seuil⌋ quarters, exactly), ``salaire_plafonne`` (min(salaire + salaire_avpf, PASS of the year)),
    ``trimestres_cotises`` (⌊salaire ÷ seuil⌋, at most ``carriere.trimestres_max_annee``), ``trimestres_salaire``
    (the same on salaire + salaire_avpf: the quarters the year's report validates), ``trimestres_avpf``
    (``trimestres_salaire`` − ``trimestres_cotises``), ``trimestres_rg`` (report + assimilated, at most four,
    R. 351-5), ``trimestres_tous_regimes`` (régime général + others, at most four), and the parameters'
    values and references (``pss_annuel``, ``smic_horaire``, ``carriere_heures_smic_trimestre``,
    ``carriere_trimestres_max_annee`` and each ``…_reference``; before 2002 also ``smic_horaire_francs``,
    ``franc_par_euro`` and their references, null after).
    """
    _exiger(annees, ("personne", "annee", "salaire"))
    frame = _avec_defauts(annees, {"salaire_avpf": 0, "trimestres_assimiles": 0, "trimestres_autres_regimes": 0})
    frame = frame.with_columns(pl.col("personne").cast(pl.Int64), pl.col("annee").cast(pl.Int32), *(pl.col(c).cast(pl.Int64) for c in _ENTIERS))
    _positifs(frame, _ENTIERS)
    premiere = premiere_annee()
    if frame.select((pl.col("annee") < premiere).any()).item():
        raise InvalidField("annee", f"les années antérieures à {premiere} ne sont pas tenues (CSS R. 351-9 : autres seuils de validation)")
    if frame.select(pl.struct("personne", "annee").is_duplicated().any()).item():
        raise InvalidField("annee", "une même année figure deux fois pour une personne")

    # The parameters of each distinct year, joined once per year and not per row.
    annees_distinctes = frame.select(pl.col("annee").unique()).with_columns(pl.date(pl.col("annee"), 1, 1).alias("__1er_janvier"))
    lois = join_parameters(annees_distinctes, PARAMS_ANNEE, on="__1er_janvier", with_references=True)
    lois = _seuil_francs(lois).drop("__1er_janvier")
    frame = frame.join(lois, on="annee", how="left", maintain_order="left")
    for column in ("trimestres_assimiles", "trimestres_autres_regimes"):
        trop = frame.filter(pl.col(column) > pl.col("carriere_trimestres_max_annee"))
        if trop.height:
            raise InvalidField(column, f"{column} : au plus {trop.get_column('carriere_trimestres_max_annee')[0]} trimestres par année civile")

    heures_centiemes = (pl.col("carriere_heures_smic_trimestre") * 100).cast(pl.Int64)
    seuil_euros = div_half_up_expr(heures_centiemes * pl.col("smic_horaire"), 100, non_negative=True)
    en_francs = pl.col("__seuil_francs").is_not_null()
    seuil = pl.when(en_francs).then(pl.col("__seuil_affiche")).otherwise(seuil_euros)
    plafond = pl.col("carriere_trimestres_max_annee")
    report = pl.col("salaire") + pl.col("salaire_avpf")
    frame = frame.with_columns(seuil.alias("seuil_trimestre"), pl.min_horizontal(report, pl.col("pss_annuel")).alias("salaire_plafonne"))

    seuils = _seuils_francs_nombre()

    def trimestres(montant: pl.Expr) -> pl.Expr:
        # Before 2002: how many of the year's exact franc thresholds (in cents, rounded up) the salary reaches.
        francs = pl.sum_horizontal(*((montant >= pl.col(f"__seuil_{k}")).cast(pl.Int64) for k in range(1, seuils + 1)))
        return pl.min_horizontal(pl.when(en_francs).then(francs).otherwise(montant // pl.col("seuil_trimestre")), plafond)

    frame = frame.with_columns(trimestres(pl.col("salaire")).alias("trimestres_cotises"), trimestres(report).alias("trimestres_salaire"))
    frame = frame.drop("__seuil_francs", "__seuil_affiche", *(f"__seuil_{k}" for k in range(1, seuils + 1)))
    frame = frame.with_columns(
        (pl.col("trimestres_salaire") - pl.col("trimestres_cotises")).alias("trimestres_avpf"),
        pl.min_horizontal(pl.col("trimestres_salaire") + pl.col("trimestres_assimiles"), plafond).alias("trimestres_rg"),
    )
    return frame.with_columns(pl.min_horizontal(pl.col("trimestres_rg") + pl.col("trimestres_autres_regimes"), plafond).alias("trimestres_tous_regimes"))


def _seuils_francs_nombre() -> int:
    """How many thresholds a franc year is counted against: the most quarters a year ever validates (R. 351-9)."""
    return max(int(v.value) for v in parameters().get("carriere.trimestres_max_annee").values if v.value is not None)  # type: ignore[arg-type]


def _seuil_francs(lois: pl.DataFrame) -> pl.DataFrame:
    """The years before the euro: the threshold in francs (hours × SMIC in francs), exact, and the conversion rate."""
    seuils = _seuils_francs_nombre()
    fin_franc = next(v.date_effet for v in parameters().get(SMIC_FRANCS).values if v.value is None)
    taux = parameters().get(FRANC).values[-1]  # irrevocable: it converts a franc amount of any year
    avant = lois.filter(pl.col("__1er_janvier") < fin_franc).select("annee", "__1er_janvier", "carriere_heures_smic_trimestre")
    avant = join_parameters(avant, [SMIC_FRANCS], on="__1er_janvier", with_references=True)
    # Hours (2 decimals) × francs (2 decimals): ten-thousandths of a franc, exact.
    dix_milliemes = (pl.col("carriere_heures_smic_trimestre") * 100).cast(pl.Int64) * (pl.col("smic_horaire_francs") * 100).cast(pl.Int64)
    avant = avant.with_columns(dix_milliemes.alias("__seuil_francs"))
    # k thresholds in euro cents, exact: the least cent amount worth k × the franc threshold (10⁻⁴ F × 10⁹ ÷ F/€ × 10⁹).
    unites = int(Decimal(taux.value) * RATE_UNIT)  # type: ignore[arg-type]
    exact = pl.col("__seuil_francs").cast(pl.Int128) * 10**7
    avant = avant.with_columns(
        div_half_up_expr(pl.col("__seuil_francs"), 100, non_negative=True).alias("seuil_trimestre_francs"),
        div_half_up_expr(exact, unites, non_negative=True).cast(pl.Int64).alias("__seuil_affiche"),
        *(((k * exact + unites - 1) // unites).cast(pl.Int64).alias(f"__seuil_{k}") for k in range(1, seuils + 1)),
        pl.lit(taux.value).cast(RATE_DTYPE).alias("franc_par_euro"),
        pl.lit(taux.reference).cast(pl.Categorical).alias("franc_par_euro_reference"),
    )
    colonnes = ["annee", "smic_horaire_francs", "smic_horaire_francs_reference", "franc_par_euro", "franc_par_euro_reference",
                "seuil_trimestre_francs", "__seuil_francs", "__seuil_affiche", *(f"__seuil_{k}" for k in range(1, seuils + 1))]
    return lois.join(avant.select(colonnes), on="annee", how="left", maintain_order="left")


def _personnes(personnes: pl.DataFrame) -> pl.DataFrame:
    _exiger(personnes, ("personne", "naissance", "date_effet"))
    frame = _avec_defauts(personnes, {"enfants_mere": 0})
    frame = frame.with_columns(pl.col("personne").cast(pl.Int64), pl.col("naissance").cast(pl.Date), pl.col("date_effet").cast(pl.Date),
                               pl.col("enfants_mere").cast(pl.Int64))
    _positifs(frame, ("enfants_mere",))
    if frame.get_column("personne").is_duplicated().any():
        raise InvalidField("personne", "une même personne figure deux fois")
    if frame.select((pl.col("date_effet") <= pl.col("naissance")).any()).item():
        raise InvalidField("date_effet", "la date d'effet de la pension doit suivre la date de naissance")
    premiere_colonne = parameters().get(COEFFICIENTS).values[0].date_effet
    if frame.select((pl.col("date_effet") < premiere_colonne).any()).item():
        raise InvalidField("date_effet", f"pension prenant effet avant le {premiere_colonne:%d/%m/%Y} : coefficients de revalorisation des salaires non tenus")
    premiere_generation = parameters().get("sam.nombre_annees").values[0].date_effet
    if frame.select((pl.col("naissance") < premiere_generation).any()).item():
        raise InvalidField("naissance", f"générations nées avant le {premiere_generation:%d/%m/%Y} non tenues (nombre d'années du SAM)")
    return frame


def _coefficients(paires: pl.DataFrame, *, projection: bool) -> pl.DataFrame:
    """The coefficient of each (date_effet, annee) pair of a revalued year, and its reference."""
    derniere_colonne = parameters().get(COEFFICIENTS).values[-1].date_effet
    if projection:  # the last published column, in its euros: a later year is not revalued
        paires = paires.with_columns(pl.min_horizontal(pl.col("date_effet"), pl.lit(derniere_colonne)).alias("__colonne"))
        paires = paires.filter(pl.col("annee") < pl.col("__colonne").dt.year())
    else:
        trop_tot = paires.filter(pl.col("date_effet").dt.year() > derniere_colonne.year)
        if trop_tot.height:
            effet: date = trop_tot.get_column("date_effet").min()  # type: ignore[assignment]
            raise InvalidField("date_effet", f"coefficients de revalorisation des salaires non publiés pour une pension prenant effet le {effet:%d/%m/%Y}")
        paires = paires.with_columns(pl.col("date_effet").alias("__colonne"))
    joined = join_parameters(paires, [COEFFICIENTS], on="__colonne", by={COEFFICIENTS: pl.col("annee").cast(pl.String)}, with_references=True)
    return joined.drop("__colonne")


def salaire_annuel_moyen(annees: pl.DataFrame, personnes: pl.DataFrame, *, projection: bool = False) -> SalaireAnnuelMoyen:
    """The salaire annuel moyen of each person (L. 351-11, R. 351-29), and how each year of the career counts.

    ``annees``: the output of :func:`annees_carriere` (at least ``personne``, ``annee``, ``salaire_plafonne``,
    ``trimestres_salaire``). ``personnes``: ``personne``, ``naissance`` and ``date_effet`` (Date, the pension's),
    and optionally ``enfants_mere`` (the children the LFSS 2026 measure counts for a mother, 0 by default).

    A year is taken into account (``prise_en_compte``) when it is before the year of the date d'effet and its
    report validates at least one quarter: a year of assimilated periods only, or of a report too small for a
    quarter, is left out (CNAV practice, R. 351-29). Its ``coefficient`` is the table's for its year in the
    column in force on the date d'effet (1 for a year not revalued); ``salaire_revalorise`` = salaire_plafonne ×
    coefficient, half up to the cent. The ``nombre_annees`` best (``sam.nombre_annees`` of the generation, less
    ``sam.reduction_meres`` for one child or two and more) are ``retenue`` (ties to the earlier year); the SAM
    is their sum ÷ their number (all the years taken into account when fewer), half up to the cent; 0 without
    any year. A date d'effet in a year whose coefficients are not published yet is refused; with
    ``projection=True`` (an estimate, like the estimation indicative globale: salaries in the euros of the last
    published column) the last column is used and a salary of a later year is not revalued.

    Returns :class:`SalaireAnnuelMoyen`: ``personnes`` (the input plus ``sam_nombre_annees``,
    ``sam_reduction_meres`` — the years removed —, their references, ``nombre_annees``, ``annees_retenues``,
    ``sam``) and ``annees`` (the input plus ``date_effet``, ``prise_en_compte``, ``coefficient``,
    ``sam_coefficients_salaires_reference``, ``salaire_revalorise``, ``retenue``), in the input's order.
    """
    _exiger(annees, ("personne", "annee", "salaire_plafonne", "trimestres_salaire"))
    frame_p = _personnes(personnes)
    years = annees.with_columns(pl.col("personne").cast(pl.Int64), pl.col("annee").cast(pl.Int32), pl.col("salaire_plafonne").cast(pl.Int64))
    _positifs(years, ("salaire_plafonne",))
    inconnues = years.join(frame_p.select("personne"), on="personne", how="anti")
    if inconnues.height:
        absentes = inconnues.get_column("personne").unique().sort().to_list()[:5]
        raise InvalidField("personne", f"années d'une personne absente du tableau des personnes : {absentes}")

    frame_p = join_parameters(frame_p, PARAMS_SAM_NAISSANCE, on="naissance", with_references=True)
    frame_p = join_parameters(frame_p, PARAMS_SAM_EFFET, on="date_effet", with_references=True)
    reduction = (pl.when(pl.col("enfants_mere") >= 2).then(pl.col("sam_reduction_meres_deux_enfants_ou_plus"))
                 .when(pl.col("enfants_mere") == 1).then(pl.col("sam_reduction_meres_un_enfant")).otherwise(0))
    frame_p = frame_p.with_columns(reduction.alias("sam_reduction_meres")).drop("sam_reduction_meres_un_enfant", "sam_reduction_meres_deux_enfants_ou_plus")
    frame_p = frame_p.with_columns((pl.col("sam_nombre_annees") - pl.col("sam_reduction_meres")).alias("nombre_annees"))

    years = years.with_row_index("__ligne").join(frame_p.select("personne", "date_effet", "nombre_annees"), on="personne", how="left")
    revalorisee = pl.col("annee") < pl.col("date_effet").dt.year()
    years = years.with_columns((revalorisee & (pl.col("trimestres_salaire") >= 1)).alias("prise_en_compte"))
    paires = years.filter(revalorisee).select("date_effet", "annee").unique()
    coefficients = _coefficients(paires, projection=projection).rename({"sam_coefficients_salaires": "coefficient"})
    years = years.join(coefficients, on=["date_effet", "annee"], how="left")
    years = years.with_columns(pl.col("coefficient").fill_null(pl.lit(1).cast(coefficients.schema["coefficient"])))
    years = years.with_columns(apply_rate_expr(pl.col("salaire_plafonne"), pl.col("coefficient")).alias("salaire_revalorise"))

    # Rank the years taken into account, best first, ties to the earlier year.
    years = years.sort(["personne", "prise_en_compte", "salaire_revalorise", "annee"], descending=[False, True, True, False])
    rang = pl.int_range(pl.len()).over("personne")
    years = years.with_columns((pl.col("prise_en_compte") & (rang < pl.col("nombre_annees"))).alias("retenue"))
    totaux = years.filter("retenue").group_by("personne").agg(pl.col("salaire_revalorise").sum().alias("__total"),
                                                              pl.len().cast(pl.Int64).alias("annees_retenues"))
    frame_p = frame_p.join(totaux, on="personne", how="left", maintain_order="left")
    frame_p = frame_p.with_columns(pl.col("annees_retenues").fill_null(0), pl.col("__total").fill_null(0))
    sam = pl.when(pl.col("annees_retenues") > 0).then(div_half_up_expr(pl.col("__total"), pl.col("annees_retenues"), non_negative=True)).otherwise(0)
    frame_p = frame_p.with_columns(sam.cast(pl.Int64).alias("sam")).drop("__total")
    years = years.sort("__ligne").drop("__ligne", "nombre_annees")
    return SalaireAnnuelMoyen(personnes=frame_p, annees=years)
