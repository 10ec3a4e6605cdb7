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
  is removed: the same formulas in float64 (runner run ``of64``), or run
  ``secu``: OpenFisca with the values it lacks (dates after its last one)
  taken from secu's dated parameters (:func:`overrides`) and its parameters
  read on the date d'effet instead of 1 January of its year — never a
  tolerance in cents;
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
    """The parameter changes of run ``secu``: secu's values at the dates OpenFisca-France-Pension does not have
    (``after_last``: never one it has, so every value it has stays compared), and its parameters read on the date
    d'effet (``as_of_effect``)."""
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
    # OpenFisca's, rounded, by test_openfisca_parametres_retraite): the run gets secu's, back in francs.
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

    A date d'effet in a year whose coefficients de revalorisation are not published yet (2027) is computed as an
    estimate (``projection=True``: the last published column), as OpenFisca's run ``secu`` does."""
    years = carriere.annees_carriere(annees.select("personne", "annee", "salaire"))
    last_column = parameters().get(carriere.COEFFICIENTS).values[-1].date_effet.year
    people = personnes.select("personne", "naissance", "date_effet")
    sams = []
    for projection, part in people.group_by(pl.col("date_effet").dt.year() > last_column):
        ids = part.get_column("personne")
        sams.append(carriere.salaire_annuel_moyen(years.filter(pl.col("personne").is_in(ids)), part, projection=bool(projection[0])).personnes)
    sam = pl.concat(sams, how="diagonal_relaxed").select("personne", "sam", "annees_retenues")
    totals = years.group_by("personne").agg(
        pl.col("trimestres_tous_regimes").sum().cast(pl.Int64).alias("trimestres"),
        pl.col("trimestres_rg").sum().cast(pl.Int64).alias("trimestres_rg"),
        pl.col("trimestres_cotises").sum().cast(pl.Int64).alias("trimestres_cotises"),
    )
    inputs = (
        personnes.join(sam, on="personne", how="left")
        .join(totals, on="personne", how="left")
        .with_columns(pl.col("sam", "trimestres", "trimestres_rg", "trimestres_cotises").fill_null(0))
        .with_columns(
            # The other régimes' pensions are known (population): the total of the pensions of L351-10 is read by the
            # rule with the régime général's own added.
            (pl.col("autres_pensions") / 12).round(0).cast(pl.Int64).alias("autres_pensions_mensuel"),
        )
    )
    return droit_propre.pension_droit_propre(
        inputs.select(
            "personne", "naissance", "date_effet", "sam", "trimestres", "trimestres_rg", "trimestres_cotises",
            "carriere_longue", "inaptitude", "enfants", pl.col("autres_pensions_mensuel").alias("total_pensions_mensuel"),
        )
    ).join(inputs.select("personne", "annees_retenues", "cas"), on="personne", how="left")


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
    # secu's taux: Int64 millionths of a percentage point; OpenFisca's: a fraction.
    Field("taux", pl.col("taux"), lambda r: (_of(r, "taux_de_liquidation") * 1e8).round(0).cast(pl.Int64)),
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
        name="paramètres d'OpenFisca en retard (PASS, salaire validant un trimestre, coefficients de revalorisation)",
        fields=ALL,
        cause=(
            "OpenFisca-France-Pension 0.1.3 stops its PASS and the salary validating a quarter at 2024 and 2023, its "
            "table of coefficients de revalorisation at the column of 2023 for the salaries up to 2021 (a later salary "
            "takes the coefficient of 2021: build_revalorisation_salaire_cummulee clips the year). Checked: secu "
            "equals OpenFisca run with secu's values at the dates it lacks (run secu), and the SAM or the quarters "
            "moved between the two runs."
        ),
        law=(
            "CSS L351-11 and the Cnav's yearly circular (coefficients), D242-17 and D242-19 with the yearly arrêté "
            "(PASS), R351-9 (150 × the SMIC horaire on 1 January), R351-29 (SAM)"
        ),
        holds=lambda f: _same_as("secu")(f)
        & ~_same_as("of64")(f)
        & (_changed("salaire_de_reference") | _changed("duree_assurance_tous_regimes")),
    ),
    Ecart(
        name="paramètres lus au 1er janvier de l'année d'effet",
        fields=ALL,
        cause=(
            "OpenFisca-France-Pension computes by calendar year: a pension taking effect in year Y reads its "
            "parameters on 1 January of Y, so a pension from 1 September 2023 to 31 December 2023 gets the durée of "
            "its generation before the loi 2023-270 (in force for pensions from 2023-09-01), and a minimum "
            "contributif revalued during the year its value of 1 January. Checked: secu equals OpenFisca with its own "
            "parameters read on the date d'effet (run secu), and the generation's durée or the minimum moved."
        ),
        law=(
            "CSS L161-17-2 and L161-17-3 (âge and durée by generation, for pensions taking effect from the dates the "
            "laws set: loi 2023-270 art. 10, 2023-09-01), L351-10 and D351-2-2 (minimum contributif in force at the "
            "date d'effet)"
        ),
        holds=lambda f: _same_as("secu")(f)
        & ~_same_as("of64")(f)
        & (_changed("duree_cible") | _changed("duree_proratisation") | _changed("pension_minimale")),
    ),
]


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
    return personnes.select("personne", "naissance", "date_effet", "cas").join(ours.drop("naissance", "date_effet", "cas", strict=False), on="personne", how="left").join(
        of, on="personne", how="left"
    )


def classify(frame: pl.DataFrame, f: Field) -> pl.DataFrame:
    verdict = pl.when(f.equal(f.ours, f.theirs("of32"))).then(pl.lit("exact"))
    for ecart in ECARTS:
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
