"""The session cookie behind a TLS proxy, HSTS, and a private SQLite file (issue 12, defect 10).

The cookie was ``Secure`` only when the application itself saw https: behind a TLS proxy it never was. Now the
scheme a proxy forwards is believed from the proxies the installation trusts (``SECU_PROXIES_DE_CONFIANCE``), and
from nobody else. The SQLite file was created world-readable (the umask's 0644).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from secu.app import create_app
from secu.config import settings
from secu.core.db import make_engine, unit_of_work
from secu.core.security import Role
from secu.utilisateurs.service import UtilisateurIn, create_user

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def app_with_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """An application that trusts the test client's address as its TLS proxy."""
    monkeypatch.setenv("SECU_PROXIES_DE_CONFIANCE", "testclient")
    monkeypatch.setenv("SECU_HOME", str(tmp_path))
    settings.cache_clear()
    app = create_app(f"sqlite:///{tmp_path / 'secu.db'}")
    with unit_of_work(app.state.sessions) as s:
        create_user(s, UtilisateurIn(login="analyste", password=PASSWORD, nom_affiche="A", role=Role.ANALYSTE))
    yield app
    app.state.engine.dispose()
    monkeypatch.delenv("SECU_PROXIES_DE_CONFIANCE")
    settings.cache_clear()


def _sign_in(client: TestClient, headers: dict[str, str]) -> str:
    form = client.get("/connexion", headers=headers)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    seed = re.search(r"secu_csrf=([^;]+)", form.headers["set-cookie"])
    assert csrf is not None and seed is not None
    # Sent by hand: the test client speaks http to the app, and keeps a Secure cookie to itself.
    answer = client.post("/connexion", data={"identifiant": "analyste", "mot_de_passe": PASSWORD, "csrf": csrf.group(1)},
                         headers={**headers, "Cookie": f"secu_csrf={seed.group(1)}"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("secu_session="))


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(app_with_proxy) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app_with_proxy)  # type: ignore[arg-type]
    behind_tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    assert "secure" in _sign_in(client, behind_tls).lower()
    assert client.get("/connexion", headers=behind_tls).headers["strict-transport-security"].startswith("max-age=")
    plain = TestClient(app_with_proxy)  # type: ignore[arg-type]
    assert "secure" not in _sign_in(plain, {}).lower()  # the proxy says http: no Secure, no HSTS
    assert "strict-transport-security" not in plain.get("/connexion").headers


def test_an_untrusted_client_cannot_claim_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default only 127.0.0.1 is a trusted proxy: the test client's forged header is ignored."""
    monkeypatch.delenv("SECU_PROXIES_DE_CONFIANCE", raising=False)
    settings.cache_clear()
    app = create_app(f"sqlite:///{tmp_path / 'secu.db'}")
    with unit_of_work(app.state.sessions) as s:
        create_user(s, UtilisateurIn(login="analyste", password=PASSWORD, nom_affiche="A", role=Role.ANALYSTE))
    client = TestClient(app)
    forged = {"X-Forwarded-Proto": "https"}
    assert "secure" not in _sign_in(client, forged).lower()
    assert "strict-transport-security" not in client.get("/connexion", headers=forged).headers
    app.state.engine.dispose()


def test_the_sqlite_file_and_its_journals_are_private(tmp_path: Path) -> None:
    path = tmp_path / "prive" / "secu.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
    reader = engine.connect()  # a transaction open: the -wal and -shm files exist
    reader.execute(sa.text("SELECT * FROM t")).all()
    files = sorted(p.name for p in path.parent.iterdir())
    assert {"secu.db", "secu.db-wal", "secu.db-shm"} <= set(files), files
    for name in files:
        assert stat.S_IMODE(os.stat(path.parent / name).st_mode) == 0o600, name
    reader.close()
    engine.dispose()
    old = tmp_path / "ancien.db"  # created world-readable by an older version: closed on the next start
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    make_engine(f"sqlite:///{old}").dispose()
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
