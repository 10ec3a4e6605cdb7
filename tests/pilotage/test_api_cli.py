"""The pilotage through the API (the known world of tests/api/conftest.py) and the command line, on both databases."""

from __future__ import annotations

import io
import json
from datetime import date

import polars as pl
import pytest
from typer.testing import CliRunner

from secu.cli import app as cli

TODAY = date.today()


def test_the_accounts_and_the_lfss_through_the_api(world) -> None:  # type: ignore[no-untyped-def]
    c = world.client
    doc = c.get(f"/api/pilotage/comptes?annee={TODAY.year}", headers=world.as_("analyste")).json()
    assert doc["annee"] == TODAY.year and doc["source"] == "grand_livre" and doc["tableau"][-1]["branche"] == "toutes"
    bad = c.get(f"/api/pilotage/comptes?annee={TODAY.year}&branche=chomage", headers=world.as_("analyste"))
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "branche"
    published = c.get("/api/pilotage/lfss?annee=2025", headers=world.as_("analyste")).json()
    # ONDAM 2025 voted: soins de ville 113,2 Md€ (AN amdt n° 956 to the PLFSS 2025, loi n° 2025-199)
    assert {(o["sous_objectif"], o["etat"]): o["montant_md"] for o in published["ondam"]}[("soins_de_ville", "vote")] == "113.2"
    export = c.get(f"/api/pilotage/comptes/export?annee={TODAY.year}&table=tableau&format=parquet", headers=world.as_("admin"))
    assert export.status_code == 200 and 'filename="comptes-' in export.headers["content-disposition"]
    assert "solde_cents" in pl.read_parquet(io.BytesIO(export.content)).columns


def test_closing_through_the_api_is_the_administrations(world) -> None:  # type: ignore[no-untyped-def]
    c = world.client
    year = TODAY.year - 5
    assert c.post(f"/api/pilotage/exercices/{year}/cloture", headers=world.as_("analyste")).status_code == 403
    assert c.post(f"/api/pilotage/exercices/{year}/cloture", headers=world.as_("admin")).status_code == 201
    assert c.post(f"/api/pilotage/exercices/{year}/cloture", headers=world.as_("admin")).status_code == 409
    assert c.get("/api/pilotage/exercices", headers=world.as_("analyste")).json() == [{"annee": year, "clos": True}]
    entry = {"cle_idempotence": "pilotage:api", "date_operation": f"{year}-06-30", "libelle": "Essai",
             "lignes": [{"branche": "maladie", "organisme_code": "CPAM-75", "compte": "charges.prestations.soins", "montant_cents": 100},
                        {"branche": "maladie", "organisme_code": "CPAM-75", "compte": "tresorerie.virements_emis", "montant_cents": -100}]}
    refused = c.post("/api/grand-livre/ecritures", json=entry, headers=world.as_("admin"))
    assert refused.status_code == 422 and refused.json()["detail"]["champ"] == "date_operation"
    correction = {**entry, "date_operation": f"{TODAY.year}-01-02", "exercice_rattache": year}
    posted = c.post("/api/grand-livre/ecritures", json=correction, headers=world.as_("admin"))
    assert posted.status_code == 201 and posted.json()["exercice_rattache"] == year


runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from secu.config import settings

    monkeypatch.setenv("SECU_HOME", str(tmp_path))
    monkeypatch.delenv("SECU_DATABASE_URL", raising=False)
    settings.cache_clear()
    yield tmp_path
    settings.cache_clear()


def test_the_command_gives_the_lfss_beside_the_accounts_in_json(home) -> None:  # type: ignore[no-untyped-def]
    done = runner.invoke(cli, ["pilotage", "comptes", "--annee", "2024", "--json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    # 2024 rectified vieillesse: 287,4 / 293,7 / −6,3 Md€ (PLFSS 2025, CMP text, art. 1er)
    vieillesse = {p["etat"]: p for p in doc["lfss"] if p["branche"] == "vieillesse"}
    assert (vieillesse["rectifie"]["recettes_md"], vieillesse["rectifie"]["solde_md"]) == ("287.4", "-6.3")


@pytest.mark.parametrize(("args", "option"), [
    (["--annee", "1990"], "--annee"),
    (["--annee", "2019"], "--annee"),  # no entry and no LFSS value: nothing to show
    (["--annee", "2024", "--branche", "chomage"], "--branche"),
])
def test_bad_input_exits_2_naming_the_option(home, args: list[str], option: str) -> None:  # type: ignore[no-untyped-def]
    done = runner.invoke(cli, ["pilotage", "comptes", *args])
    assert done.exit_code == 2
    assert done.output.startswith(f"{option} : ")
