"""Monthly family rights (CAF): one vectorized function over households × months, integer cents.

:func:`droits` takes the two frames of ``src/secu/famille/README.md``
(``foyers``: one row per household and month; ``enfants``: one row per child
present in that household that month) and returns, for each ``foyers`` row,
in order, the gross monthly amount of each benefit and the intermediate
columns :mod:`secu.famille.explication` prints:

* **AF** — allocations familiales (CSS L521-1, L521-3, D521-1 to D521-3,
  R521-1, R521-3, R521-4): from the 2nd child à charge, rates of the BMAF by rank and
  by tranche of resources N-2, majoration pour âge, allocation forfaitaire at
  20, complément dégressif above each ceiling, garde alternée shared;
* **CF** — complément familial, majoré, différentiel (L522-1 to L522-3);
* **PAJE** — prime à la naissance and allocation de base (L531-2, L531-3);
* **ARS** — allocation de rentrée scolaire, in August (L543-1);
* **ASF** — allocation de soutien familial (L523-1, R523-7);
* **AEEH** — base, compléments and majoration parent isolé (L541-1 to L541-4);
* **AAH** — allocation aux adultes handicapés (L821-1 to L821-3), déconjugalisée.

The other legal computations of the branch are here too, each a frame function called by the service or the
payment run: :func:`ressources_salaires` (net catégoriel of salaries, CGI art. 83, 3°), :func:`biactivite`
(R522-2, R531-1), :func:`plafond_retenue` (the D553-1 limit on deductions for indus), :func:`hors_retenue` (the
benefits left out of its income) and :func:`annee_ressources` / :func:`effet_ressources` (the year N-2 of R532-3).

Timing (CSS R552-2 I and R552-3 I): a right opens on the first day of the
month *after* the month its condition is met and ends on the first day of the
month *in which* it ceases. With months counted as ``year × 12 + month``
(``m`` for the right, ``b`` for the birth) a child is *born* in month ``b``
and reaches age A in month ``b + 12A``; so "age at least A" gives a right
from ``m > b + 12A`` and "age below A" ends it at ``m = b + 12A``. A child is
à charge from the month after his birth (``m > b``).

Rounding: every amount that is a percentage of the BMAF is BMAF × taux
rounded half-up to the cent, as the DSS instructions of revaluation publish
them (e.g. 474,37 × 32 % = 151,7984 → 151,80). The AF for n children are
BMAF × (taux 2e enfant + (n − 2) × taux suivant) rounded once; each
majoration and forfait is its own rounded amount × count. Where the law
divides (complément dégressif, différentielles: "douzième de la différence"),
the result is rounded half-up to the cent. CRDS (:func:`par_prestation`) is
0,5 % of each benefit, rounded down to the cent.

Everything legal comes from the dated parameters of
``src/secu/parametres/famille`` resolved once per distinct month into a small
law table (:func:`law_table`), to which every amount that depends on the month
alone (BMAF × taux, ceiling steps per child, the salary limit, the ARS
birth-date bounds) is added; households and children then join only
the few month-level columns their steps read. The age of the majoration is
resolved once per distinct birth date (the age in force on the 14th
birthday). Reference columns ``ref_*`` carry the texts to the explanation.
No Python per row: every step is a Polars expression in one lazy plan,
collected once; children are reduced to per-(foyer, mois) counts and sums by
one ``group_by``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import polars as pl
from polars._typing import JoinStrategy, PolarsDataType

from secu.core.ages import age_expr
from secu.core.bareme import bareme_expr
from secu.core.errors import InvalidField, NotFound
from secu.core.money import (
    RATE_DTYPE,
    RATE_UNIT,
    apply_rate_expr,
    apply_unit_rate_expr,
    div_half_up_expr,
    div_toward_zero_expr,
    rate_units_expr,
)
from secu.core.parameters import Parameters, bareme_columns, join_parameters, parameters

DEC = pl.Decimal(38, 9)

# --------------------------------------------------------------------------
# Contract

FOYERS_REQUIRED = {"foyer": pl.Int64, "mois": pl.Date, "nb_parents": pl.Int8, "ressources_n2": pl.Int64}
FOYERS_OPTIONAL: dict[str, tuple[pl.DataType, object]] = {
    "biactif": (pl.Boolean(), False),
    "aah_taux_incapacite": (pl.Int16(), 0),
    "aah_rsdae": (pl.Boolean(), False),
    "aah_ressources_n2": (pl.Int64(), 0),
    "date_naissance_allocataire": (pl.Date(), None),
}
ENFANTS_REQUIRED = {"foyer": pl.Int64, "mois": pl.Date, "date_naissance": pl.Date}
ENFANTS_OPTIONAL: dict[str, tuple[pl.DataType, object]] = {
    "garde_alternee": (pl.Boolean(), False),
    "salaire_net_mensuel": (pl.Int64(), 0),
    "aeeh_categorie": (pl.Int8(), None),
    "asf": (pl.Int8(), 0),
    "scolarise": (pl.Boolean(), False),
}

PRESTATIONS = ("af", "cf", "paje_naissance", "paje_base", "ars", "asf", "aeeh", "aah")
"""The gross amount columns of :func:`droits`, in the order of :func:`par_prestation`."""

SANS_CRDS = frozenset({"aah", "aeeh"})
"""No CRDS (ordonnance n° 96-50, art. 14 II 8°: the prestations of CSS L511-1 but the AEEH; the AAH is not one)."""


PRIME_NAISSANCE_CHOIX = (
    "prime rattachée au mois de naissance : la loi la verse avant la fin du mois civil suivant le 6e mois de "
    "grossesse (CSS L531-2, 2e al.) mais secu ne connaît pas la date de début de grossesse"
)

_LAW = (
    "bmaf",
    "smic.horaire",
    "pf.remuneration_maximale.taux_smic",
    "pf.remuneration_maximale.heures",
    "pf.age_limite",
    "pf.age_fin_obligation_scolaire",
    "pf.taux_crds",
    "af.nombre_enfants_minimum",
    "af.majoration.nombre_enfants_minimum",
    "af.forfait.nombre_enfants_minimum",
    "af.forfait.duree",
    "af.majoration.age",
    "af.plafond.tranche_1",
    "af.plafond.tranche_2",
    "af.plafond.majoration_enfant",
    "af.tranche",  # a table: joined as af_tranche_<t>_<deuxieme_enfant|enfant_suivant|majoration_age|forfait>
    "cf.taux",
    "cf.taux_majore",
    "cf.plafond.base",
    "cf.plafond.majoration_biactif_isole",
    "cf.plafond_majore.base",
    "cf.plafond_majore.majoration_biactif_isole",
    "cf.plafond.taux_enfant",
    "cf.plafond.taux_enfant_suivant",
    "cf.age_minimum",
    "cf.age_maximum",
    "cf.nombre_enfants_minimum",
    "paje.prime_naissance",
    "paje.base.taux_plein",
    "paje.base.taux_partiel",
    "paje.base.age_limite",
    "paje.plafond.taux_plein.base",
    "paje.plafond.taux_plein.majoration_biactif_isole",
    "paje.plafond.taux_partiel.base",
    "paje.plafond.taux_partiel.majoration_biactif_isole",
    "paje.plafond.taux_enfant",
    "paje.plafond.taux_enfant_suivant",
    "ars.taux.six_dix",
    "ars.taux.onze_quatorze",
    "ars.taux.quinze_dix_huit",
    "ars.plafond.base",
    "ars.plafond.majoration_enfant",
    "ars.montant_minimum",
    "ars.age_minimum",
    "ars.age_maximum",
    "ars.age_tranche_2",
    "ars.age_tranche_3",
    "ars.age_scolarite",
    "ars.mois_versement",
    "ars.calendrier",  # a table: ars_calendrier_<age_minimum_avant|age_maximum_au|tranches_au>_<annee|mois|jour>
    "af.residence_alternee.part_enfant",
    "af.residence_alternee.part_majoration",
    "asf.taux.un_parent",
    "asf.taux.deux_parents",
    "aeeh.taux_base",
    "aeeh.complement",
    "aeeh.majoration_isole",  # tables: aeeh_complement_categorie_<c>…
    "aah.montant",
    "aah.taux_incapacite_plein",
    "aah.taux_incapacite_minimum",
    "aah.age_minimum",
    "aah.plafond.majoration_enfant",
    "aah.plafond.coefficient_couple",
    "aah.ressources_conjoint",
)
_MTP = "mtp"
_AGE_MAJORATION = "af.majoration.age"
_CATEGORIE_MTP = 6
"""D541-2: the complement of the 6e catégorie is the MTP itself (the parameter ``mtp``, in force in the month, shared with
the APA); the others are rates of the table."""


def _categories(table: str) -> tuple[int, ...]:
    """The catégories of AEEH a table of rates gives (its keys ``categorie_<n>``, the same on every date)."""
    first = parameters().get(table).values[0].value
    assert isinstance(first, Mapping)
    return tuple(sorted(int(str(key).removeprefix("categorie_")) for key in first))


def _categories_complement() -> tuple[int, ...]:
    """The catégories of the compléments d'AEEH (D541-2): those of ``aeeh.complement`` and the MTP's."""
    return (*_categories("aeeh.complement"), _CATEGORIE_MTP)


def _categories_isole() -> tuple[int, ...]:
    """The catégories that open the majoration pour parent isolé (D541-4)."""
    return _categories("aeeh.majoration_isole")


def _c(name: str) -> pl.Expr:
    return pl.col(name.replace(".", "_"))


def _r(name: str) -> pl.Expr:
    return pl.col(f"{name.replace('.', '_')}_reference").cast(pl.String)


def _bmaf_x(rate: pl.Expr) -> pl.Expr:
    """BMAF × taux, half-up to the cent (the DSS instructions publish each amount so)."""
    return apply_rate_expr(pl.col("bmaf"), rate)


def _month_index(d: pl.Expr) -> pl.Expr:
    return d.dt.year().cast(pl.Int32) * 12 + d.dt.month().cast(pl.Int32) - 1


def _ceiling(base: pl.Expr, n: pl.Expr, per12: pl.Expr, per3: pl.Expr, majoration: pl.Expr | None, majore: pl.Expr) -> pl.Expr:
    """Resource ceiling of CSS R522-2 (CF; the PAJE by R531-1 2e al.; the ARS likewise): base + per child majorations
    (+ the fixed majoration of a couple biactif or a person alone).

    ``per12`` and ``per3`` are base × the taux of the 1st–2nd and of each further child, computed once per
    month (:func:`_month_law`); ``base × taux`` is exact in cents (bases are whole euros, taux 25 % / 30 %).
    The ceiling is not rounded to the euro (the published tables are, which can only matter for resources
    within one euro of a ceiling).
    """
    value = base + pl.min_horizontal(n, pl.lit(2)) * per12 + pl.max_horizontal(n - 2, pl.lit(0)) * per3
    if majoration is not None:
        value = value + pl.when(majore).then(majoration).otherwise(0)
    return value


# --------------------------------------------------------------------------
# Input checks


def _prepare(frame: pl.DataFrame, required: Mapping[str, PolarsDataType], optional: dict[str, tuple[pl.DataType, object]], what: str) -> pl.DataFrame:
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"{what} doit être un DataFrame Polars")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InvalidField(missing[0], f"colonne {missing[0]!r} absente du tableau {what}")
    casts = []
    for name, dtype in required.items():
        src = frame.schema[name]
        if dtype == pl.Date and src != pl.Date:
            raise InvalidField(name, f"la colonne {name!r} de {what} doit être une date, pas {src}")
        if dtype != pl.Date and not src.is_integer():
            raise InvalidField(name, f"la colonne {name!r} de {what} doit être un entier, pas {src}")
        casts.append(pl.col(name).cast(dtype))
    for name, (dtype, default) in optional.items():
        if name in frame.columns:
            casts.append(pl.col(name).cast(dtype).fill_null(default) if default is not None else pl.col(name).cast(dtype))
        else:
            casts.append(pl.lit(default, dtype=dtype).alias(name))
    out = frame.with_columns(casts)
    for name in required:
        if out[name].null_count():
            raise InvalidField(name, f"valeur absente dans la colonne {name!r} de {what}")
    if (out["mois"].dt.day() != 1).any():
        raise InvalidField("mois", f"le mois de {what} doit être le premier jour du mois")
    return out


def _check_foyers(f: pl.DataFrame) -> None:
    if (~f["nb_parents"].is_in([1, 2])).any():
        raise InvalidField("nb_parents", "le nombre de parents du foyer doit être 1 (parent isolé) ou 2 (couple)")
    for col in ("ressources_n2", "aah_ressources_n2"):
        if (f[col] < 0).any():
            raise InvalidField(col, "les ressources ne peuvent pas être négatives")
    if ((f["aah_taux_incapacite"] < 0) | (f["aah_taux_incapacite"] > 100)).any():
        raise InvalidField("aah_taux_incapacite", "le taux d'incapacité doit être compris entre 0 et 100 %")


def _check_enfants(e: pl.DataFrame) -> None:
    if (e["salaire_net_mensuel"] < 0).any():
        raise InvalidField("salaire_net_mensuel", "le salaire de l'enfant ne peut pas être négatif")
    if (~e["asf"].is_in([0, 1, 2])).any():
        raise InvalidField("asf", "asf doit valoir 0 (aucune), 1 (un parent manquant) ou 2 (les deux)")
    cat = e["aeeh_categorie"].drop_nulls()
    categories = _categories_complement()
    if (~cat.is_in([0, *categories])).any():
        raise InvalidField("aeeh_categorie", f"la catégorie d'AEEH doit être vide (pas d'AEEH), 0 (base seule) ou {min(categories)} à {max(categories)}")


# --------------------------------------------------------------------------
# Law table: one row per month asked


def law_table(months: pl.Series) -> pl.DataFrame:
    """Every parameter the rules read, in force on each month (a few dozen rows), with references."""
    frame = pl.DataFrame({"mois": months.unique().sort()})
    law = join_parameters(frame, list(_LAW), on="mois", with_references=True)
    # The MTP (AEEH 6e catégorie) is known from April 2023 only: null before, refused only if a child needs it.
    mtp = parameters().get(_MTP)
    first = mtp.dates[0]
    known = law.filter(pl.col("mois") >= first).select("mois")
    mtp_frame = join_parameters(known, [_MTP], on="mois", with_references=True)
    law = law.join(mtp_frame, on="mois", how="left")
    return law.with_columns(pl.col(c).cast(pl.String) for c in law.columns if c.endswith("_reference"))


def _references(law: pl.DataFrame) -> pl.DataFrame:
    """The texts behind each benefit, built once per month (not per household)."""
    return law.with_columns(
        pl.concat_str([_r("asf.taux.un_parent"), _r("asf.taux.deux_parents")], separator=" ; ").alias("ref_asf"),
        pl.concat_str([_r("aeeh.taux_base"), _r("aeeh.complement"), _r("aeeh.majoration_isole")], separator=" ; ").alias("ref_aeeh"),
        pl.concat_str(
            [_r("af.tranche"), _r("af.plafond.tranche_1"), _r("af.majoration.age"), _r("af.forfait.nombre_enfants_minimum")],
            separator=" ; ",
        ).alias("ref_af"),
        pl.concat_str([_r("cf.taux"), _r("cf.taux_majore"), _r("cf.plafond.base"), _r("cf.plafond_majore.base")], separator=" ; ").alias("ref_cf"),
        pl.concat_str([_r("paje.base.taux_plein"), _r("paje.plafond.taux_plein.base")], separator=" ; ").alias("ref_paje_base"),
        pl.concat_str([_r("paje.prime_naissance"), _r("paje.plafond.taux_partiel.base"), pl.lit(PRIME_NAISSANCE_CHOIX)], separator=" ; ").alias(
            "ref_paje_naissance"
        ),
        pl.concat_str([_r("ars.taux.six_dix"), _r("ars.plafond.base"), _r("ars.montant_minimum")], separator=" ; ").alias("ref_ars"),
        pl.concat_str([_r("aah.montant"), _r("aah.plafond.majoration_enfant"), _r("aah.ressources_conjoint")], separator=" ; ").alias("ref_aah"),
        _r("bmaf").alias("ref_bmaf"),
        _r("pf.taux_crds").alias("ref_crds"),
    )


_REFS = ("ref_bmaf", "ref_crds", "ref_af", "ref_cf", "ref_paje_naissance", "ref_paje_base", "ref_ars", "ref_asf", "ref_aeeh", "ref_aah")


def _seuil_remuneration() -> pl.Expr:
    """The highest monthly pay of a child à charge (L512-3 2°, R512-2), in cents, on the month's law table.

    R512-2: "égal, pour un mois, à 55 % du salaire minimum interprofessionnel de croissance […] multiplié par
    169". Decided from the text: the SMIC is the hourly SMIC in force in the month of the right (the ceiling is
    "pour un mois", compared with that month's pay, not an average over a period); the text sets no rounding, so
    the pay "n'excède pas" the ceiling when it is at most its exact value: SMIC × 169 (exact in cents) × 55 %,
    rounded down to the cent (pay is in whole cents, so pay <= floor(exact) is pay <= exact). service-public
    F16947 and the CAF publish the ceiling rounded to the nearest cent (11,88 € × 169 × 55 % = 1 104,246 €
    shown as 1 104,25 €): a pay of exactly 1 104,25 € exceeds the text's ceiling and is not à charge.
    """
    smic_169 = apply_rate_expr(pl.col("smic_horaire"), _c("pf.remuneration_maximale.heures"))
    return apply_rate_expr(smic_169, _c("pf.remuneration_maximale.taux_smic"), arrondi="inferieur")


def _ars_date(ligne: str, y: pl.Expr, age: pl.Expr) -> pl.Expr:
    """The date of the row ``ligne`` of ars.calendrier for the rentrée of year ``y``, ``age`` years earlier.

    Born before (or on) that date is "has reached ``age`` by the date of the row" (29 February aside).
    """

    def col(part: str) -> pl.Expr:
        return pl.col(f"ars_calendrier_{ligne}_{part}")

    return pl.date(y + col("annee") - age, col("mois"), col("jour"))


_MONTH_LAWS: OrderedDict[tuple[int, tuple[date, ...]], tuple[Parameters, pl.DataFrame]] = OrderedDict()
_MONTH_LAWS_KEPT = 32
_MONTH_LAWS_LOCK = threading.Lock()


def _month_law(months: pl.Series) -> pl.DataFrame:
    """:func:`_month_law_computed` of the distinct months, kept per process for the parameters in force.

    The law of a month depends on the parameters alone: resolved once per set of months and per parameter tree
    (a changed tree, as the tests of parametres/modifies.py serve one, is another key), like OpenFisca's
    parameters at an instant. A few dozen sets are kept (a monthly run asks one; the service a household's few).
    """
    params = parameters()
    key = (id(params), tuple(months.unique().sort().to_list()))
    with _MONTH_LAWS_LOCK:
        kept = _MONTH_LAWS.get(key)
        if kept is not None and kept[0] is params:
            _MONTH_LAWS.move_to_end(key)
            return kept[1]
    law = _month_law_computed(pl.Series("mois", key[1], dtype=pl.Date))
    with _MONTH_LAWS_LOCK:
        _MONTH_LAWS[key] = (params, law)  # the tree is held with its law: its id is not reused while kept
        while len(_MONTH_LAWS) > _MONTH_LAWS_KEPT:
            _MONTH_LAWS.popitem(last=False)
    return law


def _month_law_computed(months: pl.Series) -> pl.DataFrame:
    """The law of each month asked, with every amount that depends on the month alone already computed.

    BMAF × taux, ceiling steps, the salary limit, the ARS birth-date bounds:
    computed here on a few dozen rows (one per month) rather than on every
    household or child, which then join only these ready ``__*`` columns.
    """
    law = _references(law_table(months))
    y = pl.col("mois").dt.year()

    def steps(base: str, t12: str, t3: str, prefix: str) -> list[pl.Expr]:
        # Per child majorations of a ceiling (R522-2 2e al.): base × taux, exact in cents, see _ceiling.
        return [apply_rate_expr(_c(base), _c(t12)).alias(f"__{prefix}_par_enfant_12"), apply_rate_expr(_c(base), _c(t3)).alias(f"__{prefix}_par_enfant_3")]

    return law.with_columns(
        # Children
        _seuil_remuneration().alias("__seuil_remuneration"),
        # ARS (L543-1, R543-2): the ages are judged on the dates of ars.calendrier (6 before 1 February of the next
        # year, under 18 on 15 September, the band by the age reached on 31 December).
        # The ARS is paid for the rentrée in the month of ars.mois_versement (August): secu attaches it to that row.
        (pl.col("mois").dt.month() == _c("ars.mois_versement")).alias("__mois_ars"),
        _ars_date("age_minimum_avant", y, pl.col("ars_age_minimum")).alias("__ars_ne_avant"),
        _ars_date("age_maximum_au", y, pl.col("ars_age_maximum")).alias("__ars_ne_apres"),
        _ars_date("age_maximum_au", y, pl.col("ars_age_scolarite")).alias("__ars_doit_etudier"),
        _ars_date("tranches_au", y, pl.lit(0)).alias("__ars_tranches_au"),
        _bmaf_x(_c("ars.taux.six_dix")).alias("__ars_six_dix"),
        _bmaf_x(_c("ars.taux.onze_quatorze")).alias("__ars_onze_quatorze"),
        _bmaf_x(_c("ars.taux.quinze_dix_huit")).alias("__ars_quinze_dix_huit"),
        _bmaf_x(_c("asf.taux.un_parent")).alias("__asf_un_parent"),
        _bmaf_x(_c("asf.taux.deux_parents")).alias("__asf_deux_parents"),
        _bmaf_x(_c("aeeh.taux_base")).alias("__aeeh_base_unitaire"),
        # The 6e catégorie is the MTP itself, an amount (null before it is known: see _check_mtp).
        *(_bmaf_x(_c(f"aeeh.complement.categorie_{c}")).alias(f"__aeeh_complement_{c}") for c in _categories("aeeh.complement")),
        _c(_MTP).alias(f"__aeeh_complement_{_CATEGORIE_MTP}"),
        *(_bmaf_x(_c(f"aeeh.majoration_isole.categorie_{c}")).alias(f"__aeeh_isole_{c}") for c in _categories_isole()),
        # Households
        *(_bmaf_x(_c(f"af.tranche_{t}.majoration_age")).alias(f"__af_majoration_{t}") for t in (1, 2, 3)),
        *(_bmaf_x(_c(f"af.tranche_{t}.forfait")).alias(f"__af_forfait_{t}") for t in (1, 2, 3)),
        *steps("cf.plafond.base", "cf.plafond.taux_enfant", "cf.plafond.taux_enfant_suivant", "cf"),
        # R522-4: the CF majoré's ceiling has its own amounts, majorated per child like R522-2's.
        *steps("cf.plafond_majore.base", "cf.plafond.taux_enfant", "cf.plafond.taux_enfant_suivant", "cf_majore"),
        _bmaf_x(_c("cf.taux")).alias("__cf_base"),
        _bmaf_x(_c("cf.taux_majore")).alias("__cf_majore"),
        *steps("paje.plafond.taux_plein.base", "paje.plafond.taux_enfant", "paje.plafond.taux_enfant_suivant", "paje_plein"),
        *steps("paje.plafond.taux_partiel.base", "paje.plafond.taux_enfant", "paje.plafond.taux_enfant_suivant", "paje_partiel"),
        _bmaf_x(_c("paje.base.taux_plein")).alias("__paje_base_plein"),
        _bmaf_x(_c("paje.base.taux_partiel")).alias("__paje_base_partiel"),
        _bmaf_x(_c("paje.prime_naissance")).alias("__paje_prime"),
        # R543-5 raises the ceiling by 30 % per child; the yearly arrêté fixes that majoration in euros (rounded).
        _c("ars.plafond.majoration_enfant").alias("__ars_plafond_par_enfant"),
        apply_rate_expr(_c("aah.montant") * 12, _c("aah.plafond.coefficient_couple")).alias("__aah_plafond_couple"),
        apply_rate_expr(_c("aah.montant") * 12, _c("aah.plafond.majoration_enfant")).alias("__aah_plafond_par_enfant"),
        # The CRDS rate as an integer over RATE_UNIT, once per month (null if it is not a rate between 0 and 1).
        pl.when(_c("pf.taux_crds").is_between(0, 1)).then(rate_units_expr(_c("pf.taux_crds"))).alias("__crds_unites"),
    )


# --------------------------------------------------------------------------
# Children → per (foyer, mois) counts and sums


def _with_law(frame: pl.LazyFrame, law: pl.DataFrame, columns: Sequence[str], *, how: JoinStrategy) -> pl.LazyFrame:
    """``frame`` with the month-level ``columns`` of ``law`` (one row per month asked), joined on ``mois``.

    When the frame asks one month (a monthly run), the month's values are broadcast as literals instead: the same
    columns and types, without a join that would hash every row and gather every column (an ``inner`` join then
    keeps only that month's rows, as the join would).
    """
    if law.height != 1:
        return frame.join(law.lazy().select(columns), on="mois", how=how, maintain_order="left" if how == "left" else "none")
    if how == "inner":
        frame = frame.filter(pl.col("mois") == pl.lit(law["mois"][0], dtype=pl.Date))
    return frame.with_columns(pl.lit(law[c][0], dtype=law.schema[c]).alias(c) for c in columns if c != "mois")


_CHILD_LAW = (
    "mois",
    "pf_age_limite",
    "pf_age_fin_obligation_scolaire",
    "af_forfait_duree",
    "af_forfait_nombre_enfants_minimum",
    "cf_age_minimum",
    "cf_age_maximum",
    "paje_base_age_limite",
    "ars_age_tranche_2",
    "ars_age_tranche_3",
    "__seuil_remuneration",
    "__mois_ars",
    "__ars_ne_avant",
    "__ars_ne_apres",
    "__ars_doit_etudier",
    "__ars_tranches_au",
    "__ars_six_dix",
    "__ars_onze_quatorze",
    "__ars_quinze_dix_huit",
    "__asf_un_parent",
    "__asf_deux_parents",
    "__aeeh_base_unitaire",
)


def _child_law() -> list[str]:
    """The month-level columns the child steps read: _CHILD_LAW and the AEEH amount of each catégorie."""
    return [*_CHILD_LAW, *(f"__aeeh_complement_{c}" for c in _categories_complement()), *(f"__aeeh_isole_{c}" for c in _categories_isole())]


def _majoration_ages(births: pl.Series) -> pl.DataFrame:
    """Age of the majoration (R521-1) for each distinct birth date: the one in force on the 14th birthday.

    Transition of décret 2026-138. Resolved per distinct date (a few thousand) rather than per child. Dates
    before the first value of the parameter only concern people far older than 20: clamped.
    """
    parameter = parameters().get(_AGE_MAJORATION)
    first = parameter.dates[0]
    # The transition keeps the former age (the one in force the day before the latest change: 14) for a child who
    # reached it before the décret took effect: the age that applies is the one in force on that birthday.
    ancien = int(parameter.at(parameter.dates[-1] - timedelta(days=1)).number())
    dates = (
        births.unique()
        .to_frame("date_naissance")
        .with_columns(pl.max_horizontal(pl.col("date_naissance").dt.offset_by(f"{ancien}y"), pl.lit(first)).alias("__d14"))
    )
    return join_parameters(dates, [_AGE_MAJORATION], on="__d14").select("date_naissance", "af_majoration_age")


def _with_majoration_age(e: pl.LazyFrame, ages: pl.DataFrame) -> pl.LazyFrame:
    """``e`` with ``af_majoration_age``, the age of :func:`_majoration_ages` for each child's birth date.

    ``ages`` has every birth date of the children; sorted by date, the age changes a few times at most (once, on
    the décret's transition): it is then a condition on the birth date per change, read on the first date of each
    run (exact on every date ``ages`` has, hence on every child), instead of a join over every child.
    """
    runs = ages.sort("date_naissance").filter(pl.col("af_majoration_age").ne_missing(pl.col("af_majoration_age").shift(1))).rows()
    if not runs or len(runs) > 8:
        return e.join(ages.lazy(), on="date_naissance", how="left")
    dtype = ages.schema["af_majoration_age"]
    age = pl.lit(runs[0][1], dtype=dtype)
    for debut, value in runs[1:]:
        age = pl.when(pl.col("date_naissance") >= pl.lit(debut, dtype=pl.Date)).then(pl.lit(value, dtype=dtype)).otherwise(age)
    return e.with_columns(age.alias("af_majoration_age"))


def _child_flags(e: pl.LazyFrame, month_law: pl.DataFrame | None = None) -> pl.LazyFrame:
    """Per child (joined with _CHILD_LAW and the majoration age): à charge, counts and amounts of the month.

    ``month_law``: the one row of law when one month is asked (its values were broadcast as literals); the AEEH amount
    of a child's catégorie is then looked up in one pass instead of a chain of conditions per catégorie.
    """
    m = _month_index(pl.col("mois"))
    b = _month_index(pl.col("date_naissance"))
    e = e.with_columns((m - b).alias("__age_m"))
    a = pl.col("__age_m")
    # L512-3 2°, R512-2: after the end of compulsory schooling (16), à charge only if paid at most the ceiling.
    paye_au_dessus = pl.col("salaire_net_mensuel") > pl.col("__seuil_remuneration")
    remun_ok = (a < pl.col("pf_age_fin_obligation_scolaire") * 12) | ~paye_au_dessus
    charge = (a > 0) & (a < pl.col("pf_age_limite") * 12) & remun_ok
    charge_cf = (a > 0) & (a < pl.col("cf_age_maximum") * 12) & remun_ok
    # CF: "all children at least 3" is met the month of the 3rd birthday, due from the next (R552-2).
    moins_de_3 = (a >= 0) & (a <= pl.col("cf_age_minimum") * 12)
    majoration = charge & (a > pl.col("af_majoration_age") * 12)
    forfait = (a >= pl.col("pf_age_limite") * 12) & (a < pl.col("pf_age_limite") * 12 + pl.col("af_forfait_duree")) & remun_ok
    ab = charge & (a < pl.col("paje_base_age_limite") * 12)

    # ARS (L543-1, R543-2): band by the age reached on the date of ars.calendrier (31 December); from 16 only in
    # school or apprenticeship.
    dn = pl.col("date_naissance")
    au = pl.col("__ars_tranches_au")
    age_31_12 = age_expr(dn, au)
    ars_age = (dn < pl.col("__ars_ne_avant")) & (dn > pl.col("__ars_ne_apres"))
    doit_etudier = dn <= pl.col("__ars_doit_etudier")
    ars_ok = pl.col("__mois_ars") & ars_age & (a > 0) & remun_ok & (~doit_etudier | pl.col("scolarise"))
    ars = (
        pl.when(age_31_12 >= pl.col("ars_age_tranche_3"))
        .then(pl.col("__ars_quinze_dix_huit"))
        .when(age_31_12 >= pl.col("ars_age_tranche_2"))
        .then(pl.col("__ars_onze_quatorze"))
        .otherwise(pl.col("__ars_six_dix"))
    )
    asf = pl.when(pl.col("asf") == 2).then(pl.col("__asf_deux_parents")).when(pl.col("asf") == 1).then(pl.col("__asf_un_parent"))
    cat = pl.col("aeeh_categorie")
    aeeh_ok = charge & cat.is_not_null()
    if month_law is not None:
        complement, isole = (
            cat.replace_strict(list(cs), [month_law[f"{prefix}{c}"][0] for c in cs], default=0, return_dtype=pl.Int64)
            for cs, prefix in ((_categories_complement(), "__aeeh_complement_"), (_categories_isole(), "__aeeh_isole_"))
        )
    else:
        complement = pl.lit(0, dtype=pl.Int64)
        isole = pl.lit(0, dtype=pl.Int64)
        for c in _categories_complement():
            complement = pl.when(cat == c).then(pl.col(f"__aeeh_complement_{c}")).otherwise(complement)
        for c in _categories_isole():
            isole = pl.when(cat == c).then(pl.col(f"__aeeh_isole_{c}")).otherwise(isole)
    # ARS ceiling (R543-5: "majoré de 30 % par enfant à charge", no date in the text): the children à charge on
    # 31 July, the eve of the August payment, as the CAF and service-public (F1878) count them: born before
    # 1 August (a > 0) and not yet 20 on 31 July (a <= 240: a child whose 20th birthday falls in August still counts).
    charge_31_juillet = (a > 0) & (a <= pl.col("pf_age_limite") * 12) & remun_ok
    return e.with_columns(
        paye_au_dessus.alias("__paye_au_dessus"),
        (pl.col("__mois_ars") & charge_31_juillet).alias("__ars_charge"),
        charge.alias("__charge"),
        charge_cf.alias("__charge_cf"),
        moins_de_3.alias("__moins_de_3"),
        majoration.alias("__majoration"),
        forfait.alias("__forfait"),
        ab.alias("__ab"),
        (a == 0).alias("__naissance"),
        pl.when(ars_ok).then(ars).otherwise(0).alias("__ars"),
        pl.when(charge & asf.is_not_null()).then(asf).otherwise(0).alias("__asf"),
        pl.when(aeeh_ok).then(pl.col("__aeeh_base_unitaire")).otherwise(0).alias("__aeeh_base"),
        pl.when(aeeh_ok).then(complement).otherwise(0).alias("__aeeh_complement"),
        pl.when(aeeh_ok).then(isole).otherwise(0).alias("__aeeh_isole"),
        (aeeh_ok & (cat == _CATEGORIE_MTP) & pl.col(f"__aeeh_complement_{_CATEGORIE_MTP}").is_null()).alias("__mtp_absent"),
    )


def _check_mtp(f: pl.DataFrame, e: pl.DataFrame, law: pl.DataFrame, ages: pl.DataFrame) -> None:
    """Refuse a child of the 6e catégorie d'AEEH in a month whose MTP is not known (null before April 2023).

    Only the few children of the 6e catégorie in such months are looked at, with the same flags as the rules.
    """
    unknown = law.filter(pl.col(f"__aeeh_complement_{_CATEGORIE_MTP}").is_null()).select("mois")
    suspects = e.filter(pl.col("aeeh_categorie") == _CATEGORIE_MTP).join(unknown, on="mois", how="semi")
    if suspects.height == 0:
        return
    suspects = suspects.join(f.select("foyer", "mois").unique(), on=["foyer", "mois"], how="semi")
    absent = (
        _child_flags(suspects.lazy().join(law.lazy().select(_child_law()), on="mois").join(ages.lazy(), on="date_naissance"))
        .filter(pl.col("__mtp_absent"))
        .collect()
    )
    if absent.height:
        jour: date = absent["mois"].min()  # type: ignore[assignment]
        raise NotFound(
            f"aucune valeur de {_MTP} en vigueur le {jour:%d/%m/%Y} (complément d'AEEH de 6e catégorie)",
            field="aeeh_categorie",
        )


def _children(e: pl.DataFrame, law: pl.DataFrame, ages: pl.DataFrame) -> pl.LazyFrame:
    """Per (foyer, mois) counts and sums of the children, lazily (one group_by, plus one for the twins).

    Grouped by ``foyer`` and ``mois``, or by ``foyer`` alone when one month is asked (every child kept is then of
    that month: the same groups, on one integer key).
    """
    keys = ["foyer"] if law.height == 1 else ["foyer", "mois"]
    if e.height >= 2**31:
        raise ValueError("trop d'enfants pour un seul calcul (2^31 lignes au plus)")
    # The eldest child à charge, ties (twins) going to the first row given: birth date, row and résidence alternée
    # packed into one Int64 (days × 2^32 + row × 2 + alternée, exact for any Date and fewer than 2^31 rows),
    # so that a plain min per group finds him.
    aine = pl.col("date_naissance").cast(pl.Int64) * 2**32 + pl.col("__rang").cast(pl.Int64) * 2 + pl.col("garde_alternee").cast(pl.Int64)
    # Children of months not asked drop out here (inner join); those of households not asked, at the final join.
    rows = _child_flags(
        _with_law(e.lazy().with_row_index("__rang"), law, _child_law(), how="inner").pipe(_with_majoration_age, ages),
        law if law.height == 1 else None,
    ).with_columns(pl.when(pl.col("__charge")).then(aine).alias("__aine"))
    # Forfait (L521-1 2e al., D521-2 III): due for a child in the year after his 20th birthday when the family had
    # AF for at least 3 children, him included, in the month before that birthday; checked once for the year
    # (CNAF practice: twins leaving together keep it; a third child born later does not open it). Looked at
    # among the children of this month's frame, the earlier pay condition taken as met.
    veille = _month_index(pl.col("date_naissance")) + pl.col("pf_age_limite") * 12 - 1
    forfaits = rows.filter(pl.col("__forfait")).select(*keys, "__rang", veille.alias("__veille"), pl.col("af_forfait_nombre_enfants_minimum").alias("__min"))
    # A sibling counts when he was à charge that month (L512-3, R512-2): born, under 20, and — if past the end of
    # compulsory schooling (16) by then — paid no more than 55 % of the SMIC × 169. His pay of the eve is not in
    # the frame: his pay of this month (the latest known) is read against this month's ceiling.
    siblings = rows.select(
        *keys,
        _month_index(pl.col("date_naissance")).alias("__b"),
        pl.col("pf_age_limite").alias("__limite"),
        pl.col("pf_age_fin_obligation_scolaire").alias("__fin_scolarite"),
        "__paye_au_dessus",
    )
    age_veille = pl.col("__veille") - pl.col("__b")
    a_charge_la_veille = (
        (age_veille > 0) & (age_veille < pl.col("__limite") * 12) & ((age_veille < pl.col("__fin_scolarite") * 12) | ~pl.col("__paye_au_dessus"))
    )
    forfaits_dus = (
        forfaits.join(siblings, on=keys, how="inner")
        .filter(a_charge_la_veille)
        .group_by(*keys, "__rang", "__min")
        .len()
        .filter(pl.col("len") >= pl.col("__min"))
        .group_by(keys)
        .agg(pl.len().cast(pl.Int32).alias("af_nb_forfaits"))
    )
    # Several allocations de base for children of one birth (L531-3): the largest group born the same day.
    twins = rows.filter(pl.col("__ab")).group_by(*keys, "date_naissance").len().group_by(keys).agg(pl.col("len").max().cast(pl.Int32).alias("paje_base_nombre"))
    agg = rows.group_by(keys).agg(
        pl.col("__charge").sum().cast(pl.Int32).alias("nb_enfants"),
        pl.col("__ars_charge").sum().cast(pl.Int32).alias("ars_nb_enfants_plafond"),
        (pl.col("__charge") & pl.col("garde_alternee")).sum().cast(pl.Int32).alias("af_nb_alternes"),
        pl.col("__majoration").sum().cast(pl.Int32).alias("__nb_majorables"),
        (pl.col("__majoration") & pl.col("garde_alternee")).sum().cast(pl.Int32).alias("__nb_majorables_alternes"),
        ((pl.col("__aine").min() & 1) == 1).alias("__aine_alterne"),
        pl.col("__charge_cf").sum().cast(pl.Int32).alias("cf_nb_enfants"),
        pl.col("__moins_de_3").sum().cast(pl.Int32).alias("cf_nb_moins_de_3_ans"),
        pl.col("__naissance").sum().cast(pl.Int32).alias("paje_nb_naissances"),
        (pl.col("__ars") > 0).sum().cast(pl.Int32).alias("ars_nb_enfants"),
        pl.col("__ars").sum().alias("ars_plein"),
        pl.col("__asf").sum().alias("asf"),
        (pl.col("__asf") > 0).sum().cast(pl.Int32).alias("asf_nb_enfants"),
        pl.col("__aeeh_base").sum().alias("aeeh_base"),
        pl.col("__aeeh_complement").sum().alias("aeeh_complements"),
        pl.col("__aeeh_isole").sum().alias("__aeeh_isole"),
        (pl.col("__aeeh_base") > 0).sum().cast(pl.Int32).alias("aeeh_nb_enfants"),
    )
    # The two rare counts (households with a child under 3, with a child of 20) joined to each other first, so that
    # the many households are probed once.
    rares = twins.join(forfaits_dus, on=keys, how="full", coalesce=True)
    return agg.join(rares, on=keys, how="left").with_columns(pl.col("af_nb_forfaits").fill_null(0))


# --------------------------------------------------------------------------
# The rules

_LABEL_LAW = ("pf_age_limite", "cf_age_minimum", "ars_age_minimum", "ars_age_maximum", "af_residence_alternee_part_majoration")
"""The parameters the explanation's labels quote (the age of the forfait, of the CF, of the ARS; the résidence alternée)."""

# The month-level columns the household steps read (the rest of the law stays in the small table).
_FOYER_LAW = (
    "mois",
    "bmaf",
    "pf_taux_crds",
    "__crds_unites",
    "af_residence_alternee_part_enfant",
    "af_nombre_enfants_minimum",
    "af_majoration_nombre_enfants_minimum",
    "af_forfait_nombre_enfants_minimum",
    "af_plafond_tranche_1",
    "af_plafond_tranche_2",
    "af_plafond_majoration_enfant",
    *(f"af_tranche_{t}_{k}" for t in (1, 2, 3) for k in ("deuxieme_enfant", "enfant_suivant")),
    *(f"__af_{k}_{t}" for t in (1, 2, 3) for k in ("majoration", "forfait")),
    "cf_plafond_base",
    "cf_plafond_majoration_biactif_isole",
    "cf_nombre_enfants_minimum",
    "cf_plafond_majore_base",
    "cf_plafond_majore_majoration_biactif_isole",
    "__cf_par_enfant_12",
    "__cf_par_enfant_3",
    "__cf_majore_par_enfant_12",
    "__cf_majore_par_enfant_3",
    "__cf_base",
    "__cf_majore",
    "paje_plafond_taux_plein_base",
    "paje_plafond_taux_plein_majoration_biactif_isole",
    "paje_plafond_taux_partiel_base",
    "paje_plafond_taux_partiel_majoration_biactif_isole",
    "__paje_plein_par_enfant_12",
    "__paje_plein_par_enfant_3",
    "__paje_partiel_par_enfant_12",
    "__paje_partiel_par_enfant_3",
    "__paje_base_plein",
    "__paje_base_partiel",
    "__paje_prime",
    "ars_plafond_base",
    "ars_montant_minimum",
    "__ars_plafond_par_enfant",
    "aah_montant",
    "aah_taux_incapacite_plein",
    "aah_taux_incapacite_minimum",
    "aah_age_minimum",
    "aah_ressources_conjoint",
    "__aah_plafond_couple",
    "__aah_plafond_par_enfant",
    *_LABEL_LAW,
    *_REFS,
)


def droits(foyers: pl.DataFrame, enfants: pl.DataFrame) -> pl.DataFrame:
    """Gross monthly rights of each (foyer, mois) row of ``foyers``, in order, with the steps behind them."""
    f = _prepare(foyers, FOYERS_REQUIRED, FOYERS_OPTIONAL, "foyers")
    _check_foyers(f)
    e = _prepare(enfants, ENFANTS_REQUIRED, ENFANTS_OPTIONAL, "enfants")
    _check_enfants(e)
    if f.height == 0:
        return _empty(f)

    law = _month_law(f["mois"])
    ages = _majoration_ages(e["date_naissance"])
    _check_mtp(f, e, law, ages)
    kids = _children(e, law, ages)
    # One lazy plan over the households, collected once; only the month-level columns the steps read are joined.
    x = _with_law(f.lazy(), law, _FOYER_LAW, how="left").join(kids, on=["foyer"] if law.height == 1 else ["foyer", "mois"], how="left", maintain_order="left")
    zero_cols = [
        "nb_enfants",
        "af_nb_alternes",
        "__nb_majorables",
        "__nb_majorables_alternes",
        "af_nb_forfaits",
        "cf_nb_enfants",
        "cf_nb_moins_de_3_ans",
        "paje_nb_naissances",
        "ars_nb_enfants",
        "ars_plein",
        "asf",
        "asf_nb_enfants",
        "aeeh_base",
        "aeeh_complements",
        "__aeeh_isole",
        "aeeh_nb_enfants",
        "paje_base_nombre",
        "ars_nb_enfants_plafond",
    ]
    x = x.with_columns(pl.col(c).fill_null(0) for c in zero_cols)
    R = pl.col("ressources_n2")
    majore = (pl.col("nb_parents") == 1) | pl.col("biactif")

    x = _af(x, R)
    x = _cf(x, R, majore)
    x = _paje(x, R, majore)
    x = _ars(x, R)
    x = x.with_columns(
        pl.when(pl.col("nb_parents") == 1).then(pl.col("__aeeh_isole")).otherwise(0).alias("aeeh_majoration_isole"),
    ).with_columns((pl.col("aeeh_base") + pl.col("aeeh_complements") + pl.col("aeeh_majoration_isole")).alias("aeeh"))
    x = _aah(x)
    x = x.with_columns(
        pl.col("pf_taux_crds").alias("taux_crds"),
    )
    # CRDS (ordonnance n° 96-50, art. 14 II 8° and 19): 0,5 % of each prestation familiale but the AEEH, rounded
    # down to the cent, as the caisses' published net amounts show (MSA, table of 1 April 2023: 13 amounts of 13);
    # the AAH, not a prestation familiale, bears none.
    # A rate between 0 and 1 (every month asked) is applied in Int64 (apply_unit_rate_expr: the same result).
    unit_rate = law["__crds_unites"].null_count() == 0

    def crds(p: str) -> pl.Expr:
        if p in SANS_CRDS:
            return pl.lit(0, dtype=pl.Int64)
        if unit_rate:
            return apply_unit_rate_expr(pl.col(p), pl.col("__crds_unites"), arrondi="inferieur")
        return apply_rate_expr(pl.col(p), pl.col("taux_crds"), arrondi="inferieur")

    x = x.with_columns(crds(p).alias(f"{p}_crds") for p in PRESTATIONS)
    keep = [*f.columns, *OUTPUT]
    return x.select(keep).collect(engine="in-memory")  # measured faster than streaming for this wide plan


def _af(x: pl.LazyFrame, R: pl.Expr) -> pl.LazyFrame:
    n = pl.col("nb_enfants")
    x = x.with_columns(
        (_c("af.plafond.tranche_1") + n * _c("af.plafond.majoration_enfant")).alias("af_plafond_1"),
        (_c("af.plafond.tranche_2") + n * _c("af.plafond.majoration_enfant")).alias("af_plafond_2"),
    )
    tranche = (pl.when(R <= pl.col("af_plafond_1")).then(1).when(R <= pl.col("af_plafond_2")).then(2).otherwise(3)).cast(pl.Int8)
    x = x.with_columns(tranche.alias("af_tranche"))
    t = pl.col("af_tranche")

    def by_tranche(column: str) -> pl.Expr:
        return pl.when(t == 1).then(pl.col(column.format(1))).when(t == 2).then(pl.col(column.format(2))).otherwise(pl.col(column.format(3)))

    droit = n >= _c("af.nombre_enfants_minimum")
    # L521-3 / R521-1: the eldest opens no majoration in a family of fewer than 3 children; being the oldest,
    # he is age-eligible whenever any child is, so he is one of the majorables when there are any.
    sans_aine = (n < _c("af.majoration.nombre_enfants_minimum")) & (pl.col("__nb_majorables") > 0)
    aine_alterne = pl.col("__aine_alterne").fill_null(False)
    nb_maj_alt = pl.col("__nb_majorables_alternes") - pl.when(sans_aine & aine_alterne).then(1).otherwise(0)
    nb_maj = pl.col("__nb_majorables") - pl.when(sans_aine).then(1).otherwise(0)
    taux_base = by_tranche("af_tranche_{}_deuxieme_enfant") + by_tranche("af_tranche_{}_enfant_suivant") * (n - 2).cast(pl.Decimal(38, 0))
    x = x.with_columns(
        pl.when(droit).then(taux_base).otherwise(None).alias("af_taux"),
        pl.when(droit).then(_bmaf_x(taux_base)).otherwise(0).alias("af_base_famille"),
        pl.when(droit).then(nb_maj).otherwise(0).cast(pl.Int32).alias("af_nb_majorations"),
        pl.when(droit).then(nb_maj_alt).otherwise(0).cast(pl.Int32).alias("af_nb_majorations_alternees"),
        by_tranche("__af_majoration_{}").alias("af_majoration_unitaire"),
        by_tranche("__af_forfait_{}").alias("af_forfait_unitaire"),
    )
    # Résidence alternée (R521-3, R521-4): the AF of all the children × (mean number / number of children), a child in
    # résidence alternée counting af.residence_alternee.part_enfant (1/2); the majoration pour âge of a child in
    # résidence alternée is af.residence_alternee.part_majoration of it (1/2). Exact on integers (parts over
    # RATE_UNIT), each share half-up to the cent.
    alt = pl.col("af_nb_alternes").cast(pl.Int128)
    part_enfant = _en_unites("af_residence_alternee_part_enfant")
    nombre_moyen = n.cast(pl.Int128) * RATE_UNIT - alt * (RATE_UNIT - part_enfant)
    nb_alt_maj = pl.col("af_nb_majorations_alternees")
    x = x.with_columns(
        pl.when(alt > 0)
        .then(div_half_up_expr(pl.col("af_base_famille").cast(pl.Int128) * nombre_moyen, n.cast(pl.Int128) * RATE_UNIT))
        .otherwise(pl.col("af_base_famille"))
        .cast(pl.Int64)
        .alias("af_base"),
        (
            (pl.col("af_nb_majorations") - nb_alt_maj) * pl.col("af_majoration_unitaire")
            + div_half_up_expr(
                nb_alt_maj.cast(pl.Int128) * pl.col("af_majoration_unitaire").cast(pl.Int128) * _en_unites("af_residence_alternee_part_majoration"), RATE_UNIT
            )
        )
        .cast(pl.Int64)
        .alias("af_majorations"),
    ).with_columns((pl.col("af_base_famille") - pl.col("af_base")).alias("af_part_autre_parent"))

    # Complément dégressif (L521-1 6e al., D521-1 II, D521-2 II): above a ceiling by less than 12 × the monthly
    # amount of the new tranche, one twelfth of (ceiling + 12 × amount − resources).
    depassement = pl.when(t == 2).then(R - pl.col("af_plafond_1")).when(t == 3).then(R - pl.col("af_plafond_2")).otherwise(0)
    x = x.with_columns(depassement.alias("af_depassement"))
    d = pl.col("af_depassement")
    montant = pl.col("af_base") + pl.col("af_majorations")

    def degressif(amount: pl.Expr) -> pl.Expr:
        reste = amount * 12 - d
        return pl.when((t > 1) & (reste > 0)).then(div_half_up_expr(reste, 12)).otherwise(0)

    # Forfait (L521-1 2e al., D521-2): af_nb_forfaits already counts only the children whose family had AF for
    # at least 3 children in the month before their 20th birthday (_children).
    x = x.with_columns(
        pl.when(droit).then(degressif(montant)).otherwise(0).alias("af_complement_degressif"),
    ).with_columns(
        (pl.col("af_nb_forfaits") * pl.col("af_forfait_unitaire")).alias("af_forfait"),
        (pl.col("af_nb_forfaits") * degressif(pl.col("af_forfait_unitaire"))).alias("af_forfait_complement_degressif"),
    )
    x = x.with_columns(
        (
            pl.col("af_base") + pl.col("af_majorations") + pl.col("af_complement_degressif") + pl.col("af_forfait") + pl.col("af_forfait_complement_degressif")
        ).alias("af"),
    )
    return x


def _cf(x: pl.LazyFrame, R: pl.Expr, majore: pl.Expr) -> pl.LazyFrame:
    n = pl.col("cf_nb_enfants")
    x = x.with_columns(
        _ceiling(_c("cf.plafond.base"), n, pl.col("__cf_par_enfant_12"), pl.col("__cf_par_enfant_3"), _c("cf.plafond.majoration_biactif_isole"), majore).alias(
            "cf_plafond"
        ),
        # R522-4: the majoré's own base and fixed majoration (not half the CF ceiling: each amount is revalued and
        # rounded to the euro on its own), majorated per child as R522-2 2e al.
        _ceiling(
            _c("cf.plafond_majore.base"),
            n,
            pl.col("__cf_majore_par_enfant_12"),
            pl.col("__cf_majore_par_enfant_3"),
            _c("cf.plafond_majore.majoration_biactif_isole"),
            majore,
        ).alias("cf_plafond_majore"),
    )
    droit = (n >= _c("cf.nombre_enfants_minimum")) & (pl.col("cf_nb_moins_de_3_ans") == 0)
    base = pl.col("__cf_base")
    # L522-2: above the ceiling by less than 12 × CF, one twelfth of (ceiling + 12 × CF − resources).
    reste = base * 12 - (R - pl.col("cf_plafond"))
    cf = (
        pl.when(~droit)
        .then(0)
        .when(R <= pl.col("cf_plafond_majore"))
        .then(pl.col("__cf_majore"))
        .when(R <= pl.col("cf_plafond"))
        .then(base)
        .when(reste > 0)
        .then(div_half_up_expr(reste, 12))
        .otherwise(0)
    )
    forme = (
        pl.when(~droit)
        .then(None)
        .when(R <= pl.col("cf_plafond_majore"))
        .then(pl.lit("majore"))
        .when(R <= pl.col("cf_plafond"))
        .then(pl.lit("base"))
        .when(reste > 0)
        .then(pl.lit("differentiel"))
    )
    return x.with_columns(
        cf.alias("cf"),
        forme.alias("cf_forme"),
    )


def _paje(x: pl.LazyFrame, R: pl.Expr, majore: pl.Expr) -> pl.LazyFrame:
    n = pl.col("nb_enfants")
    plein12, plein3 = pl.col("__paje_plein_par_enfant_12"), pl.col("__paje_plein_par_enfant_3")
    partiel12, partiel3 = pl.col("__paje_partiel_par_enfant_12"), pl.col("__paje_partiel_par_enfant_3")
    # The newborn of the month is not yet à charge (from the next month) but counts for the prime's ceiling.
    x = x.with_columns(
        _ceiling(_c("paje.plafond.taux_plein.base"), n, plein12, plein3, _c("paje.plafond.taux_plein.majoration_biactif_isole"), majore).alias(
            "paje_plafond_taux_plein"
        ),
        _ceiling(_c("paje.plafond.taux_partiel.base"), n, partiel12, partiel3, _c("paje.plafond.taux_partiel.majoration_biactif_isole"), majore).alias(
            "paje_plafond_taux_partiel"
        ),
        _ceiling(
            _c("paje.plafond.taux_partiel.base"),
            n + pl.col("paje_nb_naissances"),
            partiel12,
            partiel3,
            _c("paje.plafond.taux_partiel.majoration_biactif_isole"),
            majore,
        ).alias("paje_plafond_naissance"),
    )
    nb = pl.col("paje_base_nombre")
    taux = (
        pl.when(nb == 0)
        .then(None)
        .when(R <= pl.col("paje_plafond_taux_plein"))
        .then(pl.lit("plein"))
        .when(R <= pl.col("paje_plafond_taux_partiel"))
        .then(pl.lit("partiel"))
    )
    montant = (
        pl.when(nb == 0)
        .then(0)
        .when(R <= pl.col("paje_plafond_taux_plein"))
        .then(pl.col("__paje_base_plein"))
        .when(R <= pl.col("paje_plafond_taux_partiel"))
        .then(pl.col("__paje_base_partiel"))
        .otherwise(0)
    )
    prime = pl.when(R <= pl.col("paje_plafond_naissance")).then(pl.col("paje_nb_naissances") * pl.col("__paje_prime")).otherwise(0)
    return x.with_columns(
        taux.alias("paje_base_taux"),
        (nb * montant).alias("paje_base"),
        prime.alias("paje_naissance"),
    )


def _ars(x: pl.LazyFrame, R: pl.Expr) -> pl.LazyFrame:
    x = x.with_columns(
        (_c("ars.plafond.base") + pl.col("ars_nb_enfants_plafond") * pl.col("__ars_plafond_par_enfant")).alias("ars_plafond"),
    )
    plein = pl.col("ars_plein")
    # ARS différentielle (L543-1 2e al.): the full ARS less the excess of resources over the ceiling, not paid
    # below the minimum (applied to the family's total).
    diff = plein - (R - pl.col("ars_plafond"))
    ars = pl.when(plein == 0).then(0).when(R <= pl.col("ars_plafond")).then(plein).when(diff >= _c("ars.montant_minimum")).then(diff).otherwise(0)
    return x.with_columns(
        ars.alias("ars"),
    )


def _aah(x: pl.LazyFrame) -> pl.LazyFrame:
    taux = pl.col("aah_taux_incapacite")
    dna = pl.col("date_naissance_allocataire")
    age_ok = dna.is_not_null() & (_month_index(pl.col("mois")) > _month_index(dna) + _c("aah.age_minimum").cast(pl.Int32) * 12)
    eligible = age_ok & ((taux >= _c("aah.taux_incapacite_plein")) | ((taux >= _c("aah.taux_incapacite_minimum")) & pl.col("aah_rsdae")))
    couple_compte = (pl.col("nb_parents") == 2) & (_c("aah.ressources_conjoint") == 1)
    # Before the déconjugalisation (2023-10-01) a couple's resources were compared with the couple ceiling
    # (the abattement on the partner's income is not in the frame); since, the allocataire's own.
    ressources = pl.when(couple_compte).then(pl.col("ressources_n2")).otherwise(pl.col("aah_ressources_n2"))
    plafond = pl.when(couple_compte).then(pl.col("__aah_plafond_couple")).otherwise(_c("aah.montant") * 12)
    plafond = plafond + pl.col("nb_enfants") * pl.col("__aah_plafond_par_enfant")
    x = x.with_columns(plafond.alias("aah_plafond"), ressources.alias("aah_ressources"))
    reste = pl.col("aah_plafond") - pl.col("aah_ressources")
    # Differential: one twelfth of (ceiling − resources), at most the monthly amount.
    aah = pl.when(eligible & (reste > 0)).then(pl.min_horizontal(div_half_up_expr(reste, 12), _c("aah.montant"))).otherwise(0)
    return x.with_columns(
        aah.alias("aah"),
    )


OUTPUT = (
    *PRESTATIONS,
    *(f"{p}_crds" for p in PRESTATIONS),
    "bmaf",
    "nb_enfants",
    "taux_crds",
    "af_nb_alternes",
    "af_tranche",
    "af_plafond_1",
    "af_plafond_2",
    "af_taux",
    "af_base_famille",
    "af_base",
    "af_nb_majorations",
    "af_nb_majorations_alternees",
    "af_majoration_unitaire",
    "af_majorations",
    "af_depassement",
    "af_complement_degressif",
    "af_nb_forfaits",
    "af_forfait_unitaire",
    "af_forfait",
    "af_forfait_complement_degressif",
    "af_part_autre_parent",
    "cf_nb_enfants",
    "cf_nb_moins_de_3_ans",
    "cf_plafond",
    "cf_plafond_majore",
    "cf_forme",
    "paje_nb_naissances",
    "paje_plafond_naissance",
    "paje_base_nombre",
    "paje_base_taux",
    "paje_plafond_taux_plein",
    "paje_plafond_taux_partiel",
    "ars_nb_enfants",
    "ars_plein",
    "ars_nb_enfants_plafond",
    "ars_plafond",
    "asf_nb_enfants",
    "aeeh_nb_enfants",
    "aeeh_base",
    "aeeh_complements",
    "aeeh_majoration_isole",
    "aah_plafond",
    "aah_ressources",
    *_LABEL_LAW,
    "ref_bmaf",
    "ref_crds",
    "ref_af",
    "ref_cf",
    "ref_paje_naissance",
    "ref_paje_base",
    "ref_ars",
    "ref_asf",
    "ref_aeeh",
    "ref_aah",
)
"""Columns :func:`droits` adds after the input columns of ``foyers``, in this order."""


def _empty(f: pl.DataFrame) -> pl.DataFrame:
    return f.with_columns(pl.lit(0, dtype=pl.Int64).alias(c) for p in PRESTATIONS for c in (p, f"{p}_crds"))


# --------------------------------------------------------------------------
# Resources of the household: salaries to net catégoriel

_FRAIS_PRO = ("pf.ressources.frais_professionnels.taux", "pf.ressources.frais_professionnels.minimum", "pf.ressources.frais_professionnels.maximum")


def ressources_salaires(frame: pl.DataFrame) -> pl.DataFrame:
    """Net catégoriel of each person's salaries of a year (CSS R532-3), from their net imposable.

    Input: ``annee`` (the year of the income), ``net_imposable_cents`` (Int64 ≥ 0, the person's taxable salaries
    of that year). Adds ``frais_professionnels_cents`` and ``ressources_cents``. CGI art. 83, 3°: the déduction
    forfaitaire for professional expenses is 10 % of the salaries (half-up to the cent), at least the minimum
    and at most the maximum of the year, never more than the salaries themselves; the parameters are dated
    1 January of the year of the income.
    """
    if "annee" not in frame.columns or "net_imposable_cents" not in frame.columns:
        raise InvalidField("net_imposable_cents", "colonnes « annee » et « net_imposable_cents » attendues")
    if (frame["net_imposable_cents"] < 0).any():
        raise InvalidField("net_imposable_cents", "le net imposable ne peut pas être négatif")
    imposable = pl.col("net_imposable_cents").cast(pl.Int64)
    f = join_parameters(frame.with_columns(pl.date(pl.col("annee"), 1, 1).alias("__annee_revenus")), list(_FRAIS_PRO), on="__annee_revenus")
    dix_pour_cent = apply_rate_expr(imposable, _c("pf.ressources.frais_professionnels.taux"))
    borne = pl.min_horizontal(
        pl.max_horizontal(dix_pour_cent, _c("pf.ressources.frais_professionnels.minimum")),
        _c("pf.ressources.frais_professionnels.maximum"),
    )
    deduction = pl.min_horizontal(borne, imposable)
    return (
        f.with_columns(deduction.alias("frais_professionnels_cents"))
        .with_columns((imposable - pl.col("frais_professionnels_cents")).alias("ressources_cents"))
        .select(*frame.columns, "frais_professionnels_cents", "ressources_cents")
    )


def _en_unites(column: str) -> pl.Expr:
    """A coefficient column as an exact integer over RATE_UNIT."""
    return (pl.col(column).cast(RATE_DTYPE) * RATE_UNIT).cast(pl.Int128)


_BIACTIVITE = "pf.biactivite.taux_pass"


def biactivite(frame: pl.DataFrame) -> pl.DataFrame:
    """Whether a couple is biactif for the higher ceilings of the CF and the PAJE (CSS R522-2 3e al., R531-1 2e al.).

    Input: ``mois`` (the month of the right), ``annee_ressources`` (its reference year N-2, R532-1),
    ``revenu_professionnel_1_cents`` and ``revenu_professionnel_2_cents`` (each member's professional income of
    that year; null: no partner). R522-2: each member must have drawn from his work at least 13,6 % of the PASS
    in force on 1 January of the reference year (the rate in force at ``mois``). The comparison is exact;
    ``seuil_biactivite_cents`` is that threshold rounded up to the cent — the least whole income in cents that
    reaches it (13,6 % × 41 136 € = 5 594,496 € → 5 594,50 €) — and ``biactif`` is two members, each with at
    least the threshold.
    """
    for column in ("mois", "annee_ressources", "revenu_professionnel_1_cents", "revenu_professionnel_2_cents"):
        if column not in frame.columns:
            raise InvalidField(column, f"colonne {column!r} absente")
    f = join_parameters(frame, [_BIACTIVITE], on="mois")
    f = join_parameters(f.with_columns(pl.date(pl.col("annee_ressources"), 1, 1).alias("__pass_au")), ["pss.annuel"], on="__pass_au")
    taux_x_pass = pl.col("pss_annuel").cast(pl.Int128) * _en_unites(_BIACTIVITE.replace(".", "_"))
    seuil = div_toward_zero_expr(taux_x_pass + (RATE_UNIT - 1), RATE_UNIT).cast(pl.Int64)  # rounded up: income >= it
    chacun = (pl.col("revenu_professionnel_1_cents") >= seuil) & (pl.col("revenu_professionnel_2_cents") >= seuil)
    return f.with_columns(seuil.alias("seuil_biactivite_cents"), chacun.fill_null(False).alias("biactif")).select(
        *frame.columns, "seuil_biactivite_cents", "biactif"
    )


_ANNEES_AVANT = "pf.ressources.annees_avant"


def annee_ressources(mois: date) -> int:
    """The civil year whose resources count for the rights of ``mois`` (CSS R532-3: N-2)."""
    return mois.year - int(parameters().get(_ANNEES_AVANT).at(mois).number())


def effet_ressources(annee: int) -> date:
    """The first month whose rights count the resources of ``annee`` (1 January of N+2, R532-3).

    The gap is the one in force in ``annee`` (or, for an earlier year, the first one known).
    """
    parameter = parameters().get(_ANNEES_AVANT)
    ecart = int(parameter.at(max(date(annee, 1, 1), parameter.dates[0])).number())
    return date(annee + ecart, 1, 1)


# --------------------------------------------------------------------------
# Recovery of indus: the monthly limit on deductions (CSS L553-2, D553-1)

_HORS_RETENUE = "recouvrement_indus.hors_retenue"


def hors_retenue(mois: date) -> frozenset[str]:
    """The benefits left out of the income of D553-1 I b) in ``mois`` (the table ``recouvrement_indus.hors_retenue``).

    The table has one key per benefit of :data:`PRESTATIONS` (1: left out), so that a benefit added to the rules is
    placed on one side or the other by the law's data, never by default.
    """
    table = parameters().get(_HORS_RETENUE).at(mois).value
    assert isinstance(table, Mapping)
    if set(table) != set(PRESTATIONS):
        raise ValueError(f"{_HORS_RETENUE} doit avoir une clé par prestation : {', '.join(PRESTATIONS)}")
    return frozenset(str(p) for p, exclue in table.items() if exclue)


_BAREME_RETENUE = "recouvrement_indus.bareme"
"""D553-1 III: the barème on the weighted income (nothing below the first threshold, then each tranche's rate)."""

_RETENUE_LAW = (
    "recouvrement_indus.parts",  # a table: recouvrement_indus_parts_<allocataire|conjoint|enfant|enfant_rang_3>
    "recouvrement_indus.revenu_repute",
    "recouvrement_indus.retenue_forfaitaire",
    _BAREME_RETENUE,
)


def plafond_retenue(frame: pl.DataFrame) -> pl.DataFrame:
    """The largest monthly deduction for indus of each row (CSS L553-2, D553-1), in cents.

    Input: ``mois``; ``ressources_annuelles_cents`` (the household's resources of the reference year; null when
    the caisse knows none); ``prestations_cents`` (the month's family benefits but those of :func:`hors_retenue`);
    ``nb_adultes`` (1 or 2) and ``nb_enfants``. Steps, named after the article:

    * I: the monthly income, resources / 12 + the month's benefits (housing costs, I c, are not known to secu);
    * II: weighted by the parts of the family (``parts_retenue``): the income divided by them, half-up to the cent
      (``revenu_pondere_cents``); unknown resources take the deemed weighted income;
    * III: the retenue forfaitaire plus the barème on the weighted income, the sum rounded once
      (``plafond_retenue_cents``).
    """
    for column in ("mois", "ressources_annuelles_cents", "prestations_cents", "nb_adultes", "nb_enfants"):
        if column not in frame.columns:
            raise InvalidField(column, f"colonne {column!r} absente")
    f = join_parameters(frame, list(_RETENUE_LAW), on="mois")
    n = pl.col("nb_enfants")
    parts = (
        pl.col("recouvrement_indus_parts_allocataire")
        + pl.when(pl.col("nb_adultes") > 1).then(pl.col("recouvrement_indus_parts_conjoint")).otherwise(pl.lit(0, RATE_DTYPE))
        + pl.col("recouvrement_indus_parts_enfant") * pl.min_horizontal(n, 2).cast(pl.Decimal(38, 0))
        + pl.col("recouvrement_indus_parts_enfant_rang_3") * pl.max_horizontal(n - 2, 0).cast(pl.Decimal(38, 0))
    ).cast(RATE_DTYPE)
    revenu_x12 = pl.col("ressources_annuelles_cents").cast(pl.Int128) + 12 * pl.col("prestations_cents").cast(pl.Int128)
    pondere = (
        pl.when(pl.col("ressources_annuelles_cents").is_null())
        .then(pl.col("recouvrement_indus_revenu_repute"))
        .otherwise(div_half_up_expr(revenu_x12 * RATE_UNIT, _en_unites("parts_retenue") * 12))
    )
    seuils, taux = bareme_columns(_BAREME_RETENUE)
    f = f.with_columns(parts.alias("parts_retenue")).with_columns(pondere.cast(pl.Int64).alias("revenu_pondere_cents"))
    plafond = pl.col("recouvrement_indus_retenue_forfaitaire") + bareme_expr(pl.col("revenu_pondere_cents"), seuils, taux)
    return f.with_columns(plafond.alias("plafond_retenue_cents")).select(*frame.columns, "parts_retenue", "revenu_pondere_cents", "plafond_retenue_cents")


# --------------------------------------------------------------------------
# Long form with CRDS


def par_prestation(droits_frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (foyer, mois, prestation) with a non-zero amount: ``brut``, ``crds``, ``net`` (Int64 cents).

    Reads the ``<prestation>_crds`` columns of :func:`droits`; computes nothing.
    """
    missing = [f"{p}_crds" for p in PRESTATIONS if f"{p}_crds" not in droits_frame.columns]
    if missing:
        raise InvalidField(missing[0], f"colonne {missing[0]!r} absente : passer le résultat de droits()")
    parts = [
        droits_frame.select("foyer", "mois", pl.lit(p).alias("prestation"), pl.col(p).alias("brut"), pl.col(f"{p}_crds").alias("crds")) for p in PRESTATIONS
    ]
    out = pl.concat(parts, how="vertical").filter(pl.col("brut") != 0)
    return out.with_columns(pl.col("prestation").cast(pl.Enum(list(PRESTATIONS))), (pl.col("brut") - pl.col("crds")).alias("net")).sort(
        "foyer", "mois", "prestation", maintain_order=True
    )


__all__ = [
    "droits",
    "par_prestation",
    "ressources_salaires",
    "biactivite",
    "plafond_retenue",
    "hors_retenue",
    "annee_ressources",
    "effet_ressources",
    "law_table",
    "PRESTATIONS",
    "OUTPUT",
]
