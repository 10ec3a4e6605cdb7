"""The rules of the APA and the PCH, vectorised over a frame of beneficiaries × months.

One function per benefit. Each takes a Polars DataFrame with one row per
beneficiary and month (column ``date``, the first day of the month or any day
in it), joins the dated parameters in force that day (``secu.parametres``,
folder ``autonomie``) and adds the amounts as Int64 cents, with the
references of the parameters used, so that :mod:`secu.autonomie.explication`
can tell the story of a row without computing anything.

No float ever holds money. The participation formulas divide by amounts
(APA à domicile: (R − S1) / (S2 − S1)); they are computed exactly on integers
(Int128) and rounded once, half up, to the cent. The thresholds are written
in the texts as multiples of the MTP with three decimals at most (0,725,
2,67, 0,317…); the rules scale them by 1 000 and refuse a parameter value
that would need more (``_MILLIEMES``).

Eligibility is a column (``eligible``, ``motif``), never an exception: the
service refuses a decision with a French error naming the field; the rules
say, row by row, why nothing is due.

* :func:`apa_domicile` — CASF L232-3-1, L232-4, R232-10 (plafond par GIR),
  R232-11 (participation, décret 2016-210), D232-31 (seuil de non-versement).
* :func:`apa_etablissement` — CASF L232-8, R232-19 (participation du
  résident : tarif dépendance GIR 5-6, puis jusqu'à 80 % de l'écart).
* :func:`pch` — CASF L245-1 ff. (éléments, tarifs et montants maximaux,
  taux de prise en charge de 100 % ou 80 % selon les ressources).
* :func:`concours_cnsa` — the share of the expense the CNSA pays back to the
  département (national average rate, see the parameter's note).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

from secu.core.ages import age_expr
from secu.core.errors import InvalidField
from secu.core.money import apply_rate_expr, div_half_up_expr, div_toward_zero_expr
from secu.core.parameters import join_parameters, parameters

PRESTATIONS = ("apa_domicile", "apa_etablissement", "pch")

GIR_PARAMS = ("aggir.gir_minimum", "aggir.gir_maximum", "apa.gir_maximum")
"""The GIRs of the grille AGGIR (R232-3: 1 to 6) and those that open the APA (R232-4: 1 to 4)."""

APA_DOMICILE_PARAMS = (
    *GIR_PARAMS,
    "apa.plafond",  # a table: joined as apa_plafond_gir1 … apa_plafond_gir4
    "apa.participation.seuil_exoneration",
    "apa.participation.seuil_taux_maximal",
    "apa.participation.limite_a1",
    "apa.participation.limite_a2",
    "apa.participation.taux_maximal",
    "apa.participation.abattement_a2",
    "apa.participation.abattement_a3",
    "apa.participation.diviseur_couple",
    "apa.seuil_versement_smic",
    "apa.age_minimum",
    "smic.horaire",
)

APA_ETABLISSEMENT_PARAMS = (
    *GIR_PARAMS,
    "apa.etablissement.seuil_bas",
    "apa.etablissement.seuil_haut",
    "apa.etablissement.taux_maximal",
    "apa.etablissement.diviseur_couple",
    "apa.age_minimum",
)

PCH_ELEMENTS = {
    # frame column (cents) -> parameter of its maximum
    "aides_techniques_cents": "pch.maximum.aides_techniques",
    "amenagement_logement_cents": "pch.maximum.amenagement_logement",
    "amenagement_vehicule_cents": "pch.maximum.amenagement_vehicule_transport",
    "charges_specifiques_cents": "pch.maximum.charges_specifiques",
    "aide_animaliere_cents": "pch.maximum.aide_animaliere",
}

PCH_MODES = {
    "prestataire": "pch.aide_humaine.tarif_prestataire",
    "emploi_direct": "pch.aide_humaine.tarif_emploi_direct",
    "aidant_familial": "pch.aide_humaine.tarif_aidant_familial",
}

PCH_PARAMS = ("pch.seuil_ressources_mtp", "pch.taux_reduit", *PCH_MODES.values(), *PCH_ELEMENTS.values())

_MILLIEMES = (
    "apa.plafond",
    "apa.participation.seuil_exoneration", "apa.participation.seuil_taux_maximal",
    "apa.participation.limite_a1", "apa.participation.limite_a2", "apa.participation.taux_maximal",
    "apa.participation.abattement_a2", "apa.participation.abattement_a3", "apa.participation.diviseur_couple",
    "apa.etablissement.seuil_bas", "apa.etablissement.seuil_haut", "apa.etablissement.taux_maximal",
    "apa.etablissement.diviseur_couple",
)
"""Parameters the exact formulas use as thousandths: each value must have three decimals at most."""

REFERENCE_ELIGIBILITE = "Code de l'action sociale et des familles, art. L. 232-2 ({age} ans et plus, GIR {premier} à {dernier} de la grille AGGIR)"
"""A template: :func:`secu.autonomie.explication` fills it from the row's ``apa_age_minimum``, ``aggir_gir_minimum`` and
``apa_gir_maximum``."""
REFERENCE_PLAN = "Code de l'action sociale et des familles, art. L. 232-3 et L. 232-3-1 (plan d'aide accepté, dans la limite du plafond du GIR)"
REFERENCE_APA = "Code de l'action sociale et des familles, art. L. 232-4 (APA = plan d'aide utilisé diminué de la participation)"
REFERENCE_APA_ETABLISSEMENT = "Code de l'action sociale et des familles, art. L. 232-8 (APA = tarif dépendance du GIR diminué de la participation)"
REFERENCE_PCH = "Code de l'action sociale et des familles, art. L. 245-6 (tarifs et montants par élément, taux de prise en charge selon les ressources)"

_I = pl.Int128


def _check_milliemes() -> None:
    for name in _MILLIEMES:
        for value in parameters().get(name).values:
            numbers = list(value.value.values()) if isinstance(value.value, Mapping) else [value.value]  # a table: each GIR's
            for number in numbers:
                if isinstance(number, Decimal | int) and (Decimal(number) * 1000) % 1:
                    raise ValueError(f"{name} : {number} a plus de trois décimales, la règle exacte ne peut pas l'employer")


def _milli(column: str) -> pl.Expr:
    """A coefficient column (Decimal(38, 9)) as an integer number of thousandths, exactly (see _check_milliemes)."""
    return (pl.col(column).cast(pl.Decimal(38, 9)) * 1000).cast(_I)


MTP = "mtp"
"""The majoration pour tierce personne (CSS L355-1), revalued each 1 April: one parameter, read by the AEEH too."""


def _with_mtp_1er_janvier(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``mtp_1er_janvier`` (cents) and its reference: the MTP in force on 1 January of the row's year.

    CASF L232-3-1: the APA's ceilings are revalued each year on 1 January following the MTP; R232-10 sets them,
    and R232-11 and R232-19 the participation's thresholds, as fractions of the MTP, so the amount of 1 January
    holds all year (the MTP revalued on 1 April counts from the next 1 January). The PCH's threshold
    (pch.seuil_ressources_mtp) is read at the same date.
    """
    janvier = frame.select(pl.col("date").dt.truncate("1y").alias("__1er_janvier"))
    mtp = join_parameters(janvier, [MTP], on="__1er_janvier", with_references=True)
    return frame.with_columns(mtp_1er_janvier=mtp[MTP], mtp_1er_janvier_reference=mtp[f"{MTP}_reference"])


