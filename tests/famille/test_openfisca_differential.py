"""Differential test: secu's family benefits against OpenFisca-France, household by household, to the cent.

For each of 2024, 2025 and 2026, 1,000 random households and 10 built by hand
(deterministic seeds, tests/famille/openfisca/population.py), each in January
(before the 1 April BMAF revaluation), June (after it) and August (the ARS):
9,090 household-months
with 0–6 children of every age, couples (bi-actifs or not) and parents alone,
résidence alternée, working children on both sides of 55 % of the SMIC, and
resources from 0 to 160,000 € with a tenth exactly on a ceiling or one cent
above it.

``secu.famille.rules.droits`` computes them; OpenFisca-France (pinned in
tests/recouvrement/openfisca/requirements.txt, run in its own venv by
tests/famille/openfisca/runner.py) computes the same households; the
allocations familiales, the complément familial, the PAJE allocation de base
and the allocation de rentrée scolaire must be equal to the cent. A difference
passes only when a named exception of openfisca/compare.py (EXCEPTIONS)
explains it: each names the benefit, OpenFisca's cause, the legal reference
that decides, and checks that secu then has exactly the legal amount. Where
OpenFisca's timing differs from the law's (age read on the first day of the
month, ARS ages read in December), the population avoids the case (see
population.py), except where the law counts the children otherwise than the
month's: a few households built by hand (population.edge_households) put those
cases in every year, and two named exceptions decide them. The full
classification is written to ``.venv-openfisca/secu-results/rapport-famille.txt``
(and printed with ``-s``).

It never skips because of secu: the rules are imported plainly, so a renamed
module, function or output column fails the test (an ImportError, an
AttributeError, a missing column), as does an OpenFisca variable renamed in the
runner (the runner fails and raises OpenFiscaUnavailable). Only
``SECU_SKIP_OPENFISCA=1`` skips it, on a machine without PyPI (never in CI).
"""

from __future__ import annotations

import os
import time

import polars as pl
import pytest

from secu.famille import rules
from tests.famille.openfisca import compare
from tests.famille.openfisca.population import MONTHS, edge_households, households
from tests.recouvrement.openfisca import environment

YEARS = (2024, 2025, 2026)
HOUSEHOLDS = 1_000
EDGE_HOUSEHOLDS = 10  # population.edge_households: 3 cases × 3 levels of resources and 1 of the PAJE, each year

if os.environ.get("SECU_SKIP_OPENFISCA") == "1" and not os.environ.get("CI"):
    pytest.skip("SECU_SKIP_OPENFISCA=1 : test différentiel OpenFisca ignoré", allow_module_level=True)


@pytest.fixture(scope="module")
def population() -> tuple[pl.DataFrame, pl.DataFrame]:
    parts = [households(HOUSEHOLDS, year, seed=2026 + year, first_foyer=year * 1_000_000) for year in YEARS]
    parts += [edge_households(year, first_foyer=year * 1_000_000 + 900_000) for year in YEARS]
    return pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])


@pytest.fixture(scope="module")
def droits(population: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return compare.secu_droits(*population)


@pytest.fixture(scope="module")
def outcomes(population: tuple[pl.DataFrame, pl.DataFrame], droits: pl.DataFrame) -> dict[str, list[compare.Outcome]]:
    started = time.monotonic()
    foyers, enfants = population
    of, meta = compare.openfisca_results(foyers, enfants, say=print)
    result = compare.compare(foyers, enfants, droits, of, say=print)
    meta["secondes_total_avec_secu"] = round(time.monotonic() - started, 1)
    compare.write_report(environment.cache_dir() / "rapport-famille.txt", result, meta)
    print(compare.report(result))
    return result


def test_the_harness_reads_only_what_the_rules_give() -> None:
    """A rule or column renamed in secu.famille.rules must fail here, not make the comparison vanish."""
    assert callable(rules.droits)
    assert set(compare.CODES) <= set(rules.PRESTATIONS)
    assert set(compare.CODES) <= set(rules.OUTPUT)


def test_contract_of_the_output(population: tuple[pl.DataFrame, pl.DataFrame], droits: pl.DataFrame) -> None:
    foyers, _ = population
    assert droits.height == foyers.height, "une ligne par ligne de foyers"
    assert droits.select("foyer", "mois").equals(foyers.select("foyer", "mois")), "dans l'ordre des foyers"
    for code in compare.CODES:
        assert droits.schema[code] == pl.Int64, f"{code} : {droits.schema[code]}"
        assert droits[code].null_count() == 0 and droits[code].min() >= 0, code


def test_the_population_reaches_every_case(outcomes: dict[str, list[compare.Outcome]]) -> None:
    """Guard against a population (or a mapping) where a benefit is never due: a comparison of zeros proves nothing."""
    for code, items in outcomes.items():
        for o in items:
            assert o.nonzero >= 50, f"{code} {o.year} : seulement {o.nonzero} montants non nuls chez OpenFisca"


def test_the_edge_households_reach_the_childrens_count_exceptions(outcomes: dict[str, list[compare.Outcome]]) -> None:
    """population.edge_households puts in every year each case where the law counts the children otherwise than
    OpenFisca's month: the forfait's three children the month before the 20th birthday (a third child born after
    it; a sibling of 15 then, paid above the ceiling since he is 16: two households at three levels of resources,
    in the three months, 18 rows) and a child paid above the ceiling in the month of his 16th birthday (June, three
    levels of resources, 3 rows; and the PAJE base of a household with a child under 3)."""
    expected = {"AF forfait: three children à charge the month before the 20th birthday": 18}
    expected["a child paid above the ceiling is no longer à charge from the month of his 16th birthday"] = 3
    for o in outcomes["af"]:
        for name, count in expected.items():
            assert o.tolerated.get(name, 0) >= count, f"af {o.year} : {name} : {o.tolerated.get(name, 0)}"
    sixteen = "a child paid above the ceiling is no longer à charge from the month of his 16th birthday"
    for o in outcomes["paje_base"]:  # the household with a child under 3, in June
        assert o.tolerated.get(sixteen, 0) >= 1, f"paje_base {o.year} : {sixteen} : {o.tolerated.get(sixteen, 0)}"


def _explain(code: str, outcomes: list[compare.Outcome]) -> str:
    rules_text = [f"  exception « {e.name} » : {e.cause} Droit : {e.law}." for e in compare.EXCEPTIONS if code in e.codes]
    return compare.report({code: outcomes}) + "\n" + "\n".join(rules_text)


# Disagreements where, per the law, secu.famille.rules is the side to change (reported to the rules' author).
# Strict: the day the rules are fixed the case XPASSes and fails, and its entry must go. Never add here a
# difference that OpenFisca gets wrong: that is a named exception in compare.py, with its legal reference.
KNOWN_RULES_DISAGREEMENTS: dict[str, str] = {}


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=KNOWN_RULES_DISAGREEMENTS[code])) if code in KNOWN_RULES_DISAGREEMENTS else code
        for code in compare.CODES
    ],
)
def test_benefit_equals_openfisca_to_the_cent(code: str, outcomes: dict[str, list[compare.Outcome]]) -> None:
    items = outcomes[code]
    assert sum(o.rows for o in items) == (HOUSEHOLDS + EDGE_HOUSEHOLDS) * sum(len(MONTHS[y]) for y in YEARS)
    assert {o.year for o in items} == set(YEARS)
    mismatches = sum(o.mismatches for o in items)
    assert mismatches == 0, f"{code} : {mismatches} écarts avec OpenFisca non expliqués\n" + _explain(code, items)
