"""The register over the API: bad input refused in French naming the field, nothing half-written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from secu.core.db import unit_of_work
from secu.register.models import Personne
from tests.api.conftest import World, with_key


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessions) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model))


def person(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "nir": with_key("1920175115042"),
        "nom_naissance": "Leroy",
        "prenoms": "Hugo",
        "date_naissance": "1992-01-20",
        "sexe": "1",
        "departement": "75",
        "commune": "75111",
        "iban": "FR7630006000011234567890189",
    }
    body.update(overrides)
    return body


BAD_PERSONS = [
    ({"nir": "192017511504299"}, "nir", "clé"),
    ({"nir": "19201751150"}, "nir", "15"),
    ({"nir": with_key("3920175115042")}, "nir", "sexe"),
    ({"date_naissance": "1993-01-20"}, "nir", "année"),
    ({"sexe": "2"}, "nir", "sexe"),
    (
        {"date_naissance": (date.today() + timedelta(days=2)).isoformat(), "nir": with_key("1" + f"{(date.today() + timedelta(days=2)):%y%m}" + "75115042")},
        "date_naissance",
        "futur",
    ),
    ({"departement": "20"}, "departement", "2A"),
    ({"departement": "99"}, "departement", "inconnu"),
    ({"iban": "FR7630006000011234567890188"}, "iban", "IBAN"),
    ({"commune": "13055"}, "commune", "département"),
    ({"nom_naissance": "  "}, "nom_naissance", "obligatoire"),
    ({"date_naissance": "20/01/1992"}, "date_naissance", "date invalide"),
    ({"sexe": "3"}, "sexe", "valeur non autorisée"),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_PERSONS, ids=[f"{f}-{w}" for _, f, w in BAD_PERSONS])
def test_bad_person_refused_with_field_and_nothing_written(app, world: World, change, field, words) -> None:  # type: ignore[no-untyped-def]
    before = _count(app, Personne)
    response = world.client.post("/api/personnes", json=person(**change), headers=world.as_("agent.paris"))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["champ"] == field
    assert words.lower() in detail["message"].lower(), detail
    assert str(change.get("nir", "@@")) not in detail["message"]  # a NIR never appears in a message
    assert _count(app, Personne) == before


def test_register_then_duplicate_nir_is_a_conflict(app, world: World) -> None:  # type: ignore[no-untyped-def]
    created = world.client.post("/api/personnes", json=person(), headers=world.as_("agent.paris"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert {r["branche"]: r["organisme_code"] for r in body["rattachements"]}["maladie"] == world.cpam_paris
    again = world.client.post("/api/personnes", json=person(prenoms="Autre"), headers=world.as_("agent.paris"))
    assert again.status_code == 409 and again.json()["detail"]["champ"] == "nir"


def test_agent_cannot_register_someone_outside_their_caisse(app, world: World) -> None:  # type: ignore[no-untyped-def]
    response = world.client.post(
        "/api/personnes", json=person(nir=with_key("1920175115043"), prenoms="X"), headers=world.as_("agent.marseille")
    )
    assert response.status_code == 403


def test_bad_employer_and_establishment(world: World) -> None:
    headers = world.as_("agent.urssaf")  # the URSSAF registers employers (secu.acces)
    bad_siren = world.client.post("/api/employeurs", json={"siren": "732829321", "raison_sociale": "X"}, headers=headers)
    assert bad_siren.status_code == 422 and bad_siren.json()["detail"]["champ"] == "siren"
    bad_siret = world.client.post(
        "/api/employeurs",
        json={
            "siren": "356000000", "raison_sociale": "La Poste",
            "etablissements": [{"siret": "35600000000049", "code_naf": "53.10Z", "effectif": 10, "departement": "75"}],
        },
        headers=headers,
    )
    assert bad_siret.status_code == 422 and bad_siret.json()["detail"]["champ"] == "etablissements[0].siret"
    foreign_siret = world.client.post(
        f"/api/employeurs/{world.employer_id}/etablissements",
        json={"siret": "55210055400021", "code_naf": "62.01Z", "effectif": 3, "departement": "75"},
        headers=headers,
    )
    assert foreign_siret.status_code == 422 and "SIREN" in foreign_siret.json()["detail"]["message"]


def test_medecin_traitant_must_be_a_doctor(world: World) -> None:
    response = world.client.post(
        f"/api/personnes/{world.parent_id}/medecin-traitant",
        json={"professionnel_id": world.nurse_id, "date_debut": "2024-01-01"},
        headers=world.as_("assure.parent"),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {"champ": "professionnel_id", "message": "le médecin traitant doit être un médecin"}


def test_attestation_of_the_parent_and_of_the_child(world: World) -> None:
    parent = world.client.get(f"/api/personnes/{world.parent_id}/attestation?date=2024-03-01", headers=world.as_("assure.parent")).json()
    assert parent["couvert"] is True and parent["qualite"] == "assuré"
    assert parent["organisme"]["code"] == world.cpam_paris
    assert parent["droits_depuis"] == "2010-01-01"
    assert [e["motif"] for e in parent["exonerations"]] == ["ALD"]
    assert parent["medecin_traitant"]["nom"] == "MOREL"
    child = world.client.get(f"/api/personnes/{world.child_id}/attestation?date=2024-03-01", headers=world.as_("assure.parent")).json()
    assert child["couvert"] is True and child["qualite"] == "ayant droit"
    assert child["ouvrants_droit"] == [{"nom": "DURAND", "prenoms": "Paul"}]
    before = world.client.get(f"/api/personnes/{world.parent_id}/attestation?date=2009-12-31", headers=world.as_("assure.parent")).json()
    assert before["couvert"] is False and before["motif_absence_droits"] == "aucune période de droits ouverte à cette date"


def test_lost_card_is_replaced_and_the_old_one_stops_working(world: World) -> None:
    headers = world.as_("agent.marseille")
    issued = world.client.post(f"/api/personnes/{world.other_id}/cartes-vitale", json={"date_emission": "2020-01-01"}, headers=headers)
    assert issued.status_code == 201, issued.text
    second = world.client.post(f"/api/personnes/{world.other_id}/cartes-vitale", json={"date_emission": "2020-02-01"}, headers=headers)
    assert second.status_code == 409
    old = issued.json()
    replaced = world.client.post(f"/api/cartes-vitale/{old['id']}/perte", json={"motif": "perdue", "date": "2024-05-01"}, headers=headers)
    assert replaced.status_code == 201
    cards = world.client.get(f"/api/personnes/{world.other_id}/cartes-vitale", headers=headers).json()
    assert [c["statut"] for c in cards] == ["perdue", "active"]
    read_old = world.client.get(f"/api/droits?carte_vitale={old['numero']}", headers=world.as_("docteur"))
    assert read_old.status_code == 404
    read_new = world.client.get(f"/api/droits?carte_vitale={replaced.json()['numero']}", headers=world.as_("docteur"))
    assert read_new.status_code == 200


def test_only_a_medical_adviser_admits_an_ald(world: World) -> None:
    body = {"code": "30", "date_debut": "2024-01-01"}
    assert world.client.post(f"/api/personnes/{world.other_id}/ald", json=body, headers=world.as_("agent.marseille")).status_code == 403
    assert world.client.post(f"/api/personnes/{world.other_id}/ald", json=body, headers=world.as_("mc.idf")).status_code == 403
    bad = world.client.post(f"/api/personnes/{world.other_id}/ald", json={"code": "40", "date_debut": "2024-01-01"}, headers=world.as_("mc.paca"))
    assert bad.status_code == 422 and bad.json()["detail"]["champ"] == "code"
    ok = world.client.post(f"/api/personnes/{world.other_id}/ald", json=body, headers=world.as_("mc.paca"))
    assert ok.status_code == 201 and ok.json()["libelle"].startswith("Tumeur maligne")


def test_child_attachment_rules(world: World) -> None:
    headers = world.as_("agent.paris")
    again = world.client.post(f"/api/personnes/{world.parent_id}/ayants-droit", json={"enfant_id": world.child_id, "date_debut": "2016-01-01"}, headers=headers)
    assert again.status_code == 409
    adult = world.client.post(f"/api/personnes/{world.child_id}/ayants-droit", json={"enfant_id": world.parent_id, "date_debut": "2016-01-01"}, headers=headers)
    assert adult.status_code == 422


def test_pagination(world: World) -> None:
    page = world.client.get("/api/professionnels?taille=1&page=2", headers=world.as_("admin")).json()
    assert page["total"] == 2 and page["page"] == 2 and len(page["items"]) == 1
    too_big = world.client.get("/api/professionnels?taille=1000", headers=world.as_("admin"))
    assert too_big.status_code == 422 and too_big.json()["detail"]["champ"] == "taille"


def test_wrong_password_and_lockout(world: World) -> None:
    for _ in range(5):
        response = world.client.post("/api/auth/jeton", data={"username": "employeur", "password": "faux"})
        assert response.status_code == 401
        assert response.json()["detail"]["message"] == "identifiant ou mot de passe incorrect"
    locked = world.client.post("/api/auth/jeton", data={"username": "employeur", "password": "mot-de-passe-de-test"})
    assert locked.status_code == 429 and "réessayez" in locked.json()["detail"]["message"]


def test_a_login_no_account_can_have_is_an_unknown_user(world: World) -> None:
    # An over-long login: the same 401 as an unknown one, never a server error.
    response = world.client.post("/api/auth/jeton", data={"username": "x" * 500, "password": "faux"})
    assert response.status_code == 401, response.text
    assert response.json()["detail"]["message"] == "identifiant ou mot de passe incorrect"
    # A NUL byte (which PostgreSQL refuses in text) is refused before any account is looked up, like every control
    # character in every input (issue 12, defect 8): no account can have it, so this tells nothing of the accounts.
    response = world.client.post("/api/auth/jeton", data={"username": "ad\x00min", "password": "faux"})
    assert response.status_code == 422 and response.json()["detail"]["champ"] == "username", response.text


def test_sign_out_revokes_the_token(world: World) -> None:
    token = world.client.post("/api/auth/jeton", data={"username": "analyste", "password": "mot-de-passe-de-test"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert world.client.post("/api/auth/deconnexion", headers=headers).status_code == 204
    after = world.client.get("/api/auth/moi", headers=headers)
    assert after.status_code == 401 and "révoqué" in after.json()["detail"]["message"]