def _with_age(frame: pl.DataFrame) -> pl.DataFrame:
    """``age`` from ``date_naissance`` at ``date`` when the frame gives the birth date rather than the age."""
    if "age" in frame.columns or "date_naissance" not in frame.columns:
        return frame
    # The 60 years of CASF L232-2, by the one age rule (born 29 February: 28 February in a common year).
    return frame.with_columns(age_expr("date_naissance", "date").cast(pl.Int64).alias("age"))


def _require(frame: pl.DataFrame, columns: dict[str, str]) -> None:
    for column, what in columns.items():
        if column not in frame.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {what}")


def _per_gir(value_by_gir: dict[int, pl.Expr], otherwise: pl.Expr) -> pl.Expr:
    expr = otherwise
    for gir, value in value_by_gir.items():
        expr = pl.when(pl.col("gir") == gir).then(value).otherwise(expr)
    return expr


def _girs_plafond() -> tuple[int, ...]:
    """The GIRs the table ``apa.plafond`` gives a ceiling for (its keys ``gir<n>``, the same on every date)."""
    first = parameters().get("apa.plafond").values[0].value
    assert isinstance(first, Mapping)
    return tuple(sorted(int(str(key).removeprefix("gir")) for key in first))


def _eligibilite() -> dict[str, pl.Expr]:
    """``gir_valide`` (a group of the grille, R232-3), ``eligible`` (R232-4 and the age of R232-1) and ``motif``.

    Reads the joined columns of :data:`GIR_PARAMS` and ``apa_age_minimum``.
    """
    gir, age = pl.col("gir"), pl.col("age")
    valide = gir.is_between(pl.col("aggir_gir_minimum"), pl.col("aggir_gir_maximum"))
    gir_apa = valide & (gir <= pl.col("apa_gir_maximum"))
    return {
        "gir_apa": gir_apa,
        "eligible": gir_apa & (age >= pl.col("apa_age_minimum")),
        "motif": pl.when(~valide).then(pl.lit("GIR_INVALIDE"))
        .when(~gir_apa).then(pl.lit("GIR_5_6"))
        .when(age < pl.col("apa_age_minimum")).then(pl.lit("AGE"))
        .otherwise(pl.lit(None, pl.String)),
    }


