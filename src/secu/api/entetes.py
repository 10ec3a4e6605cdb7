"""Security headers on every answer (pages, API, files), and the scheme a trusted TLS proxy forwards.

* ``Content-Security-Policy``: the pages load only this site's stylesheet, scripts and images; no inline script
  or style exists (``tests/web`` checks it, and that the browser reports no violation), so none is allowed. No
  page may be framed (``frame-ancestors 'none'``: no clickjacking of a form). The interactive documentation
  (``/docs``, ``/redoc``) is FastAPI's, with its inline start-up script and its files from jsDelivr: it gets a
  policy of its own, on those two addresses only.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (an address with a file's number never
  leaves the site), ``X-Frame-Options: DENY`` for older browsers, ``Cross-Origin-Opener-Policy``.
* ``Strict-Transport-Security`` when the request came over TLS — seen directly, or as forwarded by a proxy
  the installation trusts (``SECU_PROXIES_DE_CONFIANCE``, read by uvicorn's ``ProxyHeadersMiddleware`` in ``secu.app``).

A route that sets one of these headers itself (the logo's own CSP) keeps its value.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLITIQUE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
POLITIQUE_DOCUMENTATION = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCUMENTATION = ("/docs", "/docs/oauth2-redirect", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"

COMMUNS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}


def entetes_pour(path: str, https: bool) -> dict[bytes, bytes]:
    headers = dict(COMMUNS)
    headers[b"content-security-policy"] = (POLITIQUE_DOCUMENTATION if path in DOCUMENTATION else POLITIQUE).encode()
    if https:
        headers[b"strict-transport-security"] = HSTS.encode()
    return headers


class EntetesDeSecurite:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = entetes_pour(scope.get("path", ""), scope.get("scheme") == "https")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in wanted.items() if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
