"""Liquidation of claim lines (prestations en nature): one vectorized function, integer cents.

:func:`liquidate` takes claim lines, each carrying its patient's context, and
adds what the Assurance Maladie owes for each line and why:

1. the **base de remboursement** (BR): the tariff in force on the date of
   care (``data/tarifs.csv``) × coefficient, rounded half-up to the cent, ×
   quantity — or, for acts priced per item, the unit price the line carries
   × quantity — capped at the fees charged (CSS R160-22: the caisse never
   pays more than was spent); the rest of the fees is the **dépassement**,
   never reimbursed;
2. the **taux**: the rate of the act's category on that date; 100 % when an
   exonération applies (AT/MP, maternité, ALD, invalidité, nouveau-né, C2S,
   each only for the categories that admit it); minus the majoration, in
   points, outside the parcours de soins coordonné (CSS L162-5-3);
3. the **AMO amount** = BR × taux, half-up to the cent; the **ticket
   modérateur** (TM) is the rest of the BR, limited to the actes-lourds
   forfait for an act of at least 120 € or coefficient 60 (CSS R160-16);
4. the **participation forfaitaire** (CSS L160-13 II) and the **franchise**
   (CSS L160-13 III) with their caps — per day (PF: per professional;
   franchise: per kind) and per calendar year — computed by cumulative sums
   per person, lines ordered by date of care, then by the optional ``ordre``
   column, then by input order, starting from the ``*_avant`` counters;
5. **rembourse** = AMO − PF − franchise, never below 0; what could not be
   deducted on the line (with tiers payant: all of PF and franchise) is
   ``a_recuperer_cents``, recovered on later benefits.

A line that cannot be liquidated (unknown act, no tariff that day…) gets a
``rejet`` code, a French ``motif`` and zero amounts; the other lines go on.

Every legal number comes from a dated parameter (``src/secu/parametres/maladie``)
or the tariff tables, resolved once per (act, day) into a small dense "law
table" and gathered onto the lines; each step's reference is in a
``reference_*`` column, so that :func:`secu.maladie.explication.explain`
tells the story of a line without computing anything.

Performance: no Python per line, no window over groups, integer arithmetic
only (rates in ten-thousandths, ages from YYYYMMDD integers), only the law
columns a step reads are gathered, and the ``if the line is liquidated``
tests vanish from a lot without rejected lines. The caps need the lines of a
person in (date, order) sequence: a frame already sorted by (personne,
date_soins[, ordre]) is used as it is, any other is sorted once; cumulative
sums then run over contiguous runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import RATE_EXPR_SCALE, apply_rate_expr
from secu.core.parameters import join_parameters
from secu.maladie.tarifs import FRANCHISES, KEY, MOTIFS_EXONERATION, STATUTS, InvalidTariffFile, Tarifs, tarifs

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

RATE = pl.Decimal(38, RATE_EXPR_SCALE)

# --------------------------------------------------------------------------
# Columns

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)

REQUIRED: dict[str, tuple[type[pl.DataType], ...]] = {
    "personne": (),  # any type: only compared
    "date_naissance": (pl.Date,),
    "date_soins": (pl.Date,),
    "professionnel": (),  # any type: only compared
    "acte": (pl.String, pl.Categorical, pl.Enum),
    "quantite": _INTEGERS,
    "montant_cents": _INTEGERS,
}
"""Columns every frame must carry, with the dtypes accepted (empty: any)."""

FLAGS = ("parcours", "ald", "maternite", "atmp", "invalidite", "c2s", "tiers_payant")
"""Boolean context of each line. Missing or null: False, except ``parcours``: True (nothing says the patient left it)."""

COUNTERS = ("pf_annee_avant_cents", "franchise_annee_avant_cents", "pf_jour_avant", "franchise_jour_avant_cents")
"""Optional counters of what was borne before these lines; missing or null: 0. The value of a
group's first line is used for the whole group (person-year, person-day-professional, person-day-kind)."""

OPTIONAL: dict[str, pl.DataType] = {
    "sexe": pl.String(),
    "specialite": pl.String(),
    "coefficient": RATE,
    "base_unitaire_cents": pl.Int64(),
    "ordre": pl.Int64(),
    "date_debut_grossesse": pl.Date(),
    "date_accouchement": pl.Date(),
    **{name: pl.Int64() for name in COUNTERS},
}
"""Optional columns and their dtype (a missing one is null, 0 for counters, 1 for ``coefficient``)."""

REJETS = {
    "DATE_SOINS_ABSENTE": "date des soins absente",
    "PERSONNE_ABSENTE": "personne non identifiée",
    "ACTE_INCONNU": "acte inconnu : code absent de la table des tarifs",
    "DATE_HORS_PERIODE": "date des soins antérieure au 01/01/2023, hors de la période que secu liquide",
    "TARIF_NON_EN_VIGUEUR": "aucun tarif de cet acte en vigueur à la date des soins",
    "QUANTITE_INVALIDE": "quantité invalide : un entier au moins égal à 1 est attendu",
    "COEFFICIENT_INVALIDE": "coefficient invalide : un nombre strictement positif est attendu",
    "MONTANT_INVALIDE": "montant facturé absent ou négatif",
    "BASE_UNITAIRE_ABSENTE": "prix unitaire (base_unitaire) absent ou négatif pour un acte tarifé à l'unité",
    "DATE_NAISSANCE_INVALIDE": "date de naissance absente ou postérieure à la date des soins",
    "AGE_INCOMPATIBLE": "acte réservé à une autre tranche d'âge que celle du patient",
}
"""Rejection codes and their French label: the line is not liquidated (every amount 0)."""

MOTIFS = {
    "atmp": "pris en charge à 100 % : accident du travail ou maladie professionnelle",
    "maternite": "pris en charge à 100 % : assurance maternité",
    "ALD": "pris en charge à 100 % : affection de longue durée",
    "invalidite": "pris en charge à 100 % : pension d'invalidité",
    "nouveau-ne": "pris en charge à 100 % : nouveau-né hospitalisé",
    "c2s": "ticket modérateur pris en charge : complémentaire santé solidaire",
    "hors_parcours": "hors parcours de soins coordonné : taux minoré",
    "acte_lourd": "ticket modérateur limité au forfait des actes lourds",
    "plafond": "participation forfaitaire ou franchise réduite par un plafond",
    "forfait_journalier": "forfait journalier à la charge de l'assuré",
    "droit_commun": "remboursé au taux de la catégorie de l'acte",
}
"""The ``motif`` of a liquidated line: the main reason for its amount (first that applies, in this order)."""

PAYES = ("assure", "professionnel")