def _resources(column: str, divisor_milli: pl.Expr) -> pl.Expr:
    """Monthly resources, divided for a couple (divisor in thousandths), half up to the cent."""
    shared = div_half_up_expr(pl.col(column).cast(_I) * 1000, divisor_milli)
    return pl.when(pl.col("couple")).then(shared).otherwise(pl.col(column).cast(_I))


# --------------------------------------------------------------------------
# APA à domicile


def apa_domicile(frame: pl.DataFrame) -> pl.DataFrame:
    """APA à domicile for each row: plafond, plan retenu, participation, APA due and paid.

    Input columns: ``date`` (Date), ``gir`` (1–6), ``age`` (years at the date; or ``date_naissance``, from which
    :func:`secu.core.ages.age_expr` computes it),
    ``plan_cents`` (the accepted plan d'aide, monthly), ``ressources_cents``
    (monthly resources of the beneficiary, or of the couple) and ``couple``
    (Boolean: living together at home, resources divided by 1,7).

    The participation (R232-11, décret 2016-210), with S the MTP at 1 January,
    R the monthly resources retained, S1 = 0,725 S, S2 = 2,67 S and the plan
    A split into A1 (up to 0,317 S), A2 (up to 0,498 S) and A3 (the rest):
    k = (R − S1) / (S2 − S1) kept between 0 and 1, and
    P = 90 % × k × [A1 + A2 × (1 − 60 % × (1 − k)) + A3 × (1 − 80 % × (1 − k))].
    Nothing is due below S1; from S2 on, P = 90 % × A. The APA is A − P; it is
    not paid when it is at most 3 × the SMIC horaire brut.
    """
    frame = _with_age(frame)
    _require(frame, {"date": "mois", "gir": "GIR", "age": "âge", "plan_cents": "plan d'aide", "ressources_cents": "ressources", "couple": "couple"})
    _check_milliemes()
    f = _with_mtp_1er_janvier(join_parameters(frame, list(APA_DOMICILE_PARAMS), on="date", with_references=True))
    mtp = pl.col("mtp_1er_janvier").cast(_I)
    f = f.with_columns(**_eligibilite())
    plafond = _per_gir({g: apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col(f"apa_plafond_gir{g}")) for g in _girs_plafond()},
                       pl.lit(0, pl.Int64))
    f = f.with_columns(
        plafond_cents=pl.when(pl.col("gir_apa")).then(plafond).otherwise(0),
        plafond_reference=pl.when(pl.col("gir_apa")).then(pl.col("apa_plafond_reference").cast(pl.String)),
        seuil_s1_cents=apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col("apa_participation_seuil_exoneration")),
        seuil_s2_cents=apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col("apa_participation_seuil_taux_maximal")),
        seuil_versement_cents=apply_rate_expr(pl.col("smic_horaire"), pl.col("apa_seuil_versement_smic")),
        ressources_retenues_cents=_resources("ressources_cents", _milli("apa_participation_diviseur_couple")).cast(pl.Int64),
    )
    f = f.with_columns(
        plan_retenu_cents=pl.when(pl.col("eligible")).then(pl.min_horizontal("plan_cents", "plafond_cents")).otherwise(0).cast(pl.Int64),
    )
    # Exact participation, everything in thousandths of a cent.
    s1 = _milli("apa_participation_seuil_exoneration") * mtp
    d = (_milli("apa_participation_seuil_taux_maximal") - _milli("apa_participation_seuil_exoneration")) * mtp
    n = pl.min_horizontal(pl.max_horizontal(pl.col("ressources_retenues_cents").cast(_I) * 1000 - s1, pl.lit(0, _I)), d)
    a = pl.col("plan_retenu_cents").cast(_I) * 1000
    l1 = _milli("apa_participation_limite_a1") * mtp
    l2 = _milli("apa_participation_limite_a2") * mtp
    a2 = pl.min_horizontal(pl.max_horizontal(a - l1, pl.lit(0, _I)), l2 - l1)
    a3 = pl.max_horizontal(a - l2, pl.lit(0, _I))
    abattu = a2 * _milli("apa_participation_abattement_a2") + a3 * _milli("apa_participation_abattement_a3")
    numerator = _milli("apa_participation_taux_maximal") * n * (a * d * 1000 - abattu * (d - n))
    participation = div_half_up_expr(numerator, d * d * 1_000_000_000)
    f = f.with_columns(
        fraction_a1_cents=div_toward_zero_expr(pl.min_horizontal(pl.col("plan_retenu_cents").cast(_I) * 1000, l1), 1000).cast(pl.Int64),
        participation_cents=pl.when(pl.col("eligible")).then(participation).otherwise(0).cast(pl.Int64),
    )
    f = f.with_columns(apa_cents=pl.col("plan_retenu_cents") - pl.col("participation_cents"))
    f = f.with_columns(
        sous_seuil_versement=pl.col("eligible") & (pl.col("apa_cents") <= pl.col("seuil_versement_cents")),
    )
    return f.with_columns(
        apa_versee_cents=pl.when(pl.col("eligible") & ~pl.col("sous_seuil_versement")).then(pl.col("apa_cents")).otherwise(0).cast(pl.Int64),
    )


