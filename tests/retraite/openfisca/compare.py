"""secu's régime général pension against OpenFisca-France-Pension's, career by career.

:data:`PENSION` is the isolated environment (tests/recouvrement/openfisca/environment.py's
:class:`Environment`, ``.venv-openfisca-pension/``, ``SECU_OPENFISCA_PENSION_VENV``,
this folder's requirements.txt). :func:`openfisca_results` runs runner.py there
on a population (population.py) and caches the result; :func:`secu_results`
computes the same careers with secu's rules (``secu.retraite.rules.carriere``
then ``secu.retraite.rules.droit_propre``, imported plainly: a rename fails,
never skips); :func:`compare` joins both per person and classifies each
compared output (:data:`FIELDS`):

* **exact**: secu's value equals OpenFisca's as shipped (float32), amounts
  rounded to the cent half up, quarters and the taux compared exactly, the
  prorata to 1e-6;
* **tolerated**: it differs, and one of the named :data:`ECARTS` explains it:
  each names OpenFisca's cause, the article secu follows, and checks that
  secu's value is then exactly what OpenFisca itself computes once the cause
  is removed — the same formulas in float64 (runner run ``of64``), or run
  ``secu``: OpenFisca with secu's values where it lags (:func:`overrides`),
  its parameters read on the date d'effet instead of 1 January of its year,
  its SAM to the cent — or the law recomputed from OpenFisca's pieces
  (:func:`law_surcote`, :func:`law_decote`, :func:`law_pension`, each amount
  rounded once) — never a tolerance in cents;
* **known disagreement**: one of :data:`KNOWN_RULES_DISAGREEMENTS`, where
  secu's rule is the side to change (counted apart; a strict xfail of the
  test fails the day it disappears);
* **mismatch**: anything else. The differential test fails on any mismatch.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from secu.core.parameters import parameters
from secu.retraite.rules import carriere, droit_propre
from tests.recouvrement.openfisca.environment import Environment, OpenFiscaUnavailable
from tests.retraite.openfisca.population import to_runner_json

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "runner.py"
PENSION = Environment(
    label="OpenFisca-France-Pension",
    requirements=HERE / "requirements.txt",
    directory=".venv-openfisca-pension",
    variable="SECU_OPENFISCA_PENSION_VENV",
    smoke="import openfisca_core, openfisca_france_pension",
)

CNAV = "retraites.secteur_prive.regime_general_cnav"
FRANC = Decimal("6.55957")  # francs per euro (règlement (CE) n° 2866/98): OpenFisca's parameters before 2002 are in francs
LAW_ROUNDING = "arrondi au centime le plus proche, la demi-centime comptant pour un (règle du projet, secu.core.money)"


# ---------------------------------------------------------------------------------------------------------------
# The values OpenFisca lacks, from secu's dated parameters (run "secu")
# ---------------------------------------------------------------------------------------------------------------


def _iso(day: date) -> str:
    return day.isoformat()


def overrides(last_effect_year: int) -> list[dict]:
    """The parameter changes of run ``secu``, from secu's dated parameters: where OpenFisca-France-Pension lags, the
    dates after its last one only (``after_last``: every value it has stays compared — PASS from 2002, salary
    validating a quarter, plafond of the minimum); where its own values are built otherwise than the texts, secu's
    at every date secu has (the coefficients de revalorisation, the minimum's yearly amounts, the PASS in francs
    before 2002: each comment below says why); the suspension of LFSS 2026, which it does not have. The run also
    reads its parameters on the date d'effet (``as_of_effect``) and rounds the SAM to the cent (``sam_au_centime``).
    """
    p = parameters()
    changes: list[dict] = []
    # PASS (CSS D242-19, yearly arrêté): OpenFisca's stops at 2024.
    changes.append({
        "path": "prelevements_sociaux.pss.plafond_securite_sociale_annuel",
        "values": {_iso(v.date_effet): float(v.value) for v in p.get("pss.annuel").values if v.date_effet.year >= 2002},
        "after_last": True,
    })
    # Before 2002 OpenFisca holds the PASS in francs and converts it unrounded; the Cnav carries the salaries of
    # those years in euros to the cent, and secu's PASS is the francs converted to the cent (checked equal to
    # OpenFisca's, rounded, by test_differential.test_secu_pass_is_openfisca_pass_to_the_cent): the run gets secu's, back in francs.
    changes.append({
        "path": "prelevements_sociaux.pss.plafond_securite_sociale_annuel",
        "values": {_iso(v.date_effet): float(Decimal(v.value) * FRANC) for v in p.get("pss.annuel").values if v.date_effet.year < 2002},
    })
    # The salary validating a quarter, R351-9: hours × SMIC horaire on 1 January. OpenFisca's stops at 2023.
    heures = p.get("carriere.heures_smic_trimestre")
    smic = p.get("smic.horaire")
    salval = {}
    for year in range(2002, last_effect_year + 1):
        day = date(year, 1, 1)
        salval[_iso(day)] = float(_at(heures, day) * _at(smic, day))
    changes.append({"path": f"{CNAV}.salval.salaire_validant_trimestre.metropole", "values": salval, "after_last": True})
    # The coefficients de revalorisation des salaires (L351-11), every column secu has (from 2023): OpenFisca's
    # table stops at the column of 2023 and at the salaries of 2021, and its column of 2023 misses the 4 % of
    # 2022-07-01 (ECARTS); a salary of the year of the date d'effet or later is not revalued (1).
    table = p.get(carriere.COEFFICIENTS).values
    for year in range(1972, last_effect_year):
        values = {_iso(column.date_effet): float(column.value.get(str(year), 1)) for column in table}
        if year >= table[-1].date_effet.year:
            values[f"{year + 1}-01-01"] = 1.0  # a year after the last column: not revalued, as secu's projection
        changes.append({"path": f"{CNAV}.revalorisation_salaire_cummulee.{year}", "values": values, "create": True})
    # The minimum contributif and its plafond (L351-10, D351-2-1, D351-2-2): OpenFisca's amounts stop at
    # 2023-09-01 (its plafond at 2023-05-01), and its yearly amounts are not secu's where both have one (2023:
    # 8 209,61 € and 8 509,61 € where secu has 8 209,68 € and 8 509,56 €, twelve times the monthly amounts, marked
    # non vérifiés): the run gets secu's yearly amounts at every date secu has (the écart names it).
    for secu_name, of_name in (("mico.montant", "minimum_contributif"), ("mico.montant_majore", "minimum_contributif_majore")):
        changes.append({
            "path": f"{CNAV}.montant_mico.{of_name}.annuel",
            "values": {_iso(v.date_effet): float(v.value) for v in p.get(secu_name).values},
        })
    changes.append({
        "path": f"{CNAV}.plafond_mico.minimum_contributif_plafond_mensuel",
        "values": {_iso(v.date_effet): float(v.value) for v in p.get("mico.plafond").values},
        "after_last": True,
    })
    # The LFSS 2026 suspension (L161-17-2, L161-17-3 as amended by loi 2025-1403 art. 105), for pensions from
    # the date of droit_propre.calendrier's "2025" law: OpenFisca-France-Pension has the 2023 schedule only. Each of
    # secu's generations from 1963 gets, from that date, the âge légal and the durée of the suspension; the
    # generation of April 1965 becomes a bracket of its own (OpenFisca's 1965 starts in January).
    suspension = next(v.date_effet for v in p.get("droit_propre.calendrier").values if str(v.value) == "2025")
    tables = ("trimtp.nombre_trimestres_cibles_par_generation", "prorat.nombre_trimestres_maximal_pris_en_compte_proratisation_par_generation")
    for v in p.get("droit_propre.duree_requise").values:
        if v.date_effet >= date(1963, 1, 1):
            for table in tables:
                changes.append({
                    "path": f"{CNAV}.{table}.after_{v.date_effet:%Y_%m_%d}",
                    "values": {_iso(suspension): int(v.value["loi_2025"])},
                    "create": True,
                })
    for v in p.get("droit_propre.age_legal_mois").values:
        if v.date_effet >= date(1963, 1, 1):
            annees, mois = divmod(int(v.value["loi_2025"]), 12)
            for leaf, value in (("annee", annees), ("mois", mois)):
                changes.append({
                    "path": f"{CNAV}.aod.age_ouverture_droits_age_legal_en_fonction_date_naissance.after_{v.date_effet:%Y_%m_%d}.{leaf}",
                    "values": {_iso(suspension): value},
                    "create": True,
                })
    return [{"name": "secu", "as_of_effect": True, "sam_au_centime": True, "changes": changes}]


def _at(parameter, day: date) -> Decimal:
    value = None
    for v in parameter.values:
        if v.date_effet <= day:
            value = v.value
    if value is None:
        raise ValueError(f"{parameter.name} sans valeur au {day}")
    return Decimal(value)


# ---------------------------------------------------------------------------------------------------------------
# OpenFisca side
# ---------------------------------------------------------------------------------------------------------------


def openfisca_results(personnes: pl.DataFrame, annees: pl.DataFrame, say: Callable[[str], None] = lambda m: None) -> tuple[pl.DataFrame, dict]:
    """Run the runner (cached by content + runner + requirements); return (frame per personne, meta)."""
    python = PENSION.openfisca_python(say=say)
    last_year = personnes.get_column("date_effet").max().year  # type: ignore[union-attr]
    payload = json.dumps(to_runner_json(personnes, annees, overrides(last_year)), sort_keys=True).encode()
    key = "retraite-" + hashlib.sha256(payload + RUNNER.read_bytes() + PENSION.wanted_stamp().encode()).hexdigest()[:32]
    cache = PENSION.cache_dir()
    target = cache / f"{key}.json"
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            source, partial = cache / f"{key}.in.json", cache / f"{key}.partial.json"
            source.write_bytes(payload)
            done = subprocess.run([str(python), str(RUNNER), str(source), str(partial)], capture_output=True, text=True)
            source.unlink(missing_ok=True)
            if done.returncode != 0:
                raise OpenFiscaUnavailable(f"le runner OpenFisca-France-Pension a échoué :\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
            partial.rename(target)
    result = json.loads(target.read_text())
    columns = result.pop("columns")
    frame = pl.DataFrame(columns, infer_schema_length=None).with_columns(pl.col("personne").cast(pl.Int64))
    return frame, result


# ---------------------------------------------------------------------------------------------------------------
# secu side
# ---------------------------------------------------------------------------------------------------------------


def secu_results(personnes: pl.DataFrame, annees: pl.DataFrame) -> pl.DataFrame:
    """secu's pension of each person, by its rules: the career's quarters and SAM, then the pension de droit propre.

    What a caller (the service) gives the rule beyond the career: ``age_debut_activite`` for a carrière longue
    (the population starts those careers at 15, 16 or 18: the D351-1-1 branch before 16, 18, 20), the other
    régimes' pensions (``total_pensions_mensuel``: the population's ``autres_pensions`` ÷ 12, half up), and
    ``trimestres_apres_age_legal``, the quarters cotisés after the âge légal (L351-1-2): each year's quarters
    cotisés, at most the calendar quarters of that year from the first day of the quarter following the âge légal
    to the date d'effet. A date d'effet in a year whose coefficients de revalorisation are not published yet (2027)
    is computed as an estimate (``projection=True``: the last published column), as OpenFisca's run ``secu`` does.
    """
    years = carriere.annees_carriere(annees.select("personne", "annee", "salaire"))
    last_column = parameters().get(carriere.COEFFICIENTS).values[-1].date_effet.year
    people = personnes.select("personne", "naissance", "date_effet")
    sams = []
    for (projection,), part in people.group_by(pl.col("date_effet").dt.year() > last_column):
        ids = part.get_column("personne").implode()
        sams.append(carriere.salaire_annuel_moyen(years.filter(pl.col("personne").is_in(ids)), part, projection=bool(projection)).personnes)
    sam = pl.concat(sams, how="diagonal_relaxed").select("personne", "sam", "annees_retenues")
    totals = years.group_by("personne").agg(
        pl.col("trimestres_tous_regimes").sum().cast(pl.Int64).alias("trimestres"),
        pl.col("trimestres_rg").sum().cast(pl.Int64).alias("trimestres_rg"),
        pl.col("trimestres_cotises").sum().cast(pl.Int64).alias("trimestres_cotises"),
    )
    # The âge légal of each person at its date d'effet, from the rule itself (a first pass without surcote input).
    first = droit_propre.pension_droit_propre(_inputs(personnes, sam, totals)).select("personne", "age_legal_mois")
    after = _trimestres_apres_age_legal(years, personnes.join(first, on="personne"))
    inputs = _inputs(personnes, sam, totals).join(after, on="personne", how="left").with_columns(pl.col("trimestres_apres_age_legal").fill_null(0))
    extra = after.select("personne", pl.col("trimestres_annee_age_legal").fill_null(0))
    return (
        droit_propre.pension_droit_propre(inputs.drop("trimestres_annee_age_legal", strict=False))
        .join(personnes.select("personne", "cas"), on="personne", how="left")
        .join(extra, on="personne", how="left")
    )


def _inputs(personnes: pl.DataFrame, sam: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    debut = {15: 16, 16: 18, 18: 20}  # the population's start age of a carrière longue → the D351-1-1 branch
    return (
        personnes.join(sam, on="personne", how="left")
        .join(totals, on="personne", how="left")
        .with_columns(pl.col("sam", "trimestres", "trimestres_rg", "trimestres_cotises").fill_null(0))
        .select(
            "personne", "naissance", "date_effet", "sam", "trimestres", "trimestres_rg", "trimestres_cotises",
            "carriere_longue", "inaptitude", "enfants", "annees_retenues",
            pl.when(pl.col("carriere_longue")).then(pl.col("debut_activite").replace_strict(debut, default=None)).alias("age_debut_activite"),
            (pl.col("autres_pensions") * 2 + 12).floordiv(24).alias("total_pensions_mensuel"),
        )
    )


def _trimestres_apres_age_legal(years: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Quarters cotisés after the âge légal: per year, the year's quarters cotisés, at most its calendar quarters
    from the first day of the quarter after the day the âge légal is reached to the date d'effet."""
    start = (
        people.with_columns(pl.col("naissance").dt.offset_by(pl.format("{}mo", pl.col("age_legal_mois"))).alias("__age_legal"))
        .with_columns(  # first day of the next calendar quarter (a quarter begun that day does not count)
            pl.date(pl.col("__age_legal").dt.year(), (pl.col("__age_legal").dt.month() - 1) // 3 * 3 + 1, 1).dt.offset_by("3mo").alias("__debut")
        )
        .select("personne", "date_effet", "__debut")
    )
    quarter = lambda d: d.dt.year().cast(pl.Int64) * 4 + (d.dt.month().cast(pl.Int64) - 1) // 3  # noqa: E731
    frame = years.join(start, on="personne").with_columns(
        pl.max_horizontal(quarter(pl.col("__debut")), pl.col("annee").cast(pl.Int64) * 4).alias("__de"),
        pl.min_horizontal(quarter(pl.col("date_effet")), pl.col("annee").cast(pl.Int64) * 4 + 4).alias("__a"),
    )
    counted = pl.min_horizontal(pl.col("trimestres_cotises"), (pl.col("__a") - pl.col("__de")).clip(lower_bound=0))
    first_year = pl.col("annee") == pl.col("__debut").dt.offset_by("-1d").dt.year()  # the year the âge légal is reached
    return frame.group_by("personne").agg(
        counted.sum().cast(pl.Int64).alias("trimestres_apres_age_legal"),
        counted.filter(first_year).sum().cast(pl.Int64).alias("trimestres_annee_age_legal"),
    )


# ---------------------------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------------------------


def round_half_up_cents(euros: pl.Expr) -> pl.Expr:
    """Euros (float) → cents, half away from zero, snapped first to 1e-6 cent (a float tie is a tie)."""
    cents = (euros.abs() * 100).round(6)
    return ((cents + 0.5).floor() * euros.sign()).cast(pl.Int64)


@dataclass(frozen=True)
class Field:
    """One compared output: secu's column, and how OpenFisca's column of a run becomes secu's unit."""

    name: str
    ours: pl.Expr
    theirs: Callable[[str], pl.Expr]  # run name → OpenFisca's value in secu's unit
    equal: Callable[[pl.Expr, pl.Expr], pl.Expr] = lambda a, b: a == b


def _of(run: str, name: str) -> pl.Expr:
    return pl.col(f"{run}:{name}")


FIELDS = [
    Field("sam", pl.col("sam"), lambda r: round_half_up_cents(_of(r, "salaire_de_reference"))),
    Field("trimestres", pl.col("trimestres"), lambda r: _of(r, "duree_assurance_tous_regimes").round(0).cast(pl.Int64)),
    Field("duree_requise", pl.col("duree_requise"), lambda r: _of(r, "duree_cible").round(0).cast(pl.Int64)),
    Field("decote_trimestres", pl.col("decote_trimestres"), lambda r: _of(r, "decote_trimestres").round(0).cast(pl.Int64)),
    Field("surcote_trimestres", pl.col("surcote_trimestres"), lambda r: _of(r, "surcote_trimestres").round(0).cast(pl.Int64)),
    # Both taux are fractions (secu's an exact Decimal, 0.5 for 50 %): compared in billionths.
    # OpenFisca's taux de liquidation carries the surcote (taux plein × (1 − décote + surcote)); secu's taux does not
    # (the surcote is an amount, L351-1-2): OpenFisca's taux without it.
    Field(
        "taux",
        (pl.col("taux").cast(pl.Float64) * 1e9).round(0).cast(pl.Int64),
        lambda r: (_of(r, "taux_de_liquidation") * (1 - _of(r, "decote")) / (1 - _of(r, "decote") + _of(r, "surcote")) * 1e9).round(0).cast(pl.Int64),
    ),
    Field(
        "prorata",
        pl.col("prorata_numerateur") / pl.col("prorata_denominateur"),
        lambda r: _of(r, "coefficient_de_proratisation"),
        lambda a, b: (a - b).abs() < 1e-6,
    ),
    Field("pension_annuelle", pl.col("pension_annuelle"), lambda r: round_half_up_cents(_of(r, "pension"))),
]


@dataclass(frozen=True)
class Ecart:
    """A named, narrow reason why secu's value may differ from OpenFisca's as shipped."""

    name: str
    fields: frozenset[str]
    cause: str
    law: str
    holds: Callable[[Field], pl.Expr]


def _same_as(run: str) -> Callable[[Field], pl.Expr]:
    return lambda f: f.equal(f.ours, f.theirs(run))


def _changed(name: str) -> pl.Expr:
    """OpenFisca's value of ``name`` moved between its run as shipped (float64) and run ``secu``."""
    a, b = _of("of64", name), _of("secu", name)
    return (a - b).abs() > 1e-6


ALL = frozenset(f.name for f in FIELDS)
SUSPENSION = date(2026, 9, 1)  # shaping the report only: which of the two schedules' écarts a row falls under
SURCOTE_PAR_TRIMESTRE = 0.0125  # D351-1-4 (quarters from 2009): the law's rate, for the recomputation below
MAJORATION_ENFANTS = 0.10  # L351-12: +10 % from three children


def _secu_run_changed(*names: str) -> pl.Expr:
    return pl.any_horizontal(*(_changed(n) for n in names))


def law_surcote() -> pl.Expr:
    """The surcote quarters of D351-1-4 from OpenFisca's (run secu), adding the quarters of the year the âge légal
    is reached that OpenFisca leaves out (``trimestres_annee_age_legal``, counted from the career)."""
    of = _of("secu", "surcote_trimestres").round(0).cast(pl.Int64)
    return pl.min_horizontal(of + pl.col("trimestres_annee_age_legal"), (pl.col("trimestres") - pl.col("duree_requise")).clip(lower_bound=0))


def _cents(expr: pl.Expr) -> pl.Expr:
    return round_half_up_cents(expr)


def _div_half_up(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return ((2 * a + b) // (2 * b)).cast(pl.Int64)


NUMPY_MONTH_DAYS = 30.436875  # numpy's timedelta64 month: 365.2425 / 12 days


def _numpy_month_shift() -> pl.Expr:
    """OpenFisca's age in months at the date d'effet (days → numpy months, floored) is not the calendar's."""
    days = (pl.col("date_effet") - pl.col("naissance")).dt.total_days()
    return (days / NUMPY_MONTH_DAYS).floor().cast(pl.Int64) != pl.col("age_effet_mois")


def law_decote() -> pl.Expr:
    """The décote quarters of D351-1-2 with the calendar's months (the quarters to the âge d'annulation, a begun one
    counted, at most 20; none at taux plein), where OpenFisca's age in months is numpy's; OpenFisca's (run secu)
    elsewhere."""
    missing_age = (pl.col("age_annulation_decote_mois") - pl.col("age_effet_mois") + 2) // 3
    law = pl.when(pl.col("taux_plein")).then(0).otherwise(pl.min_horizontal(pl.col("duree_requise") - pl.col("trimestres"), missing_age, 20))
    return pl.when(_numpy_month_shift()).then(law).otherwise(_of("secu", "decote_trimestres").round(0).cast(pl.Int64))


def _law_taux_billionths() -> pl.Expr:
    """OpenFisca's taux without the surcote (run secu), moved by 0,625 point per quarter of law_decote's difference."""
    decote, surcote = _of("secu", "decote"), _of("secu", "surcote")
    of_taux = (_of("secu", "taux_de_liquidation") * (1 - decote) / (1 - decote + surcote) * 1e9).round(0).cast(pl.Int64)
    return of_taux + 6_250_000 * (_of("secu", "decote_trimestres").round(0).cast(pl.Int64) - law_decote())


MAJORATION_DUREE = 25  # R351-7: 2,5 % of the durée per quarter after the âge, in thousandths
AGE_MAJORATION_INAPTE = 65 * 12  # R351-7: 65 for the inapte (L351-8 2°)


def law_prorata_numerator() -> pl.Expr:
    """The prorata's numerator of L351-1 with R351-7, from OpenFisca's quarters of the régime général (run secu):
    min(⌈quarters × (1 + 2,5 % × whole quarters elapsed after 67 — 65 for the inapte — to the date d'effet)⌉,
    durée), the calendar's months (age_effet_mois) as law_decote counts them."""
    age = pl.when(pl.col("inaptitude")).then(AGE_MAJORATION_INAPTE).otherwise(pl.col("age_annulation_decote_mois"))
    apres = ((pl.col("age_effet_mois") - age).clip(lower_bound=0) // 3).cast(pl.Int64)
    quarters = _of("secu", "duree_assurance").round(0).cast(pl.Int64)
    majoree = (quarters * (1000 + MAJORATION_DUREE * apres) + 999) // 1000
    return pl.min_horizontal(majoree, _of("secu", "duree_proratisation").round(0).cast(pl.Int64))


def law_pension() -> pl.Expr:
    """The pension the law computes from OpenFisca's pieces (run secu), each amount rounded once to the cent, half
    up (OpenFisca never rounds): SAM (to the cent) × taux × min(RG quarters with R351-7 — law_prorata_numerator —, durée) ÷ durée, at most 50 % of the PASS
    (R351-29); the minimum contributif compared with that amount BEFORE the surcote (circulaire Cnav 2009/17: the
    surcote, computed on the montant calculé, is added after the comparison; the décote of law_decote; OpenFisca's minimum, which it
    multiplies by 1 + surcote, divided back), its complement reduced by what the total of pensions exceeds the
    plafond (L351-10); the surcote (D351-1-4 count, 1.25 % a quarter); +10 % from three children (L351-12)."""
    sam = _cents(_of("secu", "salaire_de_reference")).cast(pl.Int128)
    surcote_of = _of("secu", "surcote")
    taux = _law_taux_billionths().cast(pl.Int128)
    den = _of("secu", "duree_proratisation").round(0).cast(pl.Int128)
    num_of = pl.min_horizontal(_of("secu", "duree_assurance").round(0).cast(pl.Int128), den)
    num = law_prorata_numerator().cast(pl.Int128)
    calculee = _div_half_up(sam * taux * num, den * 1_000_000_000)
    plafonnee = pl.min_horizontal(calculee, _cents(_of("secu", "pss") * 0.5))
    surcote = _cents(plafonnee.cast(pl.Float64) / 100 * SURCOTE_PAR_TRIMESTRE * law_surcote())
    # OpenFisca prorates its minimum on the quarters without R351-7's majoration: the base part (the minimum non
    # majoré, D351-2-1) gets the quarters it adds, on the same durée.
    mico_of = _of("secu", "pension_minimale") / (1 + surcote_of)
    mico = _cents(mico_of + pl.col("mico_montant").cast(pl.Float64) / 100 * (num - num_of).cast(pl.Float64) / den.cast(pl.Float64))
    taux_plein = law_decote() == 0
    complement = pl.when(taux_plein).then((mico - plafonnee).clip(lower_bound=0)).otherwise(0)
    total = pl.col("total_pensions_mensuel") * 12 + plafonnee + surcote + complement
    ecretement = pl.min_horizontal(complement, (total - _cents(_of("secu", "plafond_mico") * 12)).clip(lower_bound=0))
    avant = plafonnee + surcote + complement - ecretement
    majoration = pl.when(pl.col("enfants") >= 3).then(_cents(avant.cast(pl.Float64) / 100 * MAJORATION_ENFANTS)).otherwise(0)
    return avant + majoration


ECARTS: list[Ecart] = [
    Ecart(
        name="float32",
        fields=ALL,
        cause=(
            "openfisca-core stores every float variable as numpy.float32 and the model's mean of the best years "
            "(tools.mean_over_k_nonzero_largest) is a numba function typed float32: the SAM of 25 revalued salaries "
            "and the pension keep an error of about 1e-7 relative, enough to cross a half cent. Checked: secu equals "
            "the same formulas in float64 (runner run of64)."
        ),
        law="montants dus exactement, puis " + LAW_ROUNDING,
        holds=lambda f: _same_as("of64")(f) & ~_same_as("of32")(f),
    ),
    Ecart(
        name="coefficients de revalorisation, PASS et salaire validant un trimestre d'OpenFisca",
        fields=frozenset({"sam", "trimestres", "decote_trimestres", "surcote_trimestres", "taux", "prorata", "pension_annuelle"}),
        cause=(
            "OpenFisca-France-Pension 0.1.3: its table of coefficients de revalorisation des salaires stops at the "
            "column of 2023 and at the salaries of 2021 (a later salary takes the coefficient of 2021: "
            "build_revalorisation_salaire_cummulee clips the year), its column of 2023 misses the exceptional 4 % of "
            "2022-07-01 and is an unrounded product where the Cnav's table rounds each coefficient to the thousandth; "
            "its PASS stops at 2024 and is converted from francs unrounded before 2002 where the Cnav carries euros to "
            "the cent; its salary validating a quarter stops at 2023; its SAM is not rounded to the cent. Checked: "
            "secu equals OpenFisca run with secu's values (run secu) and OpenFisca's SAM or quarters moved between "
            "the two runs (its quarters, for the quarters, the décote, the surcote, the taux and the prorata)."
        ),
        law=(
            "CSS L351-11 and the Cnav's yearly circular (coefficients; loi 2022-1158 art. 9 for 2022-07-01), "
            "D242-17 and D242-19 with the yearly arrêté (PASS), R351-9 (150 × the SMIC horaire on 1 January), "
            "R351-29 (SAM, each salary and the mean to the cent)"
        ),
        holds=lambda f: _same_as("secu")(f) & ~_same_as("of64")(f) & (
            _secu_run_changed("salaire_de_reference", "duree_assurance_tous_regimes")
            if f.name in ("sam", "pension_annuelle")
            else _secu_run_changed("duree_assurance_tous_regimes", "duree_assurance")
        ),
    ),
    Ecart(
        name="suspension LFSS 2026 inconnue d'OpenFisca",
        fields=frozenset({"duree_requise", "decote_trimestres", "surcote_trimestres", "taux", "prorata", "pension_annuelle"}),
        cause=(
            "OpenFisca-France-Pension has the 2023 schedule of âge légal and durée only: the generations 1964 to "
            "1968 keep, for pensions from 2026-09-01, their 2023 values (1964: 63 ans, 171 trimestres). Checked: "
            "secu equals OpenFisca run with the suspension's values from secu's droit_propre.age_legal_mois and "
            "duree_requise (column loi_2025, from the date of droit_propre.calendrier) and the generation's durée "
            "or âge moved."
        ),
        law="CSS L161-17-2 and L161-17-3 as amended by loi n° 2025-1403 du 30 décembre 2025 (LFSS 2026), art. 105",
        holds=lambda f: _same_as("secu")(f) & ~_same_as("of64")(f) & (pl.col("date_effet") >= SUSPENSION)
        & _secu_run_changed("duree_cible", "duree_proratisation"),
    ),
    Ecart(
        name="paramètres lus au 1er janvier de l'année d'effet",
        fields=frozenset({"duree_requise", "decote_trimestres", "surcote_trimestres", "taux", "prorata", "pension_annuelle"}),
        cause=(
            "OpenFisca-France-Pension computes by calendar year and reads its parameters on 1 January of the year of "
            "the date d'effet: a pension from 1 September to 31 December 2023 gets its generation's durée before the "
            "loi 2023-270, in force for pensions from 2023-09-01. Checked: secu equals OpenFisca with its parameters "
            "read on the date d'effet (run secu), and the generation's durée moved."
        ),
        law="CSS L161-17-3 (durée by generation, for pensions taking effect from the dates the laws set: loi 2023-270 art. 10, 2023-09-01)",
        holds=lambda f: _same_as("secu")(f) & ~_same_as("of64")(f) & (pl.col("date_effet") < SUSPENSION)
        & _secu_run_changed("duree_cible", "duree_proratisation"),
    ),
    Ecart(
        name="minimum contributif d'OpenFisca",
        fields=frozenset({"pension_annuelle"}),
        cause=(
            "OpenFisca-France-Pension's minimum contributif stops at 2023-09-01 (its plafond at 2023-05-01), and its "
            "yearly amounts of 2023 are 5 to 7 cents from secu's (8 509,61 € where secu has 8 509,56 € = 12 × 709,13 €; "
            "neither annual figure was read in the décret). Checked: secu equals OpenFisca run with secu's yearly "
            "amounts and plafond (run secu), and OpenFisca's minimum moved."
        ),
        law="CSS L351-10, D351-2-1 and D351-2-2 (montants mensuels revalorisés ; plafond des pensions)",
        holds=lambda f: _same_as("secu")(f) & ~_same_as("of64")(f) & _secu_run_changed("pension_minimale"),
    ),
    Ecart(
        name="surcote : trimestres de l'année de l'âge légal",
        fields=frozenset({"surcote_trimestres"}),
        cause=(
            "OpenFisca's surcote_trimestres counts a year's quarters only when the year begins after the first day "
            "of the quarter following the âge légal (ouverture_des_droits_date_surcote <= period.start): the whole "
            "calendar quarters left in the year the âge légal is reached are never counted. Checked: secu equals "
            "OpenFisca's count (run secu) plus the quarters cotisés that year after the quarter of the birthday, "
            "within the durée beyond the required one."
        ),
        law=(
            "CSS D351-1-4 (« il est retenu au titre de l'année au cours de laquelle l'assuré a atteint l'âge prévu au "
            "premier alinéa de l'article L. 351-1 […] un nombre de trimestres égal au nombre de trimestres civils entiers "
            "suivant celui au cours duquel cet âge a été atteint »), L351-1-2"
        ),
        holds=lambda f: (pl.col("trimestres_annee_age_legal") > 0) & (f.ours == law_surcote()) & ~_same_as("secu")(f),
    ),
    Ecart(
        name="âge en mois moyens de numpy",
        fields=frozenset({"decote_trimestres", "taux"}),
        cause=(
            "OpenFisca counts the age at the date d'effet as (date d'effet − naissance).astype('timedelta64[M]'): "
            "numpy's months of 30,436875 days, floored, a month more than the calendar's when the date d'effet falls a "
            "day or so before the birthday's day number (born 1962-08-02, effect 2027-02-01: 774 months where the "
            "calendar has 773), so one quarter less to the âge d'annulation. Checked: secu's décote is the law's with "
            "the calendar's whole months (law_decote), its taux OpenFisca's moved by 0,625 point per quarter of "
            "difference."
        ),
        law="CSS D351-1-2 (quarters from the date d'effet to the âge d'annulation of L351-8 1°, a begun one counted)",
        holds=lambda f: _numpy_month_shift() & (
            (pl.col("decote_trimestres") == law_decote())
            & ((f.name != "taux") | (f.ours == _law_taux_billionths()))
        ) & ~_same_as("secu")(f),
    ),
    Ecart(
        name="inaptitude : âge d'annulation de la décote à 60 ans dans OpenFisca",
        fields=frozenset({"prorata", "pension_annuelle"}),
        cause=(
            "OpenFisca's age_annulation_decote for an inapte is aad.age_annulation_decote_inaptitude, 60, and its "
            "coefficient_de_proratisation raises the durée by 1.25 % per quarter elapsed after it: an inapte leaving at "
            "62 gets 8 quarters of that majoration. The law gives the inapte the taux plein at the âge légal and the "
            "majoration of R351-7 only for quarters after 65. Checked: the row is an inaptitude without a whole quarter after 65 and secu's prorata is "
            "OpenFisca's quarters of the régime général over its durée (run secu); its pension is the law's from "
            "those pieces (below)."
        ),
        law="CSS L351-8 2° (inaptitude: taux plein at the âge légal), R351-7 (majoration after 65 for the inapte)",
        holds=lambda f: pl.col("inaptitude") & (pl.col("age_effet_mois") < 65 * 12 + 3) & (
            ((pl.col("prorata_numerateur") / pl.col("prorata_denominateur"))
             - pl.min_horizontal(_of("secu", "duree_assurance"), _of("secu", "duree_proratisation")) / _of("secu", "duree_proratisation")).abs() < 1e-9
        ) & ((f.name != "pension_annuelle") | (f.ours == law_pension())),
    ),
    Ecart(
        name="majoration de durée de R351-7 d'OpenFisca",
        fields=frozenset({"prorata", "pension_annuelle"}),
        cause=(
            "OpenFisca's coefficient_de_proratisation (formula of 2011) raises the quarters by the décote's coefficient, "
            "1,25 % per quarter elapsed after its âge d'annulation de la décote (numpy months; 60 for the inapte), "
            "unrounded; R351-7 gives 2,5 % per quarter after 67 (65 for the inapte), the total rounded up. Checked: "
            "secu's prorata is law_prorata_numerator() over OpenFisca's durée (run secu), and its pension the law's "
            "from those pieces (law_pension)."
        ),
        law="CSS L351-6 and R351-7 (« arrondi, s'il y a lieu, au chiffre immédiatement supérieur »), L351-1",
        holds=lambda f: (pl.col("trimestres_apres_age_majoration") > 0) & (pl.col("trimestres_rg") < pl.col("duree_requise"))
        & (pl.col("prorata_numerateur") == law_prorata_numerator())
        & (pl.col("prorata_denominateur") == _of("secu", "duree_proratisation").round(0).cast(pl.Int64))
        & ((f.name != "pension_annuelle") | (f.ours == law_pension())) & ~_same_as("secu")(f),
    ),
    Ecart(
        name="pension : arrondis et surcote de la loi sur les pièces d'OpenFisca",
        fields=frozenset({"pension_annuelle"}),
        cause=(
            "OpenFisca never rounds (SAM × taux × coefficient, the surcote inside the taux, the majoration for "
            "children), counts the surcote without the year of the âge légal (above), and caps the whole pension, not "
            "only the minimum's complement, at the plafond of the minimum less the other pensions (pension_brute, "
            "formula of 2012: min(plafond − autres pensions, pension) can fall below the pension earned). Checked: "
            "secu equals the law's pension recomputed from OpenFisca's pieces of run secu (law_pension)."
        ),
        law=(
            "CSS R351-27, R351-29 (50 % du PASS), L351-1-2 and D351-1-4 (surcote), L351-10 (the minimum's complement "
            "« réduit à due concurrence du dépassement »), L351-12 (+10 %), " + LAW_ROUNDING
        ),
        holds=lambda f: (f.ours == law_pension()) & ~_same_as("secu")(f),
    ),
]

# Where, per the law, secu's rules are the side to change (reported to the rules' author and to the merger). Each
# is counted apart and test_known_rules_disagreements fails strictly (xfail strict) the day none is left, so the
# entry must then go. Never a difference OpenFisca gets wrong: that is an ECART above.
KNOWN_RULES_DISAGREEMENTS: list[Ecart] = []


@dataclass
class Outcome:
    field: str
    year: int
    rows: int = 0
    exact: int = 0
    tolerated: dict[str, int] = field(default_factory=dict)
    mismatches: int = 0
    examples: list[dict] = field(default_factory=list)


def joined(personnes: pl.DataFrame, ours: pl.DataFrame, of: pl.DataFrame) -> pl.DataFrame:
    ours = ours.drop("naissance", "date_effet", "cas", strict=False)
    return personnes.select("personne", "naissance", "date_effet", "cas").join(ours, on="personne", how="left").join(of, on="personne", how="left")


def classify(frame: pl.DataFrame, f: Field) -> pl.DataFrame:
    verdict = pl.when(f.equal(f.ours, f.theirs("of32"))).then(pl.lit("exact"))
    for ecart in [*ECARTS, *KNOWN_RULES_DISAGREEMENTS]:
        if f.name in ecart.fields:
            verdict = verdict.when(ecart.holds(f)).then(pl.lit(ecart.name))
    return frame.with_columns(
        verdict.otherwise(pl.lit("mismatch")).alias("verdict"),
        f.ours.alias("ours"),
        f.theirs("of32").alias("openfisca"),
        f.theirs("of64").alias("openfisca64"),
        f.theirs("secu").alias("openfisca_secu"),
    )


EXAMPLE_COLUMNS = ("personne", "cas", "naissance", "date_effet", "ours", "openfisca", "openfisca64", "openfisca_secu")


def compare(personnes: pl.DataFrame, ours: pl.DataFrame, of: pl.DataFrame, examples: int = 3) -> dict[str, list[Outcome]]:
    frame = joined(personnes, ours, of)
    result: dict[str, list[Outcome]] = {}
    for f in FIELDS:
        classified = classify(frame, f)
        result[f.name] = []
        for (year,), part in sorted(classified.group_by(pl.col("date_effet").dt.year()), key=lambda kv: kv[0]):
            outcome = Outcome(f.name, int(year), rows=part.height)
            counts = dict(part["verdict"].value_counts().iter_rows())
            outcome.exact = counts.pop("exact", 0)
            outcome.mismatches = counts.pop("mismatch", 0)
            outcome.tolerated = counts
            bad = part.filter(pl.col("verdict") == "mismatch")
            outcome.examples = bad.select(EXAMPLE_COLUMNS).head(examples).to_dicts()
            result[f.name].append(outcome)
    return result


def report(outcomes: dict[str, list[Outcome]]) -> str:
    lines = []
    for name, items in outcomes.items():
        for o in items:
            tolerated = ", ".join(f"{k}: {v}" for k, v in sorted(o.tolerated.items()))
            lines.append(
                f"{name:18} {o.year}  {o.rows:5} personnes  {o.exact:5} exactes"
                + (f"  tolérées ({tolerated})" if tolerated else "")
                + (f"  ÉCARTS {o.mismatches}" if o.mismatches else "")
            )
            for example in o.examples:
                lines.append(f"      ex. {json.dumps(example, default=str)}")
    return "\n".join(lines)


def write_report(path: Path, outcomes: dict[str, list[Outcome]], meta: dict) -> None:
    path.write_text(json.dumps(meta, indent=1, default=str) + "\n" + report(outcomes) + "\n")