REJET_DTYPE = pl.Enum(list(REJETS))
MOTIF_DTYPE = pl.Enum([*REJETS.values(), *MOTIFS.values()])
EXONERATION_DTYPE = pl.Enum(list(MOTIFS_EXONERATION))
PAYE_DTYPE = pl.Enum(list(PAYES))
STATUT_DTYPE = pl.Enum(list(STATUTS))

OUTPUT = (
    "categorie", "tarif_acte_cents", "tarif_statut", "base_remboursement_cents", "depassement_cents", "taux", "exoneration",
    "hors_parcours", "acte_lourd", "montant_amo_cents", "ticket_moderateur_cents", "participation_forfaitaire_due_cents",
    "participation_forfaitaire_cents", "franchise_due_cents", "franchise_cents", "rembourse_cents", "paye_a", "verse_cents",
    "a_recuperer_cents", "rejet", "motif", "reference_tarif", "reference_taux", "reference_exoneration", "reference_parcours",
    "reference_acte_lourd", "reference_participation_forfaitaire", "reference_franchise",
)
"""Columns :func:`liquidate` adds, in this order (dtypes in ``src/secu/maladie/README.md``)."""

AGE_BANDS = {
    "CSP2": (None, "pediatrie.age_limite_nourrisson"),
    "CSP6": ("pediatrie.age_limite_nourrisson", "pediatrie.age_limite_jeune_enfant"),
    "CSP": ("pediatrie.age_limite_jeune_enfant", None),
}
"""Acts reserved to an age band (the pédiatre's consultation by age): [lower, upper) in full years."""

_DAY_PARAMETERS = (
    "participation_forfaitaire.montant", "participation_forfaitaire.nombre_maximal_par_jour",
    "participation_forfaitaire.plafond_annuel", "participation_forfaitaire.age_exoneration",
    "franchise.medicament", "franchise.acte_paramedical", "franchise.transport",
    "franchise.plafond_journalier_paramedical", "franchise.plafond_journalier_transport",
    "franchise.plafond_annuel", "franchise.age_exoneration",
    "actes_lourds.forfait", "actes_lourds.seuil_tarif", "actes_lourds.seuil_coefficient",
    "parcours.majoration_hors_parcours", "parcours.age_minimum",
    "maternite.mois_debut_exoneration", "maternite.jours_apres_accouchement", "nouveau_ne.jours_exoneration",
    "pediatrie.age_limite_nourrisson", "pediatrie.age_limite_jeune_enfant",
)
FORFAIT_JOURNALIER_REFERENCE = "CSS L174-4 (forfait journalier à la charge de l'assuré)"

# --------------------------------------------------------------------------
# The law table: one row per (act, day) with everything the rules read that depends on the act and the date


def _col(name: str) -> pl.Expr:
    return pl.col(name.replace(".", "_"))


def _ref(name: str) -> pl.Expr:
    return pl.col(f"{name.replace('.', '_')}_reference").cast(pl.String)


def _join_refs(*parts: pl.Expr) -> pl.Expr:
    return pl.concat_str(list(parts), separator=" ; ")


_REFERENCE_COLUMNS = ("reference_tarif", "__reference_taux_categorie", "reference_participation_forfaitaire",
                      "reference_franchise", "__reference_acte_lourd", "__reference_parcours")


def build_law_table(source: Tarifs | None = None) -> pl.DataFrame:
    """The dense (act, day) table the rules gather from: tariff, category, rates, amounts, caps, references.

    Built from the tariff tables and the dated parameters (through
    :func:`secu.core.parameters.join_parameters`) over the days covered — a
    few tens of thousands of rows, never the claim lines. Row ``KEY`` is at
    position ``KEY``. Every reference column is of one Enum dtype holding all
    the references, so that lines carry 4-byte codes, not texts.
    """
    source = source if source is not None else tarifs()
    categories = list(source.categories.values())
    rates = sorted({c.taux for c in categories if c.taux})
    calendar = pl.DataFrame({"jour": pl.date_range(source.debut, source.fin, "1d", eager=True)})
    days = join_parameters(calendar, [*_DAY_PARAMETERS, *rates], on="jour", with_references=True)

    flags = pl.DataFrame(
        {
            "categorie": pl.Series([c.code for c in categories], dtype=source.categorie_dtype),
            "__taux_param": pl.Series([c.taux for c in categories], dtype=pl.String),
            "__cat_pf": [c.participation_forfaitaire for c in categories],
            "__cat_franchise": pl.Series([c.franchise for c in categories], dtype=pl.String),
            "__cat_hp": [c.hors_parcours for c in categories],
            "__cat_al": [c.acte_lourd for c in categories],
            "__exo_mask": pl.Series(
                [sum(1 << i for i, m in enumerate(MOTIFS_EXONERATION) if m in c.exonerations) for c in categories], dtype=pl.Int32
            ),
        }
    )
    dense = source.daily().join(days, on="jour", how="left").join(flags, on="categorie", how="left")

    def by_rate(reference: bool, otherwise: pl.Expr) -> pl.Expr:
        expr = otherwise
        for name in rates:
            expr = pl.when(pl.col("__taux_param") == name).then(_ref(name) if reference else _col(name)).otherwise(expr)
        return expr

    kind = pl.col("__cat_franchise")

    def by_kind(values: dict[str, str], reference: bool) -> pl.Expr:
        expr: pl.Expr = pl.lit(None, dtype=pl.String if reference else pl.Int64)
        for genre, name in values.items():
            expr = pl.when(kind == genre).then(_ref(name) if reference else _col(name)).otherwise(expr)
        return expr

    units = {"boite": "franchise.medicament", "paramedical": "franchise.acte_paramedical", "transport": "franchise.transport"}
    daily_caps = {"paramedical": "franchise.plafond_journalier_paramedical", "transport": "franchise.plafond_journalier_transport"}
    lower, upper = pl.lit(None, dtype=pl.Int32), pl.lit(None, dtype=pl.Int32)
    for code, (low, high) in AGE_BANDS.items():
        if code in source:
            if low:
                lower = pl.when(pl.col("acte") == code).then(_col(low).cast(pl.Int32)).otherwise(lower)
            if high:
                upper = pl.when(pl.col("acte") == code).then(_col(high).cast(pl.Int32)).otherwise(upper)

    pf_reference = _join_refs(
        _ref("participation_forfaitaire.montant"),
        pl.lit("plafond journalier par professionnel : ") + _ref("participation_forfaitaire.nombre_maximal_par_jour"),
        pl.lit("plafond annuel : ") + _ref("participation_forfaitaire.plafond_annuel"),
        pl.lit("exonération des mineurs : ") + _ref("participation_forfaitaire.age_exoneration"),
    )
    fr_annual = pl.lit("plafond annuel : ") + _ref("franchise.plafond_annuel")
    fr_minors = pl.lit("exonération des mineurs : ") + _ref("franchise.age_exoneration")
    fr_reference = (
        pl.when(kind.is_in(list(daily_caps)))
        .then(_join_refs(by_kind(units, True), pl.lit("plafond journalier : ") + by_kind(daily_caps, True), fr_annual, fr_minors))
        .when(kind.is_not_null())
        .then(_join_refs(by_kind(units, True), fr_annual, fr_minors))
    )
    table = dense.select(
        KEY,
        pl.col("categorie"),
        pl.col("tarif_cents"),
        pl.col("tarif_unitaire"),
        pl.col("tarif_en_vigueur"),
        pl.col("tarif_statut"),
        pl.col("tarif_reference").cast(pl.String).alias("reference_tarif"),
        by_rate(False, pl.lit(None, dtype=RATE)).cast(RATE).alias("__taux_categorie"),
        pl.when(pl.col("categorie").is_not_null())
        .then(by_rate(True, pl.lit(FORFAIT_JOURNALIER_REFERENCE))).alias("__reference_taux_categorie"),
        pl.col("__exo_mask"),
        pl.when(pl.col("__cat_pf")).then(_col("participation_forfaitaire.montant")).otherwise(0).alias("__pf_montant"),
        _col("participation_forfaitaire.nombre_maximal_par_jour").cast(pl.Int64).alias("__pf_max_jour"),
        _col("participation_forfaitaire.plafond_annuel").alias("__pf_plafond"),
        _col("participation_forfaitaire.age_exoneration").cast(pl.Int32).alias("__pf_age"),
        pl.when(pl.col("__cat_pf")).then(pf_reference).alias("reference_participation_forfaitaire"),
        kind.cast(pl.Enum(list(FRANCHISES))).alias("__fr_genre"),
        by_kind(units, False).fill_null(0).alias("__fr_unitaire"),
        by_kind(daily_caps, False).alias("__fr_plafond_jour"),
        _col("franchise.plafond_annuel").alias("__fr_plafond"),
        _col("franchise.age_exoneration").cast(pl.Int32).alias("__fr_age"),
        fr_reference.alias("reference_franchise"),
        pl.when(pl.col("__cat_al")).then(_col("actes_lourds.forfait")).alias("__al_forfait"),
        _col("actes_lourds.seuil_tarif").alias("__al_seuil"),
        _col("actes_lourds.seuil_coefficient").cast(RATE).alias("__al_seuil_coef"),
        pl.when(pl.col("__cat_al")).then(
            _join_refs(_ref("actes_lourds.forfait"), _ref("actes_lourds.seuil_tarif"), _ref("actes_lourds.seuil_coefficient"))
        ).alias("__reference_acte_lourd"),
        pl.when(pl.col("__cat_hp")).then(_col("parcours.majoration_hors_parcours")).otherwise(pl.lit(Decimal(0), dtype=RATE))
        .cast(RATE).alias("__hp_majoration"),
        _col("parcours.age_minimum").cast(pl.Int32).alias("__hp_age"),
        _join_refs(_ref("parcours.majoration_hors_parcours"), _ref("parcours.age_minimum")).alias("__reference_parcours"),
        _col("maternite.mois_debut_exoneration").cast(pl.Int32).alias("__mat_mois"),
        _col("maternite.jours_apres_accouchement").cast(pl.Int32).alias("__mat_jours"),
        _col("nouveau_ne.jours_exoneration").cast(pl.Int32).alias("__nn_jours"),
        lower.alias("__age_min"),
        upper.alias("__age_max"),
    ).sort(KEY)
    dtype = reference_dtype_of(table, source)
    return table.with_columns(pl.col(c).cast(dtype) for c in _REFERENCE_COLUMNS)