# --------------------------------------------------------------------------
# APA en établissement


def apa_etablissement(frame: pl.DataFrame) -> pl.DataFrame:
    """APA en établissement: the tarif dépendance of the resident's GIR minus the participation.

    Input columns: ``date``, ``gir``, ``age``, ``tarif_gir_cents`` (monthly
    tarif dépendance of the établissement for the resident's GIR),
    ``tarif_gir56_cents`` (its tarif for GIR 5-6), ``ressources_cents``
    (monthly) and ``couple`` (resources of the couple divided by 2).

    Participation (R232-19): the GIR 5-6 tarif when R < 2,21 MTP; above, plus
    80 % × (tarif GIR − tarif GIR 5-6) × (R − 2,21 MTP) / (3,40 − 2,21) MTP,
    the fraction held between 0 and 1 (so 80 % of the difference from
    3,40 MTP on). The minimum income left to the resident is not modelled.
    """
    frame = _with_age(frame)
    _require(frame, {"date": "mois", "gir": "GIR", "age": "âge", "tarif_gir_cents": "tarif dépendance du GIR",
                     "tarif_gir56_cents": "tarif dépendance GIR 5-6", "ressources_cents": "ressources", "couple": "couple"})
    _check_milliemes()
    f = _with_mtp_1er_janvier(join_parameters(frame, list(APA_ETABLISSEMENT_PARAMS), on="date", with_references=True))
    mtp = pl.col("mtp_1er_janvier").cast(_I)
    f = f.with_columns(**_eligibilite())
    f = f.with_columns(
        seuil_bas_cents=apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col("apa_etablissement_seuil_bas")),
        seuil_haut_cents=apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col("apa_etablissement_seuil_haut")),
        ressources_retenues_cents=_resources("ressources_cents", _milli("apa_etablissement_diviseur_couple")).cast(pl.Int64),
        ecart_tarif_cents=pl.max_horizontal(pl.col("tarif_gir_cents") - pl.col("tarif_gir56_cents"), pl.lit(0, pl.Int64)),
    )
    low = _milli("apa_etablissement_seuil_bas") * mtp
    span = (_milli("apa_etablissement_seuil_haut") - _milli("apa_etablissement_seuil_bas")) * mtp
    n = pl.min_horizontal(pl.max_horizontal(pl.col("ressources_retenues_cents").cast(_I) * 1000 - low, pl.lit(0, _I)), span)
    progressive = div_half_up_expr(pl.col("ecart_tarif_cents").cast(_I) * _milli("apa_etablissement_taux_maximal") * n, span * 1000)
    f = f.with_columns(participation_progressive_cents=pl.when(pl.col("eligible")).then(progressive).otherwise(0).cast(pl.Int64))
    f = f.with_columns(
        participation_cents=pl.when(pl.col("eligible"))
        .then(pl.min_horizontal(pl.col("tarif_gir56_cents") + pl.col("participation_progressive_cents"), pl.col("tarif_gir_cents")))
        .otherwise(0).cast(pl.Int64),
    )
    f = f.with_columns(apa_cents=pl.when(pl.col("eligible")).then(pl.col("tarif_gir_cents") - pl.col("participation_cents")).otherwise(0).cast(pl.Int64))
    return f.with_columns(apa_versee_cents=pl.col("apa_cents"))


# --------------------------------------------------------------------------
# PCH


