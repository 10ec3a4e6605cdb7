"""Odd input is refused cleanly, on both databases (issue 12, defects 4 and 8).

NUL bytes reached PostgreSQL (500) in six endpoints; an identifier beyond 32 bits too; a ledger line of
4.6×10¹⁸ centimes got in; an unauthenticated 50 Mo body was parsed before the 401. Each is answered here in
French, naming the field, and nothing is written.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from secu.api import limites
from secu.core import ledger
from secu.core.db import unit_of_work
from secu.core.entree import ID_MAX, Entree
from secu.register.models import Personne
from tests.api.conftest import World, with_key

NUL = "\x00"


def _count(world: World, model: Any) -> int:
    with unit_of_work(world.client.app.state.sessions) as s:  # type: ignore[attr-defined]
        return s.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _entry(montant: int, cle: str = "entrees:1", libelle: str = "essai") -> dict[str, Any]:
    return {"cle_idempotence": cle, "date_operation": "2026-01-05", "libelle": libelle, "lignes": [
        {"branche": "maladie", "organisme_code": "CPAM-75", "compte": "charges.x", "montant_cents": montant},
        {"branche": "maladie", "organisme_code": "CPAM-75", "compte": "dettes.x", "montant_cents": -montant}]}


# -- control characters ------------------------------------------------------------------


def _person(nom: str) -> dict[str, Any]:
    return {"nir": with_key("1850575115099"), "nom_naissance": nom, "prenoms": "Paul", "date_naissance": "1985-05-14",
            "sexe": "1", "departement": "75", "commune": "75111"}


CASES = [  # (method, path, keyword arguments of the request, the field named)
    ("post", "/api/personnes", {"json": _person(f"Du{NUL}rand")}, "nom_naissance"),
    ("post", "/api/personnes", {"json": _person("Du\u0085rand")}, "nom_naissance"),  # a C1 control (NEL)
    ("post", "/api/grand-livre/ecritures", {"json": _entry(100, libelle=f"a{NUL}")}, "libelle"),
    ("post", "/api/grand-livre/ecritures", {"json": {**_entry(100), "lignes": [{**_entry(100)["lignes"][0], "compte": f"x{NUL}"},
                                                                                _entry(100)["lignes"][1]]}}, "lignes.0.compte"),
    ("post", "/api/utilisateurs", {"json": {"login": f"x{NUL}yz", "password": "p" * 12, "role": "admin", "nom_affiche": "X"}}, "login"),
    ("post", "/api/maladie/lots", {"json": {"numero": f"L{NUL}", "professionnel_rpps": "10003456786", "fse": [{}]}}, "numero"),
    ("post", "/api/recouvrement/dsn/json", {"json": {"emetteur": {"siren": f"1{NUL}"}}}, "requete"),  # the body whole: the message
    ("post", "/fhir/Claim", {"json": {"resourceType": "Claim", "item": [{"productOrService": f"G{NUL}"}]}}, "requete"),  # says where
    ("get", "/api/grand-livre/soldes", {"params": {"branche": f"maladie{NUL}"}}, "branche"),
    ("get", "/api/personnes", {"params": {"nom": f"Du{NUL}"}}, "nom"),
    ("get", "/api/recouvrement/employeurs/73282932%00/compte", {}, "chemin"),
    ("post", "/api/auth/jeton", {"data": {"username": f"admin{NUL}", "password": "x"}}, "username"),
]


@pytest.mark.parametrize("method, path, kwargs, champ", CASES, ids=[f"{c[1]}:{c[3]}" for c in CASES])
def test_control_characters_are_refused_naming_the_field(world: World, method: str, path: str, kwargs: dict[str, Any], champ: str) -> None:
    before = _count(world, Personne), _count(world, ledger.Ecriture)
    answer = world.client.request(method, path, headers=world.as_("admin"), **kwargs)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail["champ"].replace("[", ".").replace("]", "") == champ, detail
    assert "caractère de contrôle" in detail["message"]
    if path == "/api/recouvrement/dsn/json":
        assert "« emetteur.siren »" in detail["message"]
    if path == "/fhir/Claim":
        assert "« item[0].productOrService »" in detail["message"]
    assert (_count(world, Personne), _count(world, ledger.Ecriture)) == before


def test_a_bad_fse_in_a_lot_is_rejected_alone(world: World) -> None:
    """A control character in one FSE of a lot rejects that FSE (motif FORMAT), not the lot."""
    lot = {"numero": "L-NUL", "professionnel_rpps": "10003456786", "fse": [
        {"numero": "N1", "nir": with_key("2900313055001"), "date_soins": "2026-01-05", "lignes": [{"acte": "G", "montant": "30.00"}]},
        {"numero": f"N{NUL}2", "nir": with_key("2900313055001"), "date_soins": "2026-01-05", "lignes": [{"acte": "G", "montant": "30.00"}]},
    ]}
    answer = world.client.post("/api/maladie/lots", json=lot, headers=world.as_("docteur"))
    assert answer.status_code == 200, answer.text
    second = answer.json()["resultats"][1]
    assert (second["statut"], second["code"]) == ("rejetee", "FORMAT") and "caractère de contrôle" in second["motif"]
    assert answer.json()["resultats"][0]["numero"] == "N1"


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(route, "original_router", None) or getattr(route, "routes", None)
        if inner is not None:
            found += _api_routes(list(getattr(inner, "routes", inner)))
    return found


def test_every_input_model_refuses_control_characters() -> None:
    """The rule holds for every body of the API, as it is today and as it grows: each model derives from Entree."""
    from secu.app import API_ROUTERS
    from secu.maladie.api import fhir_router

    routes = _api_routes([*API_ROUTERS, fhir_router])
    assert len(routes) > 50
    bodies = [(route.path, param.field_info.annotation) for route in routes for param in route.dependant.body_params]
    assert bodies
    for path, annotation in bodies:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            assert issubclass(annotation, Entree), (path, annotation)
        else:  # a JSON object taken whole: the ObjetJson type, which walks it
            metadata = [m for param in [p for r in routes if r.path == path for p in r.dependant.body_params] for m in param.field_info.metadata]
            assert any("_json" in repr(m) for m in metadata), (path, annotation)


# -- identifiers -------------------------------------------------------------------------


def test_identifiers_beyond_32_bits_are_422_everywhere(world: World) -> None:
    """The PostgreSQL 500 of the fuzz: an identifier larger than the column, in a path or a body."""
    too_big = ID_MAX + 1
    body = world.client.post(f"/api/personnes/{world.parent_id}/ayants-droit", json={"enfant_id": too_big, "date_debut": "2016-01-01"},
                             headers=world.as_("admin"))
    assert body.status_code == 422 and body.json()["detail"]["champ"] == "enfant_id", body.text
    path = world.client.post(f"/api/personnes/{too_big}/ayants-droit", json={"enfant_id": world.child_id, "date_debut": "2016-01-01"},
                             headers=world.as_("admin"))
    assert path.status_code == 422 and path.json()["detail"]["champ"] == "personne_id", path.text
    document = world.client.app.openapi()  # type: ignore[attr-defined]
    unbounded = []
    for template, item in document["paths"].items():
        for verb, operation in item.items():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                if param["in"] == "path" and schema.get("type") == "integer" and schema.get("maximum", 2**63) > ID_MAX:
                    unbounded.append((verb, template, param["name"]))
    schemas = document["components"]["schemas"]
    inputs: set[str] = set()

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref and name not in inputs:
                inputs.add(name)
                refs(schemas[name])
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    refs([op.get("requestBody", {}) for item in document["paths"].values() for op in item.values() if isinstance(op, dict)])
    assert {"AyantDroitIn", "UtilisateurIn", "MembreDeclare"} <= inputs
    for name in inputs:
        schema = schemas[name]
        for field, prop in schema.get("properties", {}).items():
            options = prop.get("anyOf", [prop])
            if field.endswith("_id") and any(o.get("type") == "integer" and o.get("maximum", 2**63) > ID_MAX for o in options):
                unbounded.append(("schema", name, field))
    assert not unbounded


# -- the ledger --------------------------------------------------------------------------


@pytest.mark.parametrize("montant", [4_600_000_000_000_000_000, 2**63, 10**14 + 1])
def test_ledger_amounts_are_bounded(world: World, montant: int) -> None:
    before = _count(world, ledger.Ecriture)
    answer = world.client.post("/api/grand-livre/ecritures", json=_entry(montant, cle=f"entrees:{montant}"), headers=world.as_("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["champ"] in ("lignes[0].montant_cents", "lignes[1].montant_cents")
    assert _count(world, ledger.Ecriture) == before


def test_the_ledger_itself_refuses_an_amount_out_of_bounds() -> None:
    """The same bound for every writer, not only the API (the batch, the payment runs)."""
    import secu.organismes  # noqa: F401 - installs the organism check
    from secu.core.errors import InvalidField

    entry = ledger.NouvelleEcriture(cle_idempotence="x", date_operation=date(2026, 1, 5), libelle="x", lignes=(
        ledger.Ligne("maladie", "CPAM-75", "a", ledger.MONTANT_MAX_CENTS + 1), ledger.Ligne("maladie", "CPAM-75", "b", -ledger.MONTANT_MAX_CENTS - 1)))
    with pytest.raises(InvalidField) as refused:
        ledger._check(entry)
    assert refused.value.field == "lignes[0].montant_cents"


def test_a_request_that_fails_after_posting_leaves_no_entry(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 4 through HTTP: the entry is written inside a savepoint, then the journal fails: 500, and nothing stored."""
    import secu.grand_livre.api as grand_livre_api

    def failing_journal(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("panne simulée du journal")

    monkeypatch.setattr(grand_livre_api, "journal", failing_journal)
    before = (_count(world, ledger.Ecriture), _count(world, ledger.LigneEcriture))
    client = TestClient(world.client.app, raise_server_exceptions=False)  # type: ignore[arg-type]
    answer = client.post("/api/grand-livre/ecritures", json=_entry(12_345, cle="entrees:panne"), headers=world.as_("admin"))
    assert answer.status_code == 500
    assert (_count(world, ledger.Ecriture), _count(world, ledger.LigneEcriture)) == before


# -- authentication before the body, and a size limit --------------------------------------


def _call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict[str, Any], int]:
    """Send a request straight to the ASGI app; count the body's chunks the app asked for."""
    asked = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        if asked <= len(chunks):
            return {"type": "http.request", "body": chunks[asked - 1], "more_body": asked < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path, "raw_path": path.encode(),
             "root_path": "", "scheme": "http", "query_string": b"", "headers": headers, "client": ("127.0.0.1", 1), "server": ("test", 80)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), asked


