"""Bad input at random (schemathesis strategies): never a server error, always a French message naming the field.

Schemathesis draws the requests from our own OpenAPI document; they are sent
with the module's test client (its pytest plugin and this pytest disagree,
so the strategies are used directly).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core import NotSet

from secu.app import create_app
from tests.api.conftest import World

OPERATIONS = [
    result.ok()
    for result in schemathesis.openapi.from_dict(create_app("sqlite://", run_migrations=False).openapi()).get_all_operations()
]


def _send(world: World, case, login: str):  # type: ignore[no-untyped-def]
    kwargs: dict[str, object] = {"params": case.query or None, "headers": {**(case.headers or {}), **world.as_(login)}}
    if not isinstance(case.body, NotSet):
        if case.media_type and "form" in case.media_type:
            kwargs["data"] = case.body
        else:
            kwargs["json"] = case.body
    return world.client.request(case.method, case.formatted_path, **kwargs)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_random_requests_are_answered_cleanly(operation, world: World) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case) -> None:  # type: ignore[no-untyped-def]
        for login in ("admin", "agent.paris"):
            response = _send(world, case, login)
            where = (case.method, case.formatted_path, response.status_code, response.text[:300])
            assert response.status_code < 500, where
            if 400 <= response.status_code < 500 and response.status_code != 405:
                detail = response.json()["detail"]
                assert detail["message"] and "champ" in detail, where

    check()
