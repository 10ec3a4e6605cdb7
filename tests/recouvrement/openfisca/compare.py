"""secu's contribution lines against OpenFisca-France's, to the cent.

:func:`openfisca_lines` runs the runner (in the isolated venv) on a payslip
frame and caches the result; :func:`secu_lines` calls
``secu.recouvrement.rules``; :func:`compare` joins both per payslip, code and
side and classifies every amount:

* **exact**: secu's amount equals OpenFisca's rounded to the nearest cent
  (half up — the law's rounding, see ``LAW_ROUNDING``);
* **tolerated**: it differs, but one of the named :data:`EXCEPTIONS` explains
  the difference: each names the lines it covers, the cause on OpenFisca's
  side, the legal reference that decides, and a check that secu's amount is
  then exactly what the law gives (recomputed from OpenFisca's own bases,
  rates or float64 evaluation) — never a tolerance in cents;
* **mismatch**: anything else. The differential test fails on any mismatch.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from tests.recouvrement.openfisca import environment
from tests.recouvrement.openfisca.population import to_runner_json

CODES = [
    "maladie", "csa", "vieillesse_plafonnee", "vieillesse_deplafonnee", "allocations_familiales", "atmp", "fnal",
    "chomage", "ags", "agirc_arrco_t1", "agirc_arrco_t2", "ceg_t1", "ceg_t2", "cet", "apec", "dialogue_social",
    "csg_deductible", "csg_non_deductible", "crds", "reduction_generale",
]
SIDES = ("salarial", "patronal")
# Lines OpenFisca computes with a barème (MarginalRateTaxScale.calc, rounded per bracket, half to even).
BAREME_CODES = frozenset({
    "maladie", "csa", "vieillesse_plafonnee", "vieillesse_deplafonnee", "allocations_familiales", "fnal", "chomage",
    "ags", "agirc_arrco_t1", "agirc_arrco_t2", "ceg_t1", "ceg_t2", "cet", "apec", "dialogue_social",
})
# Employee lines that make the net: every code's salarial side.
LAW_ROUNDING = (
    "arrondi au centime le plus proche, la demi-centime comptant pour un (règlement (CE) n° 1103/97, art. 5, "
    "repris pour toutes les sommes en euros ; règle du projet : un seul arrondi ROUND_HALF_UP par ligne)"
)


def round_half_up_cents(euros: pl.Expr) -> pl.Expr:
    """Euros (float) → cents, half away from zero. The product is first snapped to 1e-6 cent: the exact
    amounts compared here (a base in cents times a rate of at most 5 decimals) have at most 5 decimals of a
    cent, so a float64 value within 1e-6 cent of a half cent is an exact tie, which the law rounds up."""
    cents = (euros.abs() * 100).round(6)
    return ((cents + 0.5).floor() * euros.sign()).cast(pl.Int64)


def _is_tie(euros: pl.Expr) -> pl.Expr:
    cents = (euros.abs() * 100).round(6)
    return (cents - cents.floor() - 0.5).abs() < 1e-9


@dataclass(frozen=True)
class Exception_:
    """A named, narrow reason why secu's amount may differ from OpenFisca's rounded amount."""

    name: str
    codes: frozenset[str]
    sides: frozenset[str]
    cause: str
    law: str
    # Over the joined frame (ours, of32, of64, unrounded, assiette, mois, brut_cents): True where the
    # difference is explained AND secu's amount is exactly the legal one this exception recomputes.
    holds: Callable[[], pl.Expr]
    since: date | None = None
    until: date | None = None


def _ours_is(expected_cents: pl.Expr) -> pl.Expr:
    return pl.col("ours") == expected_cents


EXCEPTIONS: list[Exception_] = [
    Exception_(
        name="float32",
        codes=frozenset(CODES),
        sides=frozenset(SIDES),
        cause=(
            "openfisca-core stores every float variable as numpy.float32 (openfisca_core/variables/config.py). "
            "Amounts computed outside a barème (AT/MP, CSG, CRDS, the réduction générale and the 6-point and "
            "1.8-point reductions of maladie and AF) keep that error, about 1e-7 relative: enough to move an "
            "amount across a half cent, or the 4th decimal of the réduction générale coefficient. Checked: "
            "secu equals the same OpenFisca formulas evaluated in float64 (runner, of64)."
        ),
        law="amounts are due exactly, then " + LAW_ROUNDING + "; coefficient of the réduction générale rounded to 4 decimals (CSS D241-7)",
        holds=lambda: _ours_is(round_half_up_cents(pl.col("of64"))) & (round_half_up_cents(pl.col("of32")) != round_half_up_cents(pl.col("of64"))),
    ),
    Exception_(
        name="half-even tie",
        codes=BAREME_CODES,
        sides=frozenset(SIDES),
        cause=(
            "OpenFisca rounds barème amounts with numpy.round, which rounds an exact half cent to the even "
            "cent (e.g. 2975.00 × 0.14 % = 4.165 → 4.16). Checked: the bracket base × rate is an exact tie "
            "and secu rounds it up."
        ),
        law=LAW_ROUNDING,
        holds=lambda: _is_tie(pl.col("unrounded")) & _ours_is(round_half_up_cents(pl.col("unrounded"))),
    ),
    Exception_(
        name="CSG abattement rounded",
        codes=frozenset({"csg_deductible", "csg_non_deductible", "crds"}),
        sides=frozenset({"salarial"}),
        cause=(
            "OpenFisca rounds the 1.75 % abattement for professional expenses to the cent (montant_csg_crds: "
            "abattement.calc(..., round_base_decimals=2)) before applying the CSG or CRDS rate. Checked: secu "
            "equals the rate × (gross − 1.75 % of the gross within 4 plafonds), computed exactly, rounded once."
        ),
        law=(
            "the base is 98.25 % of the pay within 4 plafonds, and all of it above (CSS L136-1-1, III, 1°; CRDS: "
            "ordonnance 96-50 art. 14), no rounding of the base is prescribed; " + LAW_ROUNDING
        ),
        holds=lambda: _ours_is(round_half_up_cents(pl.col("unrounded"))),
    ),
    Exception_(
        name="rounded per bracket",
        codes=frozenset({"chomage", "apec"}),
        sides=frozenset(SIDES),
        cause=(
            "OpenFisca's chômage and APEC barèmes have two brackets with the same rate (0–1 PASS and "
            "1–4 PASS) and round each bracket to the cent, so a salary above 1 PASS is rounded twice. Checked: "
            "secu equals the rate × the base capped at 4 PASS, rounded once."
        ),
        law=(
            "one contribution, one base capped at 4 PASS, one rounding: Code du travail L5422-9 and the "
            "règlement d'assurance chômage (contributions chômage); ANI du 17/11/2017 (APEC); " + LAW_ROUNDING
        ),
        holds=lambda: _ours_is(round_half_up_cents(pl.col("unrounded"))) & (pl.col("assiette") > pl.col("pss")),
    ),
    Exception_(
        name="reduced rate rounded twice",
        codes=frozenset({"maladie", "allocations_familiales"}),
        sides=frozenset({"patronal"}),
        cause=(
            "For 2024–2025 OpenFisca computes the maladie (AF) contribution at 13 % (5.25 %) rounded to the cent, "
            "then subtracts an unrounded 6-point (1.8-point) reduction (mmid_employeur_net_allegement, "
            "famille_net_allegement). Checked: secu equals the reduced rate 7 % (3.45 %) applied to the base, "
            "rounded once."
        ),
        law=(
            "the reduced rate is the rate of the contribution (CSS L241-2-1 maladie, L241-6-1 AF, thresholds "
            "D241-3-2 as amended by décrets 2023-1329 and 2025-318), one rounding: " + LAW_ROUNDING
        ),
        holds=lambda: _ours_is(round_half_up_cents(pl.col("unrounded"))),
        until=date(2025, 12, 31),
    ),
    Exception_(
        name="AF threshold compared strictly",
        codes=frozenset({"allocations_familiales"}),
        sides=frozenset({"patronal"}),
        cause=(
            "OpenFisca grants the 1.8-point AF reduction only when pay < the threshold (allegements.py: "
            "assiette < plafond_reduction; maladie uses <=), so pay exactly at 3.5 (2024) or 3.3 (2025) SMIC "
            "gets 5.25 % in float64 and either rate in float32. Checked: pay equals OpenFisca's threshold to the "
            "cent and secu applies 3.45 % to OpenFisca's base."
        ),
        law=(
            "the reduced rate applies to pay that does not exceed (« n'excèdent pas ») the threshold: CSS L241-6-1, "
            "thresholds D241-3-2 as amended for 2024 (décret 2023-1329) and 2025 (décret 2025-318); " + LAW_ROUNDING
        ),
        holds=lambda: ((pl.col("brut_cents") - (pl.col("seuil_famille") * 100).round(0)).abs() <= 0)
        & _ours_is(round_half_up_cents(pl.col("assiette") * 0.0345)),
        until=date(2025, 12, 31),
    ),
    Exception_(
        name="AGS rate 0.25 % missing",
        codes=frozenset({"ags"}),
        sides=frozenset({"patronal"}),
        cause=(
            "Parameter lag: openfisca-france 176.1.8 stops at 0.20 % (ags.yaml, CA AGS 27/11/2023). The AGS board "
            "raised the rate to 0.25 % from 2024-07-01 and kept it for 2025 and 2026. Checked: secu equals "
            "0.25 % of OpenFisca's own AGS base (capped at 4 PASS)."
        ),
        law=(
            "Code du travail L3253-18 (rate set by the AGS board): 0.25 % from 2024-07-01, CA AGS of June 2024, "
            "kept by CA AGS 16/12/2025 (legislation-other-branches.md §3.3)"
        ),
        holds=lambda: _ours_is(round_half_up_cents(pl.col("assiette") * 0.0025)),
        since=date(2024, 7, 1),
    ),
]

NET_EXCEPTION = Exception_(
    name="net from unrounded CSG/CRDS",
    codes=frozenset({"net"}),
    sides=frozenset({"salarial"}),
    cause=(
        "OpenFisca's salaire_net adds CSG déductible, CSG non déductible and CRDS unrounded (and float32 "
        "sums). Checked: secu's net equals the gross minus the employee lines, each as OpenFisca computes it "
        "rounded to the cent (or as secu has it where a named exception above tolerated that line), and "
        "OpenFisca's own net is within the three unrounded half cents of that."
    ),
    law=(
        "the net is the gross minus the employee contributions as they are entered, each rounded, on the "
        "payslip (Code du travail R3243-1, 9° and 10°; " + LAW_ROUNDING + ")"
    ),
    holds=lambda: pl.lit(True),
)


# ---------------------------------------------------------------------------------------------------------------
# OpenFisca side
# ---------------------------------------------------------------------------------------------------------------


def openfisca_lines(frame: pl.DataFrame, say: Callable[[str], None] = lambda m: None) -> tuple[pl.DataFrame, dict]:
    """Run the runner on ``frame`` (cached by content + runner + requirements); return (wide frame, meta)."""
    python = environment.openfisca_python(say=say)
    payload = json.dumps(to_runner_json(frame), sort_keys=True).encode()
    key = hashlib.sha256(
        payload + environment.RUNNER.read_bytes() + environment.wanted_stamp().encode()
    ).hexdigest()[:32]
    cache = environment.cache_dir()
    target = cache / f"{key}.json"
    import fcntl

    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            source = cache / f"{key}.in.json"
            source.write_bytes(payload)
            partial = cache / f"{key}.partial.json"
            done = subprocess.run([str(python), str(environment.RUNNER), str(source), str(partial)], capture_output=True, text=True)
            source.unlink(missing_ok=True)
            if done.returncode != 0:
                raise environment.OpenFiscaUnavailable(f"le runner OpenFisca a échoué :\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
            partial.rename(target)
    result = json.loads(target.read_text())
    columns = result.pop("columns")
    wide = pl.DataFrame(columns, infer_schema_length=None).with_columns(
        pl.col("mois").str.to_date(), pl.col("bulletin").cast(pl.Int64)
    )
    return wide, result


# ---------------------------------------------------------------------------------------------------------------
# secu side
# ---------------------------------------------------------------------------------------------------------------


RULE_FUNCTIONS = ("contributions", "net")
"""What the comparison calls in secu.recouvrement.rules: a rename fails the differential test, never skips it."""


def rules_module():
    """``secu.recouvrement.rules``, with the functions the comparison calls (AssertionError if one is missing)."""
    module = importlib.import_module("secu.recouvrement.rules")
    missing = [name for name in RULE_FUNCTIONS if not callable(getattr(module, name, None))]
    assert not missing, f"secu.recouvrement.rules n'expose plus {', '.join(missing)} : renommage à reporter dans le test différentiel"
    return module


def secu_lines(rules, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(long contribution frame, per-bulletin net frame with ``bulletin``, ``net_avant_impot_cents``)."""
    lines = rules.contributions(frame)
    if "net_avant_impot_cents" in lines.columns:
        net = lines.group_by("bulletin").agg(pl.col("net_avant_impot_cents").first())
        return lines, net
    function = getattr(rules, "net", None)
    if function is None:
        raise AssertionError("secu.recouvrement.rules expose ni colonne net_avant_impot_cents ni fonction net(...)")
    names = list(inspect.signature(function).parameters)
    if len(names) == 1:
        argument = lines if names[0] in {"lignes", "lines", "contributions", "cotisations"} else frame
        result = function(argument)
    else:
        result = function(frame, lines) if names[0] in {"payslips", "bulletins", "frame", "paie"} else function(lines, frame)
    if isinstance(result, pl.Series):
        result = pl.DataFrame({"bulletin": frame["bulletin"], "net_avant_impot_cents": result})
    column = "net_avant_impot_cents" if "net_avant_impot_cents" in result.columns else [c for c in result.columns if c.startswith("net")][0]
    return lines, result.select("bulletin", pl.col(column).cast(pl.Int64).alias("net_avant_impot_cents"))


