"""Sign-in for pages: the API's bearer token in a signed cookie, CSRF on every form, French error pages.

The cookie carries the very token ``secu.core.security`` issues, so pages and
API share users, throttling, expiry and revocation. Forms carry a CSRF value
derived from a second random cookie: another site can neither read it nor set
it, so it cannot forge a form post.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from secu.acces import Permission, exiger, peut
from secu.config import settings
from secu.core.db import unit_of_work
from secu.core.errors import Forbidden, InvalidField, SecuError, Unauthenticated
from secu.core.security import ROLE_LABELS, Caller, Role, Utilisateur, user_for_token
from secu.web.identite import identite

COOKIE = "secu_session"
CSRF_COOKIE = "secu_csrf"
EXPIRED_MESSAGE = "Votre session a expiré, reconnectez-vous."

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


# -- signing -------------------------------------------------------------------


def _key() -> bytes:
    # Derived from the installation's secret key, with its own label, so the two uses never collide.
    return hmac.new(settings().resolved_pseudonym_key, b"secu-pages-cookie", hashlib.sha256).digest()


def _mac(purpose: str, value: str) -> str:
    return hmac.new(_key(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()[:32]


def sign(token: str) -> str:
    return f"{token}.{_mac('session', token)}"


def unsign(cookie: str | None) -> str | None:
    if not cookie or "." not in cookie:
        return None
    token, mac = cookie.rsplit(".", 1)
    return token if hmac.compare_digest(mac, _mac("session", token)) else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(COOKIE, sign(token), httponly=True, samesite="lax", secure=_secure(request), path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def session_token(request: Request) -> str | None:
    return unsign(request.cookies.get(COOKIE))


# -- CSRF ----------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.csrf_seed = seed  # render() sets the cookie on the answer
    return _mac("csrf", seed)


def check_csrf(request: Request, form: Any) -> None:
    seed = request.cookies.get(CSRF_COOKIE)
    sent = form.get("csrf") if form is not None else None
    if not seed or not isinstance(sent, str) or not hmac.compare_digest(sent, _mac("csrf", seed)):
        raise Forbidden("Le formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.")


# -- the signed-in caller --------------------------------------------------------


class LoginRequired(Exception):
    """No valid session: the page sends the person to the sign-in form, then back."""

    def __init__(self, suite: str, expired: bool) -> None:
        self.suite = suite
        self.expired = expired


def login_url(suite: str, expired: bool = False) -> str:
    url = f"/connexion?suite={quote(suite, safe='/')}"
    return url + "&expiree=1" if expired else url


def _suite(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def page_caller(request: Request) -> Caller:
    """The signed-in caller, or a redirect to /connexion (with « session expirée » when a cookie was there)."""
    token = session_token(request)
    if token is None:
        raise LoginRequired(_suite(request), expired=COOKIE in request.cookies)
    try:
        with unit_of_work(request.app.state.sessions) as session:
            user = user_for_token(session, token)
            caller = Caller.of(user)
            request.state.user = {"login": user.login, "nom": user.nom_affiche, "role": user.role,
                                  "role_libelle": ROLE_LABELS[Role(user.role)]}
    except Unauthenticated:
        raise LoginRequired(_suite(request), expired=True) from None
    request.state.caller = caller  # the API's refusal journal reads it
    return caller


PageCaller = Annotated[Caller, Depends(page_caller)]


REFUS_PAGE = "Cette page n'est pas accessible avec votre profil."

# The portal a profile's pages belong to; whether the caller may open it is the policy's decision.
ESPACES = {Role.ASSURE: Permission.ESPACE_ASSURE, Role.AGENT: Permission.ESPACE_AGENT, Role.ANALYSTE: Permission.ESPACE_ANALYSTE}


def require(caller: Caller, permission: Permission) -> None:
    """Refuse the page (a French error page) unless the access policy grants this permission."""
    exiger(caller, permission, REFUS_PAGE)


def require_role(caller: Caller, *roles: Role) -> None:
    """The portal pages of these profiles: asked of the access policy, portal by portal."""
    if not any(peut(caller, ESPACES[role]) for role in roles if role in ESPACES):
        raise Forbidden(REFUS_PAGE)


# -- rendering -------------------------------------------------------------------


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    """A template with what every page needs: the CSRF value, the signed-in user and the organism's identity."""
    ctx = {"csrf_token": csrf_token(request), "utilisateur": getattr(request.state, "user", None), "identite": identite()}
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    seed = getattr(request.state, "csrf_seed", None)
    if seed and CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, seed, httponly=True, samesite="lax", secure=_secure(request), path="/")
    response.headers["Cache-Control"] = "no-store"  # personal pages never sit in a shared cache
    return response


_TITLES = {401: "Connexion requise", 403: "Accès refusé", 404: "Page introuvable", 409: "Opération impossible",
           422: "Demande incorrecte", 429: "Trop de tentatives"}


def error_page(request: Request, error: SecuError) -> HTMLResponse:
    if isinstance(error, Forbidden):
        from secu.api.errors import _journal_refusal  # the same refusal journal as the API

        _journal_refusal(request, error)
    status = error.status_code if 400 <= error.status_code < 600 else 400
    return render(request, "erreur.html", {"titre": _TITLES.get(status, "Erreur"), "message": error.message}, status_code=status)


class PageRoute(APIRoute):
    """Route class of the page routers: refusals become French pages, a missing session a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as missing:
                target = login_url(missing.suite, missing.expired)
                if request.headers.get("HX-Request"):
                    # htmx would follow a 303 silently and swap the sign-in form into the page: ask it to navigate.
                    response: Response = Response(status_code=200, headers={"HX-Redirect": target})
                else:
                    response = RedirectResponse(target, status_code=303)
                if missing.expired:
                    clear_session(response)
                return response
            except SecuError as error:
                return error_page(request, error)
            except RequestValidationError:
                return error_page(request, InvalidField("requete", "Cette adresse ou ce formulaire contient une valeur incorrecte."))

        return page_handler


def user_of(request: Request, caller: Caller) -> Utilisateur | None:
    with unit_of_work(request.app.state.sessions) as session:
        user = session.get(Utilisateur, caller.user_id)
        if user is not None:
            session.expunge(user)
        return user
