"""The compte de carrière over HTTP and `secu retraite importer`, on SQLite and PostgreSQL (issue 14 item 1).

The API's known world (tests/api/conftest.py): the parent lives in Paris, so his caisse de retraite is the CNAV; an
agent of the CNAV is added here (the role matrix has none), and one of the CARSAT Sud-Est, who must be refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from secu.config import settings
from secu.core.db import unit_of_work
from secu.core.security import JournalAcces, Role
from secu.organismes import route
from secu.register.models import Personne
from secu.retraite.cli_carriere import register
from secu.retraite.models import ReportCarriere
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import PASSWORD, World, app, world  # noqa: F401

TODAY = date.today()


@pytest.fixture(scope="module")
def agents(app, world: World) -> dict[str, str]:  # type: ignore[no-untyped-def]  # noqa: F811
    """Tokens of an agent of the parent's caisse de retraite (CNAV) and of another caisse (CARSAT Sud-Est)."""
    codes = {"agent.cnav": route("75", "retraite").code, "agent.carsat13": route("13", "retraite").code}
    with unit_of_work(app.state.sessions) as s:
        for login, code in codes.items():
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, role=Role.AGENT, organisme_code=code))
    return {login: world.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"] for login in codes}


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_releve_its_pdf_and_a_correction_through_the_api(app, world: World, agents: dict[str, str]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    client, parent = world.client, world.parent_id
    mine = client.get(f"/api/retraite/carriere/{parent}", headers=world.as_("assure.parent"))
    assert mine.status_code == 200 and mine.json()["personne_id"] == parent
    assert client.get(f"/api/retraite/carriere/{parent}", headers=_as(agents["agent.cnav"])).status_code == 200
    for refused in (_as(agents["agent.carsat13"]), world.as_("agent.paris"), world.as_("admin"), world.as_("assure.other")):
        answer = client.get(f"/api/retraite/carriere/{parent}", headers=refused)
        assert answer.status_code == 403, answer.text
    pdf = client.get(f"/api/retraite/carriere/{parent}/releve.pdf", headers=world.as_("assure.parent"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"

    bad = client.post(f"/api/retraite/carriere/{parent}/corrections", headers=world.as_("assure.parent"),
                      json={"annee": 2011, "nature": "chomage", "montant_cents": 5, "explication": "x"})
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "montant_cents"
    asked = client.post(f"/api/retraite/carriere/{parent}/corrections", headers=world.as_("assure.parent"),
                        json={"annee": 2011, "nature": "chomage", "jours": 150, "origine": "Pôle emploi", "explication": "attestation jointe"})
    assert asked.status_code == 201, asked.text
    correction_id = asked.json()["id"]
    queue = client.get("/api/retraite/corrections", headers=_as(agents["agent.cnav"])).json()
    assert correction_id in [c["id"] for c in queue["items"]]
    assert correction_id not in [c["id"] for c in client.get("/api/retraite/corrections", headers=_as(agents["agent.carsat13"])).json()["items"]]
    decision = {"decision": "acceptee", "date_decision": str(TODAY)}
    assert client.post(f"/api/retraite/corrections/{correction_id}/instruction", headers=_as(agents["agent.carsat13"]), json=decision).status_code == 403
    done = client.post(f"/api/retraite/corrections/{correction_id}/instruction", headers=_as(agents["agent.cnav"]), json=decision)
    assert done.status_code == 200 and done.json()["statut"] == "acceptee"
    again = client.post(f"/api/retraite/corrections/{correction_id}/instruction", headers=_as(agents["agent.cnav"]), json=decision)
    assert again.status_code == 409
    releve = client.get(f"/api/retraite/carriere/{parent}", headers=world.as_("assure.parent")).json()
    y2011 = next(a for a in releve["annees"] if a["annee"] == 2011)
    assert y2011["assimiles"] == {"chomage": {"jours": 150, "trimestres": 3}}  # R. 351-12 4° c): 150 // 50
    with unit_of_work(app.state.sessions) as s:
        rows = s.scalars(select(JournalAcces.ressource).where(JournalAcces.personne_id == parent, JournalAcces.ressource.like("retraite.%"))).all()
    assert {"retraite.carriere", "retraite.releve", "retraite.correction", "retraite.corrections"} <= set(rows)


def test_secu_retraite_importer(app, world: World, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """All or nothing, exit code 2 with every line's error; the same file twice imports nothing the second time."""
    monkeypatch.setenv("SECU_DATABASE_URL", database_url)
    settings.cache_clear()
    try:
        with unit_of_work(app.state.sessions) as s:
            nir = s.get(Personne, world.other_id).nir  # type: ignore[union-attr]
        commands = typer.Typer()
        commands.command("version")(lambda: None)  # a group, so the command is called by its name
        register(commands)
        runner = CliRunner()
        bad = tmp_path / "mauvais.csv"
        bad.write_text(f"nir,annee,nature,montant,jours,trimestres,mois,origine\n{nir},2012,salaire,1000,,,,A\n{nir},2013,salaire,,,,,B\n")
        refused = runner.invoke(commands, ["importer", str(bad)])
        assert refused.exit_code == 2 and "ligne 3, colonne montant :" in refused.output, refused.output
        good = tmp_path / "bon.csv"
        good.write_text(f"nir,annee,nature,montant,jours,trimestres,mois,origine\n{nir},2012,salaire,1000,,,,A\n{nir},2013,service_national,,95,,,Armée\n")
        first = runner.invoke(commands, ["importer", str(good)])
        assert first.exit_code == 0 and "2 ajoutée(s)" in first.output, first.output
        second = runner.invoke(commands, ["importer", str(good)])
        assert second.exit_code == 0 and "déjà importé" in second.output
        missing = runner.invoke(commands, ["importer", str(tmp_path / "absent.csv")])
        assert missing.exit_code == 2 and "FICHIER" in missing.output
    finally:
        settings.cache_clear()
    with unit_of_work(app.state.sessions) as s:
        assert sorted(s.scalars(select(ReportCarriere.annee).where(ReportCarriere.personne_id == world.other_id))) == [2012, 2013]
