"""The autonomie API on SQLite and PostgreSQL: decisions, who may see what, French errors, idempotent payment runs.

The APA and the PCH are the département's: only the agents of the conseil départemental (``CD-<code>``)
decide and pay them, for its residents; a CPAM or CAF agent has no right on them (issue 12, defect 6)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from secu.acces import payeur_autonomie
from secu.app import create_app
from secu.core import ledger
from secu.core.db import unit_of_work
from secu.core.security import SYSTEM, Role
from secu.organismes import route
from secu.register import schemas, service
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import PASSWORD, with_key


@pytest.fixture(scope="module")
def app(database_url):  # type: ignore[no-untyped-def]
    application = create_app(database_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def world(app):  # type: ignore[no-untyped-def]
    client = TestClient(app)
    ids = {}
    with unit_of_work(app.state.sessions) as s:
        for key, nir, nom, born, dep, commune in (
            ("aine", "1400575115001", "Bernard", date(1940, 5, 14), "75", "75111"),
            ("jeune", "1700575115002", "Petit", date(1970, 5, 3), "75", "75111"),
            ("marseille", "2380313055003", "Roux", date(1938, 3, 3), "13", "13055"),
            ("enfant", "2150675115004", "Petit", date(2015, 6, 2), "75", "75111"),
        ):
            ids[key] = service.register_person(
                s, schemas.PersonneIn(nir=with_key(nir), nom_naissance=nom, prenoms="Jeanne", date_naissance=born, sexe=nir[0],
                                      departement=dep, commune=commune), caller=SYSTEM, today=date(2026, 1, 1),
            ).id
        service.attach_child(s, ids["jeune"], schemas.AyantDroitIn(enfant_id=ids["enfant"], date_debut=date(2015, 6, 2)),
                             caller=SYSTEM, today=date(2026, 1, 1))
        accounts = {
            "admin": dict(role=Role.ADMIN),
            "agent.paris": dict(role=Role.AGENT, organisme_code=payeur_autonomie("75")),
            "agent.marseille": dict(role=Role.AGENT, organisme_code=payeur_autonomie("13")),
            "cpam.paris": dict(role=Role.AGENT, organisme_code=route("75", "maladie").code),
            "caf.paris": dict(role=Role.AGENT, organisme_code=route("75", "famille").code),
            "assure.aine": dict(role=Role.ASSURE, personne_id=ids["aine"]),
            "assure.jeune": dict(role=Role.ASSURE, personne_id=ids["jeune"]),
            "analyste": dict(role=Role.ANALYSTE),
        }
        for login, extra in accounts.items():
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, **extra))
    tokens = {}
    for login in accounts:
        response = client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD})
        assert response.status_code == 200, response.text
        tokens[login] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return client, ids, tokens


def _apa(personne_id: int, **extra):  # type: ignore[no-untyped-def]
    return {"personne_id": personne_id, "prestation": "apa_domicile", "gir": 1, "plan_cents": 208_033, "ressources_cents": 150_000,
            "date_decision": "2025-12-15", "date_debut": "2026-01-01"} | extra


def test_an_agent_of_the_departement_decides_and_the_amount_is_explained(world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    response = client.post("/api/autonomie/decisions", json=_apa(ids["aine"]), headers=tokens["agent.paris"])
    assert response.status_code == 200, response.text
    body = response.json()
    # Hand computation of R232-11 (see test_rules): participation 219,84 €, APA 1 860,49 €.
    assert body["participation_cents"] == 21_984 and body["montant_mensuel_cents"] == 186_049
    assert body["departement"] == "75"
    assert any("CNSA" in step["etape"] for step in body["explication"])


def test_an_agent_of_another_departement_may_not_decide(world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    response = client.post("/api/autonomie/decisions", json=_apa(ids["aine"], date_debut="2026-02-01"), headers=tokens["agent.marseille"])
    assert response.status_code == 403


@pytest.mark.parametrize("login", ["cpam.paris", "caf.paris"])
def test_a_caisse_agent_may_neither_decide_nor_pay_nor_read_an_apa(world, login) -> None:  # type: ignore[no-untyped-def]
    """Defect 6: a CPAM or CAF agent of the same département decided and paid the APA; the journal shows the refusals."""
    client, ids, tokens = world
    decide = client.post("/api/autonomie/decisions", json=_apa(ids["aine"], date_debut="2026-02-01"), headers=tokens[login])
    assert decide.status_code == 403, decide.text
    pay = client.post("/api/autonomie/paiements", json={"departement": "75", "mois": "2026-01-01"}, headers=tokens[login])
    assert pay.status_code == 403, pay.text
    listing = client.get(f"/api/autonomie/personnes/{ids['aine']}/decisions", headers=tokens[login])
    assert listing.status_code == 403, listing.text
    journal = client.get(f"/api/journal-acces?personne_id={ids['aine']}&taille=100", headers=tokens["admin"]).json()
    assert any(r["action"] == "refus" and r["ressource"].startswith("/api/autonomie/decisions") for r in journal)


def test_the_departement_decides_for_its_residents_only(world) -> None:  # type: ignore[no-untyped-def]
    """Naming itself as the payer does not let a département decide for the resident of another."""
    client, ids, tokens = world
    response = client.post("/api/autonomie/decisions", json=_apa(ids["marseille"], departement="75", date_debut="2026-02-01"),
                           headers=tokens["agent.paris"])
    assert response.status_code == 403 and "réside" in response.json()["detail"]["message"]


@pytest.mark.parametrize(
    ("who", "extra", "field"),
    [
        ("aine", {"gir": 7, "date_debut": "2026-03-01"}, "gir"),
        ("aine", {"gir": 5, "date_debut": "2026-03-01"}, "gir"),
        ("jeune", {}, "age"),
        ("aine", {"ressources_cents": -1, "date_debut": "2026-03-01"}, "ressources_cents"),
        ("aine", {"gir": 4, "plan_cents": 81_153, "date_debut": "2026-03-01"}, "plan_cents"),
    ],
)
def test_refusals_are_in_french_and_name_the_field(world, who, extra, field) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    response = client.post("/api/autonomie/decisions", json=_apa(ids[who], **extra), headers=tokens["admin"])
    assert response.status_code == 422, response.text
    error = response.json()
    text = str(error)
    assert field in text
    if field == "plan_cents":
        assert "plafond" in text and "811,52" in text
    if field == "age":
        assert "60 ans" in text


def test_who_may_read_a_decision(world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    listing = client.get(f"/api/autonomie/personnes/{ids['aine']}/decisions", headers=tokens["assure.aine"])
    assert listing.status_code == 200 and listing.json()["total"] == 1
    decision_id = listing.json()["items"][0]["id"]
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["assure.aine"]).status_code == 200
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["assure.jeune"]).status_code == 403
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["analyste"]).status_code == 403
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["agent.marseille"]).status_code == 403
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["agent.paris"]).status_code == 200
    assert client.get(f"/api/autonomie/decisions/{decision_id}", headers=tokens["cpam.paris"]).status_code == 403
    # The département's agent lists the person's decisions it pays; the other département sees none of them.
    assert client.get(f"/api/autonomie/personnes/{ids['aine']}/decisions", headers=tokens["agent.paris"]).json()["total"] == 1
    assert client.get(f"/api/autonomie/personnes/{ids['aine']}/decisions", headers=tokens["agent.marseille"]).status_code == 403


def test_a_parent_reads_the_decisions_of_the_child_they_answer_for(world) -> None:  # type: ignore[no-untyped-def]
    """An assuré listed a child's decisions but could not open one: now both, and nobody else's."""
    client, ids, tokens = world
    pch = {"personne_id": ids["enfant"], "prestation": "pch", "ressources_cents": 0, "aides_techniques_cents": 10_000,
           "date_decision": "2025-12-15", "date_debut": "2027-01-01"}  # after the months the other tests pay
    created = client.post("/api/autonomie/decisions", json=pch, headers=tokens["agent.paris"])
    assert created.status_code == 200, created.text
    listing = client.get(f"/api/autonomie/personnes/{ids['enfant']}/decisions", headers=tokens["assure.jeune"])
    assert listing.status_code == 200 and [d["id"] for d in listing.json()["items"]] == [created.json()["id"]]
    assert client.get(f"/api/autonomie/decisions/{created.json()['id']}", headers=tokens["assure.jeune"]).status_code == 200
    assert client.get(f"/api/autonomie/decisions/{created.json()['id']}", headers=tokens["assure.aine"]).status_code == 403
    assert client.get(f"/api/autonomie/personnes/{ids['enfant']}/decisions", headers=tokens["assure.aine"]).status_code == 403
    journal = client.get(f"/api/journal-acces?personne_id={ids['enfant']}&taille=100", headers=tokens["admin"]).json()
    assert {r["ressource"] for r in journal if r["action"] == "lecture" and r["role"] == "assure"} == {
        "decision_autonomie", "decisions_autonomie"}


def _ledger_total(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as s:
        count = s.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.startswith("autonomie:")))
        debit = s.scalar(select(func.coalesce(func.sum(ledger.LigneEcriture.montant_cents), 0))
                         .where(ledger.LigneEcriture.montant_cents > 0, ledger.LigneEcriture.branche == "autonomie"))
    return int(count or 0), int(debit or 0)


def test_the_monthly_run_pays_once_and_books_the_concours(app, world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    assert client.post("/api/autonomie/paiements", json={"departement": "13", "mois": "2026-01-01"}, headers=tokens["agent.paris"]).status_code == 403
    first = client.post("/api/autonomie/paiements", json={"departement": "75", "mois": "2026-01-20"}, headers=tokens["agent.paris"])
    assert first.status_code == 200, first.text
    bilan = first.json()
    # 1 860,49 € paid; concours 41,5 % = 772,10 € (772,10335 rounded to the cent).
    assert bilan["nouveaux"] == 1 and bilan["total_cents"] == 186_049 and bilan["concours_cents"] == 77_210
    before = _ledger_total(app)
    assert before == (2, 186_049 + 77_210)
    again = client.post("/api/autonomie/paiements", json={"departement": "75", "mois": "2026-01-01"}, headers=tokens["admin"]).json()
    assert again["nouveaux"] == 0 and again["total_cents"] == 186_049 and again["campagne_id"] == bilan["campagne_id"]
    assert _ledger_total(app) == before
    with unit_of_work(app.state.sessions) as s:
        balances = ledger.balances(s, ledger.FiltreSoldes(branche="autonomie", compte_prefixe="departement.75."))
    by_account = {b.compte: b.solde_cents for b in balances}
    assert by_account["departement.75.charges.apa_domicile"] == 186_049
    assert by_account["departement.75.produits.concours_cnsa"] == -77_210
    decision = client.get(f"/api/autonomie/personnes/{ids['aine']}/decisions", headers=tokens["assure.aine"]).json()["items"][0]
    assert decision["versements"] == [{"mois": "2026-01-01", "montant_cents": 186_049, "participation_cents": 21_984, "concours_cnsa_cents": 77_210}]


def test_analysts_see_totals_only(world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    response = client.get("/api/autonomie/statistiques?annee=2026", headers=tokens["analyste"])
    assert response.status_code == 200
    lines = response.json()["lignes"]
    # One beneficiary: under the secret statistique's threshold (11), the line shows neither the count nor the amounts.
    assert lines == [{"departement": "75", "prestation": "apa_domicile", "beneficiaires": None, "verse_cents": None,
                      "concours_cnsa_cents": None, "secret": True}]
    assert client.get("/api/autonomie/statistiques?annee=2026", headers=tokens["agent.paris"]).status_code == 403
    assert client.get("/api/autonomie/statistiques?annee=2026", headers=tokens["admin"]).json()["lignes"] == lines


def test_the_ledger_narrowed_to_one_person_shows_analysts_no_amount(world) -> None:  # type: ignore[no-untyped-def]
    """Defect 6: an analyst filtered the ledger down to one person's APA and read it; now the cell is secret."""
    client, ids, tokens = world
    url = "/api/grand-livre/soldes?branche=autonomie&compte=departement.75.charges"
    analyst = client.get(url, headers=tokens["analyste"]).json()
    assert [(r["compte"], r["secret"], r["debit_cents"], r["solde_cents"]) for r in analyst] == [
        ("departement.75.charges.apa_domicile", True, None, None)]
    # Nor by difference: an analyst's periods are whole months, so two periods a day apart give the same cells.
    day = client.get(url + "&du=2026-01-02&au=2026-01-30", headers=tokens["analyste"]).json()
    month = client.get(url + "&du=2026-01-01&au=2026-01-31", headers=tokens["analyste"]).json()
    assert day == month and client.get(url + "&au=9999-12-31", headers=tokens["analyste"]).status_code == 200
    admin = client.get(url, headers=tokens["admin"]).json()
    assert [(r["compte"], r["secret"], r["debit_cents"]) for r in admin] == [("departement.75.charges.apa_domicile", False, 186_049)]


