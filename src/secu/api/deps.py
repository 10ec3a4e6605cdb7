"""Dependencies shared by the routes: the caller, the unit of work, pagination.

What a caller may do is decided by the access policy, ``secu.acces``, never here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
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


def _needs_caller(dependant: Dependant) -> bool:
    return any(sub.call is current_caller or _needs_caller(sub) for sub in dependant.dependencies)


def _authenticated_first(inner: ASGIApp) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        try:
            await run_in_threadpool(_caller_of, request, token if scheme.lower() == "bearer" else None)
        except Unauthenticated as error:
            answer = JSONResponse(status_code=401, content={"detail": error.to_dict()}, headers={"WWW-Authenticate": "Bearer"})
            await answer(scope, receive, send)
            return
        await inner(scope, receive, send)

    return guarded


def authenticate_before_reading(app: FastAPI) -> None:
    """Check the bearer token of every route that needs a caller before its body is read.

    FastAPI reads and parses a body before it resolves the dependencies: without this, anyone could make the
    server parse a large body (up to the size limit) only to be answered 401."""
    for route in app.routes:
        if isinstance(route, APIRoute) and _needs_caller(route.dependant):
            route.app = _authenticated_first(route.app)


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
