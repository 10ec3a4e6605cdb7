"""Differential test: secu's contributions against OpenFisca-France, line by line, to the cent.

For each of 2024, 2025 and 2026, 1,000 random employees (deterministic seeds),
each with a payslip in two months of the year on both sides of a mid-year
change (AGS 2024-07, SMIC 2024-11, chômage and Fillon coefficient 2025-05,
SMIC 2026-06): 6,000 payslips from the SMIC to 10 PASS, full and part time,
cadres and non-cadres, headcounts 1–500, AT/MP rates 0.6–6 %, and pay set
exactly on each side of every legal threshold (see population.py).

``secu.recouvrement.rules.contributions`` computes them; OpenFisca-France
(pinned in openfisca/requirements.txt, run in its own venv by
openfisca/runner.py) computes the same lines; every contribution line, both
sides, and the net before income tax must be equal to the cent. A
difference passes only when a named exception of openfisca/compare.py
(EXCEPTIONS, NET_EXCEPTION) explains it: each names the lines, OpenFisca's
cause, the legal reference that decides, and checks that secu then has
exactly the legal amount. The full classification is written to
``.venv-openfisca/secu-results/rapport.txt`` (and printed with ``-s``).

A renamed rule or variable fails it, never skips it: ``compare.rules_module``
asserts the functions it calls, the runner raises on an OpenFisca variable or
barème it cannot find (``runner.ABSENT_SCALES`` lists the only absences
expected). ``SECU_SKIP_OPENFISCA=1`` skips it on a machine without PyPI
(never in CI).
"""

from __future__ import annotations

import os
import time

import polars as pl
import pytest

from tests.recouvrement.openfisca import compare, environment
from tests.recouvrement.openfisca.population import MONTHS, payslips

YEARS = (2024, 2025, 2026)
EMPLOYEES = 1_000

if os.environ.get("SECU_SKIP_OPENFISCA") == "1" and not os.environ.get("CI"):
    pytest.skip("SECU_SKIP_OPENFISCA=1 : test différentiel OpenFisca ignoré", allow_module_level=True)


rules = compare.rules_module()


@pytest.fixture(scope="module")
def population() -> pl.DataFrame:
    return pl.concat(
        [payslips(EMPLOYEES, MONTHS[year], seed=2026 + year, first_bulletin=year * 10_000_000) for year in YEARS]
    )


@pytest.fixture(scope="module")
def outcomes(population: pl.DataFrame) -> dict[str, list[compare.Outcome]]:
    started = time.monotonic()
    of, meta = compare.openfisca_lines(population, say=print)
    lines, net = compare.secu_lines(rules, population)
    result = compare.compare(population, lines, net, of)
    meta["secondes_total_avec_secu"] = round(time.monotonic() - started, 1)
    compare.write_report(environment.cache_dir() / "rapport.txt", result, meta)
    print(compare.report(result))
    return result


def test_contract_of_the_output(population: pl.DataFrame) -> None:
    lines = rules.contributions(population)
    expected = {"bulletin", "code", "assiette_cents", "taux_salarial", "taux_patronal", "montant_salarial_cents", "montant_patronal_cents"}
    assert expected <= set(lines.columns), sorted(expected - set(lines.columns))
    assert lines.schema["montant_salarial_cents"] == pl.Int64 and lines.schema["montant_patronal_cents"] == pl.Int64
    unknown = set(lines["code"].unique()) - set(compare.CODES)
    assert not unknown, f"codes hors contrat : {sorted(unknown)}"
    assert lines.group_by("bulletin", "code").len().filter(pl.col("len") > 1).is_empty(), "une ligne par (bulletin, code)"
    assert set(lines["bulletin"].unique()) == set(population["bulletin"]), "chaque bulletin a ses lignes"


def _explain(code: str, outcomes: list[compare.Outcome]) -> str:
    rules_text = [
        f"  exception « {e.name} » : {e.cause} Droit : {e.law}."
        for e in [*compare.EXCEPTIONS, compare.NET_EXCEPTION]
        if code in e.codes
    ]
    return compare.report({code: outcomes}) + "\n" + "\n".join(rules_text)


# Disagreements where, per the law, secu.recouvrement.rules is the side to change (reported to the rules'
# author; see the report of this work). Strict: the day the rules are fixed the case XPASSes and fails,
# and its entry must go. Never add here a difference that OpenFisca gets wrong: that is a named
# exception in compare.py, with its legal reference.
KNOWN_RULES_DISAGREEMENTS: dict[str, str] = {}


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=KNOWN_RULES_DISAGREEMENTS[code]))
        if code in KNOWN_RULES_DISAGREEMENTS
        else code
        for code in [*compare.CODES, "net"]
    ],
)
def test_line_equals_openfisca_to_the_cent(code: str, outcomes: dict[str, list[compare.Outcome]]) -> None:
    items = outcomes[code]
    assert sum(o.rows for o in items) > 0
    assert {o.year for o in items} == set(YEARS)
    mismatches = sum(o.mismatches for o in items)
    assert mismatches == 0, f"{code} : {mismatches} écarts avec OpenFisca non expliqués\n" + _explain(code, items)