def reference_dtype_of(table: pl.DataFrame, source: Tarifs) -> pl.Enum:
    texts: set[str] = {e.reference for e in source.exonerations.values()} | {FORFAIT_JOURNALIER_REFERENCE}
    for column in _REFERENCE_COLUMNS:
        texts |= {t for t in table[column].cast(pl.String).unique().to_list() if t is not None}
    return pl.Enum(sorted(texts))


@lru_cache(maxsize=1)
def law_table() -> pl.DataFrame:
    """:func:`build_law_table` for the package's tables and parameters, built once per process."""
    return build_law_table()


RATE_UNIT = 10_000
"""The rules compute with rates as whole ten-thousandths (70 % is 7000): exact integer arithmetic.

Legal rates (taux de remboursement, majoration hors parcours) are whole
percents, at most two decimals of a percent: :func:`_law` refuses a table
whose rates would need more than 4 decimals rather than round them."""


class _Law:
    """The law table as the rules read it, built once per process.

    ``columns``: the columns that vary over (act, day), gathered onto each
    line by its key; ``constants``: a value the same for every act and every
    day covered (an age limit, a yearly cap that never changed), used as a
    literal — the same law, one gather less. The rates get an integer twin in
    ten-thousandths (``__taux``, ``__hp``), exact (checked).
    """

    def __init__(self, table: pl.DataFrame) -> None:
        table = table.with_columns(
            _ten_thousandths(table["__taux_categorie"]).alias("__taux"),
            _ten_thousandths(table["__hp_majoration"]).alias("__hp"),
        )
        self.constants: dict[str, tuple[object, pl.DataType]] = {}
        self.columns: dict[str, pl.Series] = {}
        for name in table.columns:
            if name == KEY:
                continue
            if table[name].n_unique() == 1:
                self.constants[name] = (table[name][0], table[name].dtype)
            else:
                self.columns[name] = table[name]
        self.max_rate = max(RATE_UNIT, int(table["__taux"].max() or 0))  # type: ignore[arg-type]

    def __getitem__(self, name: str) -> pl.Expr:
        """The value for each line: a literal for a constant, else the column gathered by :meth:`gather`."""
        if name in self.constants:
            value, dtype = self.constants[name]
            return pl.lit(value, dtype=dtype)
        return pl.col(name)

    def gather(self, names: list[str], key: pl.Expr) -> list[pl.Expr]:
        """The varying columns among ``names``, gathered by each line's key (null key: null)."""
        return [pl.lit(self.columns[name]).gather(key).alias(name) for name in names if name in self.columns]


