"""The use cases of accounts, called as the CLI, the pages and the demo call them (no HTTP), then over HTTP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from secu.core.db import unit_of_work
from secu.core.errors import Conflict, InvalidField, Unauthenticated
from secu.core.security import Role, user_for_token
from secu.organismes import route
from secu.utilisateurs import service
from secu.utilisateurs.service import UtilisateurIn, create_user

PASSWORD = "mot-de-passe-de-test"


def _account(login: str, role: Role, **links: object) -> UtilisateurIn:
    return UtilisateurIn(login=login, password=PASSWORD, role=role, nom_affiche=login, **links)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_account("agent.sans.caisse", Role.AGENT), "organisme_code"),
        (_account("assure.sans.dossier", Role.ASSURE), "personne_id"),
        (_account("mc.en.cpam", Role.MEDECIN_CONSEIL, organisme_code="CPAM-75"), "organisme_code"),
    ],
)
def test_an_account_needs_what_its_profile_is_scoped_by(app, data: UtilisateurIn, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidField) as refused, unit_of_work(app.state.sessions) as session:
        create_user(session, data)
    assert refused.value.field == field


def test_sign_in_sign_out_and_a_taken_login(app) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as session:
        create_user(session, _account("analyste.service", Role.ANALYSTE))
    with pytest.raises(Conflict), unit_of_work(app.state.sessions) as session:
        create_user(session, _account("analyste.service", Role.ANALYSTE))
    connexion = service.sign_in(app.state.sessions, "analyste.service", PASSWORD)
    assert connexion.role is Role.ANALYSTE
    with pytest.raises(Unauthenticated):
        service.sign_in(app.state.sessions, "analyste.service", "mauvais mot de passe")
    with unit_of_work(app.state.sessions) as session:
        assert user_for_token(session, connexion.token).login == "analyste.service"
        service.sign_out(session, connexion.token)
    with pytest.raises(Unauthenticated), unit_of_work(app.state.sessions) as session:
        user_for_token(session, connexion.token)


def test_a_deactivated_account_loses_its_tokens_and_cannot_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as session:
        admin_id = create_user(session, _account("admin.service", Role.ADMIN)).id
        target_id = create_user(session, _account("employe.parti", Role.ANALYSTE)).id
    client = TestClient(app)
    admin = {"Authorization": f"Bearer {service.sign_in(app.state.sessions, 'admin.service', PASSWORD).token}"}
    target = {"Authorization": f"Bearer {service.sign_in(app.state.sessions, 'employe.parti', PASSWORD).token}"}
    assert client.get("/api/auth/moi", headers=target).status_code == 200
    refused = client.post(f"/api/utilisateurs/{admin_id}/desactivation", headers=target)
    assert refused.status_code == 403  # only the administrator closes accounts
    closed = client.post(f"/api/utilisateurs/{target_id}/desactivation", headers=admin)
    assert closed.status_code == 200 and closed.json()["actif"] is False
    again = client.get("/api/auth/moi", headers=target)
    assert again.status_code == 401 and "révoqué" in again.json()["detail"]["message"]
    with pytest.raises(Unauthenticated):
        service.sign_in(app.state.sessions, "employe.parti", PASSWORD)
    journal = client.get(f"/api/journal-acces?utilisateur_id={admin_id}", headers=admin).json()
    assert [(r["action"], r["ressource"], r["ressource_id"], r["detail"]) for r in journal] == [
        ("modification", "utilisateur", str(target_id), "désactivation")
    ]


def test_a_deactivated_accounts_web_session_ends_at_its_next_page(app) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as session:
        caisse = route("75", "maladie").code
        target_id = create_user(session, _account("agent.sur.le.depart", Role.AGENT, organisme_code=caisse)).id
    browser = TestClient(app, follow_redirects=False)
    form = browser.get("/connexion")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    signed_in = browser.post("/connexion", data={"identifiant": "agent.sur.le.depart", "mot_de_passe": PASSWORD, "csrf": csrf.group(1)})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/agent"
    assert browser.get("/agent").status_code == 200
    with unit_of_work(app.state.sessions) as session:
        service.deactivate_user(session, target_id)
    after = browser.get("/agent")
    # the very next page sends back to the sign-in form, and the session cookie is cleared
    assert after.status_code == 303 and after.headers["location"].startswith("/connexion?suite=/agent")
    assert 'secu_session=""' in after.headers.get("set-cookie", "") or "Max-Age=0" in after.headers.get("set-cookie", "")