def test_an_unauthenticated_body_is_never_read(world: World) -> None:
    """50 Mo sent without a token (the DSN route takes that much), 5 Mo elsewhere: answered 401 before a byte is read."""
    chunk = b"x" * (1024 * 1024)
    for path, size in (("/api/recouvrement/dsn", 50), ("/api/grand-livre/ecritures", 5)):
        headers = [(b"content-type", b"application/json"), (b"content-length", str(size * len(chunk)).encode())]
        status, body, asked = _call(world.client.app, "POST", path, headers, [chunk] * size)
        assert (status, asked) == (401, 0), body
        assert "authentification" in body["detail"]["message"]
        forged = headers + [(b"authorization", b"Bearer pas-un-jeton")]
        status, body, asked = _call(world.client.app, "POST", path, forged, [chunk] * size)
        assert (status, asked) == (401, 0), body


def test_a_body_over_the_limit_is_413_in_french(world: World) -> None:
    token = world.as_("admin")["Authorization"].encode()
    chunk = b" " * (1024 * 1024)
    declared = [(b"content-type", b"application/json"), (b"authorization", token), (b"content-length", str(11 * len(chunk)).encode())]
    status, body, asked = _call(world.client.app, "POST", "/api/grand-livre/ecritures", declared, [chunk] * 11)
    assert (status, asked) == (413, 0)
    assert body["detail"] == {"champ": "requete", "message": "requête trop volumineuse (10 Mo au plus)"}
    streamed = [(b"content-type", b"application/json"), (b"authorization", token)]  # no length announced: counted as it comes
    status, body, asked = _call(world.client.app, "POST", "/api/grand-livre/ecritures", streamed, [chunk] * 20)
    assert status == 413 and asked == 11, (status, asked)
    assert limites.taille_max("/api/recouvrement/dsn") > 50 * limites.MO


def test_a_page_s_form_with_a_control_character_gets_a_french_page(world: World) -> None:
    answer = world.client.post("/connexion", data={"identifiant": f"agent{NUL}", "mot_de_passe": "x", "csrf": "x"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "caractère de contrôle" in answer.text and "« identifiant »" in answer.text
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]  # the bounds' answers carry the headers too
