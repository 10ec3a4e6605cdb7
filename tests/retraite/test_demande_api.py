"""The demande de retraite over HTTP, on both databases: the assuré files, the agent of the CNAV (his caisse retraite in
Paris) finds it in his queue, instructs, grants, pays; the assuré reads the letter and his payments.

The amounts: the full career of test_demande_service.py (SAM 30 000 € at 50 %, prorata 168/168: 1 250 € a month,
CSS art. L. 351-1, R. 351-27), from 1 April 2025; April paid on 9 May 2025 (terme échu, CSS art. R. 355-2) net of the
CSG 8,3 %, CRDS 0,5 % and CASA 0,3 % at the taux normal (L. 136-8 III): 1 136,25 €.
"""

from __future__ import annotations

from datetime import date

from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import PASSWORD, World, app, with_key, world  # noqa: F401  (the fixtures of the API's known world)

CNAV = route("75", "retraite").code
IBAN = "FR7630006000011234567890189"


def _login(known: World, login: str) -> dict[str, str]:
    response = known.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_claim_queue_instruction_grant_letter_and_payment(app, world: World) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with unit_of_work(app.state.sessions) as s:
        personne = service.register_person(s, schemas.PersonneIn(
            nir=with_key("2610375115042"), nom_naissance="Garnier", prenoms="Marie", date_naissance=date(1961, 3, 10), sexe="2",
            departement="75", commune="75111"), caller=SYSTEM, today=date(2024, 1, 1)).id
        create_user(s, UtilisateurIn(login="agent.cnav", password=PASSWORD, nom_affiche="agent.cnav", role=Role.AGENT, organisme_code=CNAV))
        create_user(s, UtilisateurIn(login="assure.retraite", password=PASSWORD, nom_affiche="assure.retraite", role=Role.ASSURE, personne_id=personne))
    agent, assure = _login(world, "agent.cnav"), _login(world, "assure.retraite")

    bad = world.client.post("/api/retraite/demandes", headers=assure, json={
        "personne_id": personne, "date_demande": "2025-02-12", "date_effet": "2025-04-15", "iban": IBAN})
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "date_effet", bad.text
    claim = world.client.post("/api/retraite/demandes", headers=assure, json={
        "personne_id": personne, "date_demande": "2025-02-12", "date_effet": "2025-04-01", "iban": IBAN, "enfants": 2})
    assert claim.status_code == 200, claim.text
    demande = claim.json()
    assert (demande["statut"], demande["organisme_code"]) == ("deposee", CNAV)

    queue = world.client.get("/api/retraite/file", headers=agent).json()
    assert demande["id"] in [item["id"] for item in queue["items"]]
    assert world.client.get("/api/retraite/file", headers=world.as_("agent.paris")).status_code == 403  # a CPAM: no retirement file

    instructed = world.client.post(f"/api/retraite/demandes/{demande['id']}/instruction", headers=agent,
                                   json={"sam_cents": 3_000_000, "trimestres_rg": 168})
    assert instructed.status_code == 200, instructed.text
    assert instructed.json()["instruction"]["pension_mensuelle_cents"] == 125_000
    decided = world.client.post(f"/api/retraite/demandes/{demande['id']}/decision", headers=agent,
                                json={"decision": "attribution", "date_decision": "2025-03-15"})
    assert decided.status_code == 200 and decided.json()["statut"] == "attribuee", decided.text
    pension_id = decided.json()["pension_id"]

    lettre = world.client.get(f"/api/retraite/demandes/{demande['id']}/notification", headers=assure).json()
    assert "Attribution" in lettre["objet"] and lettre["montants"]["pension_mensuelle_cents"] == 125_000
    pdf = world.client.get(f"/api/retraite/demandes/{demande['id']}/notification.pdf", headers=assure)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    refused = world.client.post("/api/retraite/paiements", headers=agent, json={"organisme_code": route("13", "retraite").code, "echeance": "2025-05-09"})
    assert refused.status_code == 403  # another caisse's run
    run = world.client.post("/api/retraite/paiements", headers=agent, json={"organisme_code": CNAV, "echeance": "2025-05-09"})
    assert run.status_code == 200, run.text
    assert (run.json()["pensions"], run.json()["virements"], run.json()["total_cents"]) == (1, 1, 113_625)
    pension = world.client.get(f"/api/retraite/pensions/{pension_id}", headers=assure).json()
    assert [(v["mois"], v["brut_cents"], v["net_cents"], v["date_paiement"]) for v in pension["versements"]] == [
        ("2025-04-01", 125_000, 113_625, "2025-05-09")]
