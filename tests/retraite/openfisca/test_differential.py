"""Differential test: secu's régime général pension against OpenFisca-France-Pension, career by career.

3,000 random careers and 12 cas-types (deterministic, population.py): generations 1955 to 1969, dates d'effet
from 2023-01 to 2027-12 — at and after the âge légal of the 2023 reform, the generations the LFSS 2026
suspension lets go at 62 ans 9 mois from 2026-09-01, carrières longues at 58, 60 and 62, inaptitudes —, low paid
to above the PASS, with gaps, early stops, three children or more, other régimes' pensions.

secu computes them with its rules (``secu.retraite.rules.carriere`` for the quarters and the SAM, then
``secu.retraite.rules.droit_propre``); OpenFisca-France-Pension (pinned in openfisca/requirements.txt, run in its
own venv by openfisca/runner.py) computes the same careers. The SAM, the quarters, the durée requise, the décote
and surcote quarters, the taux, the prorata and the yearly pension must be equal (amounts to the cent). A
difference passes only when a named écart of openfisca/compare.py explains it (ECARTS: OpenFisca's cause, the
article secu follows, and a check that secu's value is what OpenFisca computes once the cause is removed), or
when it is one of the KNOWN_RULES_DISAGREEMENTS — where secu's rule is the side to change, counted apart and
held by a strict xfail that fails the day the rule is fixed. The full classification is written to
``.venv-openfisca-pension/secu-results/rapport-retraite.txt`` (and printed with ``-s``).

It never skips because of secu: the rules are imported plainly (a renamed function or column fails it), and the
runner raises on an OpenFisca variable or parameter it cannot find. Only ``SECU_SKIP_OPENFISCA=1`` skips it, on a
machine without PyPI (never in CI). The first run builds the venv (about 30 s) and computes OpenFisca (cached in
the venv by content: later runs read the cache).
"""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from secu.core.parameters import parameters
from secu.retraite.rules import carriere, droit_propre
from tests.retraite.openfisca import compare
from tests.retraite.openfisca.population import careers, cas_types

CAREERS = 3_000

if os.environ.get("SECU_SKIP_OPENFISCA") == "1" and not os.environ.get("CI"):
    pytest.skip("SECU_SKIP_OPENFISCA=1 : test différentiel OpenFisca ignoré", allow_module_level=True)


@pytest.fixture(scope="module")
def population() -> tuple[pl.DataFrame, pl.DataFrame]:
    p, a = careers(CAREERS, seed=2014)
    c, ca = cas_types(first=900_000)
    return pl.concat([p, c]), pl.concat([a, ca])