def pch(frame: pl.DataFrame) -> pl.DataFrame:
    """PCH for each row, at a high level: aide humaine hours × tarif, other elements within their maxima, × taux.

    Input columns: ``date``, ``ressources_cents`` (the annual resources the
    taux is assessed on: those of the household, without earned income and
    the other exclusions of L245-6 — the département gives this base),
    ``heures_centiemes`` (hours of aide humaine in the month, in hundredths),
    ``mode_aide_humaine`` (prestataire, emploi_direct, aidant_familial) and the
    amounts granted for the month of the other elements (``*_cents`` of
    ``PCH_ELEMENTS``; a missing column counts as 0). Each element is held
    within its maximum; the taux is 100 % when the resources are at most
    24 × the MTP (twice its annual amount), 80 % above.
    """
    _require(frame, {"date": "mois", "ressources_cents": "ressources", "heures_centiemes": "heures d'aide humaine",
                     "mode_aide_humaine": "mode de l'aide humaine"})
    frame = frame.with_columns([pl.lit(0, pl.Int64).alias(c) for c in PCH_ELEMENTS if c not in frame.columns])
    f = _with_mtp_1er_janvier(join_parameters(frame, list(PCH_PARAMS), on="date", with_references=True))
    tarif = pl.lit(None, pl.Int64)
    tarif_ref = pl.lit(None, pl.String)
    for mode, name in PCH_MODES.items():
        column = name.replace(".", "_")
        tarif = pl.when(pl.col("mode_aide_humaine") == mode).then(pl.col(column)).otherwise(tarif)
        tarif_ref = pl.when(pl.col("mode_aide_humaine") == mode).then(pl.col(f"{column}_reference").cast(pl.String)).otherwise(tarif_ref)
    f = f.with_columns(tarif_horaire_cents=tarif, tarif_horaire_reference=tarif_ref)
    f = f.with_columns(
        aide_humaine_cents=pl.when(pl.col("heures_centiemes") > 0)
        .then(div_half_up_expr(pl.col("heures_centiemes").cast(_I) * pl.col("tarif_horaire_cents").fill_null(0).cast(_I), pl.lit(100, _I)))
        .otherwise(0).cast(pl.Int64),
        **{c.replace("_cents", "_retenu_cents"): pl.min_horizontal(pl.col(c), pl.col(p.replace(".", "_"))) for c, p in PCH_ELEMENTS.items()},
        seuil_ressources_cents=apply_rate_expr(pl.col("mtp_1er_janvier"), pl.col("pch_seuil_ressources_mtp")),
    )
    f = f.with_columns(
        taux_prise_en_charge=pl.when(pl.col("ressources_cents") <= pl.col("seuil_ressources_cents"))
        .then(pl.lit(Decimal("1"), pl.Decimal(38, 9))).otherwise(pl.col("pch_taux_reduit")),
        montant_tarif_cents=pl.sum_horizontal("aide_humaine_cents", *[c.replace("_cents", "_retenu_cents") for c in PCH_ELEMENTS]),
    )
    return f.with_columns(pch_cents=apply_rate_expr(pl.col("montant_tarif_cents"), pl.col("taux_prise_en_charge")))


# --------------------------------------------------------------------------
# CNSA


def concours_cnsa(frame: pl.DataFrame) -> pl.DataFrame:
    """The CNSA's concours on each amount paid by a département: ``montant_cents`` × the national rate of its benefit.

    Input: ``date``, ``prestation`` (apa_domicile, apa_etablissement, pch),
    ``montant_cents``. Adds ``taux_concours``, ``concours_cents``,
    ``charge_departement_cents`` and ``concours_reference``.
    """
    _require(frame, {"date": "mois", "prestation": "prestation", "montant_cents": "montant versé"})
    f = join_parameters(frame, ["concours_cnsa.taux_apa", "concours_cnsa.taux_pch"], on="date", with_references=True)
    is_pch = pl.col("prestation") == "pch"
    f = f.with_columns(
        taux_concours=pl.when(is_pch).then(pl.col("concours_cnsa_taux_pch")).otherwise(pl.col("concours_cnsa_taux_apa")),
        concours_reference=pl.when(is_pch).then(pl.col("concours_cnsa_taux_pch_reference").cast(pl.String))
        .otherwise(pl.col("concours_cnsa_taux_apa_reference").cast(pl.String)),
    )
    f = f.with_columns(concours_cents=apply_rate_expr(pl.col("montant_cents"), pl.col("taux_concours")))
    return f.with_columns(charge_departement_cents=pl.col("montant_cents") - pl.col("concours_cents"))
