"""Dependencies shared by the routes: the caller, the unit of work, pagination.

What a caller may do is decided by the access policy, ``secu.acces``, never here."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from secu.core.db import unit_of_work
from secu.core.entree import ID_MAX
from secu.core.errors import Unauthenticated
from secu.core.security import Caller, user_for_token

bearer = HTTPBearer(auto_error=False, description="Jeton obtenu par POST /api/auth/jeton")


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.sessions) as session:
        yield session


def _caller_of(request: Request, token: str | None) -> Caller:
    if not token:
        raise Unauthenticated("authentification requise : envoyez un jeton « Authorization: Bearer … »")
    with transaction(request) as session:
        caller = Caller.of(user_for_token(session, token))
    request.state.caller = caller
    request.state.appelant_verifie = caller
    return caller


def current_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    checked: Caller | None = getattr(request.state, "appelant_verifie", None)
    if checked is not None:  # already checked, before the body was read (authenticate_before_reading)
        return checked
    return _caller_of(request, credentials.credentials if credentials else None)


CallerDep = Annotated[Caller, Depends(current_caller)]


class AuthentificationAvantLecture:
    """Check the bearer token of an operation that needs one before its body is read (ASGI middleware).

    FastAPI reads and parses a body before it resolves the dependencies: without this, anyone could make the server
    parse a large body (up to the size limit) only to be answered 401. The operations that need a caller are those
    the OpenAPI document marks with the bearer scheme (``current_caller`` depends on it); the caller found here is
    kept for ``current_caller``, so the token is looked up once."""

    def __init__(self, app: ASGIApp, application: FastAPI) -> None:
        self.app = app
        self.application = application
        self._operations: list[tuple[str, re.Pattern[str]]] | None = None
        self._building = threading.Lock()  # the first requests may come at once, and the OpenAPI is built once

    def _protected(self, method: str, path: str) -> bool:
        with self._building:
            if self._operations is None:
                self._operations = self._operations_with_bearer()
        return any(verb == method and pattern.match(path) for verb, pattern in self._operations)

    def _operations_with_bearer(self) -> list[tuple[str, re.Pattern[str]]]:
        operations = []
        for template, item in self.application.openapi().get("paths", {}).items():
            pattern = re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "/?$")
            operations += [(verb.upper(), pattern) for verb, operation in item.items()
                           if isinstance(operation, dict) and any("HTTPBearer" in s for s in operation.get("security", []))]
        return operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)  # no body to protect: the route's own dependency checks the token
            return
        if not self._protected(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        try:
            await run_in_threadpool(_caller_of, request, token if scheme.lower() == "bearer" else None)
        except Unauthenticated as error:
            answer = JSONResponse(status_code=401, content={"detail": error.to_dict()}, headers={"WWW-Authenticate": "Bearer"})
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Pagination:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=100_000, description="numéro de page, à partir de 1")] = 1,
        taille: Annotated[int, Query(ge=1, le=100, description="éléments par page (100 au plus)")] = 20,
    ) -> None:
        self.page = page
        self.taille = taille


PaginationDep = Annotated[Pagination, Depends()]


IdPath = Annotated[int, Path(ge=1, le=ID_MAX, description="identifiant (entier positif)")]
"""A row identifier in a URL: bounded, so an absurd number is a clear 422, never a database error."""
