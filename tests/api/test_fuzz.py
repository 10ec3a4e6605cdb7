"""The OpenAPI says what the API does: requests drawn from it, for every role, answered as it says.

Schemathesis draws the requests from our own OpenAPI document; they are sent with the module's
test client (its pytest plugin and this pytest disagree, so the strategies are used directly) and
each answer is checked by schemathesis' own checks: no server error, a status code the document
lists for the operation, its content type, its body against the documented schema, its headers.
Every 4xx is also secu's French error (a message and the field).

The examples are bounded here (``SECU_FUZZ_EXEMPLES``, 7 by default); each example is sent as two
of the logins in turn, so every role meets every operation. ``bench/fuzz_openapi.py`` runs the same
with many examples.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core import NotSet

from secu.app import create_app
from secu.core.db import unit_of_work
from secu.core.security import Role
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import PASSWORD, World

EXEMPLES = int(os.environ.get("SECU_FUZZ_EXEMPLES", "7"))
LOGINS = ("admin", "agent.paris", "agent.marseille", "agent.caf", "agent.urssaf", "agent.cd75", "mc.idf", "mc.paca", "assure.parent", "assure.other",
          "docteur", "employeur", "analyste", None)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]

SCHEMA = schemathesis.openapi.from_dict(create_app("sqlite://", run_migrations=False).openapi())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Signing out revokes the token it is sent with, and deactivating an account locks it out: both are
# sent with what they may destroy (a fresh token, an account of their own), never the world's logins.
SIGN_OUT = "POST /api/auth/deconnexion"
DEACTIVATE = "POST /api/utilisateurs/{utilisateur_id}/desactivation"


@pytest.fixture(scope="module")
def victim(app) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as session:
        return create_user(session, UtilisateurIn(login="victime", password=PASSWORD, nom_affiche="victime", role=Role.ANALYSTE)).id


def _auth(world: World, case, login: str | None, victim: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    if login is None:
        return {}
    if case.operation.label == SIGN_OUT:
        token = world.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}
    if case.operation.label == DEACTIVATE:
        case.path_parameters = {**(case.path_parameters or {}), "utilisateur_id": victim}
    return world.as_(login)


def _send(world: World, case, auth: dict[str, str]):  # type: ignore[no-untyped-def]
    kwargs: dict[str, object] = {"params": case.query or None, "headers": {**(case.headers or {}), **auth}}
    if not isinstance(case.body, NotSet):
        if case.media_type and "form" in case.media_type:
            kwargs["data"] = case.body
        elif case.media_type and case.media_type.startswith("text/"):
            kwargs["content"] = case.body if isinstance(case.body, str | bytes) else str(case.body)
        else:
            kwargs["json"] = case.body
    return world.client.request(case.method, case.formatted_path, **kwargs)


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) > 70 and SIGN_OUT in {op.label for op in OPERATIONS}


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_answers_match_the_openapi_for_every_role(operation, world: World, victim: int) -> None:  # type: ignore[no-untyped-def]
    logins = itertools.cycle(LOGINS)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXEMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case) -> None:  # type: ignore[no-untyped-def]
        for login in (next(logins), next(logins)):
            response = _send(world, case, _auth(world, case, login, victim))
            where = (login, case.method, case.formatted_path, response.status_code, response.text[:300])
            case.validate_response(response, checks=CHECKS)
            if 400 <= response.status_code < 500:
                detail = response.json()["detail"]
                assert detail["message"] and "champ" in detail, where

    check()


def test_a_nul_character_is_refused_before_the_database(world: World) -> None:
    """Found by the fuzz on PostgreSQL: a NUL in a query parameter reached the database (500)."""
    response = world.client.get("/api/professionnels?nom=Mor%00el", headers=world.as_("admin"))
    assert response.status_code == 422 and response.json()["detail"]["champ"] == "nom"
    assert response.json()["detail"]["message"].startswith("caractère de contrôle interdit")