def test_the_analysts_dashboard_hides_a_month_of_one_payment(app, world) -> None:  # type: ignore[no-untyped-def]
    """The pages too: the autonomie branch's January is one person's APA, so the dashboard does not show it."""
    from secu.web.analyste import comptes_par_branche

    with unit_of_work(app.state.sessions) as s:
        autonomie = comptes_par_branche(s)["autonomie"]
    assert autonomie == [{"mois": date(2026, 1, 1), "secret": True}]


def test_simulation_stores_nothing(app, world) -> None:  # type: ignore[no-untyped-def]
    client, ids, tokens = world
    before = _ledger_total(app)
    response = client.post("/api/autonomie/simulation", headers=tokens["assure.jeune"], json={
        "date": "2026-06-01", "gir": 2, "date_naissance": "1945-01-01", "plan_cents": 100_000, "ressources_cents": 500_000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["participation_cents"] == 90_000 and body["apa_versee_cents"] == 10_000  # above S2: 90 % of the plan
    assert body["explication"][-1]["montant_cents"] == 10_000
    anonymous = client.post("/api/autonomie/simulation", json={  # open to anyone: reads no file, stores nothing
        "date": "2026-06-01", "gir": 2, "date_naissance": "1945-01-01", "plan_cents": 100_000, "ressources_cents": 500_000})
    assert anonymous.status_code == 200 and anonymous.json() == body
    refused = client.post("/api/autonomie/simulation", headers=tokens["assure.jeune"], json={
        "date": "2026-06-01", "gir": 3, "age": 59, "plan_cents": 100_000, "ressources_cents": 0})
    assert refused.status_code == 422 and "age" in str(refused.json())
    assert _ledger_total(app) == before