def _ten_thousandths(rates: pl.Series) -> pl.Series:
    """Decimal(38, 9) rates as Int64 ten-thousandths, exactly, or a clear refusal."""
    scaled = pl.col(rates.name).cast(RATE).to_physical()  # the value × 10**9, an exact integer
    checked = rates.to_frame().select((scaled // 100_000).cast(pl.Int64).alias(rates.name), (scaled % 100_000 != 0).any().alias("__inexact"))
    if checked["__inexact"][0]:
        raise InvalidTariffFile("parametres", f"{rates.name} : un taux a plus de 4 décimales, la liquidation calcule en dix-millièmes")
    return checked[rates.name]


@lru_cache(maxsize=1)
def _law() -> _Law:
    return _Law(law_table())


def reference_dtype() -> pl.Enum:
    """The Enum dtype of every ``reference_*`` column (all the legal references the rules can cite)."""
    dtype = law_table()["reference_tarif"].dtype
    assert isinstance(dtype, pl.Enum)
    return dtype


# --------------------------------------------------------------------------
# Input checks


def _complete(lazy: pl.LazyFrame) -> tuple[pl.LazyFrame, set[str]]:
    """Check the frame's columns, add the missing optional ones; returns the frame and the optional columns given."""
    schema = lazy.collect_schema()
    for name, accepted in REQUIRED.items():
        if name not in schema:
            raise InvalidField(name, f"colonne {name!r} absente des lignes à liquider")
        if accepted and not isinstance(schema[name], accepted):
            raise InvalidField(name, f"la colonne {name!r} a le type {schema[name]}, type attendu : {' ou '.join(a.__name__ for a in accepted)}")
    reserved = sorted(set(schema.names()) & (set(OUTPUT) | set(law_table().columns)))
    if reserved:
        raise InvalidField(reserved[0], f"colonne(s) réservée(s) au résultat de la liquidation : {', '.join(reserved)}")
    columns: list[pl.Expr] = [pl.col("quantite").cast(pl.Int64), pl.col("montant_cents").cast(pl.Int64)]
    for name in FLAGS:
        default = name == "parcours"
        if name not in schema:
            columns.append(pl.lit(default).alias(name))
        elif schema[name] != pl.Boolean:
            raise InvalidField(name, f"la colonne {name!r} doit être booléenne (vrai/faux), pas {schema[name]}")
        else:
            columns.append(pl.col(name).fill_null(default))
    given: set[str] = set()
    for name, dtype in OPTIONAL.items():
        if name not in schema:
            if name != "coefficient":  # without a coefficient, the rules use the tariff as it is (coefficient 1)
                columns.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        if name == "coefficient":
            if not isinstance(schema[name], (pl.Decimal, *_INTEGERS)):
                raise InvalidField(name, "le coefficient doit être un décimal exact (Decimal), pas un flottant ni un texte")
            columns.append(pl.col(name).cast(RATE).fill_null(Decimal(1)))
        elif dtype == pl.Date():
            if schema[name] != pl.Date:
                raise InvalidField(name, f"la colonne {name!r} doit être de type Date")
        elif dtype == pl.Int64():
            if not isinstance(schema[name], _INTEGERS):
                raise InvalidField(name, f"la colonne {name!r} doit être un entier (centimes ou nombre)")
            columns.append(pl.col(name).cast(pl.Int64))
        given.add(name)
    return lazy.with_columns(columns), given


# --------------------------------------------------------------------------
# The rule


def _ymd(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A Date column as the integer YYYYMMDD, for exact age arithmetic (Int32, null for null).

    Read from a small calendar over the column's span (one gather): Polars'
    year/month/day extraction costs ten times more per line.
    """
    days = frame[name].to_physical()
    low, high = days.min(), days.max()
    column = pl.col(name)
    if low is None or int(high) - int(low) > 200_000:  # type: ignore[arg-type]  # no date, or a span of centuries
        return column.dt.year().cast(pl.Int32) * 10_000 + column.dt.month().cast(pl.Int32) * 100 + column.dt.day().cast(pl.Int32)
    calendar = pl.Series(pl.date_range(pl.Series([low]).cast(pl.Date)[0], pl.Series([high]).cast(pl.Date)[0], eager=True))
    table = calendar.dt.year().cast(pl.Int32) * 10_000 + calendar.dt.month().cast(pl.Int32) * 100 + calendar.dt.day().cast(pl.Int32)
    return pl.lit(table).gather(column.to_physical() - low)


def _law_key(source: Tarifs, acte: pl.Expr, day: pl.Expr) -> pl.Expr:
    """:meth:`Tarifs.key` as UInt32 (the law table has far fewer rows; gathers by UInt32 are faster):
    null for an unknown act or a day before the tables, the last row's day for a day after them."""
    offset = day.to_physical() - (source.debut - date(1970, 1, 1)).days
    last = source.days - 1
    offset = pl.when(offset > last).then(last).otherwise(offset)
    index = acte.cast(pl.String).cast(source.acte_dtype, strict=False).to_physical().cast(pl.UInt32)
    return pl.when(offset >= 0).then(index * source.days + offset.cast(pl.UInt32))


def _full_years(ymd_from: pl.Expr, ymd_on: pl.Expr) -> pl.Expr:
    """Full years between two YYYYMMDD dates: one year more on each anniversary (born on 29 February:
    on 1 March in common years). Floor division, so a birthday not yet reached this year counts one less."""
    return (ymd_on - ymd_from) // 10_000


def _smaller(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """min(a, b), for operands never null where the result counts (min_horizontal's null handling costs 5× more)."""
    return pl.when(a <= b).then(a).otherwise(b)


def _non_negative(x: pl.Expr) -> pl.Expr:
    """max(x, 0); null stays null."""
    return pl.when(x < 0).then(0).otherwise(x)


def _enum_of(dtype: pl.Enum, code: pl.Expr) -> pl.Expr:
    """Code i (0-based, null for none) of an Enum, as that Enum: a gather, no string built per line."""
    return pl.lit(pl.Series(dtype.categories, dtype=dtype)).gather(code)


def liquidate(lines: FrameT, *, columns: Sequence[str] = OUTPUT, taux_dtype: pl.Decimal = RATE) -> FrameT:
    """Liquidate claim lines: add the amounts the Assurance Maladie owes, and why.

    ``lines`` is a Polars DataFrame or LazyFrame; the result has the same
    type (a LazyFrame is computed — the caps need the whole frame — and
    returned lazy). Input and output columns and their dtypes are listed in
    ``src/secu/maladie/README.md``. Extra input columns pass through untouched.
    ``columns``: the output columns wanted, among :data:`OUTPUT` (all by
    default; the batch asks only for those it writes); ``taux_dtype``: the
    Decimal dtype of ``taux`` (Decimal(38, 9) by default; at least 4 decimals:
    the rates are exact in ten-thousandths). Raises InvalidField
    only for a malformed frame (missing column, wrong dtype); a line that
    cannot be liquidated is rejected with ``rejet`` and ``motif`` instead,
    and the other lines go on.
    """
    eager = isinstance(lines, pl.DataFrame)
    lazy = lines.lazy() if isinstance(lines, pl.DataFrame) else lines
    if not isinstance(lazy, pl.LazyFrame):
        raise TypeError("lines doit être un DataFrame ou un LazyFrame Polars")
    if not isinstance(taux_dtype, pl.Decimal) or (taux_dtype.scale or 0) < 4:
        raise ValueError("taux_dtype doit être un Decimal à 4 décimales au moins")
    unknown = [name for name in columns if name not in OUTPUT]
    if unknown:
        raise ValueError(f"colonne(s) de résultat inconnue(s) : {', '.join(unknown)}")
    names = lazy.collect_schema().names()
    source = tarifs()
    lazy, given = _complete(lazy)
    frame = _in_memory(lazy)
    frame = _amounts(frame, source, _law(), given)
    frame = frame.with_columns(_caps(frame, given))
    result = _in_memory(_outcome(frame.lazy(), source, _law(), columns, taux_dtype, frame["__rejet"].null_count() == frame.height).select(*names, *columns))
    return result if eager else result.lazy()  # type: ignore[return-value]


# Law columns the amounts read (the references and the statut are gathered only when asked for).
_LAW_FOR_CAPS = ["__pf_montant", "__pf_max_jour", "__pf_plafond", "__fr_plafond_jour", "__fr_plafond"]
_LAW_FOR_AMOUNTS = [
    "tarif_cents", "tarif_unitaire", "tarif_en_vigueur", "__taux", "__exo_mask", "__pf_age", "__fr_genre", "__fr_unitaire",
    "__fr_age", "__al_forfait", "__al_seuil", "__al_seuil_coef", "__hp", "__hp_age", "__mat_mois", "__mat_jours", "__nn_jours",
    "__age_min", "__age_max", *_LAW_FOR_CAPS,
]
_LAW_FOR_OUTPUTS = {
    "tarif_statut": "tarif_statut", "reference_tarif": "reference_tarif", "reference_taux": "__reference_taux_categorie",
    "reference_parcours": "__reference_parcours", "reference_acte_lourd": "__reference_acte_lourd",
    "reference_participation_forfaitaire": "reference_participation_forfaitaire", "reference_franchise": "reference_franchise",
    "categorie": "categorie",
}


def _amounts(frame: pl.DataFrame, source: Tarifs, law: _Law, given: set[str]) -> pl.DataFrame:
    """Everything per line: rejection, BR, exonération, taux, AMO, TM, PF and franchise due before caps."""
    quantite, montant = pl.col("quantite"), pl.col("montant_cents")
    soins, naissance = pl.col("date_soins"), pl.col("date_naissance")
    # Without a coefficient column every line has coefficient 1: the tariff itself, no arithmetic.
    coefficient = pl.col("coefficient") if "coefficient" in given else pl.lit(Decimal(1), dtype=RATE)
    unit = law["tarif_unitaire"]
    age = pl.col("__age")

    lf = frame.lazy().with_columns(
        _law_key(source, pl.col("acte"), soins).alias("__cle"),
        _ymd(frame, "date_soins").alias("__ymd_soins"),
        _ymd(frame, "date_naissance").alias("__ymd_naissance"),
    ).with_columns(
        *law.gather(_LAW_FOR_AMOUNTS, pl.col("__cle")),
        _full_years(pl.col("__ymd_naissance"), pl.col("__ymd_soins")).alias("__age"),
        (pl.col("__ymd_soins") // 10_000).alias("__annee"),
        (soins.to_physical() - naissance.to_physical()).alias("__age_jours"),
    ).with_columns(
        # Minors' exemption: the age on 1 January of the year of care (CSS R160-20).
        _full_years(pl.col("__ymd_naissance"), pl.col("__annee") * 10_000 + 101).alias("__age_1er_janvier"),
    )
    # -- rejections: the first that applies --------------------------------
    tests = {
        "DATE_SOINS_ABSENTE": soins.is_null(),
        "PERSONNE_ABSENTE": pl.col("personne").is_null(),
        "ACTE_INCONNU": law["tarif_en_vigueur"].is_null() & (soins >= pl.lit(source.debut)),
        "DATE_HORS_PERIODE": soins < pl.lit(source.debut),
        "TARIF_NON_EN_VIGUEUR": ~law["tarif_en_vigueur"],
        "QUANTITE_INVALIDE": quantite.is_null() | (quantite < 1),
        "COEFFICIENT_INVALIDE": coefficient <= pl.lit(Decimal(0), dtype=RATE),
        "MONTANT_INVALIDE": montant.is_null() | (montant < 0),
        "BASE_UNITAIRE_ABSENTE": unit & (pl.col("base_unitaire_cents").is_null() | (pl.col("base_unitaire_cents") < 0)),
        "DATE_NAISSANCE_INVALIDE": naissance.is_null() | (naissance > soins),
        "AGE_INCOMPATIBLE": (age < law["__age_min"]).fill_null(False) | (age >= law["__age_max"]).fill_null(False),
    }
    frame = _in_memory(lf.with_columns(pl.any_horizontal([test.fill_null(False) for test in tests.values()]).alias("__rejete")))
    # Most lots have no rejected line: then the rules below need no "if the line is liquidated" test.
    all_ok = not frame["__rejete"].any()
    ok: pl.Expr = pl.lit(True) if all_ok else pl.col("__rejet").is_null()

    def if_ok(value: pl.Expr, otherwise: object = None) -> pl.Expr:
        return value if all_ok else pl.when(ok).then(value).otherwise(otherwise)

    code: pl.Expr = pl.lit(None, dtype=pl.UInt32)
    if not all_ok:
        for index, test in reversed(list(enumerate(tests.values()))):
            code = pl.when(test.fill_null(False)).then(pl.lit(index, dtype=pl.UInt32)).otherwise(code)
    lf = frame.lazy().with_columns(code.alias("__rejet"))

    # -- base de remboursement ---------------------------------------------
    tarif = law["tarif_cents"]
    if "coefficient" in given:  # tariff × coefficient, half-up to the cent, exact (Int128)
        tarif = apply_rate_expr(tarif, coefficient)
    per_act = pl.when(unit).then(pl.col("base_unitaire_cents")).otherwise(tarif)

    # -- exonération of the ticket modérateur ------------------------------
    maternite = pl.col("maternite")
    if "date_debut_grossesse" in given:
        start = pl.col("date_debut_grossesse").dt.offset_by(pl.concat_str((law["__mat_mois"] - 1).cast(pl.String), pl.lit("mo")))
        maternite = maternite & (start.is_null() | (soins >= start))
    if "date_accouchement" in given:
        end = pl.col("date_accouchement") + pl.duration(days=law["__mat_jours"])
        maternite = maternite & (end.is_null() | (soins <= end))
    conditions = {
        "atmp": pl.col("atmp"),
        "maternite": pl.col("__maternite"),
        "ALD": pl.col("ald"),
        "invalidite": pl.col("invalidite"),
        "nouveau-ne": pl.col("__age_jours") < law["__nn_jours"],
        "c2s": pl.col("c2s"),
    }
    # One bit per motif (in the order of MOTIFS_EXONERATION) that applies to the line and that its category
    # admits (``__exo_mask``); the exonération retained is the first, the lowest bit set.
    bits: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for bit, motif in enumerate(MOTIFS_EXONERATION):
        bits = bits | pl.when(conditions[motif]).then(pl.lit(1 << bit, dtype=pl.Int32)).otherwise(pl.lit(0, dtype=pl.Int32))
    hp = law["__hp"]
    lf = lf.with_columns(
        if_ok(per_act, 0).alias("tarif_acte_cents"),
        maternite.alias("__maternite"),
        # Outside the parcours de soins: the majoration is lost (doctors' acts, patients of 16 or more).
        (~pl.col("parcours") & (hp > 0) & (age >= law["__hp_age"])).alias("__hors_parcours"),
    )
    lf = lf.with_columns(
        if_ok(_smaller(pl.col("tarif_acte_cents") * quantite, montant), 0).alias("base_remboursement_cents"),
        (bits & law["__exo_mask"]).alias("__exo_bits"),
    )
    br = pl.col("base_remboursement_cents")
    exo_bits = pl.col("__exo_bits")
    lf = lf.with_columns(
        if_ok(pl.when(exo_bits != 0).then(exo_bits.bitwise_trailing_zeros())).alias("__exo"),
        pl.when(exo_bits != 0).then(RATE_UNIT).otherwise(law["__taux"].fill_null(0)).alias("__taux_base"),
    )
    exonere = pl.col("__exo").is_not_null()

    # -- taux, in ten-thousandths ------------------------------------------
    base_rate = pl.col("__taux_base")
    rate = pl.when(pl.col("__hors_parcours")).then(_non_negative(base_rate - hp)).otherwise(base_rate)
    lf = lf.with_columns(
        (pl.col("__hors_parcours") if all_ok else ok & pl.col("__hors_parcours")).alias("hors_parcours"),
        if_ok(rate).alias("__taux_ligne"),
    )

    # -- AMO, ticket modérateur, actes lourds (CSS R160-16) ----------------
    # BR × taux half-up to the cent: BR and taux are never negative on a liquidated line, so
    # (BR × taux + 5000) // 10000 is exactly half-up. In Int64 unless the product could pass 2**62 (then Int128).
    top = frame["montant_cents"].max()
    product = br * pl.col("__taux_ligne")
    if top is not None and int(top) * law.max_rate >= 2**62:  # type: ignore[arg-type]
        product = br.cast(pl.Int128) * pl.col("__taux_ligne")
    amo = if_ok(((product + RATE_UNIT // 2) // RATE_UNIT).cast(pl.Int64, strict=True), 0)
    forfait = law["__al_forfait"]
    lourd = ~exonere & forfait.is_not_null() & ((br >= law["__al_seuil"]) | (coefficient >= law["__al_seuil_coef"]))
    lf = lf.with_columns((br - amo).alias("__tm"), (lourd if all_ok else ok & lourd).alias("acte_lourd"))
    lf = lf.with_columns(
        pl.when(pl.col("acte_lourd")).then(_smaller(pl.col("__tm"), forfait)).otherwise(pl.col("__tm"))
        .alias("ticket_moderateur_cents")
    )
    lf = lf.with_columns((br - pl.col("ticket_moderateur_cents")).alias("montant_amo_cents"))

    # -- participation forfaitaire and franchise due, before caps ----------
    # Not due by minors (CSS L160-15, R160-20), C2S beneficiaries (L160-15), under assurance maternité (L160-9).
    free = pl.col("c2s") | pl.col("__maternite")
    age_1er_janvier = pl.col("__age_1er_janvier")
    pf_applies = (law["__pf_montant"] > 0) & ~free & (age_1er_janvier >= law["__pf_age"])
    fr_applies = (law["__fr_unitaire"] > 0) & ~free & (age_1er_janvier >= law["__fr_age"])
    lf = lf.with_columns(
        pl.when(pf_applies if all_ok else ok & pf_applies).then(quantite).otherwise(0).alias("__pf_n"),
        # For a product or an act, the franchise never exceeds what the AMO pays for it (décret n° 2007-1937).
        pl.when(fr_applies if all_ok else ok & fr_applies)
        .then(_smaller(law["__fr_unitaire"] * quantite, pl.col("montant_amo_cents")))
        .otherwise(0).alias("franchise_due_cents"),
    )
    lf = lf.with_columns((pl.col("__pf_n") * law["__pf_montant"]).alias("participation_forfaitaire_due_cents"))
    return _in_memory(lf)


# --------------------------------------------------------------------------
# Caps: cumulative sums over contiguous runs of a sorted frame


def _before_expr(amount: pl.Expr, new_run: str) -> pl.Expr:
    """Exclusive cumulative sum of ``amount`` within runs: what the earlier lines of the run carry."""
    excl = amount.cum_sum() - amount
    return excl - pl.when(pl.col(new_run)).then(excl).forward_fill()


def _before(amount: str, new_run: str) -> pl.Expr:
    return _before_expr(pl.col(amount), new_run)


def _runs(*keys: pl.Expr) -> pl.Expr:
    """True on the first line of each run of equal keys (in frame order)."""
    new = pl.lit(False)
    for key in keys:
        new = new | key.ne_missing(key.shift(1))
    return new


def _first(column: str, new_run: str) -> pl.Expr:
    """The value of the run's first line, for every line of the run."""
    return pl.when(pl.col(new_run)).then(pl.col(column)).forward_fill()


def _capped(amount: pl.Expr, before: pl.Expr, cap: pl.Expr) -> pl.Expr:
    """What still fits under ``cap`` once ``before`` is counted: clip(cap − before, 0, amount); no cap (null): amount."""
    room = cap - before
    return pl.when(room < amount).then(_non_negative(room)).otherwise(amount)


def _runs_over_cap(work: pl.DataFrame, amount: str, counter: str | None, law: _Law, cap: str) -> pl.Series | None:
    """For each person-year (run of ``__annee_neuve``): does its total, with its counter, exceed a yearly cap
    the same for all lines? Read from the running total at each run's end, cheaper than the exclusive sums
    per line that capping needs. None when the cap varies (then every run is capped line by line)."""
    limit = law.constants.get(cap, (None,))[0]
    if limit is None:
        return None
    total = pl.col(amount).cum_sum().filter(pl.col("__annee_neuve").shift(-1).fill_null(True))
    per_run = total - total.shift(1).fill_null(0)
    if counter is not None:
        per_run = per_run + pl.col(counter).filter(pl.col("__annee_neuve")).fill_null(0)
    return _in_memory(work.lazy().select((per_run > limit).alias("__au_dela"))).to_series()


def _in_memory(plan: pl.LazyFrame) -> pl.DataFrame:
    """Collect with the in-memory engine: cumulative sums and fills over a whole column run much faster there."""
    return plan.collect(engine="in-memory")


def _caps(frame: pl.DataFrame, given: set[str]) -> list[pl.Series]:
    """Participation forfaitaire and franchise after the daily and yearly caps, in the frame's order.

    Order A — person, date of care, ``ordre``, input order — is the order of
    the yearly caps: a frame already in that order is used as it is, any
    other is sorted once (stable: input order breaks ties). Within a
    person-day, the PF is capped per professional and the franchise per
    kind: lines of several such groups on one person-day are regrouped (a
    small stable sort of those lines only).
    """
    law = _law()
    counters = given & set(COUNTERS)
    height = frame.height
    zeros = pl.zeros(height, pl.Int64, eager=True)
    if height == 0:
        return [zeros.alias("participation_forfaitaire_cents"), zeros.alias("franchise_cents")]
    with_order = frame["ordre"].null_count() < height
    daily_kind = law["__fr_plafond_jour"].is_not_null() & (pl.col("franchise_due_cents") > 0)
    filtered = frame["__rejet"].null_count() < height
    lf = frame.lazy()
    if filtered:  # rejected lines (maybe without person or date) take no part
        lf = lf.with_row_index("__rang_ligne").filter(pl.col("__rejet").is_null())
    work = lf.select(
        *(["__rang_ligne"] if filtered else []),
        "personne", "date_soins", "__annee", *([pl.col("ordre").fill_null(2**63 - 1).alias("__ordre")] if with_order else []),
        "professionnel", "__pf_n", "participation_forfaitaire_due_cents", "franchise_due_cents", *(pl.col(c) for c in sorted(counters)),
        *(pl.col(c) for c in _LAW_FOR_CAPS if c in law.columns),
        # Daily groups: PF per professional (famille 1), franchise per kind (2 + kind); a line has one or neither.
        pl.when(pl.col("__pf_n") > 0).then(1).when(daily_kind).then(2 + law["__fr_genre"].to_physical().cast(pl.Int32))
        .otherwise(0).alias("__famille"),
        pl.when(pl.col("__pf_n") > 0).then(pl.col("__pf_n")).when(daily_kind).then(pl.col("franchise_due_cents"))
        .otherwise(0).alias("__x_jour"),
    )
    work = _in_memory(work)
    if work.height == 0:
        return [zeros.alias("participation_forfaitaire_cents"), zeros.alias("franchise_cents")]
    order = ["personne", "date_soins", "__ordre"] if with_order else ["personne", "date_soins"]
    # In order A? Persons sorted (a native pass), then, within a person, each line not before the previous one.
    within: pl.Expr | None = None
    for key in reversed(order[1:]):
        column, previous = pl.col(key), pl.col(key).shift(1)
        within = column >= previous if within is None else (column > previous) | ((column == previous) & within)
    assert within is not None
    new_person = _runs(pl.col("personne")).alias("__personne_neuve")
    work = _in_memory(work.lazy().with_columns(new_person))
    resorted = not (work["personne"].is_sorted() and _in_memory(work.lazy().select((pl.col("__personne_neuve") | within).all())).item())
    if resorted:
        if not filtered:
            work = work.with_row_index("__rang_ligne")
        work = _in_memory(work.lazy().sort(order, nulls_last=True, maintain_order=True).with_columns(new_person))
    # The counter of the day: a line alone in its group is the first of it.
    counter_day: pl.Expr = pl.lit(0, dtype=pl.Int64)
    if "pf_jour_avant" in counters:
        counter_day = pl.when(pl.col("__famille") == 1).then(pl.col("pf_jour_avant").fill_null(0)).otherwise(counter_day)
    if "franchise_jour_avant_cents" in counters:
        counter_day = pl.when(pl.col("__famille") >= 2).then(pl.col("franchise_jour_avant_cents").fill_null(0)).otherwise(counter_day)
    work = _in_memory(work.lazy().with_columns(
        counter_day.alias("__avant_jour"),
        (pl.col("__personne_neuve") | pl.col("date_soins").ne_missing(pl.col("date_soins").shift(1))).alias("__jour_neuf"),
        (pl.col("__personne_neuve") | pl.col("__annee").ne_missing(pl.col("__annee").shift(1))).alias("__annee_neuve"),
    ).with_columns(
        pl.col("__jour_neuf").cum_sum().alias("__jour"),
    ))
    # Person-days with several daily-capped lines: regroup those lines by (famille, professionnel).
    # The daily lines, in order: a day with two of them shows as two neighbours on the same day.
    same_day = (pl.col("__jour") == pl.col("__jour").shift(1)) | (pl.col("__jour") == pl.col("__jour").shift(-1))
    crowded = _in_memory(
        work.lazy().select("__jour", "__famille", "professionnel", "__avant_jour", "__x_jour").with_row_index("__position")
        .filter(pl.col("__famille") > 0).filter(same_day.fill_null(False))
    )
    if crowded.height:
        group = pl.when(pl.col("__famille") == 1).then(pl.col("professionnel"))
        position = _in_memory(
            crowded.lazy()
            .with_columns(group.alias("__pro"))
            .sort(["__jour", "__famille", "__pro", "__position"], nulls_last=True)
            .with_columns(_runs(pl.col("__jour"), pl.col("__famille"), pl.col("__pro")).alias("__groupe_neuf"))
            .select("__position", (_first("__avant_jour", "__groupe_neuf") + _before("__x_jour", "__groupe_neuf")).alias("__avant"))
        )
        before_day = work["__avant_jour"].clone()
        before_day.scatter(position["__position"], position["__avant"])
        work = work.with_columns(before_day.alias("__avant_jour"))
    # Daily caps, then the yearly caps in order A. Usually no line goes over its daily cap (checked in one
    # pass): then the amounts due stay as they are.
    pf_over = (law["__pf_max_jour"] - pl.col("__avant_jour")) < pl.col("__pf_n")
    fr_over = (pl.col("__famille") >= 2) & ((law["__fr_plafond_jour"] - pl.col("__avant_jour")) < pl.col("franchise_due_cents"))
    pf_capped, fr_capped = _in_memory(work.lazy().select(pf_over.any().alias("pf"), fr_over.any().alias("fr"))).row(0)
    work = _in_memory(work.lazy().with_columns(
        (_capped(pl.col("__pf_n"), pl.col("__avant_jour"), law["__pf_max_jour"]) * law["__pf_montant"]).alias("__pf_jour")
        if pf_capped else pl.col("participation_forfaitaire_due_cents").alias("__pf_jour"),
        pl.when(pl.col("__famille") >= 2)
        .then(_capped(pl.col("franchise_due_cents"), pl.col("__avant_jour"), law["__fr_plafond_jour"]))
        .otherwise(pl.col("franchise_due_cents")).alias("__fr_jour")
        if fr_capped else pl.col("franchise_due_cents").alias("__fr_jour"),
    ))
    yearly = []
    for amount, counter, cap, name in (
        ("__pf_jour", "pf_annee_avant_cents", "__pf_plafond", "participation_forfaitaire_cents"),
        ("__fr_jour", "franchise_annee_avant_cents", "__fr_plafond", "franchise_cents"),
    ):
        year = _first(counter, "__annee_neuve").fill_null(0) if counter in counters else pl.lit(0)
        capped = _capped(pl.col(amount), year + _before(amount, "__annee_neuve"), law[cap]).alias(name)
        over = _runs_over_cap(work, amount, counter if counter in counters else None, law, cap)
        if over is None or over.sum() > over.len() // 4:
            yearly.append(capped)
        elif not over.any():
            yearly.append(pl.col(amount).alias(name))  # no person-year reaches the cap: nothing to cut
        else:  # cap only the few person-years that reach it (whole runs: the sums per run stay right)
            run = pl.col("__annee_neuve").cum_sum() - 1
            cut = _in_memory(work.lazy().with_row_index("__position").filter(pl.lit(over).gather(run)).select("__position", capped))
            column = work[amount].clone()
            column.scatter(cut["__position"], cut[name])
            yearly.append(pl.lit(column).alias(name))
    work = _in_memory(work.lazy().select(*(["__rang_ligne"] if filtered or resorted else []), *yearly))
    if not (filtered or resorted):
        return [work["participation_forfaitaire_cents"], work["franchise_cents"]]
    results = []
    for name in ("participation_forfaitaire_cents", "franchise_cents"):
        full = zeros.clone()
        full.scatter(work["__rang_ligne"], work[name])
        results.append(full.alias(name))
    return results


# --------------------------------------------------------------------------
# What is paid, to whom; motif and references


def _outcome(lf: pl.LazyFrame, source: Tarifs, law: _Law, columns: Sequence[str], taux_dtype: pl.Decimal, all_ok: bool) -> pl.LazyFrame:
    """The output columns asked for (those computed on the way pass through); law columns gathered only if read."""
    ok = pl.col("__rejet").is_null()

    def if_ok(value: pl.Expr, otherwise: object = None) -> pl.Expr:  # no line rejected: no test
        return value if all_ok else pl.when(ok).then(value).otherwise(otherwise)

    amo, pf, fr = pl.col("montant_amo_cents"), pl.col("participation_forfaitaire_cents"), pl.col("franchise_cents")
    tiers = pl.col("tiers_payant")
    exonere = pl.col("__exo").is_not_null()
    rembourse = _non_negative(amo - pf - fr)
    capped = (pf < pl.col("participation_forfaitaire_due_cents")) | (fr < pl.col("franchise_due_cents"))
    n_rejets = len(REJETS)
    motif_code = (
        (pl if all_ok else pl.when(~ok).then(pl.col("__rejet")))
        .when(exonere).then(pl.col("__exo") + n_rejets)
        .when(pl.col("hors_parcours")).then(pl.lit(n_rejets + 6, dtype=pl.UInt32))
        .when(pl.col("acte_lourd")).then(pl.lit(n_rejets + 7, dtype=pl.UInt32))
        .when(capped).then(pl.lit(n_rejets + 8, dtype=pl.UInt32))
        .when(law["__taux"].is_null()).then(pl.lit(n_rejets + 9, dtype=pl.UInt32))
        .otherwise(pl.lit(n_rejets + 10, dtype=pl.UInt32))
    )
    references = reference_dtype()
    exo_refs = pl.Series([source.exonerations[m].reference for m in MOTIFS_EXONERATION], dtype=references)
    exo_reference = pl.lit(exo_refs).gather(pl.col("__exo"))
    outputs = {
        "rembourse_cents": rembourse,
        "depassement_cents": if_ok(pl.col("montant_cents") - pl.col("base_remboursement_cents"), 0),
        # taux: ten-thousandths → the Decimal by its unscaled integer (value × 10**scale), exact.
        "taux": (pl.col("__taux_ligne") * 10 ** ((taux_dtype.scale or 0) - 4)).cast(pl.Int128).reinterpret(dtype=taux_dtype),
        "exoneration": _enum_of(EXONERATION_DTYPE, pl.col("__exo")),
        "paye_a": _enum_of(PAYE_DTYPE, tiers.cast(pl.UInt32)),
        "verse_cents": pl.when(tiers).then(amo).otherwise(rembourse),
        "a_recuperer_cents": pl.when(tiers).then(pf + fr).otherwise(_non_negative(pf + fr - amo)),
        "rejet": pl.lit(None, dtype=REJET_DTYPE) if all_ok else _enum_of(REJET_DTYPE, pl.col("__rejet")),
        "motif": _enum_of(MOTIF_DTYPE, motif_code),
        "tarif_statut": if_ok(law["tarif_statut"]),
        "reference_tarif": if_ok(law["reference_tarif"]),
        "reference_taux": if_ok(pl.when(exonere).then(exo_reference).otherwise(law["__reference_taux_categorie"])),
        "reference_exoneration": exo_reference,
        "reference_parcours": pl.when(pl.col("hors_parcours")).then(law["__reference_parcours"]),
        "reference_acte_lourd": pl.when(pl.col("acte_lourd")).then(law["__reference_acte_lourd"]),
        "reference_participation_forfaitaire": if_ok(law["reference_participation_forfaitaire"]),
        "reference_franchise": if_ok(law["reference_franchise"]),
        "categorie": if_ok(law["categorie"]),
    }
    law_columns = [_LAW_FOR_OUTPUTS[name] for name in columns if name in _LAW_FOR_OUTPUTS]
    return lf.with_columns(*law.gather(law_columns, pl.col("__cle"))).with_columns(
        outputs[name].alias(name) for name in columns if name in outputs
    )


def liquidate_one(line: dict[str, object]) -> dict[str, object]:
    """Liquidate one line given as a dict: the same vectorized rule over a frame of one row."""
    overrides: dict[str, pl.DataType] = {}
    for name, dtype in {**{k: v for k, v in OPTIONAL.items()}, "date_naissance": pl.Date(), "date_soins": pl.Date(),
                        "montant_cents": pl.Int64(), "quantite": pl.Int64(), "acte": pl.String()}.items():
        if name in line:
            overrides[name] = dtype
    for name in FLAGS:
        if name in line:
            overrides[name] = pl.Boolean()
    if isinstance(line.get("date_soins"), date):
        overrides["date_soins"] = pl.Date()
    return liquidate(pl.DataFrame([line], schema_overrides=overrides)).row(0, named=True)
