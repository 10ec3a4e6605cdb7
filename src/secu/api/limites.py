"""Bounds every request meets before a route reads it: a size limit, and no control character in the address or a form.

A pure ASGI middleware (``Limites``), the first to see a request:

* **size**: a body larger than the route's limit is answered 413, from its ``Content-Length`` before a byte is
  read, or as soon as a streamed body passes it; nothing of it is parsed. The DSN file route takes 50 Mo, every
  other 10 Mo (a lot of 1,000 FSE is well under).
* **control characters** (``secu.core.entree``) in the path, in a query parameter or in a form field: refused
  with 422, naming the parameter. JSON bodies are checked by the input models (``Entree``), field by field.
"""

from __future__ import annotations

import html
import json
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from secu.core.entree import MESSAGE, position_controle

MO = 1024 * 1024
TAILLE_MAX = 10 * MO
TAILLES_PARTICULIERES = {"/api/recouvrement/dsn": 50 * MO + 64 * 1024}
"""Routes that take a larger body (with room for the multipart or encoding around the 50 Mo file)."""


def taille_max(path: str) -> int:
    return TAILLES_PARTICULIERES.get(path.rstrip("/"), TAILLE_MAX)


_API = ("/api/", "/fhir/")

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Demande incorrecte — secu</title>
<link rel="stylesheet" href="/static/secu/secu.min.css"></head>
<body class="govuk-template__body"><main class="govuk-main-wrapper govuk-width-container" id="contenu">
<h1 class="govuk-heading-l">Demande incorrecte</h1><p class="govuk-body">{message} (champ « {champ} »).</p>
<p class="govuk-body"><a class="govuk-link" href="/">Retour à l'accueil</a></p></main></body></html>
"""


async def _answer(send: Send, status: int, champ: str, message: str, path: str) -> None:
    # The API answers in its JSON shape; a page's form gets a page (no script, no style: the CSP holds).
    if path.startswith(_API):
        body, kind = json.dumps({"detail": {"champ": champ, "message": message}}, ensure_ascii=False).encode(), b"application/json"
    else:
        body, kind = _PAGE.format(message=html.escape(message), champ=html.escape(champ)).encode(), b"text/html"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind + b"; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _controle_dans(pairs: list[tuple[str, str]]) -> tuple[str, int] | None:
    for key, value in pairs:
        for text in (key, value):
            position = position_controle(text)
            if position is not None:
                return (key if position_controle(key) is None else "requete"), position
    return None


def _address_problem(scope: Scope) -> tuple[str, int] | None:
    position = position_controle(unquote(scope.get("path", "")))
    if position is not None:
        return "chemin", position
    query = scope.get("query_string", b"").decode("utf-8", "replace")
    return _controle_dans(parse_qsl(query, keep_blank_values=True)) if query else None


class Limites:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _address_problem(scope)
        if problem is not None:
            await _answer(send, 422, problem[0], MESSAGE.format(position=problem[1]), scope.get("path", ""))
            return
        limit = taille_max(scope.get("path", ""))
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, "requete", _trop_gros(limit), scope.get("path", ""))
            return
        if headers.get(b"content-type", b"").split(b";")[0].strip() == b"application/x-www-form-urlencoded":
            await self._form(scope, receive, send, limit)
            return
        await self._streamed(scope, receive, send, limit)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    # Answer now, and tell the route the client left: whatever it answers then is dropped.
                    refused = True
                    if not started:
                        await _answer(send, 413, "requete", _trop_gros(limit), scope.get("path", ""))
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:  # a route's own failure, not ours: let the server report it
                raise

    async def _form(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        # A form is small: read it whole (within the limit), check each field, then hand it on as it came.
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                await _answer(send, 413, "requete", _trop_gros(limit), scope.get("path", ""))
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = _controle_dans(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if problem is not None:
            await _answer(send, 422, problem[0], MESSAGE.format(position=problem[1]), scope.get("path", ""))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _trop_gros(limit: int) -> str:
    return f"requête trop volumineuse ({limit // MO} Mo au plus)"

