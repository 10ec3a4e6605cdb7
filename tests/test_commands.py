"""The demo and serve commands, as a person runs them: a real process, a real port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

SECU = str(Path(sys.executable).with_name("secu"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_seeds_once_then_serves(tmp_path: Path) -> None:
    env = {**os.environ, "SECU_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("SECU_DATABASE_URL", None)
    first = subprocess.run([SECU, "demo", "--no-serve", "--foyers", "15"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "Population créée" in first.stdout and "agent.demo" in first.stdout and "demo-secu-2026" in first.stdout
    assert "Feuilles de soins" in first.stdout and "0 rejetée" in first.stdout
    assert (tmp_path / "secu.db").exists()
    featured, siret = _the_demo_has_its_cash_benefits(tmp_path / "secu.db", first.stdout)
    second = subprocess.run([SECU, "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "déjà peuplé" in second.stdout

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([SECU, "demo", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "le serveur n'a pas démarré"
                assert server.poll() is None, log.read_text()
                time.sleep(0.3)
        assert page.status_code == 200 and "Personnes" in page.text
        token = httpx.post(f"http://127.0.0.1:{port}/api/auth/jeton", data={"username": "assure.demo", "password": "demo-secu-2026"}).json()
        me = httpx.get(f"http://127.0.0.1:{port}/api/auth/moi", headers={"Authorization": f"Bearer {token['access_token']}"}).json()
        attestation = httpx.get(
            f"http://127.0.0.1:{port}/api/personnes/{me['personne_id']}/attestation",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert attestation["couvert"] is True and attestation["organisme"]["code"]
        statement = httpx.get(
            f"http://127.0.0.1:{port}/api/maladie/personnes/{me['personne_id']}/decompte",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert statement["total"] >= 1 and all(f["lignes"][0]["explication"] for f in statement["items"])  # the demo's claims, explained
        # The family's CAF dossier: rights of December 2025 explained, and the monthly payments of the demo runs.
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        dossiers = httpx.get(f"http://127.0.0.1:{port}/api/famille/dossiers", headers=auth).json()["items"]
        assert len(dossiers) == 1
        rights = httpx.get(f"http://127.0.0.1:{port}/api/famille/dossiers/{dossiers[0]}/droits", params={"mois": "2025-12-01"}, headers=auth).json()
        paid = httpx.get(f"http://127.0.0.1:{port}/api/famille/dossiers/{dossiers[0]}/paiements", headers=auth).json()["paiements"]
        assert all(p["explication"] and p["net_cents"] == p["brut_cents"] - p["crds_cents"] for p in rights["prestations"])
        assert sum(p["vire_cents"] + p["retenue_cents"] for p in paid) == sum(line["net_cents"] for p in paid for line in p["lignes"] if line["net_cents"] > 0)
        assert ("Famille :" in first.stdout) and ("APA :" in first.stdout)
        # « Mes arrêts et indemnités » of the assuré answers; the demo agent sees the arrêt of the employee of the caisse
        # (the late avis and its avertissement, the IJ periods paid); the demo employer, the IJ it receives by subrogation.
        mine = httpx.get(f"http://127.0.0.1:{port}/api/especes/personnes/{me['personne_id']}/arrets", headers=auth)
        assert mine.status_code == 200 and mine.json()["total"] == len(mine.json()["items"])
        agent = _bearer(port, "agent.demo")
        [arret] = httpx.get(f"http://127.0.0.1:{port}/api/especes/personnes/{featured}/arrets", headers=agent).json()["items"]
        assert [(a["nature"], a["sanction"]) for a in arret["avis"]] == [("initial", "avertissement"), ("prolongation", "aucune")]
        assert arret["periodes"] and all(p["statut"] == "payee" and p["explication"] for p in arret["periodes"])
        subrogees = httpx.get(f"http://127.0.0.1:{port}/api/especes/employeurs/{siret}/ij-subrogees", headers=_bearer(port, "employeur.demo")).json()
        assert subrogees["total_net_cents"] > 0 and all(i["statut"] == "payee" for i in subrogees["items"])
        with _page_session(port, "agent.demo") as pages:  # the bureau de l'agent's page of that arrêt
            page = pages.get(f"/agent/personnes/{featured}/arrets")
        assert page.status_code == 200 and "envoi tardif</strong>, avertissement" in page.text and "jour(s) de carence" in page.text
        with _page_session(port, "assure.demo") as pages:
            assert "Mes arrêts et indemnités" in pages.get("/assure/arrets").text
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert f"http://127.0.0.1:{port}/" in log.read_text()


def _bearer(port: int, login: str) -> dict[str, str]:
    token = httpx.post(f"http://127.0.0.1:{port}/api/auth/jeton", data={"username": login, "password": "demo-secu-2026"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


@contextmanager
def _page_session(port: int, login: str) -> Iterator[httpx.Client]:
    """A browser-like client signed in through the sign-in form (its CSRF token, its session cookie)."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/connexion").text)
        assert csrf is not None
        signed = client.post("/connexion", data={"csrf": csrf.group(1), "identifiant": login, "mot_de_passe": "demo-secu-2026"})
        assert signed.status_code == 303, signed.text[:300]
        yield client


