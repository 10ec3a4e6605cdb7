"""Kill -9 at a random point of each flow, resume, check (issue 12, "Proof that stays in the project").

A few trials here, on a small world; ``bench/fautes.py`` runs hundreds on a larger one. Each trial fails with
the list of what it found: an acknowledged item missing, an end state that differs from an uninterrupted
run's, a SEPA file that does not pay what its run marks paid, an unbalanced entry, a broken journal chain,
a truncated or unreadable batch output, files left beside it.

SQLite runs every flow; PostgreSQL (each world a database of its own, trials copied from it as templates)
runs the payment runs, alone and racing, the flows whose defects were PostgreSQL's.
"""

from __future__ import annotations

import random

import pytest

from tests.conftest import _pg_available
from tests.fautes import harness


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def world(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    if request.param == "postgresql" and (problem := _pg_available()):
        pytest.fail(f"PostgreSQL injoignable : {problem}")
    built = harness.build_world(request.param, tmp_path_factory.mktemp(f"fautes-{request.param}"), households=3, claims=3, claims_paid=12,
                                lines=80, months=1)
    yield built
    harness.drop_world(built)


@pytest.mark.parametrize(("flow", "race"), [
    ("saisie", False), ("paiement_maladie", True), ("paiement_famille", True), ("dsn", False), ("liquidation", True),
    ("paiement_ij", True), ("paiement_invalidite", True), ("paiement_retraite", True),
])
def test_killed_then_resumed_nothing_lost_nothing_doubled(world, flow: str, race: bool) -> None:  # type: ignore[no-untyped-def]
    if world.kind == "postgresql" and not flow.startswith("paiement"):
        pytest.skip("sur PostgreSQL, les campagnes de paiement seulement ici ; tous les flux dans bench/fautes.py")
    essai = harness.trial(world, flow, random.Random(f"{flow}{race}"), race=race)
    assert essai.violations == [] and essai.erreurs == [], essai
    assert -9 in essai.exitcodes or harness.EXIT_REFUSED in essai.exitcodes  # it was killed (or, racing, told "déjà en cours" first)
