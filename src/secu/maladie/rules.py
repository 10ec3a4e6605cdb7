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
   points, outside the parcours de soins coordonné (CSS L162-5-3) — also
   under the ALD, invalidité and C2S exonérations (see :func:`_taux`); the
   parcours itself is decided by :func:`parcours_de_soins` when the frame
   gives the declared situation;
3. the **AMO amount** = BR × taux, half-up to the cent; the **ticket
   modérateur** (TM) is the rest of the BR, limited to the actes-lourds
   forfait (CSS R160-16) for the acts of one session (practitioner, patient,
   day) reaching 120 € or coefficient 60 together, and for a hospital stay
   during which an acte lourd was performed (see :func:`_actes_lourds`);
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

The steps of :func:`_amounts` are named after the law; the speed tricks are
behind named helpers. Performance: no Python per line, a window over groups
only for the few sessions of several acts, integer arithmetic only (rates as
multiples of ``secu.core.money.RATE_UNIT``, roundings by
``div_half_up_expr``, ages from YYYYMMDD integers), only the law
columns a step reads are gathered, and the ``if the line is liquidated``
tests vanish from a lot without rejected lines. The caps need the lines of a
person in (date, order) sequence: a frame already sorted by (personne,
date_soins[, ordre]) is used as it is, any other is sorted once; cumulative
sums then run over contiguous runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

import polars as pl

from secu.core.ages import full_years_ymd
from secu.core.errors import InvalidField
from secu.core.money import RATE_DTYPE, RATE_UNIT, apply_rate_expr, div_half_up_expr
from secu.core.parameters import join_parameters, parameters
from secu.maladie.tarifs import ACTES_LOURDS, FRANCHISES, KEY, MOTIFS_EXONERATION, STATUTS, Tarifs, tarifs

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

RATE = RATE_DTYPE
RATE_SCALE = RATE_DTYPE.scale or 0

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

FLAGS = ("parcours", "ald", "maternite", "atmp", "invalidite", "c2s", "tiers_payant", "acte_lourd_pendant_sejour")
"""Boolean context of each line. Missing or null: False, except ``parcours``: True (nothing says the patient left it).
``acte_lourd_pendant_sejour``: on a hospital stay (GHS), an acte lourd was performed during the stay (CSS R160-16)."""

COUNTERS = ("pf_annee_avant_cents", "franchise_annee_avant_cents", "pf_jour_avant", "franchise_jour_avant_cents")
"""Optional counters of what was borne before these lines; missing or null: 0. The value of a
group's first line is used for the whole group (person-year, person-day-professional, person-day-kind)."""

