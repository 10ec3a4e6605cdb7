"""The law of the prestations en espèces, vectorised: IJ maladie, maternité, paternité, AT/MP; invalidité; capital décès.

The IJ rule, :func:`indemnites_journalieres`, takes one row per arrêt (or per
arrêt and payment period) and works on the arrêt's day COUNTS, never on one row
per day: the days of an arrêt are numbered 1, 2, … from its first day, and every
rule of the texts is an interval of those numbers (carence = days 1 to 3, AT/MP
majoré = day 29 on, droits = up to the 360th IJ or the end of the 3 ALD years),
so the days of a period in each class are interval intersections. A national
batch of a million arrêts is a handful of integer columns.

Amounts are integer cents, rates the exact ``Decimal(38, 9)`` columns of
``join_parameters``; every quotient is computed exactly on Int128 and **rounded
once, half up, to the cent** (the daily IJ, the CSG, the CRDS). The ceilings are
used unrounded: that is what makes the published maxima come out (AT/MP 2023:
0,834 % × 43 992 € = 366,893 28 €, × 60 % = 220,14 €, as legisocial.fr and
swisslife.fr publish, where rounding the ceiling first would give 220,13 €).

* IJ maladie — CSS L. 321-1, L. 323-1, L. 323-4; R. 323-1 (carence of 3 days,
  ALD exception, 3 years), R. 323-4 (1/91,25 of the three last monthly pays,
  each capped at 1,8 then 1,4 SMIC mensuel — décret n° 2025-160 for arrêts
  starting from 2025-04-01 — the SMIC in force the last day of the month before
  the arrêt), R. 323-5 (50 %); 360 IJ over three years outside ALD.
* IJ maternité, paternité — L. 331-3, L. 331-8; R. 331-5: the same 1/91,25, each
  pay capped at the PMSS in force the last day of the month before, less the
  21 % taux forfaitaire, not below the minimum; no carence.
* IJ AT/MP — L. 433-1 (no carence: the day of the accident is the employer's,
  IJ from the next day), L. 433-2, R. 433-1 (60 %), R. 433-2 (salaire journalier
  capped at 0,834 % of the PASS), R. 433-3 (80 % from the 29th day), R. 433-4
  (1/30,42 of the pay of the month before; never above the gain journalier net =
  salaire journalier less the 21 % of R. 331-5).
* CSG 6,2 % (L. 136-8 II) and CRDS 0,5 % (ordonnance n° 96-50, art. 14) on the
  gross IJ of the period, rounded half up; none for a person not tax-resident in
  France (L. 136-1), flagged by the caller.
* CSG (3,8 / 6,6 / 8,3 %, by the RFR of N-2, L. 136-8 III), CRDS 0,5 % and CASA 0,3 % (CASF L. 14-10-4)
  on the invalidity pensions: :func:`prelevements_pension`.
* Invalidité — L. 341-4, L. 341-5, R. 341-5: 30 % / 50 % of the SAM, capped at
  30 % / 50 % of the PASS, not below the minimum; 3e catégorie + MTP.
* Pensions d'invalidité: CSG 3,8 / 6,6 / 8,3 % by the RFR of N-2 and the parts (L. 136-8, III), CRDS 0,5 %
  and CASA 0,3 % (CASF L. 14-10-4) withheld: :func:`prelevements_pension`.
* Capital décès — L. 361-1, D. 361-1: the flat amount in force on the date of death.

Input errors (unknown risk, end before start, negative salary, missing column)
raise :class:`~secu.core.errors.InvalidField` naming the column; nothing is
computed for any row then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import RATE_UNIT, apply_rate_expr, div_half_up_expr
from secu.core.parameters import join_parameters, parameters

RISQUES = ("maladie", "maternite", "paternite", "adoption", "atmp")
"""The risks of an arrêt: maladie (L. 321-1), maternité (L. 331-3), paternité et accueil de l'enfant (L. 331-8),
adoption (L. 331-7, IJ computed as maternité's), AT/MP (L. 431-1)."""

PARAMS_ARRET = (
    "ij_maladie.taux",
    "ij_maladie.diviseur",
    "ij_maladie.plafond_smic",
    "ij_maladie.carence_jours",
    "ij_maladie.nombre_maximal",
    "ij_maladie.periode_annees",
    "ij_maternite.taux_forfaitaire",
    "ij_maternite.minimum",
    "ij_atmp.taux",
    "ij_atmp.taux_majore",
    "ij_atmp.jour_majoration",
    "ij_atmp.diviseur",
    "ij_atmp.plafond_pass",
    "ij_prelevements.csg_taux",
    "crds.taux",
    "pss.annuel",
)
"""Parameters read on the arrêt's FIRST day: the law of an arrêt is the law of the day it started (décret 2025-160)."""

PARAMS_OPTIONNELS = {
    "saisonnier": ("ij_maladie.diviseur_annuel",),
    "fausse_couche": ("ij_maladie.carence_fausse_couche",),
    "revision_atmp_coefficient": ("ij_atmp.revision_mois",),
}
"""Parameters read on the arrêt's first day for an optional rule, joined only when the input has its column."""

PARAMS_CONDITIONS = (
    "ij_conditions.heures_courte",
    "ij_conditions.smic_courte",
    "ij_conditions.heures_longue",
    "ij_conditions.smic_longue",
    "ij_conditions.immatriculation_mois",
    "ij_conditions.duree_courte_mois",
)
"""The conditions d'ouverture (R. 313-3, R. 313-7), read on the arrêt's first day, joined only when the input gives
one of :data:`CONDITIONS`."""

PARAMS_MOIS_PRECEDENT = ("smic.mensuel", "pss.mensuel")
"""Parameters read on the last day of the month before the arrêt (R. 323-4 for the SMIC, R. 331-5 for the PMSS)."""

OPTIONNELLES: dict[str, pl.Expr] = {
    "prolongation": pl.lit(False),
    "ald": pl.lit(False),
    "ald_arret_anterieur": pl.lit(False),
    "ij_deja_versees": pl.lit(0, dtype=pl.Int64),
    "ald_debut": pl.col("debut"),
    "periode_debut": pl.col("debut"),
    "periode_fin": pl.col("fin"),
    "exonere_csg": pl.lit(False),
    "saisonnier": pl.lit(False),
    "fausse_couche": pl.lit(False),
    "salaire_12_mois": pl.lit(None, dtype=pl.Int64),
    "duree_conge_jours": pl.lit(None, dtype=pl.Int64),
    "heures_3_mois": pl.lit(None, dtype=pl.Float64),
    "salaire_6_mois": pl.lit(None, dtype=pl.Int64),
    "heures_12_mois": pl.lit(None, dtype=pl.Float64),
    "mois_immatriculation": pl.lit(None, dtype=pl.Int64),
    "temps_partiel_therapeutique": pl.lit(False),
    "perte_gain_journaliere": pl.lit(None, dtype=pl.Int64),
    "revision_atmp_coefficient": pl.lit(None, dtype=pl.Decimal(38, 9)),
    "revision_atmp_debut": pl.lit(None, dtype=pl.Date),
    "subrogation": pl.lit(False),
    "salaire_maintenu": pl.lit(None, dtype=pl.Int64),
}
"""Optional input columns and their default: see :func:`indemnites_journalieres`. Each default keeps the result an
input without the column had before it existed."""

CONDITIONS = ("heures_3_mois", "salaire_6_mois", "heures_12_mois", "salaire_12_mois", "mois_immatriculation")
"""The inputs of the conditions d'ouverture (R. 313-3, R. 313-7): when the input has none of them, nothing is checked."""

GROUPES: tuple[frozenset[str], ...] = (
    frozenset({*CONDITIONS, "saisonnier"}),
    frozenset({"fausse_couche"}),
    frozenset({"duree_conge_jours"}),
    frozenset({"temps_partiel_therapeutique", "perte_gain_journaliere"}),
    frozenset({"revision_atmp_coefficient", "revision_atmp_debut"}),
    frozenset({"subrogation", "salaire_maintenu"}),
)
"""The optional inputs that go together: a group is read (its missing columns defaulted) only when the input has one
of its columns; otherwise its rule is not in the plan at all, and the output lacks its inputs (a national batch
without them costs what it cost before they existed)."""
_BASE = ("prolongation", "ald", "ald_arret_anterieur", "ij_deja_versees", "ald_debut", "periode_debut", "periode_fin", "exonere_csg")
_TYPES: dict[str, pl.DataType] = {
    "heures_3_mois": pl.Float64(), "heures_12_mois": pl.Float64(), "salaire_12_mois": pl.Int64(), "duree_conge_jours": pl.Int64(),
    "salaire_6_mois": pl.Int64(), "mois_immatriculation": pl.Int64(), "perte_gain_journaliere": pl.Int64(), "salaire_maintenu": pl.Int64(),
    "revision_atmp_coefficient": pl.Decimal(38, 9), "revision_atmp_debut": pl.Date(),
}

MOTIFS_REFUS = {
    "conditions_ouverture": "CSS art. R. 313-3, 1° (ni 150 heures de travail sur les 3 mois civils ou 90 jours précédents, "
                            "ni cotisations sur 1 015 fois le SMIC horaire sur les 6 mois civils précédents)",
    "conditions_au_dela_6_mois": "CSS art. R. 313-3, 2° (au-delà du 6e mois d'arrêt : 12 mois d'immatriculation, et 600 heures "
                                 "ou cotisations sur 2 030 fois le SMIC horaire sur les 12 mois précédents)",
}
"""Why the IJ of an arrêt are not due (``motif_refus``), with the article said to the assuré."""

REF_CARENCE_AUCUNE = {
    "maternite": "CSS art. L. 331-3 (IJ de repos dès le premier jour : pas de délai de carence)",
    "paternite": "CSS art. L. 331-8 (IJ dès le premier jour : pas de délai de carence)",
    "adoption": "CSS art. L. 331-7 (IJ de repos dès le premier jour : pas de délai de carence)",
    "atmp": "CSS art. L. 433-1 (IJ à partir du lendemain de l'arrêt consécutif à l'accident, sans délai de carence)",
    "prolongation": "CSS art. R. 323-1, 1° (la prolongation n'est pas une nouvelle interruption de travail : pas de nouvelle carence)",
    "ald": "CSS art. R. 323-1, 1° (ALD : carence au seul premier arrêt de l'affection sur trois ans)",
}
REF_TPT = ("CSS art. L. 323-3 et R. 323-3 (temps partiel thérapeutique, décret n° 2019-856 du 20 août 2019 : l'IJ ne peut être "
           "supérieure à la perte de gain journalière liée à la réduction de l'activité)")
REF_REVISION_ATMP = "CSS art. L. 433-2, al. 3 (révision du taux de l'IJ après trois mois d'arrêt, en cas d'augmentation générale des salaires)"
REF_SUBROGATION = ("CSS art. R. 323-11 (l'employeur qui maintient le salaire est subrogé dans les IJ de la période si le salaire "
                   "maintenu est au moins égal aux IJ dues)")
REF_CSG_EXONERE = "CSS art. L. 136-1 (pas de CSG ni de CRDS pour une personne non domiciliée fiscalement en France)"

_I = pl.Int128
_E9 = RATE_UNIT  # a rate of 1 as the integer numerator of a Decimal(38, 9) column
_DAY = 86_400_000  # milliseconds per day: Polars durations in ms, days as integers


def _n9(column: str) -> pl.Expr:
    """A Decimal(38, 9) parameter column as its exact integer numerator over 10⁹ (Int128)."""
    return (pl.col(column).cast(pl.Decimal(38, 9)) * _E9).cast(_I)


def _jours(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whole days from date a to date b (b − a), as Int64."""
    return (b - a).dt.total_days().cast(pl.Int64)


def _count(lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    """Number of whole numbers in [lo, hi], 0 when empty."""
    return pl.max_horizontal(hi - lo + 1, pl.lit(0, dtype=pl.Int64))


def _check(arrets: pl.DataFrame) -> pl.DataFrame:
    for column in ("risque", "debut", "fin", "salaire_1", "salaire_2", "salaire_3"):
        if column not in arrets.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if arrets.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins un arrêt")
    inconnus = sorted(set(arrets.get_column("risque").cast(pl.String).unique().to_list()) - set(RISQUES))
    if inconnus:
        raise InvalidField("risque", f"risque inconnu : {', '.join(inconnus)} (attendu : {', '.join(RISQUES)})")
    given = set(arrets.columns)
    used = set(_BASE).union(*(group for group in GROUPES if group & given))
    frame = arrets.with_columns(
        [default.alias(name) for name, default in OPTIONNELLES.items() if name in used and name not in given]
    ).with_columns(pl.col("risque").cast(pl.String), pl.col("debut", "fin", "ald_debut", "periode_debut", "periode_fin").cast(pl.Date))
    if frame.select((pl.col("fin") < pl.col("debut")).any()).item():
        raise InvalidField("fin", "la fin de l'arrêt précède son début")
    if frame.select((pl.col("periode_fin") < pl.col("periode_debut")).any()).item():
        raise InvalidField("periode_fin", "la fin de la période précède son début")
    flags = [c for c in ("saisonnier", "fausse_couche", "temps_partiel_therapeutique", "subrogation") if c in used]
    frame = frame.with_columns(
        *[pl.col(c).cast(t) for c, t in _TYPES.items() if c in used], *[pl.col(c).cast(pl.Boolean).fill_null(False) for c in flags])
    if given & {"revision_atmp_coefficient", "revision_atmp_debut"} and frame.select(
            ((pl.col("revision_atmp_coefficient") < 1)
             | (pl.col("revision_atmp_coefficient").is_null() != pl.col("revision_atmp_debut").is_null())).any()).item():
        raise InvalidField("revision_atmp_coefficient", "la révision d'une IJ AT/MP demande un coefficient d'au moins 1 et sa date d'effet")
    optional = [c for c in (*CONDITIONS, "duree_conge_jours", "perte_gain_journaliere", "salaire_maintenu") if c in given]
    for column in ("salaire_1", "salaire_2", "salaire_3", "ij_deja_versees", *optional):
        if frame.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, f"{column} ne peut pas être négatif")
    return frame.with_columns(pl.col("salaire_1", "salaire_2", "salaire_3", "ij_deja_versees").cast(pl.Int64))


_ANNUEL = pl.col("saisonnier") & pl.col("salaire_12_mois").is_not_null()
"""Discontinuous or seasonal work with the 12 months' pay given: 1/365 of it (R. 323-4, 3°)."""


def _ij_maladie(annuel: bool) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(IJ, SJB, salaires retenus) of R. 323-4 / R. 323-5, each pay capped at the SMIC multiple, one rounding each.

    Seasonal or discontinuous work (R. 323-4, 3°): 1/365 of the 12 months' pay, capped at 12 monthly ceilings."""
    plafond9 = _n9("ij_maladie_plafond_smic") * pl.col("smic_mensuel").cast(_I)  # cents × 10⁹, exact (1,8 × 1 766,92 has 3 decimals)
    trois9 = pl.sum_horizontal(
        pl.min_horizontal(pl.col(f"salaire_{i}").cast(_I) * _E9, plafond9) for i in (1, 2, 3)
    )
    retenus9, diviseur9 = trois9, _n9("ij_maladie_diviseur")
    if annuel:  # only when the input can be seasonal: the three-month rule alone is cheaper
        douze9 = pl.min_horizontal(pl.col("salaire_12_mois").cast(_I) * _E9, plafond9 * 12)
        retenus9 = pl.when(_ANNUEL).then(douze9).otherwise(trois9)
        diviseur9 = pl.when(_ANNUEL).then(_n9("ij_maladie_diviseur_annuel")).otherwise(diviseur9)
    ij = div_half_up_expr(retenus9 * _n9("ij_maladie_taux"), diviseur9 * _E9)
    return ij, div_half_up_expr(retenus9, diviseur9), div_half_up_expr(retenus9, _E9)


def _ij_maternite(annuel: bool) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(IJ, SJB, salaires retenus) of R. 331-5: each pay capped at the PMSS, less the taux forfaitaire, not below the minimum."""
    trois = pl.sum_horizontal(pl.min_horizontal(pl.col(f"salaire_{i}"), pl.col("pss_mensuel")) for i in (1, 2, 3)).cast(_I)
    retenus, diviseur9 = trois, _n9("ij_maladie_diviseur")
    if annuel:
        douze = pl.min_horizontal(pl.col("salaire_12_mois").cast(_I), pl.col("pss_mensuel").cast(_I) * 12)
        retenus = pl.when(_ANNUEL).then(douze).otherwise(trois)
        diviseur9 = pl.when(_ANNUEL).then(_n9("ij_maladie_diviseur_annuel")).otherwise(diviseur9)
    brute = div_half_up_expr(retenus * (_E9 - _n9("ij_maternite_taux_forfaitaire")), diviseur9)
    ij = pl.max_horizontal(brute, pl.col("ij_maternite_minimum").cast(_I))
    return ij, div_half_up_expr(retenus * _E9, diviseur9), retenus


def _ij_atmp() -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(IJ days 1–28, IJ from day 29, salaire journalier retenu, gain journalier net, salaire retenu) of R. 433-1 to R. 433-4.

    The salaire journalier is the last month's pay / 30,42, capped at 0,834 % of the PASS; both IJ are capped
    at the gain journalier net (the uncapped salaire journalier less the 21 % taux forfaitaire).
    """
    salaire = pl.col("salaire_3").cast(_I)
    diviseur9 = _n9("ij_atmp_diviseur")
    plafond18 = pl.col("pss_annuel").cast(_I) * _n9("ij_atmp_plafond_pass")  # cents × 10⁹
    # salaire / (diviseur9 / 10⁹) <= plafond18 / 10⁹  <=>  salaire × 10¹⁸ <= plafond18 × diviseur9
    sous_plafond = salaire * _E9 * _E9 <= plafond18 * diviseur9
    gain_net = div_half_up_expr(salaire * (_E9 - _n9("ij_maternite_taux_forfaitaire")), diviseur9)

    def ij(taux: str) -> pl.Expr:
        au_salaire = div_half_up_expr(salaire * _n9(taux), diviseur9)
        au_plafond = div_half_up_expr(plafond18 * _n9(taux), pl.lit(_E9 * _E9, dtype=_I))
        return pl.min_horizontal(pl.when(sous_plafond).then(au_salaire).otherwise(au_plafond), gain_net)

    sj = pl.when(sous_plafond).then(div_half_up_expr(salaire * _E9, diviseur9)).otherwise(div_half_up_expr(plafond18, pl.lit(_E9, dtype=_I)))
    return ij("ij_atmp_taux"), ij("ij_atmp_taux_majore"), sj, gain_net, salaire


def indemnites_journalieres(arrets: pl.DataFrame, sanctions: pl.DataFrame | None = None) -> pl.DataFrame:
    """The IJ of each arrêt (or arrêt × payment period): daily amounts, days by class, gross, CSG, CRDS, net.

    Required columns: ``risque`` (one of :data:`RISQUES`), ``debut`` and ``fin`` (Date, the arrêt's first and
    last day of incapacity, inclusive; for AT/MP the first day is the day after the accident, the accident's day
    being the employer's), ``salaire_1``, ``salaire_2``, ``salaire_3`` (Int64 cents: gross pay of the three
    calendar months before the arrêt, the last one being ``salaire_3``; AT/MP uses ``salaire_3`` only).

    Optional columns (defaults in :data:`OPTIONNELLES`): ``prolongation`` (bool: no new carence), ``ald`` (bool:
    arrêt for an affection de longue durée, paid up to 3 years from ``ald_debut`` instead of the 360 IJ),
    ``ald_arret_anterieur`` (bool: an earlier arrêt for the same ALD within the 3 years bore the carence),
    ``ij_deja_versees`` (IJ maladie outside ALD paid over the 3 years before this arrêt; its own days are the rule's), ``periode_debut`` /
    ``periode_fin`` (the days to pay now, e.g. a 14-day payment; default the whole arrêt), ``exonere_csg``.

    Optional rules (:data:`GROUPES`; each in the plan only when the input has one of its columns): the conditions
    d'ouverture of R. 313-3 / R. 313-7 (``heures_3_mois``, ``salaire_6_mois``, ``heures_12_mois``,
    ``salaire_12_mois``, ``mois_immatriculation``, ``saisonnier``; with ``saisonnier`` and ``salaire_12_mois``
    the SJB is 1/365 of the 12 months, R. 323-4 3°), ``fausse_couche`` (no carence from 2024, loi n° 2023-567),
    ``duree_conge_jours`` (the congé's legal length caps a maternité, paternité or adoption arrêt),
    ``temps_partiel_therapeutique`` with ``perte_gain_journaliere`` (R. 323-3), ``revision_atmp_coefficient``
    with ``revision_atmp_debut`` (L. 433-2 al. 3), ``subrogation`` with ``salaire_maintenu`` (R. 323-11).

    Output: the input plus ``ij_journaliere`` (cents; AT/MP days 1–28), ``ij_journaliere_majoree`` (AT/MP from
    day 29; equal to ``ij_journaliere`` otherwise), ``salaire_journalier``, ``salaires_retenus``,
    ``plafond_retenu`` (the monthly or daily ceiling applied), ``jours_arret``, ``jours_carence``,
    ``jours_indemnises``, ``jours_majores`` (AT/MP, included in ``jours_indemnises``), ``jours_hors_droits``
    (beyond the 360 IJ or the 3 ALD years, the congé's length, or refused), ``montant_brut``, ``csg``, ``crds``,
    ``montant_net`` (cents), ``conditions_courtes``, ``conditions_longues`` (null: not checked), ``motif_refus``
    (a key of :data:`MOTIFS_REFUS` or null), ``conditions_reference``, ``jours_revises``,
    ``ij_journaliere_revisee``, ``verse_employeur``, ``verse_assure``, the parameters used and their
    ``*_reference`` columns (for :mod:`secu.especes.explication`).

    ``sanctions`` (optional, a second frame): the days of a row whose IJ are refused because the avis reached the
    caisse after its last day (``nature`` ``controle``, R. 323-12) or reduced for a repeated late sending
    (``reduction``, D. 323-2). Columns: ``ligne`` (the 0-based index of the row of ``arrets`` it applies to),
    ``nature``, ``debut`` and ``fin`` (inclusive; cut to the row's period), ``date_prescription`` (the avis's: the
    rates ``avis_arret.refus_controle_impossible`` and ``avis_arret.reduction_taux`` are read on it); any other
    column is carried to the output (the avis, for the explanation). A day refused is never also reduced. The rows'
    output then also has ``reduction``, ``jours_reduits``, ``refus``, ``jours_refuses`` (cents, days),
    ``sanctions`` (a list of structs, one a window as cut, in order: the refusals, then the reductions; with its
    ``taux``, ``reference``, ``jours`` indemnified and ``montant`` taken), and what is due after them:
    ``brut_apres_sanctions``, ``csg_apres_sanctions``, ``crds_apres_sanctions``, ``net_apres_sanctions``,
    ``jours_indemnises_apres_sanctions`` (a refused day is not indemnified), ``motifs_refus`` (the period's reasons,
    comma-separated, or null); ``verse_employeur`` and ``verse_assure`` then split the net after them.
    """
    if sanctions is None:
        return _indemnites(arrets)
    return _avec_sanctions(arrets, sanctions)


def _indemnites(arrets: pl.DataFrame) -> pl.DataFrame:
    """:func:`indemnites_journalieres` without sanctions."""
    frame = _check(arrets)
    # The parameters are joined on the few distinct first days (a few thousand in a national batch), then
    # hash-joined back: the same values as joining every row, at a fraction of the as-of joins' cost.
    jours_debut = frame.select("debut").unique().with_columns(
        (pl.col("debut").dt.month_start() - pl.duration(days=1)).alias("veille_mois")
    )
    given = set(arrets.columns)
    optionnels = [name for column, names in PARAMS_OPTIONNELS.items() if column in given for name in names]
    jours_debut = join_parameters(jours_debut, [*PARAMS_ARRET, *optionnels], on="debut", with_references=True)
    jours_debut = join_parameters(jours_debut, list(PARAMS_MOIS_PRECEDENT), on="veille_mois", with_references=True)
    # The optional rules cost only when their inputs are there (a national batch without them runs the rest alone).
    checked = bool(given & set(CONDITIONS))
    annuel = "saisonnier" in given
    revision = "revision_atmp_coefficient" in given
    # The dates a few months after each first day are computed on the distinct first days only.
    if checked:
        jours_debut = _join_conditions(jours_debut).with_columns(pl.col("debut").dt.offset_by(
            pl.format("{}mo", pl.col("ij_conditions_duree_courte_mois").cast(pl.Int64))).alias("__fin_courte"))
    if revision:
        jours_debut = jours_debut.with_columns(
            pl.col("debut").dt.offset_by(pl.format("{}mo", pl.col("ij_atmp_revision_mois").cast(pl.Int64))).alias("__debut_revision"))
    clash = sorted(set(jours_debut.columns) & set(frame.columns) - {"debut"})
    if clash:
        raise ValueError(f"colonne(s) déjà présente(s) dans le tableau : {', '.join(clash)}")
    # One lazy plan for the rest: Polars evaluates the risks' formulas and the day classes in one pass.
    lazy = frame.lazy().join(jours_debut.lazy(), on="debut", how="left", maintain_order="left")

    risque = pl.col("risque")
    maladie, conge, atmp = risque == "maladie", risque.is_in(["maternite", "paternite", "adoption"]), risque == "atmp"
    ij_mal, sjb_mal, ret_mal = _ij_maladie(annuel)
    # Temps partiel thérapeutique (L. 323-3, R. 323-3 since décret n° 2019-856): the IJ of maladie, at most the loss of pay.
    perte = pl.col("perte_gain_journaliere")
    if "temps_partiel_therapeutique" in given:
        ij_mal = pl.when(pl.col("temps_partiel_therapeutique") & perte.is_not_null()).then(
            pl.min_horizontal(ij_mal, perte.cast(_I))).otherwise(ij_mal)
    ij_mat, sjb_mat, ret_mat = _ij_maternite(annuel)
    ij_at, ij_at_maj, sj_at, gain_net, ret_at = _ij_atmp()

    def by_risk(m: pl.Expr, c: pl.Expr, a: pl.Expr) -> pl.Expr:
        return pl.when(maladie).then(m).when(conge).then(c).otherwise(a).cast(pl.Int64)

    lazy = lazy.with_columns(
        by_risk(ij_mal, ij_mat, ij_at).alias("ij_journaliere"),
        by_risk(ij_mal, ij_mat, ij_at_maj).alias("ij_journaliere_majoree"),
        by_risk(sjb_mal, sjb_mat, sj_at).alias("salaire_journalier"),
        by_risk(ret_mal, ret_mat, ret_at).alias("salaires_retenus"),
        by_risk(
            apply_rate_expr(pl.col("smic_mensuel"), pl.col("ij_maladie_plafond_smic")),
            pl.col("pss_mensuel"),
            apply_rate_expr(pl.col("pss_annuel"), pl.col("ij_atmp_plafond_pass")),
        ).alias("plafond_retenu"),
        pl.when(atmp).then(gain_net).otherwise(None).cast(pl.Int64).alias("gain_journalier_net"),
    )

    # Days, numbered from 1 on the arrêt's first day.
    sans_carence = (~maladie) | pl.col("prolongation") | (pl.col("ald") & pl.col("ald_arret_anterieur"))
    commune = pl.col("ij_maladie_carence_jours")
    if "fausse_couche" in given:
        commune = pl.when(pl.col("fausse_couche")).then(pl.col("ij_maladie_carence_fausse_couche")).otherwise(commune)
    carence = pl.when(sans_carence).then(0).otherwise(commune).cast(pl.Int64)
    fin_ald = pl.col("ald_debut").dt.offset_by(pl.format("{}y", pl.col("ij_maladie_periode_annees"))) - pl.duration(days=1)
    restantes = pl.max_horizontal(pl.col("ij_maladie_nombre_maximal") - pl.col("ij_deja_versees"), pl.lit(0, dtype=pl.Int64))
    jours_arret = _jours(pl.col("debut"), pl.col("fin")) + 1
    if checked:
        lazy = lazy.with_columns(*_conditions(maladie, conge, jours_arret))
    else:
        lazy = lazy.with_columns(pl.lit(None, dtype=pl.Boolean).alias("conditions_courtes"), pl.lit(None, dtype=pl.Boolean).alias("conditions_longues"),
                                 pl.lit(None, dtype=pl.String).alias("motif_refus"), pl.lit(None, dtype=pl.String).alias("conditions_reference"))
    # The congé's legal length caps a maternité, paternité or adoption arrêt (L. 331-3, L. 331-7, L. 331-8).
    conge_max = pl.min_horizontal(jours_arret, pl.col("duree_conge_jours").fill_null(jours_arret)) if "duree_conge_jours" in given else jours_arret
    dernier_droit = (
        pl.when(conge).then(conge_max)
        .when(~maladie).then(jours_arret)
        .when(pl.col("ald")).then(_jours(pl.col("debut"), fin_ald) + 1)
        .otherwise(carence + restantes)
    )
    if checked:
        dernier_droit = (
            pl.when(pl.col("motif_refus") == "conditions_ouverture").then(0)
            .when(pl.col("motif_refus") == "conditions_au_dela_6_mois").then(pl.min_horizontal(dernier_droit, pl.col("__jours_courts")))
            .otherwise(dernier_droit)
        )
    a = pl.max_horizontal(_jours(pl.col("debut"), pl.col("periode_debut")) + 1, pl.lit(1, dtype=pl.Int64))
    b = pl.min_horizontal(_jours(pl.col("debut"), pl.col("periode_fin")) + 1, jours_arret)
    premier_paye = carence + 1
    lazy = lazy.with_columns(
        jours_arret.alias("jours_arret"),
        carence.alias("carence_applicable"),
        _count(a, pl.min_horizontal(b, carence)).alias("jours_carence"),
        _count(pl.max_horizontal(a, premier_paye), pl.min_horizontal(b, dernier_droit)).alias("jours_indemnises"),
        _count(pl.max_horizontal(a, premier_paye, dernier_droit + 1), b).alias("jours_hors_droits"),
        pl.when(atmp)
        .then(_count(pl.max_horizontal(a, pl.col("ij_atmp_jour_majoration")), b))
        .otherwise(0).cast(pl.Int64).alias("jours_majores"),
        *_revision(atmp, a, b, given=revision),
    )
    brut = (pl.col("jours_indemnises") - pl.col("jours_majores")) * pl.col("ij_journaliere") + pl.col("jours_majores") * pl.col("ij_journaliere_majoree")
    if revision:
        brut = brut + pl.col("jours_revises") * (pl.col("ij_journaliere_revisee") - pl.col("ij_journaliere_majoree"))
    lazy = lazy.with_columns(brut.alias("montant_brut"))
    lazy = lazy.with_columns(
        pl.when(pl.col("exonere_csg")).then(0).otherwise(apply_rate_expr(pl.col("montant_brut"), pl.col("ij_prelevements_csg_taux"))).alias("csg"),
        pl.when(pl.col("exonere_csg")).then(0).otherwise(apply_rate_expr(pl.col("montant_brut"), pl.col("crds_taux"))).alias("crds"),
    )
    lazy = lazy.with_columns((pl.col("montant_brut") - pl.col("csg") - pl.col("crds")).alias("montant_net"))
    # R. 323-11: under subrogation the employer, who maintained at least the IJ due for the period, receives them
    # (net of the CSG and CRDS the caisse withholds); a lower maintained salary leaves them to the assuré.
    lazy = lazy.with_columns(*_verse("montant_brut", "montant_net", subrogation="subrogation" in given))
    temporary = (["__jours_courts", "__fin_courte"] if checked else []) + (["__debut_revision"] if revision else [])
    return lazy.drop(temporary).collect()


def _verse(brut: str, net: str, *, subrogation: bool) -> list[pl.Expr]:
    """``verse_employeur`` and ``verse_assure``: under subrogation (R. 323-11) the employer who maintained at least the
    IJ due receives them, net of the CSG and CRDS the caisse withholds; a lower maintained salary leaves them to the assuré."""
    if subrogation:
        subroge = pl.col("subrogation") & (pl.col("salaire_maintenu").is_null() | (pl.col("salaire_maintenu") >= pl.col(brut)))
        employeur = pl.when(subroge).then(pl.col(net)).otherwise(0).cast(pl.Int64)
    else:
        employeur = pl.lit(0, dtype=pl.Int64)
    return [employeur.alias("verse_employeur"), (pl.col(net) - employeur).alias("verse_assure")]


# ---------------------------------------------------------------------------
# Sanctions of the avis: refusal (R. 323-12) and reduction (D. 323-2)


NATURES_SANCTION = {"controle": "avis_arret.refus_controle_impossible", "reduction": "avis_arret.reduction_taux"}
"""Each sanction and the rate of the IJ it takes away (read on the avis's date of prescription)."""
REF_REDUCTION_PERIODE = "CSS art. D. 323-2 (période écoulée entre la prescription et l'envoi de l'avis)"
MOTIF_CONTROLE = "controle_impossible"
"""The period's ``motifs_refus`` when some of its days are refused (R. 323-12)."""
_COLONNES_SANCTION = ("ligne", "nature", "debut", "fin", "date_prescription")


def _check_sanctions(sanctions: pl.DataFrame, lignes: int) -> pl.DataFrame:
    for column in _COLONNES_SANCTION:
        if column not in sanctions.columns:
            raise InvalidField(column, f"colonne obligatoire absente des sanctions : {column}")
        if sanctions.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une sanction")
    inconnues = sorted(set(sanctions.get_column("nature").cast(pl.String).unique().to_list()) - set(NATURES_SANCTION))
    if inconnues:
        raise InvalidField("nature", f"sanction inconnue : {', '.join(inconnues)} (attendu : {', '.join(NATURES_SANCTION)})")
    frame = sanctions.with_columns(pl.col("nature").cast(pl.String), pl.col("debut", "fin", "date_prescription").cast(pl.Date),
                                   pl.col("ligne").cast(pl.Int64))
    if frame.select(((pl.col("ligne") < 0) | (pl.col("ligne") >= lignes)).any()).item():
        raise InvalidField("ligne", "une sanction renvoie à une ligne absente du tableau des arrêts")
    if frame.select((pl.col("fin") < pl.col("debut")).any()).item():
        raise InvalidField("fin", "la fin d'une sanction précède son début")
    return frame


def _fenetres_sanctions(periodes: pl.DataFrame, sanctions: pl.DataFrame) -> pl.DataFrame:
    """The sanctions' windows cut to their row's period, a reduction's days less the days refused on the row (a day
    is refused or reduced, never both), as runs of consecutive days; in order: the refusals, then the reductions,
    each in the input's order, then by date. Columns: ``ligne``, ``__ordre``, ``debut``, ``fin``, the input's others."""
    cut = (
        sanctions.with_row_index("__ordre").join(periodes, on="ligne", how="inner")
        .with_columns(pl.max_horizontal("debut", "periode_debut").alias("debut"), pl.min_horizontal("fin", "periode_fin").alias("fin"))
        .filter(pl.col("debut") <= pl.col("fin")).drop("periode_debut", "periode_fin")
    )
    controle, reduction = cut.filter(pl.col("nature") == "controle"), cut.filter(pl.col("nature") == "reduction")
    if controle.height and reduction.height:
        def days(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.with_columns(pl.date_ranges("debut", "fin").alias("__jour")).explode("__jour")

        refused = days(controle).select("ligne", "__jour").unique()
        kept = days(reduction).join(refused, on=["ligne", "__jour"], how="anti").sort("__ordre", "__jour")
        run = (_jours(pl.col("__jour").shift(1), pl.col("__jour")) != 1).fill_null(True).cum_sum().over("__ordre")
        others = [c for c in reduction.columns if c not in ("debut", "fin")]
        reduction = (
            kept.with_columns(run.alias("__run"))
            .group_by("__ordre", "__run", maintain_order=True)
            .agg(pl.col("__jour").min().alias("debut"), pl.col("__jour").max().alias("fin"), *[pl.col(c).first() for c in others if c != "__ordre"])
            .drop("__run").select(reduction.columns)
        )
    return pl.concat([controle, reduction]).sort(pl.col("nature") != "controle", "__ordre", "debut", maintain_order=True)


def _avec_sanctions(arrets: pl.DataFrame, sanctions: pl.DataFrame) -> pl.DataFrame:
    frame = arrets.with_row_index("__ligne").with_columns(pl.col("__ligne").cast(pl.Int64))
    out = _indemnites(frame)
    fenetres = _fenetres_sanctions(
        out.select(pl.col("__ligne").alias("ligne"), "periode_debut", "periode_fin"), _check_sanctions(sanctions, arrets.height))
    # Each window's IJ by the rule itself: the row's arrêt, its period narrowed to the window's days.
    parts = fenetres.select(pl.col("ligne").alias("__ligne"), "__ordre", pl.col("debut").alias("__debut"), pl.col("fin").alias("__fin")).join(
        frame.drop("periode_debut", "periode_fin", strict=False), on="__ligne", how="inner", maintain_order="left",
    ).rename({"__debut": "periode_debut", "__fin": "periode_fin"})
    extra = [c for c in fenetres.columns if c not in ("ligne", "__ordre", "nature", "debut", "fin", "date_prescription")]
    if parts.height:
        calcul = _indemnites(parts).select("__ordre", "periode_debut", "montant_brut", "jours_indemnises")
        fenetres = fenetres.join(calcul, left_on=["__ordre", "debut"], right_on=["__ordre", "periode_debut"], how="left", maintain_order="left")
    else:
        fenetres = fenetres.with_columns(pl.lit(0, dtype=pl.Int64).alias("montant_brut"), pl.lit(0, dtype=pl.Int64).alias("jours_indemnises"))
    fenetres = join_parameters(fenetres, list(NATURES_SANCTION.values()), on="date_prescription", with_references=True)
    controle = pl.col("nature") == "controle"
    taux = pl.when(controle).then(pl.col("avis_arret_refus_controle_impossible")).otherwise(pl.col("avis_arret_reduction_taux"))
    reference = pl.when(controle).then(pl.col("avis_arret_refus_controle_impossible_reference").cast(pl.String)).otherwise(
        pl.col("avis_arret_reduction_taux_reference").cast(pl.String))
    fenetres = fenetres.with_columns(taux.alias("taux"), reference.alias("reference"), pl.col("jours_indemnises").alias("jours"),
                                     apply_rate_expr(pl.col("montant_brut"), taux).alias("montant"))
    struct = pl.struct("nature", "debut", "fin", "taux", "reference", "jours", "montant", *extra)
    par_ligne = fenetres.group_by("ligne", maintain_order=True).agg(
        pl.when(~controle).then(pl.col("montant")).otherwise(0).sum().alias("reduction"),
        pl.when(~controle).then(pl.col("jours")).otherwise(0).sum().alias("jours_reduits"),
        pl.when(controle).then(pl.col("montant")).otherwise(0).sum().alias("refus"),
        pl.when(controle).then(pl.col("jours")).otherwise(0).sum().alias("jours_refuses"),
        struct.alias("sanctions"),
    )
    out = out.join(par_ligne, left_on="__ligne", right_on="ligne", how="left", maintain_order="left").with_columns(
        pl.col("reduction", "jours_reduits", "refus", "jours_refuses").fill_null(0).cast(pl.Int64))
    brut = pl.col("montant_brut") - pl.col("reduction") - pl.col("refus")
    exonere = pl.col("exonere_csg")
    out = out.with_columns(brut.alias("brut_apres_sanctions")).with_columns(
        pl.when(exonere).then(0).otherwise(apply_rate_expr(pl.col("brut_apres_sanctions"), pl.col("ij_prelevements_csg_taux"))).alias("csg_apres_sanctions"),
        pl.when(exonere).then(0).otherwise(apply_rate_expr(pl.col("brut_apres_sanctions"), pl.col("crds_taux"))).alias("crds_apres_sanctions"),
        (pl.col("jours_indemnises") - pl.col("jours_refuses")).alias("jours_indemnises_apres_sanctions"),
        pl.concat_str(
            pl.when(pl.col("jours_hors_droits") > 0).then(pl.col("motif_refus")),
            pl.when(pl.col("jours_refuses") > 0).then(pl.lit(MOTIF_CONTROLE)),
            separator=",", ignore_nulls=True,
        ).replace("", None).alias("motifs_refus"),
    ).with_columns((pl.col("brut_apres_sanctions") - pl.col("csg_apres_sanctions") - pl.col("crds_apres_sanctions")).alias("net_apres_sanctions"))
    return out.with_columns(*_verse("brut_apres_sanctions", "net_apres_sanctions", subrogation="subrogation" in arrets.columns)).drop("__ligne")


def _revision(atmp: pl.Expr, a: pl.Expr, b: pl.Expr, *, given: bool) -> list[pl.Expr]:
    """``jours_revises`` and ``ij_journaliere_revisee`` (L. 433-2, al. 3): from the revision's date, once the arrêt
    has lasted ``ij_atmp.revision_mois`` months, the majorée IJ × the coefficient, half up to the cent."""
    if not given:
        return [pl.lit(0, dtype=pl.Int64).alias("jours_revises"), pl.col("ij_journaliere_majoree").alias("ij_journaliere_revisee")]
    revise = atmp & pl.col("revision_atmp_coefficient").is_not_null()
    premier = pl.max_horizontal(a, pl.col("ij_atmp_jour_majoration"), _jours(pl.col("debut"), pl.col("revision_atmp_debut")) + 1,
                                _jours(pl.col("debut"), pl.col("__debut_revision")) + 1)
    return [
        pl.when(revise).then(_count(premier, b)).otherwise(0).cast(pl.Int64).alias("jours_revises"),
        pl.when(revise).then(apply_rate_expr(pl.col("ij_journaliere_majoree"), pl.col("revision_atmp_coefficient")))
        .otherwise(pl.col("ij_journaliere_majoree")).alias("ij_journaliere_revisee"),
    ]


def _join_conditions(jours_debut: pl.DataFrame) -> pl.DataFrame:
    """The thresholds of R. 313-3 / R. 313-7 and the hourly SMIC at each reference date, on the distinct first days.

    R. 313-3, 1° a): SMIC « au premier jour de la période de référence » (the 6 calendar months before the arrêt's
    month); 2° a): the 12 calendar months before; R. 313-7 a): « au 1er janvier qui précède immédiatement le début
    de cette période » (the period starting on a 1 January reads that day's SMIC). Joined only when something is
    checked, so that an arrêt before the SMIC's first date in secu keeps working without conditions."""
    names = [n.replace(".", "_") for n in PARAMS_CONDITIONS]
    smic = ("smic_horaire_courte", "smic_horaire_longue", "smic_horaire_saison")
    debut_mois = pl.col("debut").dt.month_start()
    frame = jours_debut.with_columns(
        debut_mois.dt.offset_by("-6mo").alias("__ref_courte"), debut_mois.dt.offset_by("-12mo").alias("__ref_longue"),
    ).with_columns(pl.col("__ref_longue").dt.truncate("1y").alias("__ref_saison"))
    frame = join_parameters(frame, list(PARAMS_CONDITIONS), on="debut", with_references=True)
    for ref, column in zip(("__ref_courte", "__ref_longue", "__ref_saison"), smic, strict=True):
        frame = join_parameters(frame, ["smic.horaire"], on=ref).rename({"smic_horaire": column})
    references = pl.concat_str([pl.col(f"{n}_reference").cast(pl.String) for n in names[:2] + names[2:4]], separator=" ; ")
    return frame.with_columns(
        pl.col(names[0], names[2]).cast(pl.Float64), references.alias("conditions_reference"),
    ).drop("__ref_courte", "__ref_longue", "__ref_saison", *[f"{n}_reference" for n in names])


def _conditions(maladie: pl.Expr, conge: pl.Expr, jours_arret: pl.Expr) -> list[pl.Expr]:
    """``conditions_courtes``, ``conditions_longues`` (null: not checked), ``motif_refus`` and the days the short
    conditions cover (``__jours_courts``), for R. 313-3 and R. 313-7.

    1° (maladie for the first 6 months, maternité, paternité, adoption): hours over the 3 months ≥ 150, or pay
    over the 6 months ≥ 1 015 × SMIC horaire. 2° (maladie beyond the 6th month): 12 months of immatriculation
    and (hours over 12 months ≥ 600 or pay over 12 months ≥ 2 030 × SMIC horaire). R. 313-7 (``saisonnier``): the
    12-month conditions open both. Checked when one of their inputs is given; a missing input then counts as not
    met, but a missing ``mois_immatriculation`` as met. AT/MP: no condition (L. 411-1, L. 433-1)."""
    def at_least(value: str, threshold: pl.Expr) -> pl.Expr:
        return (pl.col(value).cast(pl.Float64) >= threshold.cast(pl.Float64)).fill_null(False)

    courte = at_least("heures_3_mois", pl.col("ij_conditions_heures_courte")) | at_least(
        "salaire_6_mois", pl.col("ij_conditions_smic_courte") * pl.col("smic_horaire_courte"))
    douze = at_least("heures_12_mois", pl.col("ij_conditions_heures_longue")) | at_least(
        "salaire_12_mois", pl.col("ij_conditions_smic_longue") * pl.col("smic_horaire_longue"))
    saison = pl.col("saisonnier") & (at_least("heures_12_mois", pl.col("ij_conditions_heures_longue")) | at_least(
        "salaire_12_mois", pl.col("ij_conditions_smic_longue") * pl.col("smic_horaire_saison")))
    immatricule = pl.col("mois_immatriculation").is_null() | at_least("mois_immatriculation", pl.col("ij_conditions_immatriculation_mois"))
    given = {c: pl.col(c).is_not_null() for c in CONDITIONS}
    checked_courte = (maladie | conge) & pl.any_horizontal(given[c] for c in ("heures_3_mois", "salaire_6_mois", "heures_12_mois", "salaire_12_mois"))
    checked_longue = maladie & pl.any_horizontal(given[c] for c in ("heures_12_mois", "salaire_12_mois", "mois_immatriculation"))
    jours_courts = _jours(pl.col("debut"), pl.col("__fin_courte"))
    ok_courte = pl.when(checked_courte).then(courte | saison)
    ok_longue = pl.when(checked_longue).then((immatricule & douze) | saison)
    motif = (
        pl.when(ok_courte.not_()).then(pl.lit("conditions_ouverture"))
        .when(ok_longue.not_() & (jours_arret > jours_courts)).then(pl.lit("conditions_au_dela_6_mois"))
    )
    return [ok_courte.alias("conditions_courtes"), ok_longue.alias("conditions_longues"), motif.alias("motif_refus"),
            jours_courts.alias("__jours_courts")]


def ij_arret(
    risque: str, debut: date, fin: date, salaires_cents: tuple[int, int, int], *,
    ald: bool = False, ald_arret_anterieur: bool = False, prolongation: bool = False, ij_deja_versees: int = 0,
) -> dict[str, Any]:
    """:func:`indemnites_journalieres` on one arrêt (the CLI's and the service's single case): its output row."""
    s1, s2, s3 = salaires_cents
    frame = pl.DataFrame(
        {
            "risque": [risque], "debut": [debut], "fin": [fin],
            "salaire_1": [s1], "salaire_2": [s2], "salaire_3": [s3],
            "ald": [ald], "ald_arret_anterieur": [ald_arret_anterieur], "prolongation": [prolongation],
            "ij_deja_versees": [ij_deja_versees],
        },
        schema_overrides={"salaire_1": pl.Int64, "salaire_2": pl.Int64, "salaire_3": pl.Int64, "ij_deja_versees": pl.Int64},
    )
    return indemnites_journalieres(frame).row(0, named=True)


# ---------------------------------------------------------------------------
# Durées des congés


CONGES = {
    "maternite": ("conge_maternite.duree_semaines", 7),
    "paternite": ("conge_paternite.duree_jours", 1),
    "adoption": ("conge_adoption.duree_semaines", 7),
}
"""Each congé: its table of durations and the days in one of its units (weeks for maternité and adoption)."""


def duree_conge(conges: pl.DataFrame) -> pl.DataFrame:
    """The indemnified days of each congé: ``conge`` (maternite, paternite, adoption), ``cas`` (a key of its table), ``date``.

    maternité (L. 331-3, L. 331-4): ``rang_1_2``, ``rang_3_plus``, ``jumeaux``, ``triples_plus``, with its
    prénatal and postnatal weeks; paternité (L. 331-8): ``simple``, ``multiple``; adoption (L. 331-7):
    ``enfant_1_2``, ``enfant_3_plus``, ``multiple``. Output: ``jours_prenatal`` (maternité, null otherwise),
    ``jours_conge`` and ``duree_reference``. A case the congé's table lacks is refused naming ``cas``.
    """
    for column in ("conge", "cas", "date"):
        if column not in conges.columns or conges.get_column(column).null_count():
            raise InvalidField(column, f"{column} est obligatoire sur chaque ligne")
    inconnus = sorted(set(conges.get_column("conge").cast(pl.String).to_list()) - set(CONGES))
    if inconnus:
        raise InvalidField("conge", f"congé inconnu : {', '.join(inconnus)} (attendu : {', '.join(CONGES)})")
    frame = conges.with_columns(pl.col("conge", "cas").cast(pl.String), pl.col("date").cast(pl.Date)).with_row_index("__ligne")
    parts = []
    for conge, (name, jours_par_unite) in CONGES.items():
        part = frame.filter(pl.col("conge") == conge)
        if part.is_empty():
            continue
        part = join_parameters(part, [name], on="date", by={name: "cas"}, with_references=True)
        column = name.replace(".", "_")
        if conge == "maternite":
            prenatal, postnatal = pl.col(f"{column}_prenatal"), pl.col(f"{column}_postnatal")
            part = part.with_columns((prenatal * jours_par_unite).alias("jours_prenatal"), ((prenatal + postnatal) * jours_par_unite).alias("jours_conge"))
        else:
            part = part.with_columns(pl.lit(None, dtype=pl.Int64).alias("jours_prenatal"), (pl.col(column) * jours_par_unite).alias("jours_conge"))
        parts.append(part.select("__ligne", "jours_prenatal", "jours_conge", pl.col(f"{column}_reference").cast(pl.String).alias("duree_reference")))
    durees = pl.concat(parts)
    return frame.join(durees, on="__ligne", how="left").sort("__ligne").drop("__ligne")


# ---------------------------------------------------------------------------
# Invalidité


MTP_PARAMETRE = "mtp"
"""The majoration pour tierce personne (CSS L. 355-1, R. 341-6), revalued each 1 April (L. 161-25): the 3e
catégorie adds the value in force in the month paid."""


def pension_invalidite(pensions: pl.DataFrame) -> pl.DataFrame:
    """Monthly invalidity pension of each row: ``mois`` (Date), ``categorie`` (1, 2 or 3), ``sam`` (Int64 cents, annual).

    base = SAM × taux of the category / 12, capped at the category's part of the PASS / 12 (R. 341-5), rounded
    half up to the cent, raised to the minimum (L. 341-5); 3e catégorie adds the MTP. Output: ``pension_base``,
    ``pension_plafond``, ``pension_minimum``, ``mtp`` (0 outside the 3e catégorie), ``pension_mensuelle``, and
    the references.
    """
    for column in ("mois", "categorie", "sam"):
        if column not in pensions.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if pensions.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")
    if not pensions.get_column("categorie").cast(pl.Int64).is_in([1, 2, 3]).all():
        raise InvalidField("categorie", "la catégorie d'invalidité doit être 1, 2 ou 3")
    if pensions.select((pl.col("sam") < 0).any()).item():
        raise InvalidField("sam", "le salaire annuel moyen ne peut pas être négatif")
    cle = pl.format("categorie_{}", pl.col("categorie").cast(pl.Int64))
    frame = pensions.with_columns(pl.col("mois").cast(pl.Date), pl.col("sam").cast(pl.Int64)).with_row_index("__ligne")
    frame = join_parameters(
        frame, ["invalidite.taux", "invalidite.maximum_pass", "invalidite.minimum", "pss.annuel"], on="mois",
        by={"invalidite.taux": cle, "invalidite.maximum_pass": cle}, with_references=True,
    )
    tierce = frame.filter(pl.col("categorie").cast(pl.Int64) == 3).select("__ligne", "mois")
    tierce = join_parameters(tierce, [MTP_PARAMETRE], on="mois", with_references=True).drop("mois")
    mtp = MTP_PARAMETRE.replace(".", "_")
    frame = frame.join(tierce, on="__ligne", how="left").rename({mtp: "mtp", f"{mtp}_reference": "mtp_reference"})
    douze9 = pl.lit(12 * _E9, dtype=_I)
    base = div_half_up_expr(pl.col("sam").cast(_I) * _n9("invalidite_taux"), douze9)
    plafond = div_half_up_expr(pl.col("pss_annuel").cast(_I) * _n9("invalidite_maximum_pass"), douze9)
    frame = frame.with_columns(
        base.cast(pl.Int64).alias("pension_base"), plafond.cast(pl.Int64).alias("pension_plafond"),
        pl.col("invalidite_minimum").alias("pension_minimum"), pl.col("mtp").fill_null(0),
    )
    calculee = pl.max_horizontal(pl.min_horizontal(pl.col("pension_base"), pl.col("pension_plafond")), pl.col("pension_minimum"))
    return frame.with_columns((calculee + pl.col("mtp")).alias("pension_mensuelle")).sort("__ligne").drop("__ligne")


def salaire_annuel_moyen(salaires: pl.DataFrame) -> pl.DataFrame:
    """The SAM of each ``personne``: the mean of its ``nombre`` best ``salaire`` rows (R. 341-4), half up to the cent.

    Each row is one year's salary, already capped at that year's PASS and revalued (secu does not hold the
    PASS before 2021 nor the revaluation coefficients: the caller brings them). ``nombre`` is the column of
    the parameter ``invalidite.nombre_annees_sam`` joined on the claim's date; fewer years than that
    average over the years there are.
    """
    ranked = salaires.with_columns(pl.col("salaire").rank("ordinal", descending=True).over("personne").alias("__rang"))
    best = ranked.filter(pl.col("__rang") <= pl.col("nombre"))
    return best.group_by("personne", maintain_order=True).agg(
        div_half_up_expr(pl.col("salaire").cast(_I).sum(), pl.len().cast(_I)).cast(pl.Int64).alias("sam"),
        pl.len().alias("annees_retenues"),
    )


# ---------------------------------------------------------------------------
# Capital décès


def capital_deces(deces: pl.DataFrame) -> pl.DataFrame:
    """The capital décès of each row (``date_deces``, Date): the flat amount in force that day (L. 361-1, D. 361-1), in cents.

    The conditions on the deceased's last three months and the order of the beneficiaries are the service's.
    """
    if "date_deces" not in deces.columns or deces.get_column("date_deces").null_count():
        raise InvalidField("date_deces", "la date du décès est obligatoire")
    frame = join_parameters(deces.with_columns(pl.col("date_deces").cast(pl.Date)), ["capital_deces.montant"], on="date_deces", with_references=True)
    return frame.rename({"capital_deces_montant": "capital_deces", "capital_deces_montant_reference": "capital_deces_reference"})


__all__ = [
    "MTP_PARAMETRE", "OPTIONNELLES", "PARAMS_ARRET", "PARAMS_MOIS_PRECEDENT", "RISQUES",
    "CONGES", "capital_deces", "duree_conge", "ij_arret", "indemnites_journalieres", "pension_invalidite", "salaire_annuel_moyen",
]


# ---------------------------------------------------------------------------
# Invalidité: the pension in service (revaluation each 1 April), cumul with earnings, end at the legal age
# (issue 13 §5). Appended after the rules slice: the functions above are unchanged.

REVALORISATION = "invalidite.revalorisation"
"""The L. 161-25 coefficient applied each 1 April to the pensions in service (L. 341-6)."""

REF_LIQUIDATION = "CSS art. L. 341-4, R. 341-4 et R. 341-5 (pension à la date d'effet : SAM × taux ÷ 12, au plus la part du PASS)"
REF_CUMUL = "CSS art. L. 341-12 et R. 341-17"
REF_CONVERSION = "CSS art. L. 341-15 et L. 341-16 (pension de vieillesse pour inaptitude au travail à l'âge légal)"


def _obligatoires(frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if frame.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")


def montant_liquidation(pensions: pl.DataFrame) -> pl.DataFrame:
    """The pension at its ``date_effet`` (Date) for its ``categorie`` and ``sam`` (Int64 cents, annual), before minimum and MTP.

    SAM × taux of the category ÷ 12, half up to the cent, at most the category's part of the PASS in force on
    the date d'effet ÷ 12 (R. 341-5). Output: ``liquidation_base``, ``liquidation_plafond``, ``montant_liquidation``
    and the parameters with their references (suffixed ``_liquidation``).
    """
    _obligatoires(pensions, ("date_effet", "categorie", "sam"))
    if not pensions.get_column("categorie").cast(pl.Int64).is_in([1, 2, 3]).all():
        raise InvalidField("categorie", "la catégorie d'invalidité doit être 1, 2 ou 3")
    if pensions.select((pl.col("sam") < 0).any()).item():
        raise InvalidField("sam", "le salaire annuel moyen ne peut pas être négatif")
    cle = pl.format("categorie_{}", pl.col("categorie").cast(pl.Int64))
    frame = pensions.with_columns(pl.col("date_effet").cast(pl.Date), pl.col("sam").cast(pl.Int64)).with_row_index("__ligne")
    names = ["invalidite.taux", "invalidite.maximum_pass", "pss.annuel"]
    joined = join_parameters(frame.select("__ligne", "date_effet", "categorie"), names, on="date_effet",
                             by={"invalidite.taux": cle, "invalidite.maximum_pass": cle}, with_references=True)
    added = [c for c in joined.columns if c not in ("__ligne", "date_effet", "categorie")]
    joined = joined.select("__ligne", *[
        pl.col(c).alias(f"{c.removesuffix('_reference')}_liquidation_reference" if c.endswith("_reference") else f"{c}_liquidation") for c in added])
    frame = frame.join(joined, on="__ligne", how="left")
    douze9 = pl.lit(12 * _E9, dtype=_I)
    base = div_half_up_expr(pl.col("sam").cast(_I) * _n9("invalidite_taux_liquidation"), douze9).cast(pl.Int64)
    plafond = div_half_up_expr(pl.col("pss_annuel_liquidation").cast(_I) * _n9("invalidite_maximum_pass_liquidation"), douze9).cast(pl.Int64)
    frame = frame.with_columns(base.alias("liquidation_base"), plafond.alias("liquidation_plafond"))
    return frame.with_columns(pl.min_horizontal("liquidation_base", "liquidation_plafond").alias("montant_liquidation")).sort("__ligne").drop("__ligne")


def revaloriser(frame: pl.DataFrame, montant: str = "montant_liquidation", *, etapes: bool = True) -> pl.DataFrame:
    """Each row's ``montant`` (cents, in force on ``date_effet``) revalued up to ``mois`` (L. 341-6, L. 161-25).

    Every coefficient of ``invalidite.revalorisation`` whose date is after ``date_effet`` and on or before
    ``mois`` multiplies the amount of the day before, rounded half up to the cent at each revaluation (the
    CNAV's and the CNAM's practice: each year's amount is a payable amount). A handful of dates, so the loop
    is over the dates and each step is one vectorised column. Output: ``montant_revalorise`` and, with
    ``etapes`` (the default), one column ``revalorisation_<AAAAMMJJ>`` per revaluation date: the amount after
    it, null when it does not apply to the row (the explanation reads them, :data:`REVALORISATION` gives each
    date's coefficient and reference).
    """
    history = [v for v in parameters().get(REVALORISATION).values if v.value is not None]
    amount = pl.col(montant).cast(pl.Int64)
    steps: list[pl.Expr] = []
    for value in history:
        when = pl.lit(value.date_effet, dtype=pl.Date)
        applies = (pl.col("date_effet") < when) & (when <= pl.col("mois"))
        amount = pl.when(applies).then(apply_rate_expr(amount, str(value.number()))).otherwise(amount)
        steps.append(pl.when(applies).then(amount).alias(colonne_revalorisation(value.date_effet)))
    out = frame.with_columns(amount.alias("montant_revalorise"))
    return out.with_columns(steps) if etapes else out


def colonne_revalorisation(day: date) -> str:
    """The column of :func:`revaloriser` holding the amount after the revaluation of ``day``."""
    return f"revalorisation_{day:%Y%m%d}"


def annees_sam(annees: pl.DataFrame) -> pl.DataFrame:
    """The calendar years of one claim's SAM (R. 341-4): each year's salary as counted, and whether it is among the best.

    Input, one row per year: ``annee`` (Int), ``salaire`` (Int64 cents), ``brut`` (bool: a gross pay from the DSN, to
    cap at that year's PASS — secu holds the PASS from 1970: an older year is capped at the 1970 one — and to revalue
    from the year's end to the date d'effet with the L. 341-6 coefficients; false: a salary the claim gives, already
    capped and revalued), ``date_effet`` (Date, the pension's). Output: ``salaire_sam`` (cents), ``nombre`` (the
    parameter ``invalidite.nombre_annees_sam``), ``retenue`` (among the ``nombre`` best, ties to the earlier row).
    """
    _obligatoires(annees, ("annee", "salaire", "brut", "date_effet"))
    premier_pass = parameters().get("pss.annuel").dates[0]
    fin_annee = pl.date(pl.col("annee").cast(pl.Int32), 12, 31)
    frame = annees.with_columns(pl.col("date_effet").cast(pl.Date), pl.col("salaire").cast(pl.Int64)).with_row_index("__ligne")
    frame = frame.with_columns(pl.max_horizontal(fin_annee, pl.lit(premier_pass, dtype=pl.Date)).alias("__fin"))
    frame = join_parameters(frame, ["pss.annuel"], on="__fin")
    frame = join_parameters(frame, ["invalidite.nombre_annees_sam"], on="date_effet", with_references=True)
    plafonne = pl.when(pl.col("brut")).then(pl.min_horizontal("salaire", "pss_annuel")).otherwise(pl.col("salaire"))
    depuis_fin_annee = frame.select("__ligne", plafonne.alias("__plafonne"), fin_annee.alias("date_effet"), pl.col("date_effet").alias("mois"))
    revalue = revaloriser(depuis_fin_annee, "__plafonne", etapes=False).select("__ligne", "montant_revalorise")
    frame = frame.join(revalue, on="__ligne", how="left")
    frame = frame.with_columns(pl.when(pl.col("brut")).then(pl.col("montant_revalorise")).otherwise(pl.col("salaire")).alias("salaire_sam"))
    rang = pl.col("salaire_sam").rank("ordinal", descending=True)
    frame = frame.with_columns(pl.col("invalidite_nombre_annees_sam").alias("nombre"), (rang <= pl.col("invalidite_nombre_annees_sam")).alias("retenue"))
    return frame.sort("__ligne").drop("__ligne", "__fin", "montant_revalorise", "pss_annuel")


def pension_en_service(pensions: pl.DataFrame, *, etapes: bool = True) -> pl.DataFrame:
    """The monthly pension of each row for the month ``mois``: the pension liquidated on ``date_effet``, revalued.

    Input: ``mois`` (Date, the month paid), ``date_effet`` (Date), ``categorie`` (1, 2, 3), ``sam`` (annual
    cents). The liquidation amount (:func:`montant_liquidation`) is revalued each 1 April since the date
    d'effet (:func:`revaloriser`), raised to the minimum in force in the month (L. 341-5: the minimum is
    itself revalued each 1 January) and, in 3e catégorie, increased by the MTP in force in the month (L. 341-4,
    R. 341-6). A month before the date d'effet is refused. Output: the liquidation's and revaluation's
    columns, ``pension_minimum``, ``mtp`` (0 outside the 3e catégorie), ``pension_mensuelle`` and the references
    (``etapes=False``: without the list of revaluations, for a national batch).
    """
    _obligatoires(pensions, ("mois", "date_effet", "categorie", "sam"))
    frame = pensions.with_columns(pl.col("mois").cast(pl.Date), pl.col("date_effet").cast(pl.Date))
    if frame.select((pl.col("mois").dt.month_start() < pl.col("date_effet").dt.month_start()).any()).item():
        raise InvalidField("mois", "le mois payé précède la date d'effet de la pension")
    frame = revaloriser(montant_liquidation(frame), etapes=etapes).with_row_index("__ligne")
    frame = join_parameters(frame, ["invalidite.minimum"], on="mois", with_references=True)
    tierce = frame.filter(pl.col("categorie").cast(pl.Int64) == 3).select("__ligne", "mois")
    tierce = join_parameters(tierce, [MTP_PARAMETRE], on="mois", with_references=True).drop("mois")
    mtp = MTP_PARAMETRE.replace(".", "_")
    frame = frame.join(tierce, on="__ligne", how="left").rename({mtp: "mtp", f"{mtp}_reference": "mtp_reference"})
    frame = frame.with_columns(pl.col("invalidite_minimum").alias("pension_minimum"), pl.col("mtp").fill_null(0))
    calculee = pl.max_horizontal(pl.col("montant_revalorise"), pl.col("pension_minimum"))
    return frame.with_columns((calculee + pl.col("mtp")).alias("pension_mensuelle")).sort("__ligne").drop("__ligne")


def cumul_invalidite(cumuls: pl.DataFrame) -> pl.DataFrame:
    """The pension paid for ``mois`` after the cumul with earnings (L. 341-12, R. 341-17 since 2022-04-01).

    Input, amounts in cents: ``mois`` (Date), ``pension_mensuelle`` (the month's pension before cumul),
    ``pensions_reference`` and ``revenus_reference`` (the pension and the earnings and replacement income of
    the 12 months from the 13th to the 2nd before the month, R. 341-17 II), ``sam`` (R. 341-4),
    ``salaire_annee_precedente`` (the salary of the calendar year before the arrêt followed by invalidity, 0
    when unknown) and ``annee_precedente`` (that year, Int).

    seuil = max(SAM, min(salaire de l'année précédente, N × PASS of that year)) — N = ``invalidite.cumul_seuil_pass``
    in force in the month (1, then 1,5 from 2023-07-30); when no earnings: no reduction. dépassement =
    max(0, pensions + revenus − seuil); the pension is reduced by ``invalidite.cumul_taux_reduction`` (½) of it,
    spread over twelve monthly payments (half up), never below zero. secu holds the PASS from 1970: an older
    year is capped with the 1970 PASS (a higher cap than the real one, so never against the assuré).
    Output: ``seuil_cumul``, ``depassement``, ``reduction_annuelle``, ``reduction_mensuelle``, ``pension_versee``.
    """
    _obligatoires(cumuls, ("mois", "pension_mensuelle", "pensions_reference", "revenus_reference", "sam",
                           "salaire_annee_precedente", "annee_precedente"))
    for column in ("pension_mensuelle", "pensions_reference", "revenus_reference", "sam", "salaire_annee_precedente"):
        if cumuls.select((pl.col(column) < 0).any()).item():
            raise InvalidField(column, f"{column} ne peut pas être négatif")
    premier_pass = parameters().get("pss.annuel").dates[0]
    fin_annee = pl.date(pl.col("annee_precedente").cast(pl.Int32), 12, 31)
    frame = cumuls.with_columns(pl.col("mois").cast(pl.Date),
                                pl.max_horizontal(fin_annee, pl.lit(premier_pass, dtype=pl.Date)).alias("__fin_annee")).with_row_index("__ligne")
    frame = join_parameters(frame, ["invalidite.cumul_seuil_pass", "invalidite.cumul_taux_reduction"], on="mois", with_references=True)
    pss = join_parameters(frame.select("__ligne", "__fin_annee"), ["pss.annuel"], on="__fin_annee", with_references=True)
    frame = frame.join(pss.select("__ligne", pl.col("pss_annuel").alias("pss_annee_precedente"),
                                  pl.col("pss_annuel_reference").alias("pss_annee_precedente_reference")), on="__ligne", how="left")
    limite = div_half_up_expr(pl.col("pss_annee_precedente").cast(_I) * _n9("invalidite_cumul_seuil_pass"), pl.lit(_E9, dtype=_I)).cast(pl.Int64)
    seuil = pl.max_horizontal(pl.col("sam").cast(pl.Int64), pl.min_horizontal(pl.col("salaire_annee_precedente").cast(pl.Int64), limite))
    total = pl.col("pensions_reference").cast(pl.Int64) + pl.col("revenus_reference").cast(pl.Int64)
    depassement = pl.when(pl.col("revenus_reference") > 0).then(pl.max_horizontal(total - seuil, pl.lit(0, dtype=pl.Int64))).otherwise(0)
    frame = frame.with_columns(limite.alias("limite_salaire_precedent"), seuil.alias("seuil_cumul"), depassement.cast(pl.Int64).alias("depassement"))
    frame = frame.with_columns(apply_rate_expr(pl.col("depassement"), pl.col("invalidite_cumul_taux_reduction")).alias("reduction_annuelle"))
    mensuelle = div_half_up_expr(pl.col("reduction_annuelle"), 12, non_negative=True)
    frame = frame.with_columns(pl.min_horizontal(mensuelle, pl.col("pension_mensuelle").cast(pl.Int64)).alias("reduction_mensuelle"))
    return (frame.with_columns((pl.col("pension_mensuelle").cast(pl.Int64) - pl.col("reduction_mensuelle")).alias("pension_versee"))
            .sort("__ligne").drop("__ligne", "__fin_annee"))


def _anniversaire(naissance: pl.Expr, annees: pl.Expr) -> pl.Expr:
    """The date ``annees`` years after ``naissance``: the same day, or the month's last day when it has none (29 February →
    28 February, CPC art. 641 by analogy, as :mod:`secu.core.ages`). Integer arithmetic: no duration string per row."""
    premier = pl.date(naissance.dt.year() + annees.cast(pl.Int32), naissance.dt.month(), 1)
    jour = pl.min_horizontal(naissance.dt.day().cast(pl.Int64), premier.dt.month_end().dt.day().cast(pl.Int64))
    return premier + pl.duration(days=jour - 1)


def conversion_retraite(personnes: pl.DataFrame) -> pl.DataFrame:
    """When each invalidity pension ends and the retirement pension for inaptitude takes over (L. 341-15).

    Input: ``date_naissance`` and ``mois`` (Date: the parameter ``invalidite.age_conversion`` in force that
    month). Output: ``age_conversion``, ``date_anniversaire`` (the birthday at that age, 28 February for a
    29 February birth in a common year, as :mod:`secu.core.ages`), ``date_conversion`` (the first day of the
    month after it) and ``en_service`` (``mois`` is before the conversion).
    """
    _obligatoires(personnes, ("date_naissance", "mois"))
    frame = personnes.with_columns(pl.col("date_naissance", "mois").cast(pl.Date))
    frame = join_parameters(frame, ["invalidite.age_conversion"], on="mois", with_references=True)
    anniversaire = _anniversaire(pl.col("date_naissance"), pl.col("invalidite_age_conversion"))
    frame = frame.with_columns(pl.col("invalidite_age_conversion").alias("age_conversion"), anniversaire.alias("date_anniversaire"))
    frame = frame.with_columns(pl.col("date_anniversaire").dt.offset_by("1mo").dt.month_start().alias("date_conversion"))
    return frame.with_columns((pl.col("mois").dt.month_start() < pl.col("date_conversion")).alias("en_service"))


# ---------------------------------------------------------------------------
# Capital décès: the conditions on the deceased, the order of the beneficiaries, the claim windows

SITUATIONS_DECES = {
    "activite_salariee": "exerçait une activité salariée",
    "chomage_indemnise": "percevait une allocation de chômage",
    "pension_invalidite": "était titulaire d'une pension d'invalidité",
    "rente_atmp": "était titulaire d'une rente AT/MP d'un taux d'au moins 66,66 %",
    "maintien_droits": "bénéficiait du maintien de ses droits",
}
"""The situations of L. 361-1 (since the LFSS 2015) that open the capital décès, in the 3 months before death."""

LIENS = {"conjoint": 1, "partenaire_pacs": 1, "enfant": 2, "descendant": 2, "ascendant": 3, "autre": 4}
"""Rank of each link to the deceased: conjoint or partenaire, then descendants, then ascendants (L. 361-4, R. 361-3);
``autre`` (a person à charge who is none of them) can only claim as a priority beneficiary."""

REF_ORDRE_PRIORITAIRE = (
    "CSS art. L. 361-4, al. 1er et R. 361-3, al. 3 (personnes à charge effective, totale et permanente : "
    "conjoint ou partenaire, enfants, ascendants)"
)
REF_ORDRE = "CSS art. L. 361-4, al. 2 (conjoint non séparé ou partenaire de PACS, à défaut descendants, à défaut ascendants)"


def conditions_capital_deces(deces: pl.DataFrame) -> pl.DataFrame:
    """Whether the deceased opened the capital décès (L. 361-1): one of the situations in the months before death.

    Input: ``date_deces`` (Date) and, for each situation of :data:`SITUATIONS_DECES`, a column ``<situation>``
    giving the last day the deceased was in it (Date, null when never). A rente AT/MP counts from
    ``taux_rente_atmp`` (optional, Decimal rate) at least ``capital_deces.taux_incapacite_rente``. Output:
    ``debut_periode`` (the date of death less ``capital_deces.periode_conditions_mois`` months),
    ``situation_retenue`` (the first situation held in the period, in the order of the dict), ``droit_ouvert``.
    """
    _obligatoires(deces, ("date_deces",))
    frame = deces.with_columns(pl.col("date_deces").cast(pl.Date))
    for situation in SITUATIONS_DECES:
        if situation not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias(situation))
    if "taux_rente_atmp" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Decimal(38, 9)).alias("taux_rente_atmp"))
    frame = join_parameters(frame, ["capital_deces.periode_conditions_mois", "capital_deces.taux_incapacite_rente"],
                            on="date_deces", with_references=True)
    debut = pl.col("date_deces").dt.offset_by(pl.format("-{}mo", pl.col("capital_deces_periode_conditions_mois")))
    frame = frame.with_columns(debut.alias("debut_periode"))
    held: list[pl.Expr] = []
    for situation in SITUATIONS_DECES:
        ok = pl.col(situation).cast(pl.Date) >= pl.col("debut_periode")
        if situation == "rente_atmp":
            ok = ok & (pl.col("taux_rente_atmp").cast(pl.Decimal(38, 9)) >= pl.col("capital_deces_taux_incapacite_rente"))
        held.append(pl.when(ok.fill_null(False)).then(pl.lit(situation)))
    frame = frame.with_columns(pl.coalesce(held).alias("situation_retenue"))
    return frame.with_columns(pl.col("situation_retenue").is_not_null().alias("droit_ouvert"))


def beneficiaires_capital_deces(demandes: pl.DataFrame) -> pl.DataFrame:
    """Who receives a capital décès and how much (L. 361-4, R. 361-3, L. 332-1): one row per claim.

    Input: ``deces`` (the death's key), ``date_deces``, ``capital`` (Int64 cents, the same on every row of a
    death), ``date_decision`` (Date), ``demande`` (the claim's key, sorts the remainder cent), ``lien``
    (:data:`LIENS`), ``a_charge`` (bool: at the deceased's effective, total and permanent charge), ``separe``
    (bool: a spouse separated in law or in fact), ``date_demande``.

    A claim after ``capital_deces.prescription_annees`` years is prescribed. A person à charge who claims within
    ``capital_deces.delai_priorite_mois`` month(s) is a priority beneficiary: among them, the best rank of
    :data:`LIENS` takes the capital. Without one, once the month has passed, the best rank of the other
    claimants (conjoint or partenaire not separated, descendants, ascendants) takes it; before, nothing is
    decided. Several of the same rank share equally, the remainder cents to the first claims. Output:
    ``ordre`` (prioritaire, non_prioritaire or null), ``retenu``, ``montant`` (cents, 0 when not retained),
    ``motif`` (why not, in French) and ``decidable`` (false while the priority window is open).
    """
    _obligatoires(demandes, ("deces", "date_deces", "capital", "date_decision", "demande", "lien", "a_charge", "separe", "date_demande"))
    inconnus = sorted(set(demandes.get_column("lien").cast(pl.String).unique().to_list()) - set(LIENS))
    if inconnus:
        raise InvalidField("lien", f"lien inconnu : {', '.join(inconnus)} (attendu : {', '.join(LIENS)})")
    frame = demandes.with_columns(pl.col("date_deces", "date_decision", "date_demande").cast(pl.Date))
    if frame.select((pl.col("date_demande") < pl.col("date_deces")).any()).item():
        raise InvalidField("date_demande", "la demande précède le décès")
    frame = join_parameters(frame, ["capital_deces.delai_priorite_mois", "capital_deces.prescription_annees"], on="date_deces", with_references=True)
    fin_priorite = pl.col("date_deces").dt.offset_by(pl.format("{}mo", pl.col("capital_deces_delai_priorite_mois")))
    prescription = pl.col("date_deces").dt.offset_by(pl.format("{}y", pl.col("capital_deces_prescription_annees")))
    rang = pl.col("lien").cast(pl.String).replace_strict(LIENS, return_dtype=pl.Int64)
    frame = frame.with_columns(fin_priorite.alias("fin_priorite"), prescription.alias("prescription"), rang.alias("rang"))
    recevable = pl.col("date_demande") <= pl.col("prescription")
    prioritaire = recevable & pl.col("a_charge") & (pl.col("date_demande") <= pl.col("fin_priorite"))
    ordinaire = recevable & (pl.col("rang") <= 3) & ~((pl.col("rang") == 1) & pl.col("separe"))
    frame = frame.with_columns(prioritaire.alias("__prioritaire"), ordinaire.alias("__ordinaire"))
    frame = frame.with_columns(
        pl.col("__prioritaire").any().over("deces").alias("__avec_priorite"),
        pl.when(pl.col("__prioritaire")).then(pl.col("rang")).min().over("deces").alias("__rang_prioritaire"),
        pl.when(pl.col("__ordinaire")).then(pl.col("rang")).min().over("deces").alias("__rang_ordinaire"),
    )
    decidable = pl.col("__avec_priorite") | (pl.col("date_decision") > pl.col("fin_priorite"))
    retenu_prio = pl.col("__avec_priorite") & pl.col("__prioritaire") & (pl.col("rang") == pl.col("__rang_prioritaire"))
    retenu_ord = ~pl.col("__avec_priorite") & decidable & pl.col("__ordinaire") & (pl.col("rang") == pl.col("__rang_ordinaire"))
    frame = frame.with_columns(decidable.alias("decidable"), (retenu_prio | retenu_ord).alias("retenu"),
                               pl.when(retenu_prio).then(pl.lit("prioritaire")).when(retenu_ord).then(pl.lit("non_prioritaire")).alias("ordre"))
    frame = frame.sort("deces", "date_demande", "demande")
    n = pl.col("retenu").sum().over("deces")
    index = pl.col("retenu").cast(pl.Int64).cum_sum().over("deces")
    part = pl.col("capital").cast(pl.Int64) // pl.max_horizontal(n, pl.lit(1, dtype=pl.UInt32)).cast(pl.Int64)
    reste = pl.col("capital").cast(pl.Int64) - part * n.cast(pl.Int64)
    montant = pl.when(pl.col("retenu")).then(part + (index <= reste).cast(pl.Int64)).otherwise(0)
    motif = (pl.when(pl.col("retenu")).then(None)
             .when(~recevable).then(pl.lit("demande prescrite : plus de deux ans après le décès (CSS art. L. 332-1)"))
             .when(~pl.col("decidable")).then(pl.lit("délai de priorité en cours : les personnes à charge peuvent encore se manifester (CSS art. L. 361-4)"))
             .when(pl.col("__avec_priorite")).then(pl.lit("une personne à charge de rang préférable est prioritaire (CSS art. L. 361-4, R. 361-3)"))
             .when((pl.col("rang") == 1) & pl.col("separe")).then(pl.lit("conjoint séparé : pas de droit (CSS art. L. 361-4)"))
             .when(pl.col("rang") == 4).then(pl.lit("hors de l'ordre légal sans priorité invoquée dans le délai (CSS art. L. 361-4)"))
             .otherwise(pl.lit("un bénéficiaire de rang préférable a demandé le capital (CSS art. L. 361-4)")))
    return frame.with_columns(montant.cast(pl.Int64).alias("montant"), motif.alias("motif")).drop(
        "__prioritaire", "__ordinaire", "__avec_priorite", "__rang_prioritaire", "__rang_ordinaire")


__all__ += [
    "LIENS", "REVALORISATION", "SITUATIONS_DECES", "beneficiaires_capital_deces", "conditions_capital_deces", "conversion_retraite",
    "annees_sam", "colonne_revalorisation", "cumul_invalidite", "montant_liquidation", "pension_en_service", "revaloriser",
]


# ---------------------------------------------------------------------------
# CSG, CRDS and CASA withheld on the pensions d'invalidité (revenus de remplacement)

CATEGORIES_CSG = ("exoneree", "reduit", "median", "normal")
"""The CSG rate categories of a pension (CSS L. 136-8, III): exonération, taux réduit, médian, normal."""

CATEGORIE_CSG_DEFAUT = "normal"
"""When neither a category nor the RFR is known, the caisse applies the taux normal (the tax administration's
data not received yet); the difference is refunded once they arrive (CSS L. 136-8, III: the rate follows the
RFR; taking the highest rate meanwhile is the CNAV's and the CPAMs' practice, not a text)."""

REF_CSG_PENSION = "CSS art. L. 136-1-2 et L. 136-8, III (CSG sur les pensions d'invalidité, taux selon le RFR de l'année N-2)"
REF_CRDS_PENSION = "Ordonnance n° 96-50 du 24 janvier 1996, art. 14 et 19 (CRDS 0,5 % sur les revenus de remplacement assujettis à la CSG)"
REF_CASA_PENSION = "CASF art. L. 14-10-4, 2° (CASA 0,3 % sur les pensions assujetties à la CSG au taux médian ou normal)"

_PARAMS_PRELEVEMENTS = (
    "pension_prelevements.csg_taux_reduit",
    "pension_prelevements.csg_taux_median",
    "pension_prelevements.csg_taux_normal",
    "pension_prelevements.casa_taux",
    "crds.taux",
)
_SEUILS_RFR = (
    "pension_prelevements.seuil_rfr1", "pension_prelevements.demi_part_rfr1",
    "pension_prelevements.seuil_rfr2", "pension_prelevements.demi_part_rfr2",
    "pension_prelevements.seuil_rfr3", "pension_prelevements.demi_part_rfr3",
)


def prelevements_pension(pensions: pl.DataFrame) -> pl.DataFrame:
    """CSG, CRDS and CASA withheld on a month's pension — invalidity, and retirement (secu.retraite.paiement) —, and the net paid (one row per pension).

    Input: ``montant`` (Int64 cents: the gross pension of the month, after the cumul), ``mois`` (Date: the
    rates and RFR thresholds in force that month), and optionally ``categorie_csg`` (one of
    :data:`CATEGORIES_CSG`, null when unknown), ``rfr`` (Int64 cents: the revenu fiscal de référence of the
    year N-2) and ``parts`` (Float: the number of parts of quotient familial of that RFR, multiples of ¼).

    The category is ``categorie_csg`` when given; else, from ``rfr`` and ``parts``: RFR ≤ seuil 1 → exonérée,
    ≤ seuil 2 → taux réduit, ≤ seuil 3 → taux médian, above → taux normal, each seuil = the first part's plus
    the demi-part's amount per additional half-part (L. 136-8, III; « n'excède pas » : equal stays below);
    else :data:`CATEGORIE_CSG_DEFAUT`. The two-consecutive-years condition of L. 136-8, III for the médian and
    normal rates is not applied (secu holds one RFR per pension). CSG = montant × taux of the category, CRDS
    = montant × ``crds.taux`` when CSG is due, CASA = montant × ``pension_prelevements.casa_taux`` at the médian
    or normal rate; each rounded half up to the cent. Output: ``categorie_csg``, ``categorie_defaut`` (bool),
    ``taux_csg``, ``csg``, ``crds``, ``casa``, ``net`` and the rates' ``*_reference`` columns.
    """
    _obligatoires(pensions, ("montant", "mois"))
    if pensions.select((pl.col("montant") < 0).any()).item():
        raise InvalidField("montant", "montant ne peut pas être négatif")
    frame = pensions
    for column, dtype in (("categorie_csg", pl.String), ("rfr", pl.Int64), ("parts", pl.Float64)):
        frame = frame.with_columns((pl.col(column) if column in frame.columns else pl.lit(None)).cast(dtype).alias(column))
    inconnues = sorted(set(frame.get_column("categorie_csg").drop_nulls().unique().to_list()) - set(CATEGORIES_CSG))
    if inconnues:
        raise InvalidField("categorie_csg", f"catégorie de CSG inconnue : {', '.join(inconnues)} (attendu : {', '.join(CATEGORIES_CSG)})")
    if frame.select((pl.col("rfr") < 0).any()).item():
        raise InvalidField("rfr", "le revenu fiscal de référence ne peut pas être négatif")
    quarts = (pl.col("parts") * 4).round(0).cast(pl.Int64)
    if frame.select(((quarts < 4) | ((pl.col("parts") * 4 - quarts).abs() > 1e-9)).any()).item():
        raise InvalidField("parts", "le nombre de parts est au moins 1, par quart de part")
    frame = frame.with_columns(pl.col("mois").cast(pl.Date)).with_row_index("__ligne")
    frame = join_parameters(frame, [*_PARAMS_PRELEVEMENTS, *_SEUILS_RFR], on="mois", with_references=True)
    # per additional half-part: (quarts − 4) quarter-parts = (quarts − 4) / 2 half-parts; the cents are even
    seuils = [
        pl.col(f"pension_prelevements_seuil_rfr{i}") + (quarts - 4) * pl.col(f"pension_prelevements_demi_part_rfr{i}") // 2 for i in (1, 2, 3)
    ]
    par_rfr = (
        pl.when(pl.col("rfr") <= seuils[0]).then(pl.lit("exoneree"))
        .when(pl.col("rfr") <= seuils[1]).then(pl.lit("reduit"))
        .when(pl.col("rfr") <= seuils[2]).then(pl.lit("median"))
        .otherwise(pl.lit("normal"))
    )
    connue = pl.col("rfr").is_not_null() & pl.col("parts").is_not_null()
    categorie = pl.coalesce(pl.col("categorie_csg"), pl.when(connue).then(par_rfr), pl.lit(CATEGORIE_CSG_DEFAUT))
    frame = frame.with_columns(categorie.alias("categorie_csg"), (pl.col("categorie_csg").is_null() & ~connue).alias("categorie_defaut"))
    c = pl.col("categorie_csg")
    zero = pl.lit(0, dtype=pl.Decimal(38, 9))
    casa = apply_rate_expr(pl.col("montant").cast(pl.Int64), pl.col("pension_prelevements_casa_taux"))
    taux = (pl.when(c == "reduit").then(pl.col("pension_prelevements_csg_taux_reduit"))
            .when(c == "median").then(pl.col("pension_prelevements_csg_taux_median"))
            .when(c == "normal").then(pl.col("pension_prelevements_csg_taux_normal"))
            .otherwise(zero))
    montant = pl.col("montant").cast(pl.Int64)
    frame = frame.with_columns(taux.alias("taux_csg"))
    frame = frame.with_columns(
        apply_rate_expr(montant, pl.col("taux_csg")).alias("csg"),
        pl.when(c != "exoneree").then(apply_rate_expr(montant, pl.col("crds_taux"))).otherwise(0).cast(pl.Int64).alias("crds"),
        pl.when(c.is_in(["median", "normal"])).then(casa).otherwise(0).cast(pl.Int64).alias("casa"),
    )
    frame = frame.with_columns((montant - pl.col("csg") - pl.col("crds") - pl.col("casa")).alias("net"))
    return frame.sort("__ligne").drop("__ligne")


__all__ += ["CATEGORIES_CSG", "CATEGORIE_CSG_DEFAUT", "prelevements_pension"]