@pytest.fixture(scope="module")
def ours(population: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return compare.secu_results(*population)


@pytest.fixture(scope="module")
def openfisca(population: tuple[pl.DataFrame, pl.DataFrame]) -> tuple[pl.DataFrame, dict]:
    return compare.openfisca_results(*population, say=print)


@pytest.fixture(scope="module")
def outcomes(population: tuple[pl.DataFrame, pl.DataFrame], ours: pl.DataFrame, openfisca: tuple[pl.DataFrame, dict]) -> dict[str, list[compare.Outcome]]:
    started = time.monotonic()
    of, meta = openfisca
    result = compare.compare(population[0], ours, of)
    meta["secondes_comparaison"] = round(time.monotonic() - started, 1)
    compare.write_report(compare.PENSION.cache_dir() / "rapport-retraite.txt", result, meta)
    print(compare.report(result))
    return result


def test_the_harness_reads_what_the_rules_give() -> None:
    """A rule or column renamed in secu.retraite.rules must fail here, not make the comparison vanish."""
    assert callable(carriere.annees_carriere) and callable(carriere.salaire_annuel_moyen)
    assert callable(droit_propre.pension_droit_propre)


def test_one_row_per_person(population: tuple[pl.DataFrame, pl.DataFrame], ours: pl.DataFrame, openfisca: tuple[pl.DataFrame, dict]) -> None:
    personnes = population[0]
    assert ours.height == personnes.height and openfisca[0].height == personnes.height
    assert set(ours["personne"]) == set(personnes["personne"]) == set(openfisca[0]["personne"])


def test_the_population_reaches_every_case(ours: pl.DataFrame) -> None:
    """A comparison where no décote, surcote, minimum or suspension occurs proves nothing about them."""
    counts = {
        "décote": ours.filter(pl.col("decote_trimestres") > 0).height,
        "surcote": ours.filter(pl.col("surcote_trimestres") > 0).height,
        "minimum contributif": ours.filter(pl.col("minimum_contributif")).height,
        "écrêtement du minimum": ours.filter(pl.col("ecretement_mico") > 0).height,
        "majoration pour enfants": ours.filter(pl.col("majoration_enfants") > 0).height,
        "carrière longue": ours.filter(pl.col("depart_anticipe")).height,
        "suspension LFSS 2026": ours.filter(pl.col("date_effet") >= compare.SUSPENSION).height,
        "inaptitude": ours.filter(pl.col("inaptitude")).height,
        "prorata": ours.filter(pl.col("prorata_numerateur") < pl.col("prorata_denominateur")).height,
    }
    for case, count in counts.items():
        assert count >= 10, f"{case} : seulement {count} personnes"
    years = set(ours.get_column("date_effet").dt.year())
    assert years == {2023, 2024, 2025, 2026, 2027}
    generations = set(ours.get_column("naissance").dt.year())
    assert set(range(1955, 1970)) <= generations


@pytest.mark.parametrize("field", [f.name for f in compare.FIELDS])
def test_equals_openfisca_or_a_named_ecart(field: str, outcomes: dict[str, list[compare.Outcome]]) -> None:
    items = outcomes[field]
    assert sum(o.rows for o in items) == CAREERS + len(cas_types(first=0)[0])
    mismatches = sum(o.mismatches for o in items)
    assert mismatches == 0, f"{field} : {mismatches} écarts avec OpenFisca non expliqués\n" + compare.report({field: items})


@pytest.mark.parametrize(
    "name",
    [pytest.param(d.name, marks=pytest.mark.xfail(strict=True, reason=d.cause)) for d in compare.KNOWN_RULES_DISAGREEMENTS]
    or [pytest.param(None, id="aucun")],
)
def test_known_rules_disagreements(name: str | None, outcomes: dict[str, list[compare.Outcome]]) -> None:
    """Each known disagreement where secu's rule is the side to change: fails (xfail) while it occurs; the day the
    rule is fixed it passes, the strict xfail fails, and the entry of compare.KNOWN_RULES_DISAGREEMENTS must go.
    With none left, every tolerated difference is one of OpenFisca's named écarts."""
    if name is None:
        tolerated = {k for items in outcomes.values() for o in items for k in o.tolerated}
        assert tolerated <= {e.name for e in compare.ECARTS}, tolerated
        return
    found = sum(o.tolerated.get(name, 0) for items in outcomes.values() for o in items)
    assert found == 0, f"{name} : {found} valeurs"


def _openfisca_parameter(name: str) -> dict[str, float]:
    python = compare.PENSION.openfisca_python()
    found = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('openfisca_france_pension').submodule_search_locations[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    values = yaml.safe_load((Path(found) / "parameters" / name).read_text(encoding="utf-8"))["values"]
    return {str(day): (v["value"] if isinstance(v, dict) else v) for day, v in values.items()}


def test_secu_pass_is_openfisca_pass_to_the_cent() -> None:
    """The PASS both hold (OpenFisca's in francs before 2002): secu's is OpenFisca's converted at 6,55957 and rounded
    to the cent (règlement (CE) n° 2866/98), so run "secu" may take secu's values before 2002 (compare.overrides)."""
    of = _openfisca_parameter("prelevements_sociaux/pss/plafond_securite_sociale_annuel.yaml")
    compared = 0
    for v in parameters().get("pss.annuel").values:
        day = v.date_effet.isoformat()
        if day not in of or v.date_effet < date(1970, 1, 1):
            continue
        euros = Decimal(str(of[day])) / compare.FRANC if v.date_effet.year < 2002 else Decimal(str(of[day]))
        assert euros.quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(v.value), day
        compared += 1
    assert compared >= 50
