"""The pilotage tests of the API use the API's known world (tests/api/conftest.py)."""

from tests.api.conftest import app, world  # noqa: F401
