"""Dependencies shared by the routes: the caller, the unit of work, pagination.

What a caller may do is decided by the access policy, ``secu.acces``, never here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from secu.core.db import unit_of_work
from secu.core.errors import Unauthenticated
from secu.core.security import Caller, user_for_token

bearer = HTTPBearer(auto_error=False, description="Jeton obtenu par POST /api/auth/jeton")


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.sessions) as session:
        yield session


def current_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None:
        raise Unauthenticated("authentification requise : envoyez un jeton « Authorization: Bearer … »")
    with transaction(request) as session:
        caller = Caller.of(user_for_token(session, credentials.credentials))
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


class Pagination:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=100_000, description="numéro de page, à partir de 1")] = 1,
        taille: Annotated[int, Query(ge=1, le=100, description="éléments par page (100 au plus)")] = 20,
    ) -> None:
        self.page = page
        self.taille = taille


PaginationDep = Annotated[Pagination, Depends()]


IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="identifiant (entier positif)")]
"""A row identifier in a URL: bounded, so an absurd number is a clear 422, never a database error."""
