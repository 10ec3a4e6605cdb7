"""The famille API on both databases: declare, change, rights, payment history, monthly run; agents see their CAF only."""

from __future__ import annotations

from datetime import date

import pytest

from secu.core.db import unit_of_work
from secu.core.security import Role
from secu.utilisateurs.service import UtilisateurIn, create_user
from tests.api.conftest import PASSWORD, app, world  # noqa: F401  (the API's known world)


@pytest.fixture(scope="module")
def caf(app, world):  # type: ignore[no-untyped-def]  # noqa: F811  (the fixtures imported above)
    """The known world's Paris parent (IBAN) and child; CAF agents of Paris and of the Bouches-du-Rhône."""
    with unit_of_work(app.state.sessions) as s:
        for login, code in (("caf.paris", "CAF-75"), ("caf.marseille", "CAF-13")):
            create_user(s, UtilisateurIn(login=login, password=PASSWORD, nom_affiche=login, role=Role.AGENT, organisme_code=code))
    for login in ("caf.paris", "caf.marseille"):
        world.tokens[login] = world.client.post("/api/auth/jeton", data={"username": login, "password": PASSWORD}).json()["access_token"]
    return world


def test_declare_change_read_and_pay_through_the_api(caf) -> None:  # type: ignore[no-untyped-def]
    w = caf
    start = date.today().replace(day=1)
    body = {"membres": [{"personne_id": w.parent_id, "role": "allocataire", "date_debut": str(start)},
                        {"personne_id": w.child_id, "role": "enfant", "date_debut": str(start)}],
            "date_debut": str(start), "ressources": [{"personne_id": w.parent_id, "annee": start.year - 2, "montant": "30000"}]}
    refused = w.client.post("/api/famille/dossiers", json=body, headers=w.as_("caf.marseille"))
    assert refused.status_code == 403
    bad = w.client.post("/api/famille/dossiers", json=body | {"ressources": [{"personne_id": w.parent_id, "annee": 2024, "montant": "-5"}]},
                        headers=w.as_("caf.paris"))
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "ressources[0].montant"
    created = w.client.post("/api/famille/dossiers", json=body, headers=w.as_("caf.paris"))
    assert created.status_code == 201, created.text
    dossier = created.json()
    assert dossier["organisme_code"] == "CAF-75" and dossier["iban_connu"]

    path = f"/api/famille/dossiers/{dossier['id']}"
    assert w.client.get(path, headers=w.as_("caf.marseille")).status_code == 403
    assert w.client.get(path, headers=w.as_("assure.other")).status_code == 403
    assert w.client.get(path, headers=w.as_("assure.parent")).status_code == 200  # the allocataire sees his own
    late = w.client.post(f"{path}/changements", json={"nature": "separation", "date": "2020-01-01"}, headers=w.as_("caf.paris"))
    assert late.status_code == 422 and late.json()["detail"]["champ"] == "date"
    change = w.client.post(f"{path}/changements", json={"nature": "scolarite", "date": str(start), "personne_id": w.child_id, "scolarise": True},
                           headers=w.as_("caf.paris"))
    assert change.status_code == 201, change.text

    rights = w.client.get(f"{path}/droits", params={"mois": str(start)}, headers=w.as_("assure.parent"))
    assert rights.status_code == 200, rights.text
    assert rights.json()["situation"]["nb_parents"] == 1  # one child alone: no AF; the answer still explains the month

    assert w.client.post("/api/famille/paiements", json={"organisme_code": "CAF-75", "mois": str(start)}, headers=w.as_("caf.marseille")).status_code == 403
    run = w.client.post("/api/famille/paiements", json={"organisme_code": "CAF-75", "mois": str(start)}, headers=w.as_("caf.paris"))
    assert run.status_code == 200, run.text
    again = w.client.post("/api/famille/paiements", json={"organisme_code": "CAF-75", "mois": str(start)}, headers=w.as_("caf.paris"))
    assert again.json() == run.json()
    history = w.client.get(f"{path}/paiements", headers=w.as_("assure.parent"))
    assert history.status_code == 200 and len(history.json()["paiements"]) == 1
    assert w.client.get(f"/api/famille/paiements/{run.json()['campagne_id']}/sepa.xml", headers=w.as_("caf.marseille")).status_code == 403


def test_the_simulator_stores_nothing(caf) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("secu.famille.foyer", reason="the household file parser (foyer.py) of the rules helper")
    w = caf
    body = {"mois": "2025-06-01", "foyer": {"parents": ["1985-05-14", "1987-01-01"],
                                            "enfants": [{"date_naissance": "2016-03-10"}, {"date_naissance": "2018-07-01"}],
                                            "ressources_n2": 40000, "biactif": False}}
    response = w.client.post("/api/famille/simulation", json=body, headers=w.as_("assure.other"))
    assert response.status_code == 200, response.text
    af = next(p for p in response.json()["prestations"] if p["prestation"] == "af")
    assert (af["brut_cents"], af["crds_cents"], af["net_cents"]) == (15_180, 75, 15_105)  # 32 % × 474,37 €
    anonymous = w.client.post("/api/famille/simulation", json=body)  # open to anyone, like the CAF's simulator
    assert anonymous.status_code == 200 and anonymous.json() == response.json()