def _the_demo_has_its_cash_benefits(database: Path, output: str) -> tuple[int, str]:
    """Issue 13's demo (its "Done when"): arrêts de travail, a congé de maternité, IJ periods paid, an invalid person and
    a death. Read in the demo's database; then the arrêts' seeding run again pays nothing twice. Returns the featured
    employee (the arrêt with the late avis, of the demo agent's caisse) and the SIRET of the subrogated employer."""
    import sqlalchemy as sa

    from secu.core.db import make_engine, session_factory
    from secu.demo.arrets import seed_arrets
    from secu.especes.deces import DecesAssure
    from secu.especes.invalidite import PensionInvalidite, VersementInvalidite
    from secu.especes.models import ArretTravail, AttestationSalaireRecue, AvisArret, PeriodeIJ
    from secu.register.models import Personne

    output = _flat(output)  # the console wraps its long lines
    assert "Arrêts de travail : 4 arrêts (dont 1 congé maternité, 1 AT/MP, 1 avis envoyé en retard)" in output
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as db:
            risques = dict(db.execute(sa.select(ArretTravail.risque, sa.func.count()).group_by(ArretTravail.risque)).all())
            assert risques == {"maladie": 2, "maternite": 1, "atmp": 1}
            assert db.scalar(sa.select(sa.func.count()).where(ArretTravail.prolongations == 1)) == 1
            assert db.scalar(sa.select(sa.func.count()).where(ArretTravail.atmp, ArretTravail.sinistre_reference.is_not(None))) == 1
            assert db.scalar(sa.select(sa.func.count()).where(ArretTravail.subrogation)) == 1
            # every arrêt indemnisable through the employer's DSN signalement (04, and the 05 de reprise)
            assert set(db.scalars(sa.select(ArretTravail.statut))) == {"indemnisable"}
            assert set(db.scalars(sa.select(AttestationSalaireRecue.source))) == {"dsn"}
            assert db.scalar(sa.select(sa.func.count()).select_from(AttestationSalaireRecue)) == 5
            featured = db.scalar(sa.select(ArretTravail.personne_id).join(AvisArret).where(AvisArret.sanction == "avertissement"))
            paid = db.execute(sa.select(PeriodeIJ.risque, PeriodeIJ.beneficiaire, PeriodeIJ.net_cents).where(PeriodeIJ.statut == "payee")).all()
            assert {r for r, _, _ in paid} == {"maladie", "maternite", "atmp"} and {b for _, b, _ in paid} == {"assure", "employeur"}
            assert db.scalar(sa.select(sa.func.count()).select_from(PeriodeIJ).where(PeriodeIJ.statut != "payee")) == 0
            atmp = db.scalars(sa.select(PeriodeIJ.explication).where(PeriodeIJ.risque == "atmp")).all()
            assert any("au taux majoré" in e for e in atmp)  # the accident du travail past its 28th day: 80 % (CSS R. 433-1)
            total = sum(n for _, _, n in paid)
            assert _flat(f"IJ versées {_eur(total)}") in output
            siret = db.scalar(sa.select(ArretTravail.siret).where(ArretTravail.subrogation))
            # the invalid person paid, the death recorded and its capital paid
            assert db.scalar(sa.select(sa.func.count()).select_from(PensionInvalidite)) == 1
            assert db.scalar(sa.select(sa.func.sum(VersementInvalidite.montant_cents))) > 0
            deces = db.execute(sa.select(DecesAssure.personne_id, DecesAssure.statut)).all()
            assert [s for _, s in deces] == ["paye"] and db.scalar(sa.select(Personne.date_deces).where(Personne.id == deces[0][0])) is not None
        again = seed_arrets(session_factory(engine))
        assert (again.periodes, again.periodes_payees, again.verse_cents) == (len(paid), len(paid), total)
    finally:
        engine.dispose()
    assert featured is not None and siret is not None
    return featured, siret


def _flat(text: str) -> str:
    return " ".join(text.split())


def _eur(cents: int) -> str:
    from secu.core.money import format_eur

    return format_eur(cents)


def test_cheap_password_hashing_is_for_the_tests_alone() -> None:
    """The tests hash at argon2id's cheapest cost (tests/cheap_hashing); a process started outside them, at argon2's default."""
    from secu.core.security import hash_password, verify_password

    cheap = hash_password("mot-de-passe-de-test")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$") and verify_password(cheap, "mot-de-passe-de-test")
    cheap_folder = str(Path(__file__).resolve().with_name("cheap_hashing"))
    path = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != cheap_folder]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    code = "from secu.core.security import hash_password; print(hash_password('mot-de-passe-de-test'))"
    production = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    # argon2-cffi's default profile, RFC 9106's low-memory choice: 64 MiB, 3 passes, 4 lanes
    assert production.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_bad_account_is_refused_in_french_naming_the_field() -> None:
    from typer.testing import CliRunner

    from secu.cli import app

    runner = CliRunner()
    base = ["utilisateur", "--login", "nouvel.agent", "--nom", "Agent"]
    role = runner.invoke(app, [*base, "--role", "chef"], env={"SECU_PASSWORD": "un-mot-de-passe-assez-long"})
    assert role.exit_code == 2 and "role : valeur inconnue" in role.stderr and "'analyste'" in role.stderr
    short = runner.invoke(app, [*base, "--role", "analyste"], env={"SECU_PASSWORD": "court"})
    assert short.exit_code == 2 and "password : 12 caractères au moins" in short.stderr