# ---------------------------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: str
    side: str
    year: int
    rows: int = 0
    exact: int = 0
    tolerated: dict[str, int] = field(default_factory=dict)
    mismatches: int = 0
    examples: list[dict] = field(default_factory=list)


def _joined(frame: pl.DataFrame, lines: pl.DataFrame, of: pl.DataFrame, code: str, side: str) -> pl.DataFrame:
    amount = f"montant_{side}_cents"
    ours = lines.filter(pl.col("code") == code).group_by("bulletin").agg(pl.col(amount).sum().alias("ours"))
    return (
        frame.select("bulletin", "mois", "brut_cents", "heures_contrat", "effectif", "cadre", "taux_atmp")
        .join(ours, on="bulletin", how="left")
        .join(
            of.select(
                "bulletin",
                pl.col(f"{code}:{side}:of32").alias("of32"),
                pl.col(f"{code}:{side}:of64").alias("of64"),
                pl.col(f"{code}:{side}:unrounded").alias("unrounded"),
                pl.col(f"{code}:{side}:assiette").cast(pl.Float64).alias("assiette"),
                pl.col("diag:plafond_securite_sociale").alias("pss"),
                pl.col("diag:taux_allegement_general").alias("of_coefficient"),
                pl.col("diag:seuil_famille").cast(pl.Float64).alias("seuil_famille"),
            ),
            on="bulletin",
            how="left",
        )
        .with_columns(pl.col("ours").fill_null(0), round_half_up_cents(pl.col("of32")).alias("openfisca"))
    )


