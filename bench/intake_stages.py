"""Where a lot's CPU goes, stage by stage, in process: CPU seconds per 1,000 FSE of each step of the online intake.

    PYTHONPATH=src .venv/bin/python bench/intake_stages.py --base postgresql --fse-par-lot 300 --lots 12
    PYTHONPATH=src .venv/bin/python bench/intake_stages.py --base postgresql --profil 30   # + cProfile's top 30

The stages are those of ``POST /api/maladie/lots`` without the socket: the body parsed from JSON bytes, the
``LotIn`` validated, the lot received in its transaction (``receive_lot_retrying``, split into its steps by
wrapping the intake's functions: each figure includes what it calls), and the answer built and serialized as
the route does (its response model). CPU time (``time.process_time``) of this process only: PostgreSQL's own
work is not in it. Timers nest: ``receive`` includes ``checks``, which includes the register lookups.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import claim, patientele  # noqa: E402
from intake_cpu import seed  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - start

    return wrapper


def instrument() -> None:
    """Wrap the intake's steps (whatever module they are looked up from) with timers."""
    from secu.core import ledger, security
    from secu.maladie.intake import liquidation, loading, lot, writing

    for module, names in (
        (loading, ("patients", "droits", "contextes", "existing_claims", "liquidated_twins", "counters", "lock_counters", "borne_today")),
        (liquidation, ("frame", "liquidate", "line_values")),
        (security, ("flush_journal",)),
    ):
        for name in names:
            if hasattr(module, name):
                setattr(module, name, timed(f"{module.__name__.rsplit('.', 1)[-1]}.{name}", getattr(module, name)))
    for name in ("_validate", "_checked", "_liquidated"):
        if hasattr(lot._Lot, name):
            setattr(lot._Lot, name, timed(f"lot.{name}", getattr(lot._Lot, name)))
    writing.write = timed("writing.write", writing.write)
    lot.write = writing.write
    ledger.post_many = timed("ledger.post_many", ledger.post_many)
    writing.ledger = ledger
    if hasattr(writing, "journal_many"):
        writing.journal_many = timed("security.journal_many", writing.journal_many)
    if hasattr(writing, "_count"):
        writing._count = timed("writing._count", writing._count)
    # the journal's chaining runs at the commit, from the before_commit listener that calls flush_journal by name
    security._write_journal_at_commit.__globals__["flush_journal"] = security.flush_journal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--fse-par-lot", type=int, default=300)
    parser.add_argument("--lots", type=int, default=12)
    parser.add_argument("--http", action="store_true", help="aussi : la requête entière à travers l'application ASGI (sans socket)")
    parser.add_argument("--profil", type=int, default=0, help="afficher les N premières fonctions de cProfile (temps propre)")
    parser.add_argument("--pg", default=os.environ.get("SECU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    from fastapi.routing import serialize_response

    from secu.core.security import SYSTEM
    from secu.maladie import api, intake

    instrument()
    import gc

    gc_started = [0.0]

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.process_time()
        else:
            SPENT[f"(gc génération {info['generation']})"] += time.process_time() - gc_started[0]

    gc.callbacks.append(gc_timer)
    if os.environ.get("SECU_BANC_GC"):
        gc.set_threshold(*map(int, os.environ["SECU_BANC_GC"].split(",")))
    schema, folder = None, tempfile.mkdtemp()
    if args.base == "sqlite":
        url = f"sqlite:///{folder}/banc.db"
    else:
        schema = f"banc_etapes_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(args.pg).begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.pg}?options={quote(f'-csearch_path={schema}')}"
    try:
        app, pros, nirs = seed(url, 6000, 6)
        route = next(r for r in api.router.routes if getattr(r, "path", "") == "/maladie/lots")
        rng = random.Random(7)
        pools = [patientele(nirs, pros, i) for i in range(len(pros))]
        bodies = []
        for n in range(args.lots + 1):
            i = n % len(pros)
            bodies.append(
                json.dumps(
                    {
                        "numero": f"P{n}",
                        "professionnel_rpps": pros[i][0],
                        "fse": [claim(rng, pools[i], pros[i][1], f"P{n}-{k}") for k in range(args.fse_par_lot)],
                    }
                ).encode()
            )
        profiler = cProfile.Profile()
        total = 0.0
        import asyncio

        for n, body in enumerate(bodies):
            if n == 1:  # the first lot warms the caches (tariffs, parameters, the law table)
                SPENT.clear()
                if args.profil:
                    profiler.enable()
            start = time.process_time()
            stage = time.process_time()
            raw = json.loads(body)
            SPENT["http.json_loads"] += time.process_time() - stage
            stage = time.process_time()
            data = intake.LotIn.model_validate(raw)
            SPENT["http.LotIn"] += time.process_time() - stage
            stage = time.process_time()
            results = intake.receive_lot_retrying(app.state.sessions, SYSTEM, data, today=date.today())
            SPENT["receive (transaction)"] += time.process_time() - stage
            stage = time.process_time()
            # the answer as the route builds it: straight to JSON (this version), or a LotOut that FastAPI validates
            # and serializes (before)
            out = _answer_json(api, results) if hasattr(api, "_resultat_json") else _answer(api, results)
            SPENT["http.answer"] += time.process_time() - stage
            stage = time.process_time()
            payload = bytes(out.body) if hasattr(out, "body") else asyncio.run(_serialize(serialize_response, route, out))
            SPENT["http.serialize"] += time.process_time() - stage
            if n:
                total += time.process_time() - start
            assert b'"liquidee"' in payload
            SPENT["(octets de réponse)"] += len(payload) / 1e6
            SPENT["(octets de requête)"] += len(body) / 1e6
        profiler.disable()
        per = 1000 / (args.fse_par_lot * args.lots)
        print(
            f"{args.base} : {args.lots} lots de {args.fse_par_lot} FSE — CPU par 1 000 FSE : {total * per:.3f} s "
            f"(soit {args.fse_par_lot * args.lots / total:.0f} FSE par seconde de CPU, ce processus seul)"
        )
        for name, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
            print(f"  {name:34}{seconds * per:8.3f} s / 1 000 FSE")
        if args.http:
            token = _token(app)
            spent = 0.0
            for n in range(args.lots + 1):
                i = n % len(pros)
                body = json.dumps(
                    {
                        "numero": f"H{n}",
                        "professionnel_rpps": pros[i][0],
                        "fse": [claim(rng, pools[i], pros[i][1], f"H{n}-{k}") for k in range(args.fse_par_lot)],
                    }
                ).encode()
                start = time.process_time()
                status, answer = asyncio.run(_asgi(app, token, body))
                if n:
                    spent += time.process_time() - start
                assert status == 200, answer[:300]
            print(f"requête entière (ASGI, sans socket) : {spent * per:.3f} s CPU / 1 000 FSE")
        if args.profil:
            profiler.dump_stats(os.environ.get("SECU_BANC_PROFIL", "/tmp/intake_stages.prof"))
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(args.profil)
            print(stream.getvalue())
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(args.profil)
            print(stream.getvalue())
    finally:
        if schema:
            with sa.create_engine(args.pg).begin() as c:
                c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


def _token(app: Any) -> str:
    from secu.core.db import unit_of_work
    from secu.core.security import issue_token
    from secu.utilisateurs.service import UtilisateurIn, create_user

    with unit_of_work(app.state.sessions) as session:
        user = create_user(session, UtilisateurIn(login="banc", password="mot-de-passe-de-banc", nom_affiche="banc", role="admin"))
        session.flush()
        return issue_token(session, user, hours=1)[0]


async def _asgi(app: Any, token: str, body: bytes) -> tuple[int, bytes]:
    """One POST /api/maladie/lots through the application, as uvicorn would hand it over (without the socket)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/maladie/lots",
        "raw_path": b"/api/maladie/lots",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _answer_json(api: Any, results: tuple[int, str, list[Any]]) -> Any:
    from fastapi.responses import Response

    lot_id, numero, found = results
    head = {"lot_id": lot_id, "numero": numero, "acceptees": sum(r.statut == "liquidee" for r in found), "rejetees": sum(r.statut == "rejetee" for r in found)}
    return Response(api._object(head, "resultats", b"[" + b",".join(api._resultat_json(r) for r in found) + b"]"), media_type="application/json")


def _answer(api: Any, results: tuple[int, str, list[Any]]) -> Any:
    lot_id, numero, found = results
    out = [api.ResultatOut(**r.__dict__) for r in found]
    return api.LotOut(
        lot_id=lot_id, numero=numero, acceptees=sum(r.statut == "liquidee" for r in out), rejetees=sum(r.statut == "rejetee" for r in out), resultats=out
    )


async def _serialize(serialize_response: Any, route: Any, out: Any) -> bytes:
    """What FastAPI does with the endpoint's return value: the response model's validation and serialization,
    then the response's body."""
    from fastapi.responses import Response

    if isinstance(out, Response):
        return bytes(out.body)
    content = await serialize_response(
        field=route.response_field, response_content=out, is_coroutine=False, dump_json=getattr(route, "_dump_json", False) or True
    )
    return content if isinstance(content, bytes) else json.dumps(content).encode()


if __name__ == "__main__":
    main()
