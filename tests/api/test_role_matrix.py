"""Every role against every kind of read: what it must see, and what it must be refused.

Each row names the logins allowed; every other login must get 403 (and a
journal entry for refusals on a person's file), and no token at all gets 401.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import World

LOGINS = (
    "admin", "agent.paris", "agent.marseille", "mc.idf", "mc.paca",
    "assure.parent", "assure.other", "docteur", "employeur", "analyste",
)

MATRIX: dict[str, set[str]] = {
    "/api/personnes/{parent_id}": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{child_id}": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{other_id}": {"admin", "agent.marseille", "mc.paca", "assure.other"},
    "/api/personnes/{parent_id}/attestation": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{child_id}/attestation": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{parent_id}/affiliations": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{parent_id}/cartes-vitale": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{parent_id}/medecin-traitant": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{parent_id}/ayants-droit": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/personnes/{parent_id}/c2s": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    # Secret médical: only the medical service of the region, and the patient.
    "/api/personnes/{parent_id}/ald": {"mc.idf", "assure.parent"},
    "/api/personnes/{other_id}/ald": {"mc.paca", "assure.other"},
    "/api/personnes/{parent_id}/acces": {"admin", "assure.parent"},
    "/api/personnes?q=DURAND": {"admin", "agent.paris", "agent.marseille", "mc.idf", "mc.paca"},
    "/api/droits?carte_vitale={card}": {"docteur"},
    "/api/employeurs": {"admin", "agent.paris", "agent.marseille", "employeur"},
    "/api/employeurs/{employer_id}": {"admin", "agent.paris", "agent.marseille", "employeur"},
    "/api/employeurs/{other_employer_id}": {"admin", "agent.paris", "agent.marseille"},
    "/api/etablissements/{siret}": {"admin", "agent.paris", "agent.marseille", "employeur"},
    "/api/etablissements/{other_siret}": {"admin", "agent.paris", "agent.marseille"},
    "/api/statistiques/population": {"admin", "analyste"},
    "/api/statistiques/organismes": {"admin", "analyste"},
    "/api/grand-livre/soldes": {"admin", "analyste", "agent.paris", "agent.marseille"},
    "/api/journal-acces": {"admin"},
    "/api/journal-acces/verification": {"admin"},
    "/api/professionnels": set(LOGINS),
    "/api/professionnels/{doctor_id}": set(LOGINS),
    "/api/auth/moi": set(LOGINS),
    # Reimbursements: the caisse that pays them, its medical service, the assuré (and the parent for a child).
    "/api/maladie/personnes/{parent_id}/decompte": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/maladie/personnes/{child_id}/decompte": {"admin", "agent.paris", "mc.idf", "assure.parent"},
    "/api/maladie/personnes/{other_id}/decompte": {"admin", "agent.marseille", "mc.paca", "assure.other"},
    "/api/maladie/professionnel/paiements": {"docteur"},
    # The employer's account: the employer, its URSSAF (no CPAM agent here), an administrator.
    "/api/recouvrement/employeurs/732829320/compte": {"admin", "employeur"},
    "/api/recouvrement/employeurs/552100554/compte": {"admin"},
    "/api/recouvrement/personnes/{parent_id}/remunerations": {"admin", "agent.paris", "assure.parent"},
    "/api/recouvrement/personnes/{other_id}/remunerations": {"admin", "agent.marseille", "assure.other"},
}

CASES = [(path, login) for path, allowed in MATRIX.items() for login in LOGINS]


def _url(world: World, path: str) -> str:
    return path.format(**{k: getattr(world, k) for k in World.__dataclass_fields__ if k not in ("client", "tokens")})


@pytest.mark.parametrize(("path", "login"), CASES, ids=[f"{login}:{path}" for path, login in CASES])
def test_role_sees_only_what_it_may(world: World, path: str, login: str) -> None:
    response = world.client.get(_url(world, path), headers=world.as_(login))
    if login in MATRIX[path]:
        assert response.status_code == 200, (login, path, response.text)
    else:
        assert response.status_code == 403, (login, path, response.status_code, response.text)
        detail = response.json()["detail"]
        assert detail["message"].startswith(("accès refusé", "action non autorisée", "la recherche")), detail


@pytest.mark.parametrize("path", sorted(MATRIX))
def test_no_token_no_access(world: World, path: str) -> None:
    response = world.client.get(_url(world, path))
    assert response.status_code == 401
    assert "authentification requise" in response.json()["detail"]["message"]


def test_search_is_scoped_to_the_agents_caisse(world: World) -> None:
    paris = world.client.get("/api/personnes?q=DURAND", headers=world.as_("agent.paris")).json()
    marseille = world.client.get("/api/personnes?q=DURAND", headers=world.as_("agent.marseille")).json()
    assert {p["id"] for p in paris["items"]} == {world.parent_id, world.child_id}
    assert marseille["items"] == [] and marseille["total"] == 0


def test_agent_sees_the_exoneration_but_not_the_disease(world: World) -> None:
    body = world.client.get(f"/api/personnes/{world.parent_id}/attestation", headers=world.as_("agent.paris")).text
    assert "affection de longue durée" in body
    assert "Diabète" not in body and "PS-1" not in body


def test_medical_adviser_sees_the_disease(world: World) -> None:
    rows = world.client.get(f"/api/personnes/{world.parent_id}/ald", headers=world.as_("mc.idf")).json()
    assert [(r["code"], r["libelle"][:7]) for r in rows] == [("8", "Diabète")]


def test_analyst_aggregates_carry_no_name_and_no_nir(world: World) -> None:
    body = world.client.get("/api/statistiques/population", headers=world.as_("analyste")).json()
    text = str(body)
    assert "DURAND" not in text and "MARTIN" not in text
    assert all(set(cell) == {"departement", "sexe", "tranche_age", "effectif", "secret"} for cell in body["cellules"])
    # Three people only: every cell is under the threshold and hidden.
    assert all(cell["secret"] and cell["effectif"] is None for cell in body["cellules"])


def test_professional_reads_rights_only_with_the_card(world: World) -> None:
    ok = world.client.get(f"/api/droits?carte_vitale={world.card}", headers=world.as_("docteur"))
    assert ok.status_code == 200 and ok.json()["couvert"] is True
    unknown = world.client.get("/api/droits?carte_vitale=0000000000", headers=world.as_("docteur"))
    assert unknown.status_code == 404 and unknown.json()["detail"]["champ"] == "carte_vitale"


def test_refusals_and_reads_are_journalled(world: World) -> None:
    world.client.get(f"/api/personnes/{world.other_id}", headers=world.as_("agent.paris"))
    world.client.get(f"/api/personnes/{world.parent_id}", headers=world.as_("agent.paris"))
    rows = world.client.get(f"/api/journal-acces?personne_id={world.other_id}&taille=100", headers=world.as_("admin")).json()
    assert any(r["action"] == "refus" and r["role"] == "agent" for r in rows)
    rows = world.client.get(f"/api/journal-acces?personne_id={world.parent_id}&taille=100", headers=world.as_("admin")).json()
    assert any(r["action"] == "lecture" and r["role"] == "agent" and r["ressource"] == "personne" for r in rows)
    assert all("nir" not in (r["detail"] or "").lower() for r in rows)
    check = world.client.get("/api/journal-acces/verification", headers=world.as_("admin")).json()
    assert check == {"intact": True, "lignes_alterees": [], "anomalies": []}