def classify(joined: pl.DataFrame, code: str, side: str) -> pl.DataFrame:
    """Add ``verdict``: "exact", an exception name, or "mismatch"."""
    verdict = pl.when(pl.col("ours") == pl.col("openfisca")).then(pl.lit("exact"))
    for rule in EXCEPTIONS:
        if code not in rule.codes or side not in rule.sides:
            continue
        condition = rule.holds()
        if rule.since:
            condition = condition & (pl.col("mois") >= rule.since)
        if rule.until:
            condition = condition & (pl.col("mois") <= rule.until)
        verdict = verdict.when(condition).then(pl.lit(rule.name))
    return joined.with_columns(verdict.otherwise(pl.lit("mismatch")).alias("verdict"))


def _outcomes(classified: pl.DataFrame, code: str, side: str, examples: int) -> list[Outcome]:
    outcomes = []
    for (year,), part in sorted(classified.group_by(pl.col("mois").dt.year()), key=lambda kv: kv[0]):
        outcome = Outcome(code, side, int(year), rows=part.height)
        counts = dict(part["verdict"].value_counts().iter_rows())
        outcome.exact = counts.pop("exact", 0)
        outcome.mismatches = counts.pop("mismatch", 0)
        outcome.tolerated = counts
        bad = part.filter(pl.col("verdict") == "mismatch").with_columns((pl.col("ours") - pl.col("openfisca")).alias("ecart"))
        outcome.examples = bad.sort(pl.col("ecart").abs(), descending=True).head(examples).drop("verdict").to_dicts()
        outcomes.append(outcome)
    return outcomes


