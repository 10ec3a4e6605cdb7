"""Cotisations et contributions sociales on salaries: one vectorized function, integer cents.

:func:`contributions` takes payslips (one row per employee-month) and gives
one row per (bulletin, contribution line): its base, the employee and
employer rates and amounts, who the money goes to, and the legal reference.
:func:`net` gives, per bulletin, the totals and the net salary; :func:`financement`
where each payslip's money goes (the réduction générale imputed on the
contributions it reduces, the CSG split among its recipients), for a DSN and
for the batch alike. The employer's account's law is here too (end of the module):
the due date (:func:`dates_exigibilite`, CSS R243-6), the late fees
(:func:`majoration_de_retard`, :func:`mois_de_retard`, :func:`majoration_complementaire`,
CSS R243-16) and the delay of the mise en demeure (:func:`dates_limites_mise_en_demeure`,
CSS L244-2); ``compte.py`` books what they give. :func:`contributions` and :func:`net` read the same wide computation,
:func:`compute`, step by step (each step a function named after it):

1. **Plafond of the month** (CSS L241-3, D242-17): the PMSS, reduced for
   part-time work in the ratio contractual hours / 151,67 (CSS L242-8), and,
   for an entry or exit during the month, in the ratio calendar days employed /
   calendar days of the month (CSS R242-2 since décret 2017-858; BOSS). Kept exact (integers over
   a common denominator): no text rounds it before use; only the tranche bases
   it bounds are rounded to the cent.
2. **Régularisation progressive** of the plafond: within one ``salarie`` and
   calendar year, months in order, cumulated pay B and cumulated plafond P;
   each tranche's cumulated base is ``min(B, k × P)`` (k = 1, 4 or 8
   plafonds) and the month's base is what it adds to the previous month's.
   Earlier months missing from the frame come in through ``*_cumul_avant``
   counters (read on the first row of each run).
3. **Rates** from dated parameters (``src/secu/parametres/recouvrement``),
   resolved once per distinct month into a small law table and joined by
   month. The employer maladie and AF rates are reduced by the **bandeaux**
   (2019-2025) when the month's pay is at most 2,5 / 2,25 SMIC (maladie) or
   3,5 / 3,3 SMIC (famille), the SMIC being frozen at 31/12/2023 for 2024 and
   at 01/01/2025 for 2025 (CSS L241-2-1, L241-6-1, D241-3-2); abolished in 2026.
4. **Each line's amount** = base × rate, half-up to the cent, in integers.
5. **Réduction générale** (CSS L241-13, D241-7), progressive over the year:
   coefficient C on the cumulated pay R and cumulated SMIC S (SMIC horaire de
   référence × hours paid: the SMIC in force, but that of 01/01/2026 for all of
   2026, décret n° 2026-509), reduction to date = C × R half-up to the cent, the month's
   reduction = reduction to date − reduction of the earlier months. Until
   2025: C = T × (1,6 S / R − 1) / 0,6, capped at T, rounded to 4 decimals.
   From 2026 (RGDU): C = Tmin + Tdelta × [½ (3 S / R − 1)]^P (the second
   term rounded to 4 decimals), 0 from 3 SMIC.
6. **CSG/CRDS** base = gross − 1,75 % of the gross within 4 plafonds (CSS
   L136-1-1) + employer prévoyance and health contributions.

Money is Int64 cents; rates are computed as whole millionths (every legal
rate here has at most 6 decimals: the law table refuses one that has more),
so each product is exact integer arithmetic. The one non-integer operation
is the RGDU's power 1,75, computed in Float64 and rounded at once to
ten-thousandths (the text's own rounding).

Performance: no Python per row. Parameters are looked up once per distinct
month; the frame is sorted once by (salarie, mois) when it is not already;
cumulations are cumulative sums over contiguous runs, skipped when every run
is a single payslip; Int64 everywhere, the réduction's products too when
bounds taken from the inputs show they fit (Int128 otherwise); law columns
equal in all the frame's months are scalars, the others joined by month;
bulletin identifiers checked unique by one ordered pass when they increase (a
hash only otherwise); one lazy plan collected once (in-memory engine). The long
result (:func:`long_lines`) is 20 narrow selects, one per line, concatenated,
the per-month rates and references gathered from the month law table (kept per
set of months); the wide frame carries only what varies per payslip; the net
(:func:`totals`) reads its amounts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast

import polars as pl

from secu.core.errors import InvalidField, NotFound
from secu.core.money import RATE_DTYPE, RATE_UNIT, apply_rate_expr, div_half_up_expr
from secu.core.parameters import Parameters, join_parameters, parameters

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

RATE = RATE_DTYPE
MICRO: int = RATE_UNIT // 1000
"""Rates are computed as whole millionths: 6,90 % is 69 000 (RATE_DTYPE's integer ÷ 1 000, checked exact).

Why not money's 9-decimal scale for the products: every legal rate here has at most 6 decimals, and a month's
base (up to 10**11 cents) times a 9-decimal numerator passes Int64, so apply_rate_expr works in Int128 —
measured 5 times slower per line (20 million products: 6,5 s against 1,3 s) for the same cents. The
millionths keep every product exact in Int64 (:func:`_rate_amount`); the law table refuses a rate with more
than 6 decimals rather than round it."""

PREMIER_MOIS = date(2023, 1, 1)
"""secu computes contributions from January 2023 (the parameters' period)."""

MAX_CENTS = 10**11
"""Largest monthly amount accepted (1 milliard d'euros): keeps every product exact in Int64."""
MAX_COUNTER_CENTS = 10**12
"""Largest yearly counter accepted (technical bound, like MAX_CENTS)."""
MAX_HEURES = 744
"""Hours in a month of 31 days: more is impossible."""
MAX_EFFECTIF = 10_000_000
"""Largest headcount accepted (a plausibility bound, not a threshold of law: those are parameters)."""

# --------------------------------------------------------------------------
# The lines (contract: codes and their order)

LINES: dict[str, tuple[str, str]] = {
    "maladie": ("Assurance maladie, maternité, invalidité, décès", "maladie"),
    "csa": ("Contribution solidarité autonomie", "autonomie"),
    "vieillesse_plafonnee": ("Assurance vieillesse plafonnée", "vieillesse"),
    "vieillesse_deplafonnee": ("Assurance vieillesse déplafonnée", "vieillesse"),
    "allocations_familiales": ("Allocations familiales", "famille"),
    "atmp": ("Accidents du travail et maladies professionnelles", "atmp"),
    "fnal": ("Fonds national d'aide au logement (FNAL)", "fnal"),
    "chomage": ("Assurance chômage", "unedic"),
    "ags": ("Garantie des salaires (AGS)", "ags"),
    "agirc_arrco_t1": ("Retraite complémentaire Agirc-Arrco, tranche 1", "agirc_arrco"),
    "agirc_arrco_t2": ("Retraite complémentaire Agirc-Arrco, tranche 2", "agirc_arrco"),
    "ceg_t1": ("Contribution d'équilibre général (CEG), tranche 1", "agirc_arrco"),
    "ceg_t2": ("Contribution d'équilibre général (CEG), tranche 2", "agirc_arrco"),
    "cet": ("Contribution d'équilibre technique (CET)", "agirc_arrco"),
    "apec": ("Cotisation Apec (cadres)", "apec"),
    "dialogue_social": ("Contribution au dialogue social", "dialogue_social"),
    "csg_deductible": ("CSG déductible", "csg"),
    "csg_non_deductible": ("CSG non déductible", "csg"),
    "crds": ("CRDS", "cades"),
    "reduction_generale": ("Réduction générale des cotisations patronales", "reduction_generale"),
}
"""Line code → (French label, attributaire). The order is the order of the lines of a bulletin."""

ATTRIBUTAIRES = (
    "maladie",
    "atmp",
    "vieillesse",
    "famille",
    "autonomie",
    "cades",
    "fnal",
    "unedic",
    "ags",
    "agirc_arrco",
    "apec",
    "dialogue_social",
    "csg",
    "reduction_generale",
)
"""Who the money goes to. ``csg``: the CSG as a whole (its split among branches and the CADES, CSS L131-8, is
done elsewhere); ``reduction_generale``: the reduction, imputed on the contributions it covers (URSSAF and
Agirc-Arrco, CSS L241-13 / D241-7) by the one who splits the receipts."""

CODE_DTYPE = pl.Enum(list(LINES))
LIBELLE_DTYPE = pl.Enum([label for label, _ in LINES.values()])
ATTRIBUTAIRE_DTYPE = pl.Enum(list(ATTRIBUTAIRES))
ALWAYS = frozenset(LINES) - {"agirc_arrco_t2", "ceg_t2", "cet", "apec", "reduction_generale"}
"""Lines every bulletin shows; the others only when they apply (non-zero base or amount, cadre for the Apec)."""

ATMP_REFERENCE = "Code de la sécurité sociale, art. L. 242-5 et D. 242-6-1 et suivants (taux AT/MP notifié à l'établissement, colonne taux_atmp)"

# --------------------------------------------------------------------------
# Input columns (contract)

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)

REQUIRED: dict[str, tuple[type[pl.DataType], ...]] = {
    "bulletin": (),  # any type: an identifier
    "salarie": (),  # any type: the person (one employment: see README)
    "mois": (pl.Date,),
    "brut_cents": _INTEGERS,
    "heures": (pl.Decimal, *_INTEGERS),
    "effectif": _INTEGERS,
    "taux_atmp": (pl.Decimal, *_INTEGERS),
    "cadre": (pl.Boolean,),
}
"""Columns every frame must carry, with the dtypes accepted (empty: any)."""

COUNTERS = (
    "brut_cumul_avant_cents",
    "plafond_cumul_avant_cents",
    "smic_cumul_avant_cents",
    "reduction_cumul_avant_cents",
    "assiette_t1_cumul_avant_cents",
    "assiette_4pss_cumul_avant_cents",
    "assiette_8pss_cumul_avant_cents",
)
"""Optional counters of the same year before the run's first month (read on that row only; see README)."""

OPTIONAL: dict[str, tuple[type[pl.DataType], ...]] = {
    "heures_contrat": (pl.Decimal, *_INTEGERS),
    "date_entree": (pl.Date,),
    "date_sortie": (pl.Date,),
    "prevoyance_patronale_cents": _INTEGERS,
    **{name: _INTEGERS for name in COUNTERS},
}

_KINDS = {
    (pl.Date,): "Date",
    (pl.Boolean,): "booléen (vrai/faux)",
    _INTEGERS: "entier",
    (pl.Decimal, *_INTEGERS): "décimal exact (Decimal) ou entier, jamais un flottant",
}

WIDE_PREFIXES = ("assiette", "taux_salarial", "taux_patronal", "montant_salarial", "montant_patronal")

# --------------------------------------------------------------------------
# The law table: one row per distinct month

_JOINED = (
    "smic.horaire",
    "pss.mensuel",
    "maladie.taux_patronal",
    "maladie.taux_salarial",
    "csa.taux_patronal",
    "vieillesse.plafonnee_patronal",
    "vieillesse.plafonnee_salarial",
    "vieillesse.deplafonnee_patronal",
    "vieillesse.deplafonnee_salarial",
    "famille.taux_patronal",
    "fnal.taux_moins_de_50",
    "fnal.taux_50_et_plus",
    "fnal.seuil_effectif",
    "chomage.taux_patronal",
    "chomage.taux_salarial",
    "chomage.plafond_nombre_pss",
    "ags.taux_patronal",
    "agirc_arrco.t1_patronal",
    "agirc_arrco.t1_salarial",
    "agirc_arrco.t2_patronal",
    "agirc_arrco.t2_salarial",
    "agirc_arrco.ceg_t1_patronal",
    "agirc_arrco.ceg_t1_salarial",
    "agirc_arrco.ceg_t2_patronal",
    "agirc_arrco.ceg_t2_salarial",
    "agirc_arrco.cet_patronal",
    "agirc_arrco.cet_salarial",
    "agirc_arrco.plafond_t2_nombre_pss",
    "apec.taux_patronal",
    "apec.taux_salarial",
    "apec.plafond_nombre_pss",
    "dialogue_social.taux_patronal",
    "csg.taux_deductible",
    "csg.taux_non_deductible",
    "csg.abattement",
    "csg.plafond_abattement_nombre_pss",
    "crds.taux",
    "plafond.heures_temps_plein",
    "reduction_generale.seuil_smic",
    "reduction_generale.seuil_effectif",
)
"""Parameters in force over the whole period: joined with join_parameters (NotFound if a month precedes one)."""

_PERIODIC = (
    "reduction_generale.coefficient_maximal_moins_de_50",
    "reduction_generale.coefficient_maximal_50_et_plus",
    "reduction_generale.t_min",
    "reduction_generale.t_delta_moins_de_50",
    "reduction_generale.t_delta_50_et_plus",
    "reduction_generale.puissance",
    "reduction_generale.smic_horaire_reference",
    "bandeaux.maladie_reduction",
    "bandeaux.maladie_seuil_smic",
    "bandeaux.famille_reduction",
    "bandeaux.famille_seuil_smic",
    "bandeaux.smic_horaire_reference",
    "bandeaux.plancher_smic_courant",
)
"""Parameters that begin or cease within the period (réduction Fillon / RGDU, bandeaux): null where not in force."""


def _col(name: str) -> str:
    return name.replace(".", "_")


def _periodic_frame(months: list[date], source: Parameters) -> pl.DataFrame:
    """Value and reference of each periodic parameter at each month, null where it does not apply."""
    columns: dict[str, list[Any]] = {"mois": months}
    dtypes: dict[str, pl.DataType] = {"mois": pl.Date()}
    for name in _PERIODIC:
        parameter = source.get(name)
        values: list[object] = []
        references: list[str | None] = []
        for month in months:
            try:
                found = parameter.at(month)
            except NotFound:
                values.append(None)
                references.append(None)
                continue
            values.append(found.value)
            references.append(found.reference)
        column = _col(name)
        if parameter.unit in ("eur", "eur_par_heure"):
            columns[column] = [None if v is None else int(v * 100) for v in values]  # type: ignore[operator]
            dtypes[column] = pl.Int64()
        else:
            columns[column] = values
            dtypes[column] = RATE
        columns[f"{column}_reference"] = references
        dtypes[f"{column}_reference"] = pl.String()
    return pl.DataFrame(columns, schema=dtypes)


def _micro(frame: pl.DataFrame, column: str) -> pl.Series:
    """A Decimal(38, 9) rate column as Int64 millionths, exactly, or a clear refusal."""
    scaled = frame.select(pl.col(column).cast(RATE).to_physical()).to_series()  # value × 10**9, exact (Int128)
    checked = scaled.to_frame().select((pl.col(column) // 1000).cast(pl.Int64), (pl.col(column) % 1000 != 0).any().alias("__inexact"))
    if checked["__inexact"][0]:
        raise ValueError(f"{column} : un taux a plus de 6 décimales, le calcul des cotisations se fait en millionièmes")
    return checked[column]


def _whole(frame: pl.DataFrame, column: str) -> pl.Series:
    """A coefficient that must be a whole number (a number of plafonds)."""
    unit = RATE_UNIT
    checked = frame.select(
        (pl.col(column).cast(RATE).to_physical() // unit).cast(pl.Int64),
        (pl.col(column).cast(RATE).to_physical() % unit != 0).any().alias("__inexact"),
    )
    if checked["__inexact"][0]:
        raise ValueError(f"{column} : un nombre de plafonds doit être entier")
    return checked[column]


def _join_refs(*parts: pl.Expr | str) -> pl.Expr:
    """References joined with " ; " (nulls skipped)."""
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in parts]
    return pl.concat_str(exprs, separator=" ; ", ignore_nulls=True)


def _labelled(label: str, reference: pl.Expr) -> pl.Expr:
    return pl.lit(f"{label} : ") + reference


_RATE_COLUMNS = (
    "maladie_taux_patronal",
    "maladie_taux_salarial",
    "csa_taux_patronal",
    "vieillesse_plafonnee_patronal",
    "vieillesse_plafonnee_salarial",
    "vieillesse_deplafonnee_patronal",
    "vieillesse_deplafonnee_salarial",
    "famille_taux_patronal",
    "fnal_taux_moins_de_50",
    "fnal_taux_50_et_plus",
    "chomage_taux_patronal",
    "chomage_taux_salarial",
    "ags_taux_patronal",
    "agirc_arrco_t1_patronal",
    "agirc_arrco_t1_salarial",
    "agirc_arrco_t2_patronal",
    "agirc_arrco_t2_salarial",
    "agirc_arrco_ceg_t1_patronal",
    "agirc_arrco_ceg_t1_salarial",
    "agirc_arrco_ceg_t2_patronal",
    "agirc_arrco_ceg_t2_salarial",
    "agirc_arrco_cet_patronal",
    "agirc_arrco_cet_salarial",
    "apec_taux_patronal",
    "apec_taux_salarial",
    "dialogue_social_taux_patronal",
    "csg_taux_deductible",
    "csg_taux_non_deductible",
    "csg_abattement",
    "crds_taux",
    "reduction_generale_seuil_smic",
    "bandeaux_maladie_reduction",
    "bandeaux_maladie_seuil_smic",
    "bandeaux_famille_reduction",
    "bandeaux_famille_seuil_smic",
    "bandeaux_plancher_smic_courant",
)
_TEN_THOUSANDTHS = (
    "reduction_generale_coefficient_maximal_moins_de_50",
    "reduction_generale_coefficient_maximal_50_et_plus",
    "reduction_generale_t_min",
    "reduction_generale_t_delta_moins_de_50",
    "reduction_generale_t_delta_50_et_plus",
)
_REFERENCE_OUTPUTS = (
    "ref_maladie",
    "ref_maladie_bandeau",
    "ref_csa",
    "ref_vieillesse_plafonnee",
    "ref_vieillesse_deplafonnee",
    "ref_allocations_familiales",
    "ref_allocations_familiales_bandeau",
    "ref_fnal_moins_de_50",
    "ref_fnal_50_et_plus",
    "ref_chomage",
    "ref_ags",
    "ref_agirc_arrco_t1",
    "ref_agirc_arrco_t2",
    "ref_ceg_t1",
    "ref_ceg_t2",
    "ref_cet",
    "ref_apec",
    "ref_dialogue_social",
    "ref_csg_deductible",
    "ref_csg_non_deductible",
    "ref_crds",
    "ref_reduction_moins_de_50",
    "ref_reduction_50_et_plus",
)


_ZERO = pl.lit(0, dtype=pl.Int64)
_CONSTANT: dict[str, tuple[pl.Expr | None, pl.Expr | None, str | None]] = {
    # code: (employee rate, employer rate, reference), each one value per month, read on the month law table;
    # None: it varies within a month (bandeaux, headcount, AT/MP rate, réduction), kept per payslip in compute().
    "maladie": (pl.col("maladie_taux_salarial"), None, None),
    "csa": (_ZERO, pl.col("csa_taux_patronal"), "ref_csa"),
    "vieillesse_plafonnee": (pl.col("vieillesse_plafonnee_salarial"), pl.col("vieillesse_plafonnee_patronal"), "ref_vieillesse_plafonnee"),
    "vieillesse_deplafonnee": (pl.col("vieillesse_deplafonnee_salarial"), pl.col("vieillesse_deplafonnee_patronal"), "ref_vieillesse_deplafonnee"),
    "allocations_familiales": (_ZERO, None, None),
    "atmp": (_ZERO, None, "ref_atmp"),
    "fnal": (_ZERO, None, None),
    "chomage": (pl.col("chomage_taux_salarial"), pl.col("chomage_taux_patronal"), "ref_chomage"),
    "ags": (_ZERO, pl.col("ags_taux_patronal"), "ref_ags"),
    "agirc_arrco_t1": (pl.col("agirc_arrco_t1_salarial"), pl.col("agirc_arrco_t1_patronal"), "ref_agirc_arrco_t1"),
    "agirc_arrco_t2": (pl.col("agirc_arrco_t2_salarial"), pl.col("agirc_arrco_t2_patronal"), "ref_agirc_arrco_t2"),
    "ceg_t1": (pl.col("agirc_arrco_ceg_t1_salarial"), pl.col("agirc_arrco_ceg_t1_patronal"), "ref_ceg_t1"),
    "ceg_t2": (pl.col("agirc_arrco_ceg_t2_salarial"), pl.col("agirc_arrco_ceg_t2_patronal"), "ref_ceg_t2"),
    "cet": (pl.col("agirc_arrco_cet_salarial"), pl.col("agirc_arrco_cet_patronal"), "ref_cet"),
    "apec": (pl.col("apec_taux_salarial"), pl.col("apec_taux_patronal"), "ref_apec"),
    "dialogue_social": (_ZERO, pl.col("dialogue_social_taux_patronal"), "ref_dialogue_social"),
    "csg_deductible": (pl.col("csg_taux_deductible"), _ZERO, "ref_csg_deductible"),
    "csg_non_deductible": (pl.col("csg_taux_non_deductible"), _ZERO, "ref_csg_non_deductible"),
    "crds": (pl.col("crds_taux"), _ZERO, "ref_crds"),
    "reduction_generale": (_ZERO, None, None),
}
"""Which rates and references of each line are per month (law table) and which per payslip (compute's output)."""

VARYING = tuple(
    f"{kind}_{code}"
    for code, (salarial, patronal, reference) in _CONSTANT.items()
    for kind, spec in (("taux_salarial", salarial), ("taux_patronal", patronal), ("reference", reference))
    if spec is None
)
"""The rate and reference columns compute() keeps per payslip (the others are one value per month)."""

_MONTH_LAWS: dict[tuple[date, ...], tuple[Parameters, pl.DataFrame]] = {}


def _month_law(months: Sequence[date]) -> pl.DataFrame:
    """law_table of the distinct months, references as one Enum (the same for the same months), kept for reuse."""
    key = tuple(sorted(set(months)))
    source = parameters()
    cached = _MONTH_LAWS.get(key)
    if cached is not None and cached[0] is source:
        return cached[1]
    law = law_table(key, params=source) if key else law_table([PREMIER_MOIS], params=source).clear()
    references = [c for c in law.columns if c.startswith("ref_")]
    ref_dtype = pl.Enum(sorted({t for c in references for t in law[c].drop_nulls().to_list()} | {ATMP_REFERENCE}))
    law = law.with_columns(pl.col(c).cast(ref_dtype) for c in references)
    law = law.with_columns(pl.lit(ATMP_REFERENCE, dtype=ref_dtype).alias("ref_atmp"))
    if len(_MONTH_LAWS) >= 16:
        _MONTH_LAWS.clear()
    _MONTH_LAWS[key] = (source, law)
    return law


def _references(table: pl.DataFrame) -> pl.DataFrame:
    """Each line's legal reference per month, from its parameters' references (with the plafond, the limits of
    4 and 8 plafonds, the CSG base, the bandeaux and the réduction's formula where they apply)."""
    ref = {name: pl.col(f"{_col(name)}_reference").cast(pl.String) for name in (*_JOINED, *_PERIODIC)}
    plafond = _labelled("plafond", ref["pss.mensuel"])

    # The labels' numbers come from the parameters of the month, never typed (4 and 8 plafonds, the 1,75 %).
    def plafonds(name: str) -> pl.Expr:
        return pl.concat_str(pl.lit("limite de "), _number_text(pl.col(_col(name))), pl.lit(" plafonds"))

    four = pl.concat_str(plafonds("chomage.plafond_nombre_pss"), pl.lit(" : "), ref["chomage.plafond_nombre_pss"])
    eight = pl.concat_str(plafonds("agirc_arrco.plafond_t2_nombre_pss"), pl.lit(" : "), ref["agirc_arrco.plafond_t2_nombre_pss"])
    csg_base = pl.concat_str(
        pl.lit("assiette (abattement de "),
        _percent_text(pl.col(_col("csg.abattement"))),
        pl.lit(" dans la "),
        plafonds("csg.plafond_abattement_nombre_pss"),
        pl.lit(") : "),
        ref["csg.abattement"],
    )
    fillon = _labelled("réduction jusqu'au seuil de SMIC", ref["reduction_generale.seuil_smic"])
    rgdu = _join_refs(
        _labelled("Tmin", ref["reduction_generale.t_min"]),
        _labelled("P", ref["reduction_generale.puissance"]),
        _labelled("SMIC de référence", ref["reduction_generale.smic_horaire_reference"]),
    )
    return table.select(
        "mois",
        ref["maladie.taux_patronal"].alias("ref_maladie"),
        _join_refs(
            ref["maladie.taux_patronal"],
            _labelled("bandeau maladie", ref["bandeaux.maladie_reduction"]),
            _labelled("seuil", ref["bandeaux.maladie_seuil_smic"]),
            _labelled("SMIC de référence", ref["bandeaux.smic_horaire_reference"]),
        ).alias("ref_maladie_bandeau"),
        ref["csa.taux_patronal"].alias("ref_csa"),
        _join_refs(ref["vieillesse.plafonnee_patronal"], plafond).alias("ref_vieillesse_plafonnee"),
        _join_refs(ref["vieillesse.deplafonnee_patronal"], _labelled("part salariale", ref["vieillesse.deplafonnee_salarial"])).alias(
            "ref_vieillesse_deplafonnee"
        ),
        ref["famille.taux_patronal"].alias("ref_allocations_familiales"),
        _join_refs(
            ref["famille.taux_patronal"],
            _labelled("bandeau famille", ref["bandeaux.famille_reduction"]),
            _labelled("seuil", ref["bandeaux.famille_seuil_smic"]),
            _labelled("SMIC de référence", ref["bandeaux.smic_horaire_reference"]),
        ).alias("ref_allocations_familiales_bandeau"),
        _join_refs(ref["fnal.taux_moins_de_50"], plafond).alias("ref_fnal_moins_de_50"),
        ref["fnal.taux_50_et_plus"].alias("ref_fnal_50_et_plus"),
        _join_refs(ref["chomage.taux_patronal"], four).alias("ref_chomage"),
        _join_refs(ref["ags.taux_patronal"], four).alias("ref_ags"),
        _join_refs(ref["agirc_arrco.t1_patronal"], plafond).alias("ref_agirc_arrco_t1"),
        _join_refs(ref["agirc_arrco.t2_patronal"], eight).alias("ref_agirc_arrco_t2"),
        _join_refs(ref["agirc_arrco.ceg_t1_patronal"], plafond).alias("ref_ceg_t1"),
        _join_refs(ref["agirc_arrco.ceg_t2_patronal"], eight).alias("ref_ceg_t2"),
        _join_refs(ref["agirc_arrco.cet_patronal"], eight).alias("ref_cet"),
        _join_refs(ref["apec.taux_patronal"], _labelled("limite de 4 plafonds", ref["apec.plafond_nombre_pss"])).alias("ref_apec"),
        ref["dialogue_social.taux_patronal"].alias("ref_dialogue_social"),
        _join_refs(ref["csg.taux_deductible"], csg_base).alias("ref_csg_deductible"),
        _join_refs(ref["csg.taux_non_deductible"], csg_base).alias("ref_csg_non_deductible"),
        _join_refs(ref["crds.taux"], csg_base).alias("ref_crds"),
        pl.when(ref["reduction_generale.t_min"].is_not_null())
        .then(_join_refs(rgdu, _labelled("Tdelta", ref["reduction_generale.t_delta_moins_de_50"]), _labelled("sortie", ref["reduction_generale.seuil_smic"])))
        .otherwise(_join_refs(ref["reduction_generale.coefficient_maximal_moins_de_50"], fillon))
        .alias("ref_reduction_moins_de_50"),
        pl.when(ref["reduction_generale.t_min"].is_not_null())
        .then(_join_refs(rgdu, _labelled("Tdelta", ref["reduction_generale.t_delta_50_et_plus"]), _labelled("sortie", ref["reduction_generale.seuil_smic"])))
        .otherwise(_join_refs(ref["reduction_generale.coefficient_maximal_50_et_plus"], fillon))
        .alias("ref_reduction_50_et_plus"),
    )


def law_table(months: Sequence[date], *, params: Parameters | None = None) -> pl.DataFrame:
    """The small table the rules join by month: every rate (Int64 millionths), amount (cents) and reference.

    One row per distinct month given. Parameters in force over the whole
    period come through :func:`join_parameters` (a month before one of them
    raises NotFound); those that begin or cease within it (réduction
    générale, bandeaux) are null where they do not apply.
    """
    source = params if params is not None else parameters()
    distinct = sorted(set(months))
    frame = pl.DataFrame({"mois": distinct}, schema={"mois": pl.Date()})
    joined = join_parameters(frame, list(_JOINED), on="mois", params=source, with_references=True)
    table = joined.join(_periodic_frame(distinct, source), on="mois", how="left")
    references = _references(table)
    values: list[pl.Series] = [table["mois"]]
    values += [_micro(table, c) for c in _RATE_COLUMNS]
    values += [(_micro(table, c) // 100).alias(c) for c in _TEN_THOUSANDTHS]
    for column in _TEN_THOUSANDTHS:
        if (_micro(table, column).drop_nulls() % 100 != 0).any():
            raise ValueError(f"{column} : un coefficient de réduction a plus de 4 décimales")
    values += [
        _whole(table, c)
        for c in ("chomage_plafond_nombre_pss", "agirc_arrco_plafond_t2_nombre_pss", "apec_plafond_nombre_pss", "csg_plafond_abattement_nombre_pss")
    ]
    values += [
        table["smic_horaire"],
        table["pss_mensuel"],
        table["bandeaux_smic_horaire_reference"],
        table["reduction_generale_smic_horaire_reference"],
        table["fnal_seuil_effectif"],
        table["reduction_generale_seuil_effectif"],
        # The plafond of an incomplete month is prorated over the month's calendar days (CSS R242-2: _plafond_du_mois).
        table["mois"].dt.month_end().dt.day().cast(pl.Int64).alias("jours_du_mois"),
        (table["plafond_heures_temps_plein"].cast(pl.Decimal(38, 2)).to_physical()).cast(pl.Int64).alias("plafond_heures_temps_plein"),
        table["reduction_generale_puissance"].cast(pl.Float64).alias("reduction_generale_puissance"),
    ]
    return pl.DataFrame(values).join(references, on="mois", how="left")


# --------------------------------------------------------------------------
# Input checks


def _fail(column: str, message: str) -> None:
    raise InvalidField(column, message)


def _hundredths(name: str, dtype: pl.DataType) -> pl.Expr:
    """Hours (Decimal or integer) as Int64 hundredths of an hour; null stays null. Exactness checked by _check."""
    column = pl.col(name)
    if isinstance(dtype, pl.Decimal):
        scale = int(dtype.scale or 0)
        physical = column.cast(pl.Decimal(38, scale)).to_physical()
        if scale >= 2:
            return (physical // int(10 ** (scale - 2))).cast(pl.Int64)
        return (physical * int(10 ** (2 - scale))).cast(pl.Int64)
    return column.cast(pl.Int64) * 100


def _hundredths_exact(name: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Decimal) and (dtype.scale or 0) > 2:
        scale = int(dtype.scale or 0)
        return (pl.col(name).cast(pl.Decimal(38, scale)).to_physical() % int(10 ** (scale - 2)) == 0).all()
    return pl.lit(True)


def _micro_expr(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """A rate column (Decimal or integer) as Int64 millionths, and the check that it is exact."""
    column = pl.col(name)
    if isinstance(dtype, pl.Decimal):
        scale = int(dtype.scale or 0)
        physical = column.cast(pl.Decimal(38, scale)).to_physical()
        if scale > 6:
            return (physical // 10 ** (scale - 6)).cast(pl.Int64), (physical % 10 ** (scale - 6) == 0).all()
        return (physical * 10 ** (6 - scale)).cast(pl.Int64), pl.lit(True)
    return column.cast(pl.Int64) * MICRO, pl.lit(True)


def _ordered(dtype: pl.DataType) -> bool:
    """Identifiers whose order is total and cheap to compare (integers, strings)."""
    return isinstance(dtype, (*_INTEGERS, pl.String))


def _given_columns(schema: pl.Schema) -> set[str]:
    """The required columns are there with an accepted type; returns the optional columns given."""
    for name, accepted in REQUIRED.items():
        if name not in schema:
            _fail(name, f"colonne {name!r} absente des bulletins")
        if accepted and not isinstance(schema[name], accepted):
            _fail(name, f"la colonne {name!r} a le type {schema[name]}, type attendu : {_KINDS[accepted]}")
    given: set[str] = set()
    for name, accepted in OPTIONAL.items():
        if name in schema:
            if not isinstance(schema[name], accepted) and schema[name] != pl.Null:
                _fail(name, f"la colonne {name!r} a le type {schema[name]}, type attendu : {_KINDS[accepted]}")
            given.add(name)
    reserved = sorted(n for n in schema.names() if n.startswith("__"))
    if reserved:
        _fail(reserved[0], "les noms de colonnes commençant par « __ » sont réservés au calcul")
    return given


def _required_checks(schema: pl.Schema, atmp: pl.Expr, atmp_exact: pl.Expr) -> dict[str, pl.Expr]:
    """One-pass aggregates of the required columns that the refusals read (nulls, bounds, exactness)."""
    return {
        **{f"null_{n}": pl.col(n).null_count() for n in ("bulletin", "salarie", "mois", "brut_cents", "effectif", "taux_atmp", "cadre")},
        # Identifiers strictly increasing (the usual export order) are unique: a cheap pass instead of hashing
        # a million identifiers; the hash check runs only when they are not (see below).
        "bulletin_croissant": (pl.col("bulletin") > pl.col("bulletin").shift(1)).fill_null(True).all() if _ordered(schema["bulletin"]) else pl.lit(False),
        "mois_jour": (pl.col("mois").dt.day() != 1).any(),
        "mois_min": pl.col("mois").min(),
        "brut_min": pl.col("brut_cents").min(),
        "brut_max": pl.col("brut_cents").max(),
        "heures_min": _hundredths("heures", schema["heures"]).min(),
        "heures_max": _hundredths("heures", schema["heures"]).max(),
        "heures_exact": _hundredths_exact("heures", schema["heures"]),
        "effectif_min": pl.col("effectif").min(),
        "effectif_max": pl.col("effectif").max(),
        "atmp_min": atmp.min(),
        "atmp_max": atmp.max(),
        "atmp_exact": atmp_exact,
    }


def _optional_checks(given: set[str], schema: pl.Schema) -> dict[str, pl.Expr]:
    """One-pass aggregates of the optional columns given: bounds, contract dates, year counters."""
    checks: dict[str, pl.Expr] = {}
    if "heures_contrat" in given:
        checks["hc_min"] = _hundredths("heures_contrat", schema["heures_contrat"]).min()
        checks["hc_max"] = _hundredths("heures_contrat", schema["heures_contrat"]).max()
        checks["hc_exact"] = _hundredths_exact("heures_contrat", schema["heures_contrat"])
    if "prevoyance_patronale_cents" in given:
        checks["prev_min"] = pl.col("prevoyance_patronale_cents").min()
        checks["prev_max"] = pl.col("prevoyance_patronale_cents").max()
    for name in COUNTERS:
        if name in given:
            checks[f"{name}_min"] = pl.col(name).min()
            checks[f"{name}_max"] = pl.col(name).max()
    month_end = pl.col("mois").dt.month_end()
    if "date_entree" in given:
        checks["entree_apres"] = (pl.col("date_entree") > month_end).any()
    if "date_sortie" in given:
        checks["sortie_avant"] = (pl.col("date_sortie") < pl.col("mois")).any()
    if "date_entree" in given and "date_sortie" in given:
        checks["sortie_entree"] = (pl.col("date_sortie") < pl.col("date_entree")).any()
    if given & set(COUNTERS):
        present = [pl.col(n).is_not_null() if n in given else pl.lit(False) for n in COUNTERS[:4]]
        checks["compteurs_partiels"] = (pl.any_horizontal(present) & ~pl.all_horizontal(present)).any()
        tranche_checks = []
        # The counters' own definitions in the input format (README: the cumulated bases within 1, 4 and 8 plafonds,
        # as their names say), checked here as bounds: not the law's rates, which the parameters give
        # (chomage.plafond_nombre_pss, agirc_arrco.plafond_t2_nombre_pss) to the computation itself.
        for name, k in (("assiette_t1_cumul_avant_cents", 1), ("assiette_4pss_cumul_avant_cents", 4), ("assiette_8pss_cumul_avant_cents", 8)):
            if name in given:
                bound = (
                    pl.min_horizontal(pl.col("brut_cumul_avant_cents"), pl.col("plafond_cumul_avant_cents") * k)
                    if {"brut_cumul_avant_cents", "plafond_cumul_avant_cents"} <= given
                    else pl.lit(0)
                )
                tranche_checks.append((pl.col(name) > bound).any().alias(name))
        for expr in tranche_checks:
            checks[f"borne_{expr.meta.output_name()}"] = expr
    return checks


def _refuse_required(found: dict[str, Any], frame: pl.DataFrame) -> None:
    """Refuse bad values of the required columns, in French, naming the column."""
    for name in ("bulletin", "salarie", "mois", "brut_cents", "effectif", "taux_atmp", "cadre"):
        if found[f"null_{name}"]:
            _fail(name, f"{found[f'null_{name}']} bulletin(s) sans valeur pour {name!r}")
    if not found["bulletin_croissant"] and frame.select(pl.col("bulletin").is_duplicated().any()).item():
        _fail("bulletin", "identifiant de bulletin en double : chaque bulletin doit être unique")
    if found["mois_jour"]:
        _fail("mois", "le mois doit être donné par son premier jour (AAAA-MM-01)")
    if frame.height and found["mois_min"] < PREMIER_MOIS:
        _fail("mois", f"mois antérieur au {PREMIER_MOIS:%d/%m/%Y} ({found['mois_min']:%m/%Y}) : hors de la période que secu calcule")
    if frame.height and found["brut_min"] < 0:
        _fail("brut_cents", "salaire brut négatif")
    if frame.height and found["brut_max"] > MAX_CENTS:
        _fail("brut_cents", "salaire brut invraisemblable (plus d'un milliard d'euros dans le mois)")
    if found["heures_min"] is not None and (found["heures_min"] < 0 or found["heures_max"] > MAX_HEURES * 100):
        _fail("heures", f"nombre d'heures impossible : entre 0 et {MAX_HEURES} heures dans un mois")
    if not found["heures_exact"]:
        _fail("heures", "les heures s'expriment avec deux décimales au plus")
    if frame.height and found["effectif_min"] < 0:
        _fail("effectif", "effectif négatif : impossible")
    if frame.height and found["effectif_max"] > MAX_EFFECTIF:
        _fail("effectif", f"effectif invraisemblable (plus de {MAX_EFFECTIF:,} salariés)".replace(",", " "))
    if frame.height and (found["atmp_min"] < 0 or found["atmp_max"] > MICRO):
        _fail("taux_atmp", "taux AT/MP hors de [0 ; 1] (2,08 % s'écrit 0.0208)")
    if not found["atmp_exact"]:
        _fail("taux_atmp", "taux AT/MP avec plus de 6 décimales")


def _refuse_optional(found: dict[str, Any], given: set[str]) -> None:
    """Refuse bad values of the optional columns, in French, naming the column."""
    if "heures_contrat" in given:
        if found["hc_min"] is not None and (found["hc_min"] <= 0 or found["hc_max"] > MAX_HEURES * 100):
            _fail("heures_contrat", f"durée contractuelle impossible : plus de 0 et au plus {MAX_HEURES} heures par mois")
        if not found["hc_exact"]:
            _fail("heures_contrat", "les heures s'expriment avec deux décimales au plus")
    if "prevoyance_patronale_cents" in given and found["prev_min"] is not None:
        if found["prev_min"] < 0:
            _fail("prevoyance_patronale_cents", "contribution patronale de prévoyance négative")
        if found["prev_max"] > MAX_CENTS:
            _fail("prevoyance_patronale_cents", "contribution patronale de prévoyance invraisemblable")
    for name in COUNTERS:
        if name in given and found[f"{name}_min"] is not None:
            if found[f"{name}_min"] < 0:
                _fail(name, "compteur cumulé négatif")
            if found[f"{name}_max"] > MAX_COUNTER_CENTS:
                _fail(name, "compteur cumulé invraisemblable")
    if found.get("entree_apres"):
        _fail("date_entree", "date d'entrée postérieure au mois du bulletin : le contrat ne couvre aucun jour du mois")
    if found.get("sortie_avant"):
        _fail("date_sortie", "date de sortie antérieure au mois du bulletin : le contrat ne couvre aucun jour du mois")
    if found.get("sortie_entree"):
        _fail("date_sortie", "date de sortie antérieure à la date d'entrée")
    if found.get("compteurs_partiels"):
        missing = [n for n in COUNTERS[:4] if n not in given]
        _fail(
            missing[0] if missing else "brut_cumul_avant_cents",
            "compteurs de l'année incomplets : brut, plafond, SMIC et réduction cumulés avant le mois vont ensemble",
        )
    for name in COUNTERS[4:]:
        if found.get(f"borne_{name}"):
            _fail(name, "assiette cumulée supérieure au brut cumulé ou à la limite de plafonds cumulée : compteurs incohérents")


def _prepare(frame: pl.DataFrame) -> tuple[pl.DataFrame, set[str]]:
    """Check the payslips and normalise them: ints, hundredths of hours, millionths. Returns the frame and the optional columns given."""
    schema = frame.schema
    given = _given_columns(schema)
    atmp, atmp_exact = _micro_expr("taux_atmp", schema["taux_atmp"])
    found = frame.select(**_required_checks(schema, atmp, atmp_exact), **_optional_checks(given, schema)).row(0, named=True)
    _refuse_required(found, frame)
    _refuse_optional(found, given)
    heures = _hundredths("heures", schema["heures"])
    contrat = _hundredths("heures_contrat", schema["heures_contrat"]) if "heures_contrat" in given else pl.lit(None, dtype=pl.Int64)
    columns = [
        pl.col("brut_cents").cast(pl.Int64).alias("__brut"),
        pl.col("effectif").cast(pl.Int64).alias("__effectif"),
        atmp.alias("__atmp"),
        heures.alias("__heures"),
        contrat.alias("__heures_contrat"),
        (pl.col("prevoyance_patronale_cents").cast(pl.Int64).fill_null(0) if "prevoyance_patronale_cents" in given else pl.lit(0, dtype=pl.Int64)).alias(
            "__prevoyance"
        ),
        (pl.col("date_entree") if "date_entree" in given else pl.lit(None, dtype=pl.Date)).alias("__entree"),
        (pl.col("date_sortie") if "date_sortie" in given else pl.lit(None, dtype=pl.Date)).alias("__sortie"),
        *[(pl.col(n).cast(pl.Int64) if n in given else pl.lit(None, dtype=pl.Int64)).alias(f"__{n}") for n in COUNTERS],
    ]
    return frame.with_columns(columns), given


# --------------------------------------------------------------------------
# Helpers over runs (contiguous rows of one salarie and year)


def _first(expr: pl.Expr, new_run: str | None) -> pl.Expr:
    """The value of the run's first row, for every row of the run (``new_run`` None: every run is one row)."""
    if new_run is None:
        return expr
    return pl.when(pl.col(new_run)).then(expr).forward_fill()


def _before(amount: pl.Expr, new_run: str | None) -> pl.Expr:
    """Exclusive cumulative sum within runs: what the earlier rows of the run carry."""
    if new_run is None:
        return pl.lit(0, dtype=pl.Int64)
    excl = amount.cum_sum() - amount
    return excl - pl.when(pl.col(new_run)).then(excl).forward_fill()


def _previous(now: str, start: pl.Expr, new_run: str | None) -> pl.Expr:
    """The previous row's value of ``now`` within the run; on the run's first row, ``start``."""
    if new_run is None:
        return start
    return pl.when(pl.col(new_run)).then(start).otherwise(pl.col(now).shift(1))


def _smaller(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.when(a <= b).then(a).otherwise(b)


def _rate_amount(base: pl.Expr, rate: pl.Expr) -> pl.Expr:
    """base (cents) × rate (millionths), half away from zero to the cent, in Int64 (bases ≤ 10**12, rates ≤ 10**6)."""
    magnitude = (base.abs() * rate + MICRO // 2) // MICRO
    return pl.when(base < 0).then(-magnitude).otherwise(magnitude)


CSG_LINES = ("csg_deductible", "csg_non_deductible", "crds")
"""Lines computed on the exact CSG/CRDS base (see compute)."""


def _exact_base_amount(base_micro: pl.Expr, rate: pl.Expr) -> pl.Expr:
    """An exact base in millionths of a cent × a rate in millionths, half away from zero to the cent (Int128: the
    product exceeds Int64)."""
    product = base_micro.cast(pl.Int128) * rate.cast(pl.Int128)
    sign = pl.when(product < 0).then(pl.lit(-1, dtype=pl.Int128)).otherwise(pl.lit(1, dtype=pl.Int128))  # Int128 has no neg
    denominator = MICRO * MICRO
    return (sign * ((product * sign * 2 + denominator) // (2 * denominator))).cast(pl.Int64)


def _half_up_div(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator to the nearest integer, halves up (both ≥ 0, denominator > 0).

    money.div_half_up_expr for non-negative operands, kept because the réduction's products may be Int128, which
    Polars cannot negate (div_half_up_expr's sign handling), and it spares the sign test on amounts never negative."""
    return (numerator * 2 + denominator) // (denominator * 2)


def _plafond_denominator(law: pl.DataFrame) -> int:
    """Common denominator of the exact plafonds: lcm of full-time hundredths of hours × days of the month.

    At most 15 167 × lcm(28, 29, 30, 31) = 5.7e9 (a frame of every kind of month). The largest product it
    enters is 2 × 8 plafonds × a year's cumulated plafond (≈ 4.8e6 cents in 2026) × D ≈ 4.4e17 < 2^63: the
    bound below keeps a margin of twenty for the plafond's growth.
    """
    denominator = 1
    for full, days in law.select("plafond_heures_temps_plein", "jours_du_mois").unique().iter_rows():
        denominator = math.lcm(denominator, int(full) * int(days))
    if denominator > 10**10:
        raise ValueError("plafond : dénominateur commun des plafonds proratisés trop grand pour un calcul exact en Int64")
    return denominator


def _reduction_needs_int128(frame: pl.DataFrame, law: pl.DataFrame, run: str | None, new_run: pl.Expr) -> bool:
    """Whether the réduction's products may exceed Int64, from bounds of the inputs (R clipped to the SMIC side).

    S ≤ 100 × (largest SMIC counter before) + (longest run) × (largest SMIC of reference) × (most hours paid);
    A = largest seuil × S bounds seuil × S, 10**6 × R and |seuil × S − 10**6 × R| (≤ A + 10**6); the Fillon
    half-up division needs 2 × T × (A + 10**6) + D and 2 D below 2**63, D = seuil × (A / 10**6 + 1).
    """
    if frame.height == 0 or law.height == 0:
        return False
    limit = 2**63 - 1
    longest = 1 if run is None else _int(frame.select(new_run.cum_sum().unique_counts().max()).item())
    smic = law.select(pl.col("reduction_generale_smic_horaire_reference").fill_null(pl.col("smic_horaire")).max()).item()
    hours = [frame["__heures"].max(), frame["__heures_contrat"].max(), law["plafond_heures_temps_plein"].max()]
    before = frame["__smic_cumul_avant_cents"].max() or 0
    seuil = law["reduction_generale_seuil_smic"].max()
    t = max((law[c].max() or 0 for c in ("reduction_generale_coefficient_maximal_moins_de_50", "reduction_generale_coefficient_maximal_50_et_plus")), default=0)
    if smic is None or seuil is None:
        return True
    bound_s = 100 * _int(before) + longest * _int(smic) * max(_int(h) for h in hours if h is not None)
    a = _int(seuil) * bound_s
    d = _int(seuil) * (a // MICRO + 1)
    return not (a + MICRO < limit and 2 * _int(t) * (a + MICRO) + d < limit and 2 * d < limit and 2 * (a + MICRO) < limit)


def _int(value: object) -> int:
    """A whole number read from a frame (a maximum, an item) as a Python int."""
    return int(cast(int, value))


# --------------------------------------------------------------------------
# The rule


def _runs(frame: pl.DataFrame) -> tuple[pl.DataFrame, bool, str | None, pl.Expr]:
    """Runs: one salarie, one calendar year, months in order (input order breaks ties).

    Returns the frame (sorted only when it is not already), whether it was, the run marker column (None when
    every run is a single payslip: the cumulations are then the month itself and their cumulative sums,
    forward fills and shifts are skipped) and the expression that marks a run's first row.
    """
    sorted_already = (
        frame.height < 2
        or frame.select(
            (
                (pl.col("salarie") > pl.col("salarie").shift(1))
                | ((pl.col("salarie") == pl.col("salarie").shift(1)) & (pl.col("mois") >= pl.col("mois").shift(1)))
            )
            .fill_null(True)
            .all()
        ).item()
    )
    if not sorted_already:
        frame = frame.sort(["salarie", "mois", "__rang"])
    year = pl.col("mois").dt.year()
    new_run = pl.col("salarie").ne_missing(pl.col("salarie").shift(1)) | year.ne_missing(year.shift(1))
    run: str | None = None if frame.height < 2 or frame.select(new_run.all()).item() else "__neuf"
    return frame, bool(sorted_already), run, new_run


def _with_month_law(frame: pl.DataFrame, law: pl.DataFrame, new_run: pl.Expr) -> pl.LazyFrame:
    """The month law table joined to the payslips, and the headcount thresholds (FNAL, réduction générale).

    Only the law columns that differ between the frame's months are joined; one the same in all of them is a
    scalar (broadcast, never gathered per row).
    """
    # One select for the counts, one schema and one row for the values (a thousand columns: per-column Series and
    # schema lookups were a fixed ~20 ms per call).
    counts = law.select(pl.exclude("mois").n_unique()).row(0, named=True) if law.height > 0 else {}
    same = [c for c, count in counts.items() if count == 1]
    lf = frame.lazy()
    if len(same) < law.width - 1:
        lf = lf.join(law.lazy().drop(same), on="mois", how="left", maintain_order="left")
    schema, first = law.schema, (law.row(0, named=True) if same else {})
    lf = lf.with_columns(pl.lit(first[c], dtype=schema[c]).alias(c) for c in same)
    return lf.with_columns(
        new_run.alias("__neuf"),
        (pl.col("__effectif") >= pl.col("fnal_seuil_effectif")).alias("__fnal_50"),
        (pl.col("__effectif") >= pl.col("reduction_generale_seuil_effectif")).alias("__grande"),
    )


def _plafond_du_mois(lf: pl.LazyFrame, given: set[str], denominator: int) -> pl.LazyFrame:
    """1. Plafond of the month (CSS L241-3, D242-17): PMSS × min(contract hours, full time) / full time (L242-8)
    × calendar days employed / calendar days of the month (R242-2), kept exact in units of 1/``denominator``
    cent; and the SMIC of the month for the réduction générale (CSS D241-7).

    R242-2 I (décret 2017-858 art. 8, from 1 January 2018) reduces the plafond « à due proportion du nombre de
    jours de la période pendant laquelle les personnes sont employées »: the days employed over the days of the
    month's own length, not thirtieths (the rule before 2018). The BOSS (Assiette générale, plafond) applies it
    in calendar days of the month (its example: 28 days employed / 30 calendar days of April); urssaf.fr writes
    the same ratio for the non-mensualisés (« nombre de jours calendaires du mois »).
    """
    full = pl.col("plafond_heures_temps_plein")
    contract = _smaller(pl.col("__heures_contrat").fill_null(full), full)
    month_end = pl.col("mois").dt.month_end()
    start = pl.when(pl.col("__entree") > pl.col("mois")).then(pl.col("__entree")).otherwise(pl.col("mois"))
    end = pl.when(pl.col("__sortie") < month_end).then(pl.col("__sortie")).otherwise(month_end)
    partial = (pl.col("__entree") > pl.col("mois")).fill_null(False) | (pl.col("__sortie") < month_end).fill_null(False)
    days = ((end - start).dt.total_days() + 1).cast(pl.Int64)
    month_days = pl.col("jours_du_mois")
    employed = pl.when(partial).then(days).otherwise(month_days)
    if not given & {"date_entree", "date_sortie"}:
        employed = month_days  # no contract dates: every month is complete (partial is false)
    heures = pl.col("__heures").fill_null(pl.col("__heures_contrat").fill_null(full))
    smic_rg = pl.col("reduction_generale_smic_horaire_reference").fill_null(pl.col("smic_horaire"))
    # The plafond is kept exact, in units of 1/D cent (D = full-time hundredths of hours × days of the month, one
    # common denominator): no text rounds it before it bounds the tranches or is compared with the pay (CSS L242-8,
    # R242-2, R242-7 give the prorata only); only the bases and amounts are rounded to the cent.
    plafond_exact = pl.col("pss_mensuel") * contract * employed * (pl.lit(denominator) // (full * month_days))
    return lf.with_columns(
        plafond_exact.alias("__plafond_exact"),
        _half_up_div(plafond_exact, pl.lit(denominator)).alias("plafond_cents"),
        # SMIC of the month for the réduction: SMIC horaire de référence × hours paid (CSS D241-7), half-up to
        # the cent; the reference is the SMIC in force, except where a text freezes it (2026: 01/01/2026).
        _half_up_div(smic_rg * heures, pl.lit(100)).alias("smic_cents"),
        (smic_rg * heures).alias("__smic_cc"),  # exact, in hundredths of a cent
        heures.alias("__heures_payees"),
    )


def _cumuls_de_l_annee(lf: pl.LazyFrame, run: str | None, denominator: int) -> pl.LazyFrame:
    """2. Régularisation progressive (CSS R242-2 ff.): cumulated pay B, plafond P (exact) and SMIC over the run,
    from the counters of the months before it."""
    c_brut = _first(pl.col("__brut_cumul_avant_cents").fill_null(0), run)
    c_plafond = _first(pl.col("__plafond_cumul_avant_cents").fill_null(0), run)
    c_smic = _first(pl.col("__smic_cumul_avant_cents").fill_null(0), run)
    lf = lf.with_columns(
        (c_brut + _before(pl.col("__brut"), run) + pl.col("__brut")).alias("brut_cumul_cents"),
        (c_plafond * denominator + _before(pl.col("__plafond_exact"), run) + pl.col("__plafond_exact")).alias("__plafond_cumul_exact"),
        (c_smic * 100 + _before(pl.col("__smic_cc"), run) + pl.col("__smic_cc")).alias("__smic_cumul_cc"),
    )
    return lf.with_columns(
        _half_up_div(pl.col("__smic_cumul_cc"), pl.lit(100)).alias("smic_cumul_cents"),
        _half_up_div(pl.col("__plafond_cumul_exact"), pl.lit(denominator)).alias("plafond_cumul_cents"),
    )


def _tranches(lf: pl.LazyFrame, run: str | None, denominator: int) -> pl.LazyFrame:
    """2. The tranche bases of the month: each cumulated base is min(B, k × P) (k = 1, 4 or 8 plafonds), the
    month's base what it adds to the previous month's."""
    b, p_exact = pl.col("brut_cumul_cents"), pl.col("__plafond_cumul_exact")
    b0, p0 = pl.col("__brut_cumul_avant_cents").fill_null(0), pl.col("__plafond_cumul_avant_cents").fill_null(0)
    k4, k8 = pl.col("chomage_plafond_nombre_pss"), pl.col("agirc_arrco_plafond_t2_nombre_pss")

    def within(k: pl.Expr | int) -> pl.Expr:
        """min(B, k × P) with P exact, to the cent: B (whole cents) ≤ k P ⇔ B ≤ ⌊k P⌋; else k P half-up."""
        limit = p_exact * k
        return pl.when(b <= limit // denominator).then(b).otherwise(_half_up_div(limit, pl.lit(denominator)))

    lf = lf.with_columns(
        within(1).alias("assiette_t1_cumul_cents"),
        within(k4).alias("assiette_4pss_cumul_cents"),
        within(pl.col("apec_plafond_nombre_pss")).alias("__apec_cumul"),
        within(pl.col("csg_plafond_abattement_nombre_pss")).alias("__csg_cumul"),
        within(k8).alias("assiette_8pss_cumul_cents"),
    ).with_columns(
        # CET when the pay exceeds the exact plafond: B > P ⇔ B > ⌊P⌋ (B whole cents).
        pl.when(b > p_exact // denominator).then(pl.col("assiette_8pss_cumul_cents")).otherwise(0).alias("__cet_cumul"),
    )
    start_t1 = pl.col("__assiette_t1_cumul_avant_cents").fill_null(_smaller(b0, p0))
    start_4 = pl.col("__assiette_4pss_cumul_avant_cents").fill_null(_smaller(b0, k4 * p0))
    start_8 = pl.col("__assiette_8pss_cumul_avant_cents").fill_null(_smaller(b0, k8 * p0))
    return lf.with_columns(
        (pl.col("assiette_t1_cumul_cents") - _previous("assiette_t1_cumul_cents", start_t1, run)).alias("__t1"),
        (pl.col("assiette_4pss_cumul_cents") - _previous("assiette_4pss_cumul_cents", start_4, run)).alias("__a4"),
        (pl.col("__apec_cumul") - _previous("__apec_cumul", start_4, run)).alias("__a_apec"),
        (pl.col("__csg_cumul") - _previous("__csg_cumul", start_4, run)).alias("__a_csg"),
        (pl.col("assiette_8pss_cumul_cents") - _previous("assiette_8pss_cumul_cents", start_8, run)).alias("__a8"),
        (pl.col("__cet_cumul") - _previous("__cet_cumul", pl.when(b0 > p0).then(start_8).otherwise(0), run)).alias("__a_cet"),
    )


def _bandeaux(lf: pl.LazyFrame) -> pl.LazyFrame:
    """3. Bandeaux (CSS L241-2-1, L241-6-1, D241-3-2; until 2025): the reduced maladie and AF rates when the
    month's pay ≤ seuil × SMIC de référence × hours, exact in Int64: the threshold in millionths × cents ×
    hundredths of hours (≤ 10**15); whole cents B ≤ T / 10**8 ⇔ B ≤ ⌊T / 10**8⌋."""
    reference_smic = pl.col("bandeaux_smic_horaire_reference").fill_null(pl.col("smic_horaire"))
    hours = pl.col("__heures_payees")
    floor = pl.col("bandeaux_plancher_smic_courant").fill_null(0) * pl.col("smic_horaire") * hours

    def under(seuil: str) -> pl.Expr:
        threshold = pl.col(seuil) * reference_smic * hours
        threshold = pl.when(floor > threshold).then(floor).otherwise(threshold)
        return (pl.col("__brut") <= threshold // (MICRO * 100)).fill_null(False)

    maladie_reduit = under("bandeaux_maladie_seuil_smic") & pl.col("bandeaux_maladie_reduction").is_not_null()
    famille_reduit = under("bandeaux_famille_seuil_smic") & pl.col("bandeaux_famille_reduction").is_not_null()
    return lf.with_columns(maladie_reduit.alias("__maladie_reduit"), famille_reduit.alias("__famille_reduit"))


def _coefficient_fillon(s: pl.Expr, r: pl.Expr, seuil: pl.Expr, wide_int: type[pl.DataType]) -> pl.Expr:
    """5. Réduction générale until 2025 (CSS D241-7): C = T × (1,6 S / R − 1) / 0,6, capped at T, in ten-thousandths
    rounded to the nearest (half up)."""
    t_fillon = (
        pl.when(pl.col("__grande"))
        .then(pl.col("reduction_generale_coefficient_maximal_50_et_plus"))
        .otherwise(pl.col("reduction_generale_coefficient_maximal_moins_de_50"))
        .cast(wide_int)
    )
    numerator = t_fillon * (seuil * s - MICRO * r)
    denominator = (seuil - MICRO) * r
    fillon = pl.when((r > 0) & (numerator > 0)).then(_half_up_div(numerator, denominator)).otherwise(0)
    fillon = pl.when(fillon > t_fillon).then(t_fillon).otherwise(fillon)
    return pl.when(t_fillon.is_not_null()).then(fillon.cast(pl.Int64))


def _coefficient_rgdu(s: pl.Expr, r: pl.Expr, seuil: pl.Expr) -> pl.Expr:
    """5. Réduction générale dégressive unique from 2026 (CSS D241-7, décret n° 2025-887): C = Tmin + Tdelta ×
    [½ (3 S / R − 1)]^P, the second term rounded to the nearest ten-thousandth, 0 from 3 SMIC. The power is the
    one non-integer operation (Float64, rounded at once)."""
    t_min = pl.col("reduction_generale_t_min")
    t_delta = pl.when(pl.col("__grande")).then(pl.col("reduction_generale_t_delta_50_et_plus")).otherwise(pl.col("reduction_generale_t_delta_moins_de_50"))
    ratio = (seuil * s - MICRO * r).cast(pl.Float64) / (2 * MICRO * r).cast(pl.Float64)  # ½ (3 S / R − 1)
    term = (t_delta.cast(pl.Float64) * ratio.pow(pl.col("reduction_generale_puissance")) + 0.5).floor().cast(pl.Int64)
    rgdu = pl.when((r > 0) & (MICRO * r < seuil * s)).then(t_min + term).otherwise(0)
    rgdu = pl.when(rgdu > t_min + t_delta).then(t_min + t_delta).otherwise(rgdu)
    return pl.when(t_min.is_not_null()).then(rgdu.cast(pl.Int64))


def _reduction_generale(lf: pl.LazyFrame, run: str | None, wide_int: type[pl.DataType]) -> pl.LazyFrame:
    """5. Réduction générale (CSS L241-13, D241-7), progressive over the year: the coefficient on cumulated pay R
    and SMIC S, the reduction to date = C × R half-up to the cent, the month's = that less the earlier months'.

    R and S in hundredths of a cent: the prorated SMIC is kept exact (no rounding the text does not make). R is
    taken at most ⌊seuil × S / 10**6⌋ + 1: above, both formulas give 0 and the clipped R still does (the
    comparisons keep their sign), below it is R itself. Every product is then bounded by the SMIC side, so Int64
    is exact when the data's bound allows it (``wide_int``, see :func:`_reduction_needs_int128`); Int128 otherwise.
    """
    s = pl.col("__smic_cumul_cc").cast(wide_int)
    seuil = pl.col("reduction_generale_seuil_smic").cast(wide_int)  # millionths: 1 600 000, then 3 000 000
    r = _smaller(pl.col("brut_cumul_cents").cast(wide_int) * 100, seuil * s // MICRO + 1)
    coefficient = pl.coalesce(_coefficient_rgdu(s, r, seuil), _coefficient_fillon(s, r, seuil, wide_int), pl.lit(0, dtype=pl.Int64))
    lf = lf.with_columns(coefficient.alias("coefficient_reduction"))
    lf = lf.with_columns(
        _half_up_div(pl.col("coefficient_reduction") * pl.col("brut_cumul_cents"), pl.lit(10_000)).alias("reduction_cumul_cents"),
    )
    return lf.with_columns(
        (pl.col("reduction_cumul_cents") - _previous("reduction_cumul_cents", pl.col("__reduction_cumul_avant_cents").fill_null(0), run)).alias("__reduction"),
    )


def _assiette_csg(lf: pl.LazyFrame) -> pl.LazyFrame:
    """6. CSG/CRDS base (CSS L136-1-1): gross − 1,75 % of the gross within 4 plafonds + employer prévoyance."""
    brut = pl.col("__brut")
    # CSG/CRDS base: 98,25 % of the gross within 4 plafonds + the rest + prévoyance, computed exactly (millionths
    # of a cent). The bulletin shows it rounded half-up to the cent, but each line is the exact base × rate,
    # rounded once: CSS L136-1-1 prescribes no rounding of the base, only the contribution is rounded to the cent.
    # Int64 is exact here: brut and prévoyance are at most MAX_CENTS (10**11) each, the abattement rate at most
    # 10**6 and the month's base within 4 plafonds at most a cumulated counter (10**12), so |numerator| × 2 stays
    # under 3·10**18 < 2**63.
    csg_micro = (brut + pl.col("__prevoyance")) * MICRO - pl.col("csg_abattement") * pl.col("__a_csg")
    return lf.with_columns(div_half_up_expr(csg_micro, MICRO).alias("__csg_base"), csg_micro.alias("__csg_micro"))


def _line_specs(ref_dtype: pl.DataType) -> dict[str, tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]:
    """4. Each line of :data:`LINES` (but the réduction): its base, employee rate, employer rate (millionths) and
    reference — the bandeaux lower the maladie and AF employer rates, the headcount chooses the FNAL's."""
    brut = pl.col("__brut")
    zero = pl.lit(0, dtype=pl.Int64)
    maladie_p = pl.col("maladie_taux_patronal") - pl.when(pl.col("__maladie_reduit")).then(pl.col("bandeaux_maladie_reduction")).otherwise(0)
    famille_p = pl.col("famille_taux_patronal") - pl.when(pl.col("__famille_reduit")).then(pl.col("bandeaux_famille_reduction")).otherwise(0)
    cadre = pl.col("cadre")
    return {
        # code: (base, employee rate, employer rate, reference)
        "maladie": (
            brut,
            pl.col("maladie_taux_salarial"),
            maladie_p,
            pl.when(pl.col("__maladie_reduit")).then(pl.col("ref_maladie_bandeau")).otherwise(pl.col("ref_maladie")),
        ),
        "csa": (brut, zero, pl.col("csa_taux_patronal"), pl.col("ref_csa")),
        "vieillesse_plafonnee": (
            pl.col("__t1"),
            pl.col("vieillesse_plafonnee_salarial"),
            pl.col("vieillesse_plafonnee_patronal"),
            pl.col("ref_vieillesse_plafonnee"),
        ),
        "vieillesse_deplafonnee": (
            brut,
            pl.col("vieillesse_deplafonnee_salarial"),
            pl.col("vieillesse_deplafonnee_patronal"),
            pl.col("ref_vieillesse_deplafonnee"),
        ),
        "allocations_familiales": (
            brut,
            zero,
            famille_p,
            pl.when(pl.col("__famille_reduit")).then(pl.col("ref_allocations_familiales_bandeau")).otherwise(pl.col("ref_allocations_familiales")),
        ),
        "atmp": (brut, zero, pl.col("__atmp"), pl.lit(ATMP_REFERENCE, dtype=ref_dtype)),
        "fnal": (
            pl.when(pl.col("__fnal_50")).then(brut).otherwise(pl.col("__t1")),
            zero,
            pl.when(pl.col("__fnal_50")).then(pl.col("fnal_taux_50_et_plus")).otherwise(pl.col("fnal_taux_moins_de_50")),
            pl.when(pl.col("__fnal_50")).then(pl.col("ref_fnal_50_et_plus")).otherwise(pl.col("ref_fnal_moins_de_50")),
        ),
        "chomage": (pl.col("__a4"), pl.col("chomage_taux_salarial"), pl.col("chomage_taux_patronal"), pl.col("ref_chomage")),
        "ags": (pl.col("__a4"), zero, pl.col("ags_taux_patronal"), pl.col("ref_ags")),
        "agirc_arrco_t1": (pl.col("__t1"), pl.col("agirc_arrco_t1_salarial"), pl.col("agirc_arrco_t1_patronal"), pl.col("ref_agirc_arrco_t1")),
        "agirc_arrco_t2": (pl.col("__a8") - pl.col("__t1"), pl.col("agirc_arrco_t2_salarial"), pl.col("agirc_arrco_t2_patronal"), pl.col("ref_agirc_arrco_t2")),
        "ceg_t1": (pl.col("__t1"), pl.col("agirc_arrco_ceg_t1_salarial"), pl.col("agirc_arrco_ceg_t1_patronal"), pl.col("ref_ceg_t1")),
        "ceg_t2": (pl.col("__a8") - pl.col("__t1"), pl.col("agirc_arrco_ceg_t2_salarial"), pl.col("agirc_arrco_ceg_t2_patronal"), pl.col("ref_ceg_t2")),
        "cet": (pl.col("__a_cet"), pl.col("agirc_arrco_cet_salarial"), pl.col("agirc_arrco_cet_patronal"), pl.col("ref_cet")),
        "apec": (pl.when(cadre).then(pl.col("__a_apec")).otherwise(0), pl.col("apec_taux_salarial"), pl.col("apec_taux_patronal"), pl.col("ref_apec")),
        "dialogue_social": (brut, zero, pl.col("dialogue_social_taux_patronal"), pl.col("ref_dialogue_social")),
        "csg_deductible": (pl.col("__csg_base"), pl.col("csg_taux_deductible"), zero, pl.col("ref_csg_deductible")),
        "csg_non_deductible": (pl.col("__csg_base"), pl.col("csg_taux_non_deductible"), zero, pl.col("ref_csg_non_deductible")),
        "crds": (pl.col("__csg_base"), pl.col("crds_taux"), zero, pl.col("ref_crds")),
    }


def _bases_and_varying_rates(
    lf: pl.LazyFrame, specs: dict[str, tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]
) -> tuple[pl.LazyFrame, dict[str, tuple[pl.Expr, pl.Expr]]]:
    """4. Per payslip: each line's base, and only the rates and references that vary within a month; the others
    are read from the joined law table for the amounts and left on it (long_lines joins them back by month)."""
    brut = pl.col("__brut")
    outputs: list[pl.Expr] = []
    rates: dict[str, tuple[pl.Expr, pl.Expr]] = {}
    for code, (base, salarial, patronal, reference) in specs.items():
        constant_salarial, constant_patronal, constant_reference = _CONSTANT[code]
        outputs.append(base.cast(pl.Int64).alias(f"assiette_{code}"))
        pair = []
        for kind, expr, constant in (("taux_salarial", salarial, constant_salarial), ("taux_patronal", patronal, constant_patronal)):
            if constant is None:
                outputs.append(expr.cast(pl.Int64).alias(f"{kind}_{code}"))
                pair.append(pl.col(f"{kind}_{code}"))
            else:
                pair.append(constant)
        rates[code] = (pair[0], pair[1])
        if constant_reference is None:
            outputs.append(reference.alias(f"reference_{code}"))
    # The reduction: a negative employer amount; its "rate" is −C (millionths), its base the month's pay.
    outputs += [
        brut.alias("assiette_reduction_generale"),
        (-pl.col("coefficient_reduction") * 100).alias("taux_patronal_reduction_generale"),
        pl.when(pl.col("__grande"))
        .then(pl.col("ref_reduction_50_et_plus"))
        .otherwise(pl.col("ref_reduction_moins_de_50"))
        .alias("reference_reduction_generale"),
    ]
    return lf.with_columns(outputs), rates


def _amounts(lf: pl.LazyFrame, rates: dict[str, tuple[pl.Expr, pl.Expr]]) -> pl.LazyFrame:
    """4. Each line's amounts = base × rate, half-up to the cent (the CSG lines on the exact base); the réduction
    générale a negative employer amount."""
    zero = pl.lit(0, dtype=pl.Int64)
    amounts: list[pl.Expr] = []
    for code, (salarial, patronal) in rates.items():
        if code in CSG_LINES:  # employee lines only, on the exact base
            amounts += [_exact_base_amount(pl.col("__csg_micro"), salarial).alias(f"montant_salarial_{code}"), zero.alias(f"montant_patronal_{code}")]
            continue
        amounts += [
            _rate_amount(pl.col(f"assiette_{code}"), salarial).alias(f"montant_salarial_{code}"),
            _rate_amount(pl.col(f"assiette_{code}"), patronal).alias(f"montant_patronal_{code}"),
        ]
    amounts += [zero.alias("montant_salarial_reduction_generale"), (-pl.col("__reduction")).alias("montant_patronal_reduction_generale")]
    return lf.with_columns(amounts)


def compute(payslips: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The wide computation: one row per payslip, in input order, with every line's base, rates and amounts.

    For each code of :data:`LINES`: ``assiette_<code>`` (cents), ``montant_salarial_<code>``,
    ``montant_patronal_<code>`` (cents); the rates (Int64 millionths) and references (Enum) that vary
    within a month, :data:`VARYING` (the others are one value per month, on the month law table, which
    :func:`long_lines` gathers by month); plus the intermediate amounts (``plafond_cents``,
    ``smic_cents``, cumulated counters after the month: ``brut_cumul_cents``, ``plafond_cumul_cents``,
    ``smic_cumul_cents``, ``reduction_cumul_cents``, ``assiette_t1_cumul_cents``, ``assiette_4pss_cumul_cents``,
    ``assiette_8pss_cumul_cents``) and ``coefficient_reduction`` (ten-thousandths).
    :func:`contributions` and :func:`net` read it; use them rather than this frame.
    """
    frame = payslips.collect() if isinstance(payslips, pl.LazyFrame) else payslips
    if not isinstance(frame, pl.DataFrame):
        raise TypeError("payslips doit être un DataFrame ou un LazyFrame Polars")
    frame, given = _prepare(frame)
    names = [n for n in frame.columns if not n.startswith("__")]
    frame, sorted_already, run, new_run = _runs(frame.with_row_index("__rang"))
    law = _month_law(frame["mois"].unique().to_list())
    denominator = _plafond_denominator(law)
    wide_int = pl.Int128 if _reduction_needs_int128(frame, law, run, new_run) else pl.Int64

    lf = _with_month_law(frame, law, new_run)
    lf = _plafond_du_mois(lf, given, denominator)
    lf = _cumuls_de_l_annee(lf, run, denominator)
    lf = _tranches(lf, run, denominator)
    lf = _bandeaux(lf)
    lf = _reduction_generale(lf, run, wide_int)
    lf = _assiette_csg(lf)
    lf, rates = _bases_and_varying_rates(lf, _line_specs(law.schema["ref_atmp"]))
    lf = _amounts(lf, rates)

    keep = [
        *names,
        "plafond_cents",
        "smic_cents",
        "brut_cumul_cents",
        "plafond_cumul_cents",
        "smic_cumul_cents",
        "assiette_t1_cumul_cents",
        "assiette_4pss_cumul_cents",
        "assiette_8pss_cumul_cents",
        "reduction_cumul_cents",
        "coefficient_reduction",
        *[
            column
            for code in LINES
            for prefix in (*WIDE_PREFIXES, "reference")
            if (column := f"{prefix}_{code}") in VARYING or prefix in ("assiette", "montant_salarial", "montant_patronal")
        ],
    ]
    if not sorted_already:
        lf = lf.sort("__rang")
    return lf.select(keep).collect(engine="in-memory")  # measured faster than streaming for this wide plan


def _as_output(result: pl.DataFrame, like: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    return result.lazy() if isinstance(like, pl.LazyFrame) else result


def _rate_decimal(micro: pl.Expr) -> pl.Expr:
    """Int64 millionths → Decimal(38, 9), exactly (by its unscaled integer)."""
    return (micro.cast(pl.Int128) * 1000).reinterpret(dtype=RATE)


def contributions(payslips: FrameT) -> FrameT:
    """The contribution lines of each payslip: one row per (bulletin, line).

    Rows come line by line (as an unpivot gives them): every bulletin's ``maladie`` line in input
    order, then every ``csa`` line…; sort by (bulletin, code) to see a bulletin's lines together.

    Columns: ``bulletin``, ``salarie``, ``mois``, ``code`` (Enum of :data:`LINES`), ``libelle``
    (Enum, French), ``assiette_cents``, ``taux_salarial``, ``taux_patronal`` (Decimal(38, 9)),
    ``montant_salarial_cents``, ``montant_patronal_cents`` (Int64; the réduction générale is a
    negative employer amount), ``attributaire`` (Enum of :data:`ATTRIBUTAIRES`), ``reference``
    (Enum of the legal references; ``.cast(pl.String)`` for text). A LazyFrame is computed and
    returned lazy. Bad input raises InvalidField naming the column.
    """
    return _as_output(long_lines(compute(payslips)), payslips)  # type: ignore[return-value]


def long_lines(wide: pl.DataFrame) -> pl.DataFrame:
    """The long presentation of :func:`compute`'s wide frame (see :func:`contributions`).

    One narrow select per line (its shown rows only), concatenated line after line: the rows of line 1
    for every bulletin in input order, then line 2… — no list, no explode, no sort.
    """
    reference_dtype = wide.schema["reference_maladie"]
    assert isinstance(reference_dtype, pl.Enum)
    # The per-month rates and references: the month law table (one row per distinct month, the same Enum of
    # references as compute's), gathered by each row's month index (a binary search among the few months).
    law = _month_law(wide["mois"].unique().to_list() or [PREMIER_MOIS])
    law_columns = {name: law.get_column(name) for name in law.columns}
    month_index = pl.lit(law_columns["mois"]).search_sorted(pl.col("mois")).alias("__mois_index")
    source = wide.with_columns(month_index).lazy()

    def gathered(values: pl.Series) -> pl.Expr:
        """One value per month of the law table, for each row: a scalar when it is the same every month."""
        if values.n_unique() == 1:
            return pl.lit(values[0], dtype=values.dtype)
        return pl.lit(values).gather(pl.col("__mois_index"))

    def per_month(constant: pl.Expr | None, column: str) -> pl.Expr:
        if constant is None:
            return _rate_decimal(pl.col(column))
        return gathered(law.select(_rate_decimal(constant.cast(pl.Int64)).alias("taux"), "mois").to_series(0))  # a literal: one per month

    parts = []
    for code, (label, attributaire) in LINES.items():
        constant_salarial, constant_patronal, constant_reference = _CONSTANT[code]
        shown = (
            None
            if code in ALWAYS
            else pl.col("cadre")
            if code == "apec"
            else (pl.col("montant_patronal_reduction_generale") != 0) | (pl.col("taux_patronal_reduction_generale") != 0)
            if code == "reduction_generale"
            else (pl.col(f"assiette_{code}") != 0) | (pl.col(f"montant_patronal_{code}") != 0)
        )
        part = source if shown is None else source.filter(shown)
        reference = pl.col(f"reference_{code}") if constant_reference is None else gathered(law_columns[constant_reference].cast(reference_dtype))
        parts.append(
            part.select(
                "bulletin",
                "salarie",
                "mois",
                pl.lit(code, dtype=CODE_DTYPE).alias("code"),
                pl.lit(label, dtype=LIBELLE_DTYPE).alias("libelle"),
                pl.col(f"assiette_{code}").alias("assiette_cents"),
                per_month(constant_salarial, f"taux_salarial_{code}").alias("taux_salarial"),
                per_month(constant_patronal, f"taux_patronal_{code}").alias("taux_patronal"),
                pl.col(f"montant_salarial_{code}").alias("montant_salarial_cents"),
                pl.col(f"montant_patronal_{code}").alias("montant_patronal_cents"),
                pl.lit(attributaire, dtype=ATTRIBUTAIRE_DTYPE).alias("attributaire"),
                reference.alias("reference"),
            )
        )
    return pl.concat(parts, how="vertical", rechunk=False).collect(engine="in-memory")


NET_COLUMNS = (
    "bulletin",
    "salarie",
    "mois",
    "brut_cents",
    "total_salarial_cents",
    "total_patronal_cents",
    "net_avant_impot_cents",
    "net_imposable_cents",
    "cout_employeur_cents",
    "plafond_cents",
    "smic_cents",
    "coefficient_reduction",
)


def net(payslips: FrameT) -> FrameT:
    """Per bulletin, in input order: the totals and the net salary.

    ``total_salarial_cents``: every employee contribution, CSG and CRDS included;
    ``total_patronal_cents``: every employer contribution, the réduction générale deducted;
    ``net_avant_impot_cents`` = brut − total_salarial; ``net_imposable_cents`` = net avant impôt +
    CSG non déductible + CRDS (the employer's share of a complementary health cover, taxable,
    is not known here and not added); ``cout_employeur_cents`` = brut + total_patronal;
    ``plafond_cents``, ``smic_cents`` (the month's plafond and prorated SMIC of reference of the réduction) and
    ``coefficient_reduction`` (Decimal, the réduction générale's coefficient C).
    """
    return _as_output(totals(compute(payslips)), payslips)  # type: ignore[return-value]


def totals(wide: pl.DataFrame) -> pl.DataFrame:
    """The net of each bulletin from :func:`compute`'s wide frame (see :func:`net`)."""
    salarial = pl.sum_horizontal([pl.col(f"montant_salarial_{code}") for code in LINES])
    patronal = pl.sum_horizontal([pl.col(f"montant_patronal_{code}") for code in LINES])
    result = wide.select(
        "bulletin",
        "salarie",
        "mois",
        pl.col("brut_cents").cast(pl.Int64),
        salarial.alias("total_salarial_cents"),
        patronal.alias("total_patronal_cents"),
        (pl.col("brut_cents") - salarial).alias("net_avant_impot_cents"),
        (pl.col("brut_cents") - salarial + pl.col("montant_salarial_csg_non_deductible") + pl.col("montant_salarial_crds")).alias("net_imposable_cents"),
        (pl.col("brut_cents") + patronal).alias("cout_employeur_cents"),
        "plafond_cents",
        "smic_cents",
        _rate_decimal(pl.col("coefficient_reduction") * 100).alias("coefficient_reduction"),
    )
    return result


def duree_legale_mensuelle(mois: date) -> Decimal:
    """The legal monthly working time of full-time work in force in ``mois`` (Code du travail L3121-27: 35 h × 52 / 12).

    The dated parameter ``plafond.heures_temps_plein`` (151,67 h since 2002).
    """
    hours = parameters().get("plafond.heures_temps_plein").at(mois).value
    if not isinstance(hours, Decimal):  # the unit "heures" is read as a Decimal (parametres/README.md)
        raise TypeError(f"plafond.heures_temps_plein : une durée en heures était attendue, pas {hours!r}")
    return hours


def cotisations_bulletin(
    *,
    brut: Decimal | int | str,
    mois: date,
    effectif: int,
    taux_atmp: Decimal | str,
    heures: Decimal | str | None = None,
    cadre: bool = False,
    heures_contrat: Decimal | str | None = None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """One payslip, for the quick check: its lines and its totals (the same vectorized rule over one row).

    ``taux_atmp`` is the establishment's AT/MP rate, notified by its Carsat: an input, never a default.
    ``heures`` (hours paid, for the SMIC of the réduction) defaults to the legal monthly working time of
    ``mois`` (:func:`duree_legale_mensuelle`).
    """
    from secu.core.money import to_cents

    if heures is None:
        heures = duree_legale_mensuelle(mois)
    frame = pl.DataFrame(
        {
            "bulletin": [1],
            "salarie": [1],
            "mois": [mois],
            "brut_cents": [to_cents(brut, field="brut")],
            "heures": [Decimal(str(heures))],
            "effectif": [effectif],
            "taux_atmp": [Decimal(str(taux_atmp))],
            "cadre": [cadre],
            "heures_contrat": [None if heures_contrat is None else Decimal(str(heures_contrat))],
        },
        schema={
            "bulletin": pl.Int64,
            "salarie": pl.Int64,
            "mois": pl.Date,
            "brut_cents": pl.Int64,
            "heures": pl.Decimal(38, 2),
            "effectif": pl.Int64,
            "taux_atmp": pl.Decimal(38, 6),
            "cadre": pl.Boolean,
            "heures_contrat": pl.Decimal(38, 2),
        },
    )
    return contributions(frame), net(frame).row(0, named=True)


# --------------------------------------------------------------------------
# Where the money goes: the réduction imputed, the CSG shared (one home for the declaration and the batch)

REDUCTION = "reduction_generale"
CSG_PARTS = ("maladie", "autonomie", "famille", "unedic", "cades")
"""The recipients of the CSG on earned income (CSS L131-8), each a dated parameter ``affectation_csg_activite.<part>``."""

IMPUTATION = (
    # recipient: the rates of T (CSS D241-7) that are its contributions; the réduction is charged on them pro rata
    ("maladie", ("maladie.taux_patronal", "-bandeaux.maladie_reduction")),
    ("famille", ("famille.taux_patronal", "-bandeaux.famille_reduction")),
    ("vieillesse", ("vieillesse.plafonnee_patronal", "vieillesse.deplafonnee_patronal")),
    ("autonomie", ("csa.taux_patronal",)),
    ("fnal", ()),  # the FNAL rate of the payslip's own line (0,10 % or 0,50 % by headcount)
    ("atmp", ("reduction_generale.taux_atmp_inclus",)),
    ("unedic", ("chomage.taux_patronal",)),
    ("agirc_arrco", ("agirc_arrco.t1_patronal", "agirc_arrco.ceg_t1_patronal")),
)
"""What the réduction générale is imputed on (CSS L241-13, D241-7; urssaf.fr « Étape 3 : règles d'imputation »):
the retraite complémentaire bears réduction × 6,01 % / T, the URSSAF the rest, shared among its contributions
pro rata of their rates in T (maladie and AF at their reduced rates until 2025, AT/MP at the share of T set each
year). A parameter name with "-" is subtracted; a rate not in force (the bandeaux from 2026) counts 0."""
RETRAITE_COMPLEMENTAIRE = "agirc_arrco"

FINANCEMENT_SCHEMA = {"attributaire": pl.String(), "produit": pl.String(), "cents": pl.Int64()}


def _rate_units(name: str, on: date, source: Parameters) -> int:
    """A rate parameter on a date as an integer of RATE_UNIT (0 where it is not in force)."""
    sign, name = (-1, name[1:]) if name.startswith("-") else (1, name)
    try:
        value = source.get(name).at(on).value
    except NotFound:
        return 0
    return sign * int(Decimal(str(value)) * RATE_UNIT)


def _split_weights(months: Sequence[date]) -> pl.DataFrame:
    """Per month: each recipient's weight in the réduction's imputation (``w_<recipient>``, ``w_unit`` the unit the
    FNAL line's rate is divided by) and each CSG part's points (``csg_<part>``). Checks that the weights add up to T
    for both headcounts. Weights are rates divided by their common divisor, so every product stays in Int64."""
    source = parameters()
    rows = []
    for month in sorted(set(months)):
        row: dict[str, int] = {f"w_{recipient}": sum(_rate_units(n, month, source) for n in names) for recipient, names in IMPUTATION}
        fnal = [_rate_units(f"fnal.taux_{size}", month, source) for size in ("moins_de_50", "50_et_plus")]
        for size, fnal_rate in zip(("moins_de_50", "50_et_plus"), fnal, strict=True):
            t = _rate_units(f"reduction_generale.coefficient_maximal_{size}", month, source) or _rate_units(
                "reduction_generale.t_min", month, source
            ) + _rate_units(f"reduction_generale.t_delta_{size}", month, source)
            if t and sum(row.values()) + fnal_rate != t:
                raise ValueError(f"réduction générale {month:%m/%Y} ({size}) : les taux d'imputation ne font pas la valeur T")
        unit = math.gcd(*row.values(), *fnal) or 1
        points = {f"csg_{part}": _rate_units(f"affectation_csg_activite.{part}", month, source) for part in CSG_PARTS}
        common = math.gcd(*points.values()) or 1
        rows.append({"mois": month, **{k: v // unit for k, v in row.items()}, "w_unit": unit, **{k: v // common for k, v in points.items()}})
    return pl.DataFrame(
        rows, schema={"mois": pl.Date(), **{f"w_{r}": pl.Int64() for r, _ in IMPUTATION}, "w_unit": pl.Int64(), **{f"csg_{p}": pl.Int64() for p in CSG_PARTS}}
    )


def _largest_remainder(amount: pl.Expr, weights: Sequence[pl.Expr]) -> list[pl.Expr]:
    """Split ``amount`` pro rata of ``weights`` (≥ 0), in whole cents that add up to the amount: each part gets the
    floor of its share, the cents left go to the largest remainders (ties to the earlier part).

    Wide, one expression per part: a part's rank is the number of parts ahead of it, so no window, sort or
    reshaping runs per payslip. Int64: the weights are small integers (see :func:`_split_weights`)."""
    whole = pl.sum_horizontal(weights)
    magnitude = amount.abs()
    floors = [magnitude * w // whole for w in weights]
    rests = [magnitude * w % whole for w in weights]
    left = magnitude - pl.sum_horizontal(floors)
    parts = []
    for i, (floor, rest) in enumerate(zip(floors, rests, strict=True)):
        ahead = pl.sum_horizontal(
            [((other > rest) | (other == rest)).cast(pl.Int64) if j < i else (other > rest).cast(pl.Int64) for j, other in enumerate(rests) if j != i]
        )
        parts.append((floor + (ahead < left).cast(pl.Int64)) * amount.sign())
    return parts


def _imputed_reduction(lines: pl.DataFrame, weights: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each payslip's réduction charged on its recipients (one column each): the retraite complémentaire's part,
    réduction × 6,01 % / T half-up to the cent, first; the rest on the URSSAF's contributions by the largest
    remainder of their rates."""
    fnal = lines.filter(pl.col("code") == "fnal").select("bulletin", pl.col("taux_patronal").cast(RATE_DTYPE).to_physical().cast(pl.Int64).alias("__fnal"))
    reduction = (
        lines.filter((pl.col("code") == REDUCTION) & (pl.col("montant_patronal_cents") != 0))
        .select(*keys, pl.col("montant_patronal_cents").alias("__r"))
        .join(fnal, on="bulletin", how="left")
        .join(weights, on="mois", how="left")
        .with_columns((pl.col("__fnal") // pl.col("w_unit")).alias("w_fnal"))
    )
    recipients = [r for r, _ in IMPUTATION]
    t = pl.sum_horizontal(pl.col(f"w_{r}") for r in recipients)
    rc = div_half_up_expr(pl.col("__r") * pl.col(f"w_{RETRAITE_COMPLEMENTAIRE}"), t)
    urssaf = [r for r in recipients if r != RETRAITE_COMPLEMENTAIRE]
    shares = _largest_remainder(pl.col("__r") - pl.col("__rc"), [pl.col(f"w_{r}") for r in urssaf])
    return reduction.with_columns(rc.alias("__rc")).select(
        *keys, *[share.alias(r) for share, r in zip(shares, urssaf, strict=True)], pl.col("__rc").alias(RETRAITE_COMPLEMENTAIRE)
    )


def _csg_shares(lines: pl.DataFrame, weights: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each payslip's CSG shared among its recipients (one column each) by the points of CSS L131-8, largest remainder."""
    csg = (
        lines.filter(pl.col("attributaire") == "csg")
        .group_by(keys)
        .agg((pl.col("montant_salarial_cents") + pl.col("montant_patronal_cents")).sum().alias("__csg"))
        .filter(pl.col("__csg") != 0)
        .join(weights.select("mois", *[f"csg_{p}" for p in CSG_PARTS]), on="mois", how="left")
    )
    shares = _largest_remainder(pl.col("__csg"), [pl.col(f"csg_{p}") for p in CSG_PARTS])
    return csg.select(*keys, *[share.alias(p) for share, p in zip(shares, CSG_PARTS, strict=True)])


def _summed(split: pl.DataFrame, keys: list[str], produit: str) -> pl.DataFrame:
    """Per-payslip columns of a split summed by ``keys``, as long rows (keys…, attributaire, produit, cents)."""
    parts = [c for c in split.columns if c not in keys and c not in ("bulletin", "mois")]
    summed = split.group_by(keys).agg(pl.col(parts).sum()) if keys else split.select(pl.col(parts).sum())
    return summed.unpivot(on=parts, index=keys, variable_name="attributaire", value_name="cents").select(
        *keys, "attributaire", pl.lit(produit).alias("produit"), pl.col("cents").cast(pl.Int64)
    )


def financement(lines: pl.DataFrame, by: Sequence[str] = ("mois",)) -> pl.DataFrame:
    """Where the money of contribution lines (:func:`contributions`'s frame) goes, payslip by payslip, summed by ``by``.

    One row per (``by``…, ``attributaire``, ``produit``) with ``cents`` (non-zero): ``produit`` "cotisations" is
    what the lines give their recipient (:data:`ATTRIBUTAIRES`, less ``csg`` and ``reduction_generale``), the
    réduction générale imputed (:data:`IMPUTATION`); "csg" is a share of the CSG (:data:`CSG_PARTS`, CSS L131-8).
    Each payslip is split on its own, to the cent, so a declaration's amounts are the sum of its payslips' and
    any grouping of payslips (a DSN, a partition of the batch) gives the same total.
    """
    keys = list(by)
    if lines.height == 0:
        return pl.DataFrame(schema={**{k: lines.schema[k] for k in keys}, **FINANCEMENT_SCHEMA})
    weights = _split_weights(lines["mois"].unique().to_list())
    carried = list(dict.fromkeys(["bulletin", "mois", *keys]))  # the splits are per payslip, by month
    own = (  # grouped on the lines' own types first: a cast of every line to text costs more than the sum
        lines.filter(~pl.col("attributaire").is_in(["csg", REDUCTION]))
        .group_by(*keys, "attributaire")
        .agg((pl.col("montant_salarial_cents") + pl.col("montant_patronal_cents")).sum().alias("cents"))
        .select(*keys, pl.col("attributaire").cast(pl.String), pl.lit("cotisations").alias("produit"), "cents")
    )
    split = pl.concat(
        [
            _summed(_imputed_reduction(lines, weights, carried), keys, "cotisations"),
            _summed(_csg_shares(lines, weights, carried), keys, "csg"),
        ]
    ).select(own.columns)
    return (
        pl.concat([own, split])
        .group_by(*keys, "attributaire", "produit")
        .agg(pl.col("cents").sum())
        .filter(pl.col("cents") != 0)
        .sort(*keys, "attributaire", "produit")
    )


# --------------------------------------------------------------------------
# The employer's account: due dates, late fees, formal notice (CSS R243-6, R243-16, L244-2).
# Frames of periods × dates; compte.py reads the account in the database and books what these give.

_EXIGIBILITE = ("exigibilite.seuil_effectif", "exigibilite.jour_50_et_plus", "exigibilite.jour_moins_de_50")


def _number_text(number: pl.Expr) -> pl.Expr:
    """A decimal as the law writes it: 1.75 -> "1,75", 4 -> "4" (built from the parameter, never typed)."""
    digits = number.cast(RATE_DTYPE).cast(pl.String)
    return digits.str.strip_chars_end("0").str.strip_chars_end(".").str.replace(".", ",", literal=True)


def _percent_text(rate: pl.Expr) -> pl.Expr:
    """A rate as the law writes it: 0.002 -> "0,2 %" (built from the parameter, never typed)."""
    return pl.concat_str(_number_text(rate.cast(RATE_DTYPE) * 100), pl.lit(" %"))


def _euros_text(cents: pl.Expr) -> pl.Expr:
    """Cents as "1234,56" (no thousands separator), for the labels of the account."""
    return pl.concat_str((cents // 100).cast(pl.String), pl.lit(","), (cents % 100).cast(pl.String).str.zfill(2))


def dates_exigibilite(periodes: pl.DataFrame) -> pl.DataFrame:
    """Add ``date_exigibilite``: when the contributions on the pay of ``mois`` are due (CSS R243-6).

    Columns ``mois`` (Date), ``effectif`` (Int64), ``departement`` (String). The contributions of
    month M are due on a day of M+1 that depends on the headcount (the 5th from the threshold, the
    15th under it: dated parameters ``exigibilite.*``); a non-working day moves to the next working
    day of the département (its public holidays: ``secu.core.dates``, one call per distinct date).
    """
    from secu.core.dates import add_jours_ouvres, is_jour_ouvre

    law = join_parameters(periodes, list(_EXIGIBILITE), on="mois")
    following = pl.col("mois").dt.offset_by("1mo").dt.month_start()
    day = (
        pl.when(pl.col("effectif") >= pl.col("exigibilite_seuil_effectif"))
        .then(pl.col("exigibilite_jour_50_et_plus"))
        .otherwise(pl.col("exigibilite_jour_moins_de_50"))
    )
    nominal = law.select(pl.date(following.dt.year(), following.dt.month(), day).alias("jour"), "departement")
    working = {(d, dep): d if is_jour_ouvre(d, dep) else add_jours_ouvres(d, 1, dep) for d, dep in nominal.unique().iter_rows()}
    moved = [working[(d, dep)] for d, dep in nominal.iter_rows()]
    return periodes.with_columns(pl.Series("date_exigibilite", moved, dtype=pl.Date))


def majoration_de_retard(impayes: pl.DataFrame) -> pl.DataFrame:
    """Add the majoration de retard (CSS R243-16 I): a rate of the contributions unpaid on the due date.

    Columns ``date_exigibilite`` (Date) and ``impaye_cents`` (Int64, the contributions still unpaid at
    the end of that day). Adds ``majoration_cents`` (half-up to the cent), ``libelle`` and ``reference``;
    the rate is the parameter ``majorations.retard`` in force on the due date.
    """
    law = join_parameters(impayes, ["majorations.retard"], on="date_exigibilite", with_references=True)
    return law.select(
        *impayes.columns,
        apply_rate_expr(pl.col("impaye_cents"), pl.col("majorations_retard")).alias("majoration_cents"),
        pl.concat_str(
            pl.lit("Majoration de retard de "),
            _percent_text(pl.col("majorations_retard")),
            pl.lit(" sur "),
            _euros_text(pl.col("impaye_cents")),
            pl.lit(" € impayés au "),
            pl.col("date_exigibilite").dt.strftime("%d/%m/%Y"),
        ).alias("libelle"),
        pl.col("majorations_retard_reference").cast(pl.String).alias("reference"),
    )


def mois_de_retard(periodes: pl.DataFrame, au: date) -> pl.DataFrame:
    """One row per month or fraction of month elapsed by ``au`` since each period's due date (CSS R243-16 II).

    Columns ``mois`` and ``date_exigibilite``; gives ``mois``, ``rang`` (1, 2…) and ``debut``, the day that
    month of delay starts: the due date plus ``rang - 1`` months, date to date (the last day of a shorter
    month). A month started before ``au`` counts whole: a fraction of month is a month.
    """
    due = pl.col("date_exigibilite")
    span = (au.year - due.dt.year().cast(pl.Int64)) * 12 + au.month - due.dt.month().cast(pl.Int64) + 1
    return (
        periodes.select("mois", "date_exigibilite", pl.int_ranges(0, pl.max_horizontal(span, 0)).alias("decalage"))
        .explode("decalage")
        .drop_nulls("decalage")
        .select("mois", (pl.col("decalage") + 1).alias("rang"), due.dt.offset_by(pl.format("{}mo", pl.col("decalage"))).alias("debut"))
        .filter(pl.col("debut") < pl.lit(au))
        .sort("mois", "rang")
    )


def majoration_complementaire(retards: pl.DataFrame) -> pl.DataFrame:
    """Add the majoration complémentaire (CSS R243-16 II) of each month of delay.

    Columns ``debut`` (Date, the start of the month of delay), ``rang`` (Int64) and ``impaye_cents``
    (contributions still due at the end of ``debut``). Adds ``majoration_cents`` = the rate in force on
    ``debut`` (``majorations.complementaire``) × the unpaid contributions, half-up to the cent, with
    ``libelle`` and ``reference``.
    """
    law = join_parameters(retards, ["majorations.complementaire"], on="debut", with_references=True)
    return law.select(
        *retards.columns,
        apply_rate_expr(pl.col("impaye_cents"), pl.col("majorations_complementaire")).alias("majoration_cents"),
        pl.concat_str(
            pl.lit("Majoration complémentaire de "),
            _percent_text(pl.col("majorations_complementaire")),
            pl.lit(" (mois de retard n° "),
            pl.col("rang").cast(pl.String),
            pl.lit(")"),
        ).alias("libelle"),
        pl.col("majorations_complementaire_reference").cast(pl.String).alias("reference"),
    )


def dates_limites_mise_en_demeure(notices: pl.DataFrame) -> pl.DataFrame:
    """Add ``date_limite``: the day by which a mise en demeure issued on ``date_emission`` must be paid (CSS L244-2).

    The delay in months is the dated parameter ``mise_en_demeure.delai_mois``, counted date to date (the
    last day of a shorter month); ``reference_mise_en_demeure`` gives its text.
    """
    law = join_parameters(notices, ["mise_en_demeure.delai_mois"], on="date_emission", with_references=True)
    return law.select(
        *notices.columns,
        pl.col("date_emission").dt.offset_by(pl.format("{}mo", pl.col("mise_en_demeure_delai_mois"))).alias("date_limite"),
        pl.col("mise_en_demeure_delai_mois_reference").cast(pl.String).alias("reference_mise_en_demeure"),
    )