OPTIONAL: dict[str, pl.DataType] = {
    "sexe": pl.String(),
    "specialite": pl.String(),
    "coefficient": RATE,
    "base_unitaire_cents": pl.Int64(),
    "ordre": pl.Int64(),
    "seance": pl.String(),
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
SEANCE_REFERENCE = "CSS R160-16 (seuils appréciés sur les actes d'un même praticien au cours d'une même séance)"
SEJOUR_REFERENCE = "CSS R160-16 (frais d'un séjour hospitalier au cours duquel un acte lourd a été effectué)"

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
    rates = sorted({c.taux for c in source.categories.values() if c.taux})
    table = _dense_law(source, rates).select(
        KEY,
        *_tariff_columns(),
        *_rate_columns(rates),
        *_participation_columns(),
        *_franchise_columns(),
        *_acte_lourd_columns(),
        *_parcours_columns(),
        *_age_columns(source),
    ).sort(KEY)
    dtype = reference_dtype_of(table, source)
    return table.with_columns(pl.col(c).cast(dtype) for c in _REFERENCE_COLUMNS)


def _dense_law(source: Tarifs, rates: list[str]) -> pl.DataFrame:
    """One row per (act, day): the tariff, the parameters in force that day (with their references) and what
    the act's category says (``__taux_param``, ``__cat_*``, ``__exo_mask``: one bit per exonération admitted)."""
    categories = list(source.categories.values())
    calendar = pl.DataFrame({"jour": pl.date_range(source.debut, source.fin, "1d", eager=True)})
    days = join_parameters(calendar, [*_DAY_PARAMETERS, *rates], on="jour", with_references=True)
    flags = pl.DataFrame({
        "categorie": pl.Series([c.code for c in categories], dtype=source.categorie_dtype),
        "__taux_param": pl.Series([c.taux for c in categories], dtype=pl.String),
        "__cat_pf": [c.participation_forfaitaire for c in categories],
        "__cat_franchise": pl.Series([c.franchise for c in categories], dtype=pl.String),
        "__cat_hp": [c.hors_parcours for c in categories],
        "__cat_al": pl.Series([c.acte_lourd for c in categories], dtype=pl.String),
        "__exo_mask": pl.Series([sum(1 << i for i, m in enumerate(MOTIFS_EXONERATION) if m in c.exonerations) for c in categories],
                                dtype=pl.Int32),
    })
    return source.daily().join(days, on="jour", how="left").join(flags, on="categorie", how="left")


def _tariff_columns() -> list[pl.Expr]:
    return [pl.col("categorie"), pl.col("tarif_cents"), pl.col("tarif_unitaire"), pl.col("tarif_en_vigueur"), pl.col("tarif_statut"),
            pl.col("tarif_reference").cast(pl.String).alias("reference_tarif")]


def _rate_columns(rates: list[str]) -> list[pl.Expr]:
    """The category's rate parameter on that day (``__taux_categorie``) and its reference."""
    def by_rate(reference: bool, otherwise: pl.Expr) -> pl.Expr:
        expr = otherwise
        for name in rates:
            expr = pl.when(pl.col("__taux_param") == name).then(_ref(name) if reference else _col(name)).otherwise(expr)
        return expr

    return [
        by_rate(False, pl.lit(None, dtype=RATE)).cast(RATE).alias("__taux_categorie"),
        pl.when(pl.col("categorie").is_not_null()).then(by_rate(True, pl.lit(FORFAIT_JOURNALIER_REFERENCE))).alias("__reference_taux_categorie"),
        pl.col("__exo_mask"),
    ]


def _participation_columns() -> list[pl.Expr]:
    """Participation forfaitaire (CSS L160-13 II): amount (0 for categories that do not bear it), caps, age, reference."""
    reference = _join_refs(
        _ref("participation_forfaitaire.montant"),
        pl.lit("plafond journalier par professionnel : ") + _ref("participation_forfaitaire.nombre_maximal_par_jour"),
        pl.lit("plafond annuel : ") + _ref("participation_forfaitaire.plafond_annuel"),
        pl.lit("exonération des mineurs : ") + _ref("participation_forfaitaire.age_exoneration"),
    )
    return [
        pl.when(pl.col("__cat_pf")).then(_col("participation_forfaitaire.montant")).otherwise(0).alias("__pf_montant"),
        _col("participation_forfaitaire.nombre_maximal_par_jour").cast(pl.Int64).alias("__pf_max_jour"),
        _col("participation_forfaitaire.plafond_annuel").alias("__pf_plafond"),
        _col("participation_forfaitaire.age_exoneration").cast(pl.Int32).alias("__pf_age"),
        pl.when(pl.col("__cat_pf")).then(reference).alias("reference_participation_forfaitaire"),
    ]


_FRANCHISE_UNITS = {"boite": "franchise.medicament", "paramedical": "franchise.acte_paramedical", "transport": "franchise.transport"}
_FRANCHISE_DAILY_CAPS = {"paramedical": "franchise.plafond_journalier_paramedical", "transport": "franchise.plafond_journalier_transport"}


def _franchise_columns() -> list[pl.Expr]:
    """Franchise (CSS L160-13 III) by the category's kind: unit amount, daily cap (per kind), yearly cap, age, reference."""
    kind = pl.col("__cat_franchise")

    def by_kind(values: dict[str, str], reference: bool) -> pl.Expr:
        expr: pl.Expr = pl.lit(None, dtype=pl.String if reference else pl.Int64)
        for genre, name in values.items():
            expr = pl.when(kind == genre).then(_ref(name) if reference else _col(name)).otherwise(expr)
        return expr

    annual = pl.lit("plafond annuel : ") + _ref("franchise.plafond_annuel")
    minors = pl.lit("exonération des mineurs : ") + _ref("franchise.age_exoneration")
    unit = by_kind(_FRANCHISE_UNITS, True)
    reference = (
        pl.when(kind.is_in(list(_FRANCHISE_DAILY_CAPS)))
        .then(_join_refs(unit, pl.lit("plafond journalier : ") + by_kind(_FRANCHISE_DAILY_CAPS, True), annual, minors))
        .when(kind.is_not_null()).then(_join_refs(unit, annual, minors))
    )
    return [
        kind.cast(pl.Enum(list(FRANCHISES))).alias("__fr_genre"),
        by_kind(_FRANCHISE_UNITS, False).fill_null(0).alias("__fr_unitaire"),
        by_kind(_FRANCHISE_DAILY_CAPS, False).alias("__fr_plafond_jour"),
        _col("franchise.plafond_annuel").alias("__fr_plafond"),
        _col("franchise.age_exoneration").cast(pl.Int32).alias("__fr_age"),
        reference.alias("reference_franchise"),
    ]


def _acte_lourd_columns() -> list[pl.Expr]:
    """Actes lourds (CSS R160-16): the forfait, how the category bears it (``__al_genre``: index in ACTES_LOURDS,
    -1 never), the thresholds, and the reference."""
    kind = pl.col("__cat_al")
    return [
        pl.when(kind.is_not_null()).then(_col("actes_lourds.forfait")).alias("__al_forfait"),
        kind.cast(pl.Enum(list(ACTES_LOURDS))).to_physical().cast(pl.Int8).fill_null(-1).alias("__al_genre"),
        _col("actes_lourds.seuil_tarif").alias("__al_seuil"),
        _col("actes_lourds.seuil_coefficient").cast(RATE).alias("__al_seuil_coef"),
        pl.when(kind == "acte").then(_join_refs(
            _ref("actes_lourds.forfait"), _ref("actes_lourds.seuil_tarif"), _ref("actes_lourds.seuil_coefficient"), pl.lit(SEANCE_REFERENCE)))
        .when(kind == "sejour").then(_join_refs(_ref("actes_lourds.forfait"), pl.lit(SEJOUR_REFERENCE)))
        .alias("__reference_acte_lourd"),
    ]


def _parcours_columns() -> list[pl.Expr]:
    """Majoration hors parcours (CSS L162-5-3), 0 for categories outside its scope; the age it starts at; maternité
    window (L160-9) and newborns' days."""
    return [
        pl.when(pl.col("__cat_hp")).then(_col("parcours.majoration_hors_parcours")).otherwise(pl.lit(Decimal(0), dtype=RATE))
        .cast(RATE).alias("__hp_majoration"),
        _col("parcours.age_minimum").cast(pl.Int32).alias("__hp_age"),
        _join_refs(_ref("parcours.majoration_hors_parcours"), _ref("parcours.age_minimum")).alias("__reference_parcours"),
        _col("maternite.mois_debut_exoneration").cast(pl.Int32).alias("__mat_mois"),
        _col("maternite.jours_apres_accouchement").cast(pl.Int32).alias("__mat_jours"),
        _col("nouveau_ne.jours_exoneration").cast(pl.Int32).alias("__nn_jours"),
    ]


def _age_columns(source: Tarifs) -> list[pl.Expr]:
    """The age band an act is reserved to (AGE_BANDS): ``__age_min`` included, ``__age_max`` excluded."""
    lower, upper = pl.lit(None, dtype=pl.Int32), pl.lit(None, dtype=pl.Int32)
    for code, (low, high) in AGE_BANDS.items():
        if code in source:
            if low:
                lower = pl.when(pl.col("acte") == code).then(_col(low).cast(pl.Int32)).otherwise(lower)
            if high:
                upper = pl.when(pl.col("acte") == code).then(_col(high).cast(pl.Int32)).otherwise(upper)
    return [lower.alias("__age_min"), upper.alias("__age_max")]


def reference_dtype_of(table: pl.DataFrame, source: Tarifs) -> pl.Enum:
    texts: set[str] = {e.reference for e in source.exonerations.values()} | {FORFAIT_JOURNALIER_REFERENCE}
    for column in _REFERENCE_COLUMNS:
        texts |= {t for t in table[column].cast(pl.String).unique().to_list() if t is not None}
    return pl.Enum(sorted(texts))


@lru_cache(maxsize=1)
def law_table() -> pl.DataFrame:
    """:func:`build_law_table` for the package's tables and parameters, built once per process."""
    return build_law_table()


class _Law:
    """The law table as the rules read it, built once per process.

    ``columns``: the columns that vary over (act, day), gathered onto each
    line by its key; ``constants``: a value the same for every act and every
    day covered (an age limit, a yearly cap that never changed), used as a
    literal — the same law, one gather less. The rates get an exact integer
    twin in :data:`secu.core.money.RATE_UNIT` (``__taux``, ``__hp``: 70 % is
    0.7 × 10**9), so that the rules compute on integers.
    """

    def __init__(self, table: pl.DataFrame) -> None:
        table = table.with_columns(
            _rate_units(table["__taux_categorie"]).alias("__taux"),
            _rate_units(table["__hp_majoration"]).alias("__hp"),
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
        rates = pl.concat([table["__taux"], table["__hp"]]).drop_nulls().unique()
        # The fewest decimals that write every rate of the law exactly (70 % → 1, 65 % → 2).
        self.rate_decimals = max((RATE_SCALE - len(str(int(u))) + len(str(int(u)).rstrip("0")) for u in rates if u), default=0)

    def __getitem__(self, name: str) -> pl.Expr:
        """The value for each line: a literal for a constant, else the column gathered by :meth:`gather`."""
        if name in self.constants:
            value, dtype = self.constants[name]
            return pl.lit(value, dtype=dtype)
        return pl.col(name)

    def gather(self, names: list[str], key: pl.Expr) -> list[pl.Expr]:
        """The varying columns among ``names``, gathered by each line's key (null key: null)."""
        return [pl.lit(self.columns[name]).gather(key).alias(name) for name in names if name in self.columns]

    def gather_frame(self, names: list[str], key: pl.Series) -> pl.DataFrame:
        """The same as :meth:`gather`, eager: one gather of a frame of the columns checks the keys once, where
        one gather per column checks them once per column (about twice as fast for the amounts' 14 columns)."""
        table = pl.DataFrame([self.columns[name] for name in names if name in self.columns])
        return table[key] if table.width else pl.DataFrame(height=key.len())


def _rate_of_units(units: pl.Expr, dtype: pl.Decimal) -> pl.Expr:
    """Integer multiples of 1/RATE_UNIT as a Decimal of ``dtype``, by its unscaled integer: exact, since no rate
    of the law has more decimals than ``dtype`` keeps (:func:`liquidate` checks)."""
    drop = RATE_SCALE - (dtype.scale or 0)
    return (units // 10**drop if drop else units).cast(pl.Int128).reinterpret(dtype=dtype)


def _rate_units(rates: pl.Series) -> pl.Series:
    """Decimal(38, 9) rates as Int64 multiples of 1/RATE_UNIT: the Decimal's own unscaled integer, exact."""
    return rates.cast(RATE).to_physical().cast(pl.Int64)


@lru_cache(maxsize=1)
def _law() -> _Law:
    return _Law(law_table())


def reference_dtype() -> pl.Enum:
    """The Enum dtype of every ``reference_*`` column (all the legal references the rules can cite)."""
    dtype = law_table()["reference_tarif"].dtype
    assert isinstance(dtype, pl.Enum)
    return dtype


# --------------------------------------------------------------------------
# Parcours de soins coordonné (CSS L162-5-3)

SITUATIONS_PARCOURS = ("medecin_traitant", "oriente", "urgence", "remplacement", "hors_residence", "acces_direct", "hors_parcours")
"""What the doctor declares on the feuille de soins about the parcours de soins coordonné."""
PARCOURS_COLUMNS: dict[str, pl.DataType] = {
    "situation_parcours": pl.String(), "profession": pl.String(), "medecin_traitant": pl.Boolean(), "a_medecin_traitant": pl.Boolean(),
}
"""The columns the parcours is decided from, when a frame gives them instead of ``parcours`` (see :func:`parcours_de_soins`)."""
_DANS_LE_PARCOURS = ("oriente", "urgence", "remplacement", "hors_residence")
_ACCES_DIRECT, _ACCES_DIRECT_LIMITE = "parcours.acces_direct.", "parcours.acces_direct_age_limite."


def parcours_de_soins(lines: pl.DataFrame) -> pl.Series:
    """``parcours``: is each line's care within the parcours de soins coordonné (CSS L162-5-3)?

    Read from ``situation_parcours`` (what the doctor declares, null for nothing), ``profession`` of the
    professional, ``medecin_traitant`` (the professional is the patient's médecin traitant on record),
    ``a_medecin_traitant`` (the patient declared one), ``specialite``, ``date_naissance``, ``date_soins``.
    Other professions than doctors are outside its scope. For a doctor: the médecin traitant, a doctor the
    patient was referred to (``oriente``), an emergency, the médecin traitant's replacement, care away from
    home; and, for a patient who declared a médecin traitant, the specialties of accès direct spécifique
    within their ages (dated parameters ``parcours.acces_direct.*``: adding a file admits a specialty).
    ``hors_parcours`` declared wins. The age under which the parcours does not apply (16) is checked by the
    rate step (``parcours.age_minimum``), not here.
    """
    known = lines["situation_parcours"].drop_nulls().unique()
    unknown = sorted(set(known.to_list()) - set(SITUATIONS_PARCOURS))
    if unknown:
        raise InvalidField("situation_parcours", f"situation au regard du parcours de soins inconnue : {unknown[0]!r} "
                                                 f"(admises : {', '.join(SITUATIONS_PARCOURS)})")
    names = parameters().names()
    specialties = sorted(n for n in names if n.startswith(_ACCES_DIRECT))
    limits = {n.removeprefix(_ACCES_DIRECT_LIMITE): n for n in names if n.startswith(_ACCES_DIRECT_LIMITE)}
    first = tarifs().debut  # a line before the tables is rejected anyway; its day only has to be joinable
    day = pl.when(pl.col("date_soins") >= first).then(pl.col("date_soins")).otherwise(pl.lit(first)).alias("__jour_parcours")
    frame = join_parameters(lines.with_columns(day), [*specialties, *limits.values()], on="__jour_parcours")
    age = _full_years(_ymd(frame, "date_naissance"), _ymd(frame, "date_soins"))
    specialite = pl.col("specialite").str.replace_all("-", "_")
    admitted: pl.Expr = pl.lit(False)
    for name in specialties:
        code = name.removeprefix(_ACCES_DIRECT)
        within = age >= _col(name)
        if code in limits:
            within = within & (age < _col(limits[code]))
        admitted = admitted | ((specialite == code) & within).fill_null(False)
    situation = pl.col("situation_parcours")
    decision = (
        pl.when(situation == "hors_parcours").then(False)
        .when((pl.col("profession") != "medecin").fill_null(True) | pl.col("medecin_traitant").fill_null(False)).then(True)
        .when(situation.is_in(_DANS_LE_PARCOURS)).then(True)
        .when(situation.is_null() | (situation == "acces_direct")).then(pl.col("a_medecin_traitant").fill_null(False) & admitted)
        .otherwise(False)  # "medecin_traitant" declared by another doctor than the one on record
    )
    return frame.select(decision.alias("parcours")).to_series()


def action_prescrite(date_soins: date, today: date) -> bool:
    """Is the action in payment for care of ``date_soins`` time-barred on ``today``? CSS L332-1: it is
    prescribed by ``prescription.action_paiement_soins`` years (2) from the first day of the quarter following
    the care (see that parameter's note on the text's scope since 2016). Per claim, at intake."""
    years = parameters().get("prescription.action_paiement_soins").at(today).value
    assert isinstance(years, int)
    following = (date_soins.month - 1) // 3 * 3 + 3  # months from January to the first month of the next quarter
    start = date(date_soins.year + following // 12, following % 12 + 1, 1)
    return today >= start.replace(year=start.year + years)


def _with_parcours(lazy: pl.LazyFrame) -> pl.LazyFrame:
    """A frame that gives the declared situation instead of ``parcours`` gets ``parcours`` decided here."""
    schema = lazy.collect_schema()
    if "situation_parcours" not in schema:
        return lazy
    if "parcours" in schema:
        raise InvalidField("parcours", "donner soit parcours, soit situation_parcours (la règle décide alors du parcours), pas les deux")
    frame = _in_memory(lazy.with_columns(
        *(pl.lit(None, dtype=dtype).alias(name) for name, dtype in PARCOURS_COLUMNS.items() if name not in schema),
        *([] if "specialite" in schema else [pl.lit(None, dtype=pl.String).alias("specialite")]),
    ).with_columns(pl.col(name).cast(dtype) for name, dtype in PARCOURS_COLUMNS.items()))
    return frame.with_columns(parcours_de_soins(frame)).lazy()


# --------------------------------------------------------------------------
# Input checks


def _complete(lazy: pl.LazyFrame) -> tuple[pl.LazyFrame, set[str]]:
    """Check the frame's columns, add the missing optional ones; returns the frame and the optional columns and
    flags given."""
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
    given: set[str] = set()
    for name in FLAGS:
        default = name == "parcours"
        if name not in schema:
            columns.append(pl.lit(default).alias(name))
        elif schema[name] != pl.Boolean:
            raise InvalidField(name, f"la colonne {name!r} doit être booléenne (vrai/faux), pas {schema[name]}")
        else:
            columns.append(pl.col(name).fill_null(default))
            given.add(name)
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
    """Full years between two YYYYMMDD dates, by the one age rule (born on 29 February: 28 February in a common year)."""
    return full_years_ymd(ymd_from, ymd_on)


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
    if not isinstance(taux_dtype, pl.Decimal) or (taux_dtype.scale or 0) < max(4, _law().rate_decimals):
        raise ValueError(f"taux_dtype doit être un Decimal à {max(4, _law().rate_decimals)} décimales au moins")
    unknown = [name for name in columns if name not in OUTPUT]
    if unknown:
        raise ValueError(f"colonne(s) de résultat inconnue(s) : {', '.join(unknown)}")
    names = lazy.collect_schema().names()
    source = tarifs()
    lazy, given = _complete(_with_parcours(lazy))
    frame = _in_memory(lazy)
    frame = _amounts(frame, source, _law(), given)
    order = _order_a(frame, _law(), given)
    frame = _seances(frame, order, _law(), given)
    frame = frame.with_columns(_caps(frame, order, given))
    result = _in_memory(_outcome(frame.lazy(), source, _law(), columns, taux_dtype, frame["__rejet"].null_count() == frame.height).select(*names, *columns))
    return result if eager else result.lazy()  # type: ignore[return-value]


# Law columns the amounts read (the references and the statut are gathered only when asked for).
_LAW_FOR_CAPS = ["__pf_montant", "__pf_max_jour", "__pf_plafond", "__fr_plafond_jour", "__fr_plafond"]
_LAW_FOR_AMOUNTS = [
    "tarif_cents", "tarif_unitaire", "tarif_en_vigueur", "__taux", "__exo_mask", "__pf_age", "__fr_genre", "__fr_unitaire",
    "__fr_age", "__al_forfait", "__al_genre", "__al_seuil", "__al_seuil_coef", "__hp", "__hp_age", "__mat_mois", "__mat_jours", "__nn_jours",
    "__age_min", "__age_max", *_LAW_FOR_CAPS,
]
_LAW_FOR_OUTPUTS = {
    "tarif_statut": "tarif_statut", "reference_tarif": "reference_tarif", "reference_taux": "__reference_taux_categorie",
    "reference_parcours": "__reference_parcours", "reference_acte_lourd": "__reference_acte_lourd",
    "reference_participation_forfaitaire": "reference_participation_forfaitaire", "reference_franchise": "reference_franchise",
    "categorie": "categorie",
}


class _Scope:
    """Which lines a step computes for. Most lots have no rejected line: then every line is liquidated and the
    steps carry no "if the line is liquidated" test at all (it would cost a pass per column)."""

    def __init__(self, all_ok: bool) -> None:
        self.all_ok = all_ok
        self.ok: pl.Expr = pl.lit(True) if all_ok else pl.col("__rejet").is_null()

    def only(self, value: pl.Expr, otherwise: int | None = None) -> pl.Expr:
        """``value`` on a liquidated line, ``otherwise`` on a rejected one."""
        return value if self.all_ok else pl.when(self.ok).then(value).otherwise(otherwise)

    def where(self, condition: pl.Expr) -> pl.Expr:
        """``condition`` and the line is liquidated."""
        return condition if self.all_ok else self.ok & condition


def _coefficient(given: set[str]) -> pl.Expr:
    """Without a coefficient column every line has coefficient 1: the tariff itself, no arithmetic."""
    return pl.col("coefficient") if "coefficient" in given else pl.lit(Decimal(1), dtype=RATE)


def _amounts(frame: pl.DataFrame, source: Tarifs, law: _Law, given: set[str]) -> pl.DataFrame:
    """Everything per line, step by step as the law goes: rejection, base de remboursement, exonération,
    taux, AMO and ticket modérateur (actes lourds), participation forfaitaire and franchise due before caps."""
    frame, scope = _rejections(_with_law(frame, source, law), source, law, given)
    lf = _base_de_remboursement(frame.lazy(), law, given, scope)
    lf = _exoneration(lf, law, given, scope)
    lf = _taux(lf, source, law, scope)
    lf = _montant_amo(lf, frame, law, scope)
    lf = _actes_lourds(lf, law, given, scope)
    # What only these steps read is dropped: the sessions, the caps and the outcome take memory the lot frees.
    return _in_memory(_participations_dues(lf, law, scope).drop(_SPENT_AFTER_AMOUNTS, strict=False))


_SPENT_AFTER_AMOUNTS = [
    "tarif_cents", "tarif_unitaire", "tarif_en_vigueur", "__exo_mask", "__pf_age", "__fr_unitaire", "__fr_age", "__al_genre", "__hp",
    "__hp_age", "__mat_mois", "__mat_jours", "__nn_jours", "__age_min", "__age_max", "__ymd_soins", "__ymd_naissance", "__age",
    "__age_jours", "__age_1er_janvier", "__exo_bits", "__maternite", "__rejete",
]
"""Working columns of :func:`_amounts` that no later step reads."""


def _with_law(frame: pl.DataFrame, source: Tarifs, law: _Law) -> pl.LazyFrame:
    """Each line with its law-table key, the law columns the amounts read, and the ages the rules use."""
    soins, naissance = pl.col("date_soins"), pl.col("date_naissance")
    frame = _in_memory(frame.lazy().with_columns(
        _law_key(source, pl.col("acte"), soins).alias("__cle"),
        _ymd(frame, "date_soins").alias("__ymd_soins"),
        _ymd(frame, "date_naissance").alias("__ymd_naissance"),
    ))
    return frame.hstack(law.gather_frame(_LAW_FOR_AMOUNTS, frame["__cle"])).lazy().with_columns(
        _full_years(pl.col("__ymd_naissance"), pl.col("__ymd_soins")).alias("__age"),
        (pl.col("__ymd_soins") // 10_000).alias("__annee"),
        (soins.to_physical() - naissance.to_physical()).alias("__age_jours"),
    ).with_columns(
        # Minors' exemption: the age on 1 January of the year of care (CSS R160-20).
        _full_years(pl.col("__ymd_naissance"), pl.col("__annee") * 10_000 + 101).alias("__age_1er_janvier"),
    )


def _rejections(lf: pl.LazyFrame, source: Tarifs, law: _Law, given: set[str]) -> tuple[pl.DataFrame, _Scope]:
    """``__rejet``: the code of the first rejection that applies to the line (null: the line is liquidated)."""
    quantite, montant = pl.col("quantite"), pl.col("montant_cents")
    soins, naissance, age = pl.col("date_soins"), pl.col("date_naissance"), pl.col("__age")
    tests = {
        "DATE_SOINS_ABSENTE": soins.is_null(),
        "PERSONNE_ABSENTE": pl.col("personne").is_null(),
        "ACTE_INCONNU": law["tarif_en_vigueur"].is_null() & (soins >= pl.lit(source.debut)),
        "DATE_HORS_PERIODE": soins < pl.lit(source.debut),
        "TARIF_NON_EN_VIGUEUR": ~law["tarif_en_vigueur"],
        "QUANTITE_INVALIDE": quantite.is_null() | (quantite < 1),
        "COEFFICIENT_INVALIDE": _coefficient(given) <= pl.lit(Decimal(0), dtype=RATE),
        "MONTANT_INVALIDE": montant.is_null() | (montant < 0),
        "BASE_UNITAIRE_ABSENTE": law["tarif_unitaire"] & (pl.col("base_unitaire_cents").is_null() | (pl.col("base_unitaire_cents") < 0)),
        "DATE_NAISSANCE_INVALIDE": naissance.is_null() | (naissance > soins),
        "AGE_INCOMPATIBLE": (age < law["__age_min"]).fill_null(False) | (age >= law["__age_max"]).fill_null(False),
    }
    frame = _in_memory(lf.with_columns(pl.any_horizontal([test.fill_null(False) for test in tests.values()]).alias("__rejete")))
    scope = _Scope(not frame["__rejete"].any())
    code: pl.Expr = pl.lit(None, dtype=pl.UInt32)
    if not scope.all_ok:
        for index, test in reversed(list(enumerate(tests.values()))):
            code = pl.when(test.fill_null(False)).then(pl.lit(index, dtype=pl.UInt32)).otherwise(code)
    return frame.with_columns(code.alias("__rejet")), scope


def _base_de_remboursement(lf: pl.LazyFrame, law: _Law, given: set[str], scope: _Scope) -> pl.LazyFrame:
    """The tariff of the act (× coefficient, half-up to the cent; or the unit price of an item) × quantity,
    never more than the fees charged (CSS R160-22)."""
    tarif = law["tarif_cents"]
    if "coefficient" in given:
        tarif = apply_rate_expr(tarif, _coefficient(given))
    per_act = pl.when(law["tarif_unitaire"]).then(pl.col("base_unitaire_cents")).otherwise(tarif)
    return lf.with_columns(scope.only(per_act, 0).alias("tarif_acte_cents")).with_columns(
        scope.only(_smaller(pl.col("tarif_acte_cents") * pl.col("quantite"), pl.col("montant_cents")), 0).alias("base_remboursement_cents"),
    )


def _exoneration(lf: pl.LazyFrame, law: _Law, given: set[str], scope: _Scope) -> pl.LazyFrame:
    """``__exo``: the first motif (in the order of MOTIFS_EXONERATION) that applies to the line and that its
    category admits (``__exo_mask``): one bit per motif, the lowest set bit wins. ``__exo_bits`` keeps them."""
    soins = pl.col("date_soins")
    maternite = pl.col("maternite")  # CSS L160-9: from the 1st day of the 6th month to the 12th day after birth
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
    bits: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for bit, motif in enumerate(MOTIFS_EXONERATION):
        bits = bits | pl.when(conditions[motif]).then(pl.lit(1 << bit, dtype=pl.Int32)).otherwise(pl.lit(0, dtype=pl.Int32))
    exo_bits = pl.col("__exo_bits")
    return lf.with_columns(maternite.alias("__maternite")).with_columns((bits & law["__exo_mask"]).alias("__exo_bits")).with_columns(
        scope.only(pl.when(exo_bits != 0).then(exo_bits.bitwise_trailing_zeros())).alias("__exo"),
    )


def _taux(lf: pl.LazyFrame, source: Tarifs, law: _Law, scope: _Scope) -> pl.LazyFrame:
    """The rate, in RATE_UNIT: the category's, or 100 % under an exonération; outside the parcours de soins
    coordonné the majoration of the participation (CSS L162-5-3) is taken off, in points.

    Hors parcours and exonération together (issue 11 §1.5). L162-5-3 majorates "la participation prévue au I
    de l'article L. 160-13"; the ALD and invalidité exonérations (L160-14 3°, 4°, 6°…) and the C2S (L861-3)
    are exonérations of that same participation: the majoration still applies to their patients, so an ALD
    patient seen outside the parcours is reimbursed 100 % − 40 points = 60 % (care within the protocole de
    soins, L324-1, is declared ``oriente`` and stays in the parcours). AT/MP (L431-1, L432-1), maternité
    (L160-9) and hospitalised newborns are not under the L160-13 I participation: no majoration. Which motif
    keeps it is data: ``majoration_hors_parcours`` in ``data/categories.yaml``.
    """
    spares = sum(1 << i for i, motif in enumerate(MOTIFS_EXONERATION) if not source.exonerations[motif].majoration_hors_parcours)
    exo_bits = pl.col("__exo_bits")
    retained = exo_bits & (-exo_bits)  # the lowest set bit: the exonération retained (0 without one)
    hp = law["__hp"]
    # No exonération, or one that keeps the majoration: the retained bit is none of those that spare it.
    kept = (retained & spares) == 0 if spares else pl.lit(True)
    hors_parcours = ~pl.col("parcours") & (hp > 0) & (pl.col("__age") >= law["__hp_age"]) & kept
    base_rate = pl.when(exo_bits != 0).then(RATE_UNIT).otherwise(law["__taux"].fill_null(0))
    return lf.with_columns(scope.where(hors_parcours).alias("hors_parcours")).with_columns(
        scope.only(pl.when(pl.col("hors_parcours")).then(_non_negative(base_rate - hp)).otherwise(base_rate)).alias("__taux_ligne"),
    )


def _montant_amo(lf: pl.LazyFrame, frame: pl.DataFrame, law: _Law, scope: _Scope) -> pl.LazyFrame:
    """BR × taux, half-up to the cent, and the ticket modérateur it leaves before the actes-lourds limit (``__tm``).

    In Int64 unless twice the product could pass 2**63 (then Int128): BR never exceeds the fees charged."""
    br = pl.col("base_remboursement_cents")
    product = br * pl.col("__taux_ligne")
    top = frame["montant_cents"].max()
    if top is not None and int(top) * law.max_rate >= 2**61:  # type: ignore[arg-type]
        product = br.cast(pl.Int128) * pl.col("__taux_ligne")
    # BR ≥ 0 and taux ≥ 0 on a liquidated line (a negative fee or unit price is rejected); a rejected one gets 0.
    amo = scope.only(div_half_up_expr(product, RATE_UNIT, non_negative=True).cast(pl.Int64, strict=True), 0)
    return lf.with_columns((br - amo).alias("__tm"))  # the AMO itself is BR − TM once the TM is settled: no column of it


def _actes_lourds(lf: pl.LazyFrame, law: _Law, given: set[str], scope: _Scope) -> pl.LazyFrame:
    """CSS R160-16: the ticket modérateur is limited to the forfait (1) for acts whose tariff reaches the
    threshold or whose coefficient reaches 60 — the acts performed by one practitioner in one session counted
    together (:func:`_seances`, once the lines are in order); (2) for a hospital stay during which such an act
    was performed, as the line says (``acte_lourd_pendant_sejour``). Not for exonerated lines: their TM is
    already 0. Here each line is its own session; ``__al_acte`` marks the lines a session can join."""
    eligible = scope.where(pl.col("__exo").is_null() & law["__al_forfait"].is_not_null())
    by_act = eligible & (law["__al_genre"] == ACTES_LOURDS.index("acte"))
    lourd = pl.col("__al_acte") & _reaches_thresholds(law, given, _act_tariff(), _act_coefficient(given))
    if "acte_lourd_pendant_sejour" in given:  # without the column no stay says so: no pass for it
        lourd = lourd | (eligible & (law["__al_genre"] == ACTES_LOURDS.index("sejour")) & pl.col("acte_lourd_pendant_sejour"))
    tm, forfait = pl.col("__tm"), law["__al_forfait"]
    return lf.with_columns(by_act.alias("__al_acte")).with_columns(lourd.alias("acte_lourd")).with_columns(
        pl.when(pl.col("acte_lourd")).then(_smaller(tm, forfait)).otherwise(tm).alias("ticket_moderateur_cents"),
    ).with_columns((pl.col("base_remboursement_cents") - pl.col("ticket_moderateur_cents")).alias("montant_amo_cents"))


def _act_tariff() -> pl.Expr:
    return pl.col("tarif_acte_cents") * pl.col("quantite")  # R160-16 reads the tariff, not the fees


def _act_coefficient(given: set[str]) -> pl.Expr:
    """The coefficient of the line's acts. Without a coefficient column every act has coefficient 1: the line's
    coefficient is its quantity, an integer (see :func:`_reaches_thresholds`)."""
    return _coefficient(given) * pl.col("quantite") if "coefficient" in given else pl.col("quantite")


def _reaches_thresholds(law: _Law, given: set[str], tariff: pl.Expr, coefficient: pl.Expr) -> pl.Expr:
    """Tariff at least the threshold, or coefficient at least 60 (CSS R160-16). An integer coefficient (no
    coefficient column) is compared with the threshold rounded up, n ≥ 60 ⇔ n ≥ ⌈60⌉, when the threshold is
    the same on every day: the same test in integers, without a Decimal per line."""
    threshold = law["__al_seuil_coef"]
    constant = law.constants.get("__al_seuil_coef", (None,))[0]
    if "coefficient" not in given and isinstance(constant, Decimal):
        threshold = pl.lit(math.ceil(constant), dtype=pl.Int64)
    return (tariff >= law["__al_seuil"]) | (coefficient >= threshold)


def _participations_dues(lf: pl.LazyFrame, law: _Law, scope: _Scope) -> pl.LazyFrame:
    """Participation forfaitaire (CSS L160-13 II) and franchise (L160-13 III) due on the line, before the caps.

    Neither is due by minors (CSS L160-15, R160-20), C2S beneficiaries (L160-15), under assurance maternité
    (L160-9). The franchise of a product or an act never exceeds what the AMO pays for it (décret n° 2007-1937)."""
    free = pl.col("c2s") | pl.col("__maternite")
    age_1er_janvier, quantite = pl.col("__age_1er_janvier"), pl.col("quantite")
    pf_applies = (law["__pf_montant"] > 0) & ~free & (age_1er_janvier >= law["__pf_age"])
    fr_applies = (law["__fr_unitaire"] > 0) & ~free & (age_1er_janvier >= law["__fr_age"])
    return lf.with_columns(
        pl.when(scope.where(pf_applies)).then(quantite).otherwise(0).alias("__pf_n"),
        pl.when(scope.where(fr_applies)).then(_smaller(law["__fr_unitaire"] * quantite, pl.col("montant_amo_cents")))
        .otherwise(0).alias("franchise_due_cents"),
    ).with_columns((pl.col("__pf_n") * law["__pf_montant"]).alias("participation_forfaitaire_due_cents"))


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
    if not isinstance(limit, int):  # no cap, or one that varies
        return None
    total = pl.col(amount).cum_sum().filter(pl.col("__annee_neuve").shift(-1).fill_null(True))
    per_run = total - total.shift(1).fill_null(0)
    if counter is not None:
        per_run = per_run + pl.col(counter).filter(pl.col("__annee_neuve")).fill_null(0)
    return _in_memory(work.lazy().select((per_run > limit).alias("__au_dela"))).to_series()


def _in_memory(plan: pl.LazyFrame) -> pl.DataFrame:
    """Collect with the in-memory engine: cumulative sums and fills over a whole column run much faster there."""
    return plan.collect(engine="in-memory")


class _OrderA:
    """The liquidated lines in order A — person, date of care, ``ordre``, input order — the order of the caps
    and of the sessions: ``work`` has the runs of person-days (``__jour``) and person-years, and ``__rang_ligne``
    (the line's position in the frame) when it is not the frame's own order (``reordered``)."""

    def __init__(self, work: pl.DataFrame, reordered: bool) -> None:
        self.work, self.reordered = work, reordered

    def positions(self, rows: pl.DataFrame) -> pl.Series:
        """The frame positions of some rows of ``work`` (carrying ``__w``, their row in ``work``)."""
        return rows["__rang_ligne"] if self.reordered else rows["__w"]


def _order_a(frame: pl.DataFrame, law: _Law, given: set[str]) -> _OrderA | None:
    """Order A: a frame already in that order is used as it is, any other is sorted once (stable: input order
    breaks ties); None when no line is liquidated."""
    counters = given & set(COUNTERS)
    filtered = frame["__rejet"].null_count() < frame.height
    work = _lines_to_cap(frame, law, counters, filtered, given) if frame.height else None
    if work is None or work.height == 0:
        return None
    work, resorted = _in_order_a(work, "__ordre" in work.columns, filtered)
    return _OrderA(_with_days_and_years(work, counters), filtered or resorted)


def _seances(frame: pl.DataFrame, order: _OrderA | None, law: _Law, given: set[str]) -> pl.DataFrame:
    """CSS R160-16 for the acts performed by one practitioner in one session (same professional, same patient,
    same day — and same ``seance`` when the lines say it): their tariffs and coefficients count together, so two
    CCAM lines of 70 € are one line of quantity 2, and the session bears one forfait, shared between its lines
    in order A. Only act lines with another act line on the same person-day are looked at (neighbours in order
    A: a pass over integers); nearly every lot has none."""
    if order is None:
        return frame
    keys = ["__jour", "professionnel", *(["seance"] if "seance" in given else [])]
    rows = _act_lines_sharing_a_day(order.work)
    if rows.is_empty():
        return frame
    crowded = order.work.select(*keys, *(["__rang_ligne"] if order.reordered else []))[rows].with_columns(rows)
    positions = order.positions(crowded)
    needed = ["__tm", "tarif_acte_cents", "quantite", "base_remboursement_cents", *(["coefficient"] if "coefficient" in given else []),
              *(c for c in ("__al_seuil", "__al_seuil_coef", "__al_forfait") if c in law.columns)]
    lines = frame.select(needed)[positions].with_columns(crowded.select(keys))
    tm, tariff, coefficient = pl.col("__tm"), _act_tariff(), _act_coefficient(given)
    lourd = _in_memory(lines.lazy().select(_reaches_thresholds(law, given, tariff.sum().over(keys), coefficient.sum().over(keys)))).to_series()
    # A session under the thresholds leaves its lines as they are: each alone was under them too (tariffs and
    # coefficients are not negative). Only the sessions that reach them share a forfait: usually none.
    if not lourd.any():
        return frame
    lines, positions = lines.filter(lourd), positions.filter(lourd)  # whole sessions: a session is lourd or not
    session = _in_memory(lines.lazy().select(
        pl.lit(True).alias("acte_lourd"),
        _capped(tm, tm.cum_sum().over(keys) - tm, law["__al_forfait"]).alias("ticket_moderateur_cents"),
        "base_remboursement_cents",
    ).with_columns((pl.col("base_remboursement_cents") - pl.col("ticket_moderateur_cents")).alias("montant_amo_cents")).drop("base_remboursement_cents"))
    return _with_changed_rows(frame, positions, session)


def _with_changed_rows(frame: pl.DataFrame, positions: pl.Series, new: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the rows at ``positions`` given ``new``'s values, where they differ: most sessions of several
    acts stay under the thresholds, and then no column of the frame is copied."""
    changed = _in_memory(pl.concat([frame.select(new.columns)[positions].rename(lambda c: f"__avant{c}"), new], how="horizontal")
                         .lazy().select(pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"__avant{c}")) for c in new.columns))).to_series()
    if not changed.any():
        return frame
    positions, new = positions.filter(changed), new.filter(changed)
    columns = []
    for name in new.columns:
        column = frame[name].clone()
        column.scatter(positions, new[name])
        columns.append(column)
    return frame.with_columns(columns)


def _act_lines_sharing_a_day(work: pl.DataFrame) -> pl.Series:
    """``__w``: the rows of ``work`` (in order A) that are act lines (``__al_acte``) with another act line on the
    same person-day. The act lines of a day are neighbours once the other lines are left out: one filter over
    the frame, then a comparison of each day with the next and the previous among the act lines only."""
    acts = pl.col("__al_acte")
    day = pl.col("__jour").filter(acts)
    shared = ((day == day.shift(1)) | (day == day.shift(-1))).fill_null(False)
    # The row numbers by int_range + filter: several times cheaper than arg_where (measured on 1 M lines); one plan.
    return _in_memory(work.lazy().select(pl.int_range(pl.len(), dtype=pl.UInt32).filter(acts).filter(shared).alias("__w"))).to_series()


def _caps(frame: pl.DataFrame, order: _OrderA | None, given: set[str]) -> list[pl.Series]:
    """Participation forfaitaire and franchise after the daily and yearly caps, in the frame's order.

    Within a person-day, the PF is capped per professional and the franchise per kind (``__avant_jour``, see
    :func:`_with_days_and_years`); over a person-year, in order A, from the ``*_annee_avant`` counters.
    """
    law = _law()
    zeros = pl.zeros(frame.height, pl.Int64, eager=True)
    if order is None:
        return [zeros.alias("participation_forfaitaire_cents"), zeros.alias("franchise_cents")]
    work = _daily_caps(order.work, law)
    counters = given & set(COUNTERS)
    work = _in_memory(work.lazy().select(*(["__rang_ligne"] if order.reordered else []), *_yearly_caps(work, law, counters)))
    if not order.reordered:
        return [work["participation_forfaitaire_cents"], work["franchise_cents"]]
    results = []
    for name in ("participation_forfaitaire_cents", "franchise_cents"):
        full = zeros.clone()
        full.scatter(work["__rang_ligne"], work[name])
        results.append(full.alias(name))
    return results


def _lines_to_cap(frame: pl.DataFrame, law: _Law, counters: set[str], filtered: bool, given: set[str]) -> pl.DataFrame:
    """The liquidated lines with what the caps read; ``__famille`` says which daily group a line counts in:
    PF per professional (1), franchise per kind (2 + kind), neither (0); ``__x_jour`` what it counts there."""
    with_order = frame["ordre"].null_count() < frame.height
    daily_kind = law["__fr_plafond_jour"].is_not_null() & (pl.col("franchise_due_cents") > 0)
    lf = frame.lazy()
    if filtered:  # rejected lines (maybe without person or date) take no part
        lf = lf.with_row_index("__rang_ligne").filter(pl.col("__rejet").is_null())
    return _in_memory(lf.select(
        *(["__rang_ligne"] if filtered else []),
        "personne", "date_soins", "__annee", *([pl.col("ordre").fill_null(2**63 - 1).alias("__ordre")] if with_order else []),
        "professionnel", "__pf_n", "participation_forfaitaire_due_cents", "franchise_due_cents", *(pl.col(c) for c in sorted(counters)),
        "__al_acte", *(["seance"] if "seance" in given else []),
        *(pl.col(c) for c in _LAW_FOR_CAPS if c in law.columns),
        pl.when(pl.col("__pf_n") > 0).then(1).when(daily_kind).then(2 + law["__fr_genre"].to_physical().cast(pl.Int32))
        .otherwise(0).alias("__famille"),
        pl.when(pl.col("__pf_n") > 0).then(pl.col("__pf_n")).when(daily_kind).then(pl.col("franchise_due_cents"))
        .otherwise(0).alias("__x_jour"),
    ))


def _in_order_a(work: pl.DataFrame, with_order: bool, filtered: bool) -> tuple[pl.DataFrame, bool]:
    """The lines in order A (person, date, ``ordre``, input order), with ``__personne_neuve``; and whether a sort
    was needed. In order A already: persons sorted (a native pass), each line not before the previous one."""
    order = ["personne", "date_soins", "__ordre"] if with_order else ["personne", "date_soins"]
    within: pl.Expr | None = None
    for key in reversed(order[1:]):
        column, previous = pl.col(key), pl.col(key).shift(1)
        within = column >= previous if within is None else (column > previous) | ((column == previous) & within)
    assert within is not None
    new_person = _runs(pl.col("personne")).alias("__personne_neuve")
    work = _in_memory(work.lazy().with_columns(new_person))
    if work["personne"].is_sorted() and _in_memory(work.lazy().select((pl.col("__personne_neuve") | within).all())).item():
        return work, False
    if not filtered:
        work = work.with_row_index("__rang_ligne")
    return _in_memory(work.lazy().sort(order, nulls_last=True, maintain_order=True).with_columns(new_person)), True


def _with_days_and_years(work: pl.DataFrame, counters: set[str]) -> pl.DataFrame:
    """``__jour_neuf``, ``__annee_neuve`` (first line of a person-day, of a person-year), ``__jour`` (a day number),
    and ``__avant_jour``: what the line's daily group bore before it that day (counter, then earlier lines)."""
    counter_day: pl.Expr = pl.lit(0, dtype=pl.Int64)
    if "pf_jour_avant" in counters:
        counter_day = pl.when(pl.col("__famille") == 1).then(pl.col("pf_jour_avant").fill_null(0)).otherwise(counter_day)
    if "franchise_jour_avant_cents" in counters:
        counter_day = pl.when(pl.col("__famille") >= 2).then(pl.col("franchise_jour_avant_cents").fill_null(0)).otherwise(counter_day)
    work = _in_memory(work.lazy().with_columns(
        counter_day.alias("__avant_jour"),
        (pl.col("__personne_neuve") | pl.col("date_soins").ne_missing(pl.col("date_soins").shift(1))).alias("__jour_neuf"),
        (pl.col("__personne_neuve") | pl.col("__annee").ne_missing(pl.col("__annee").shift(1))).alias("__annee_neuve"),
    ).with_columns(pl.col("__jour_neuf").cum_sum().alias("__jour")))
    # Person-days with several daily-capped lines: regroup those lines by (famille, professionnel). A day with
    # two of them shows as two neighbours on the same day; a line alone in its group is the first of it.
    same_day = (pl.col("__jour") == pl.col("__jour").shift(1)) | (pl.col("__jour") == pl.col("__jour").shift(-1))
    crowded = _in_memory(
        work.lazy().select("__jour", "__famille", "professionnel", "__avant_jour", "__x_jour").with_row_index("__position")
        .filter(pl.col("__famille") > 0).filter(same_day.fill_null(False))
    )
    if crowded.height == 0:
        return work
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
    return work.with_columns(before_day.alias("__avant_jour"))


def _daily_caps(work: pl.DataFrame, law: _Law) -> pl.DataFrame:
    """``__pf_jour``, ``__fr_jour``: the amounts after the daily caps (CSS L160-13: PF per professional, in number
    of acts; franchise per kind, in euros). Usually no line goes over (checked in one pass): then nothing to cut."""
    pf_over = (law["__pf_max_jour"] - pl.col("__avant_jour")) < pl.col("__pf_n")
    fr_over = (pl.col("__famille") >= 2) & ((law["__fr_plafond_jour"] - pl.col("__avant_jour")) < pl.col("franchise_due_cents"))
    pf_capped, fr_capped = _in_memory(work.lazy().select(pf_over.any().alias("pf"), fr_over.any().alias("fr"))).row(0)
    pf = (_capped(pl.col("__pf_n"), pl.col("__avant_jour"), law["__pf_max_jour"]) * law["__pf_montant"]) if pf_capped else \
        pl.col("participation_forfaitaire_due_cents")
    fr = pl.when(pl.col("__famille") >= 2).then(_capped(pl.col("franchise_due_cents"), pl.col("__avant_jour"), law["__fr_plafond_jour"])) \
        .otherwise(pl.col("franchise_due_cents")) if fr_capped else pl.col("franchise_due_cents")
    return _in_memory(work.lazy().with_columns(pf.alias("__pf_jour"), fr.alias("__fr_jour")))


def _yearly_caps(work: pl.DataFrame, law: _Law, counters: set[str]) -> list[pl.Expr]:
    """The PF and the franchise after the yearly caps (CSS L160-13 II and III; amounts: parameters), in order A,
    from the ``*_annee_avant`` counters. Person-years that never reach a cap are left as they are."""
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
    return yearly


# --------------------------------------------------------------------------
# What is paid, to whom; motif and references


def _motif_code(motif: str) -> int:
    """The physical code of a motif in MOTIF_DTYPE: the rejections' labels come first, then MOTIFS in order."""
    return len(REJETS) + list(MOTIFS).index(motif)


def _outcome(lf: pl.LazyFrame, source: Tarifs, law: _Law, columns: Sequence[str], taux_dtype: pl.Decimal, all_ok: bool) -> pl.LazyFrame:
    """The output columns asked for (those computed on the way pass through); law columns gathered only if read."""
    scope = _Scope(all_ok)
    if_ok = scope.only

    amo, pf, fr = pl.col("montant_amo_cents"), pl.col("participation_forfaitaire_cents"), pl.col("franchise_cents")
    tiers = pl.col("tiers_payant")
    exonere = pl.col("__exo").is_not_null()
    rembourse = _non_negative(amo - pf - fr)
    capped = (pf < pl.col("participation_forfaitaire_due_cents")) | (fr < pl.col("franchise_due_cents"))
    motif_code = (  # the first reason that applies, in the order of MOTIFS (after the rejections' codes)
        (pl if all_ok else pl.when(~scope.ok).then(pl.col("__rejet")))
        .when(exonere).then(pl.col("__exo") + _motif_code(MOTIFS_EXONERATION[0]))
        .when(pl.col("hors_parcours")).then(pl.lit(_motif_code("hors_parcours"), dtype=pl.UInt32))
        .when(pl.col("acte_lourd")).then(pl.lit(_motif_code("acte_lourd"), dtype=pl.UInt32))
        .when(capped).then(pl.lit(_motif_code("plafond"), dtype=pl.UInt32))
        .when(law["__taux"].is_null()).then(pl.lit(_motif_code("forfait_journalier"), dtype=pl.UInt32))
        .otherwise(pl.lit(_motif_code("droit_commun"), dtype=pl.UInt32))
    )
    references = reference_dtype()
    exo_refs = pl.Series([source.exonerations[m].reference for m in MOTIFS_EXONERATION], dtype=references)
    exo_reference = pl.lit(exo_refs).gather(pl.col("__exo"))
    outputs = {
        "rembourse_cents": rembourse,
        "depassement_cents": if_ok(pl.col("montant_cents") - pl.col("base_remboursement_cents"), 0),
        # taux: RATE_UNIT multiples are the unscaled integer of a Decimal(38, 9), exact; then the scale asked for.
        "taux": _rate_of_units(pl.col("__taux_ligne"), taux_dtype),
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