def compare(frame: pl.DataFrame, lines: pl.DataFrame, net: pl.DataFrame, of: pl.DataFrame, examples: int = 3) -> dict[str, list[Outcome]]:
    """Outcomes per code (and "net"), per side and year."""
    result: dict[str, list[Outcome]] = {}
    retained_frames = []  # per employee line: the cents the law's net uses, and OpenFisca's own rounded cents
    for code in CODES:
        result[code] = []
        for side in SIDES:
            classified = classify(_joined(frame, lines, of, code, side), code, side)
            result[code] += _outcomes(classified, code, side, examples)
            if side == "salarial":
                retained_frames.append(
                    classified.select(
                        "bulletin",
                        pl.when(pl.col("verdict").is_in(["exact", "mismatch"])).then(pl.col("openfisca")).otherwise(pl.col("ours")).alias(code),
                        pl.col("openfisca").alias(f"{code}.of"),
                    )
                )
    employee = retained_frames[0]
    for extra in retained_frames[1:]:
        employee = employee.join(extra, on="bulletin")
    employee = employee.select(
        "bulletin", pl.sum_horizontal(CODES).alias("retenues"), pl.sum_horizontal([f"{c}.of" for c in CODES]).alias("retenues_of")
    )
    joined = (
        frame.select("bulletin", "mois", "brut_cents", "heures_contrat", "cadre")
        .join(net.rename({"net_avant_impot_cents": "ours"}), on="bulletin", how="left")
        .join(of.select("bulletin", pl.col("net:of32").alias("of32"), pl.col("net:of64").alias("of64")), on="bulletin")
        .join(employee, on="bulletin")
        .with_columns(
            round_half_up_cents(pl.col("of32")).alias("openfisca"),
            (pl.col("brut_cents") - pl.col("retenues")).alias("net_des_lignes"),
            (pl.col("brut_cents") - pl.col("retenues_of")).alias("net_des_lignes_openfisca"),
        )
    )
    # OpenFisca's net is within the three unrounded CSG/CRDS half cents (+ float32 sums) of the rounded lines.
    consistent = (pl.col("of64") * 100 - pl.col("net_des_lignes_openfisca")).abs() <= 1.5 + 1e-6
    verdict = (
        pl.when(pl.col("ours") == pl.col("openfisca")).then(pl.lit("exact"))
        .when((pl.col("ours") == pl.col("net_des_lignes")) & consistent).then(pl.lit(NET_EXCEPTION.name))
        .otherwise(pl.lit("mismatch"))
    )
    classified = joined.with_columns(verdict.alias("verdict"))
    result["net"] = _outcomes(classified, "net", "salarial", examples)
    return result


def report(outcomes: dict[str, list[Outcome]]) -> str:
    lines = []
    for code, items in outcomes.items():
        for o in items:
            if not o.rows:
                continue
            tolerated = ", ".join(f"{k}: {v}" for k, v in sorted(o.tolerated.items()))
            lines.append(
                f"{code:24} {o.side:9} {o.year}  {o.rows:5} lignes  {o.exact:5} exactes"
                + (f"  tolérées ({tolerated})" if tolerated else "")
                + (f"  ÉCARTS {o.mismatches}" if o.mismatches else "")
            )
            for example in o.examples:
                lines.append(f"      ex. {json.dumps(example, default=str)}")
    return "\n".join(lines)


def write_report(path: Path, outcomes: dict[str, list[Outcome]], meta: dict) -> None:
    path.write_text(json.dumps(meta, indent=1, default=str) + "\n" + report(outcomes) + "\n")
