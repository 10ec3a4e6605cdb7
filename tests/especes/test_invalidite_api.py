"""Invalidité over HTTP on both databases, and the exonération it sets in the maladie liquidation (issue 13 §5, §8).

The assuré files his claim, the médecin-conseil of Île-de-France finds it in his queue and gives the avis (2e
catégorie), the CPAM of Paris grants it; from the date d'effet, a consultation of the assuré is reimbursed at
100 % of the tarif less the participation forfaitaire (CSS L. 160-14: the titulaires d'une pension d'invalidité;
L. 160-13 II: the participation remains), before it at 70 %.
"""

from __future__ import annotations

from datetime import date

from secu.web.session import COOKIE, sign
from tests.api.conftest import World, app, with_key, world  # noqa: F401  (the fixtures of the API's known world)

DOCTOR_RPPS = "10003456786"  # the parent's médecin traitant in the test world


def _consultation(known: World, numero: str, day: date) -> dict:  # type: ignore[type-arg]
    response = known.client.post(
        "/api/maladie/lots",
        headers=known.as_("docteur"),
        json={
            "numero": f"LOT-{numero}",
            "professionnel_rpps": DOCTOR_RPPS,
            "fse": [{"numero": numero, "nir": with_key("1850575115001"), "date_soins": day.isoformat(), "lignes": [{"acte": "G", "montant": "30.00"}]}],
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()["resultats"][0]
    assert result["statut"] == "liquidee", result
    return result  # type: ignore[no-any-return]


def test_claim_avis_decision_and_the_exoneration_in_the_liquidation(app, world: World) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    before = _consultation(world, "INV-1", date(2025, 4, 10))
    assert before["rembourse_cents"] == 1_900  # 70 % of 30 € less the 2 € participation forfaitaire

    claim = world.client.post(
        "/api/especes/invalidite/demandes",
        headers=world.as_("assure.parent"),
        json={
            "personne_id": world.parent_id,
            "date_demande": "2025-03-01",
            "date_arret": "2024-03-01",
            "iban": "FR7630006000011234567890189",
            "salaires_hors_secu": [{"annee": 2022, "salaire_cents": 2_400_000}, {"annee": 2023, "salaire_cents": 2_400_000}],
        },
    )
    assert claim.status_code == 200, claim.text
    demande_id = claim.json()["id"]
    assert claim.json()["statut"] == "deposee"

    queue = world.client.get("/api/especes/invalidite/file", headers=world.as_("mc.idf")).json()
    assert demande_id in [item["id"] for item in queue["items"]]
    assert world.client.get("/api/especes/invalidite/file", headers=world.as_("mc.paca")).json()["total"] == 0
    page = world.client.get("/medecin-conseil/invalidite", headers={"Cookie": f"{COOKIE}={sign(world.tokens['mc.idf'])}"})
    assert page.status_code == 200 and f"n° {demande_id}" in page.text
    refused = world.client.post(f"/api/especes/invalidite/demandes/{demande_id}/avis", headers=world.as_("mc.idf"), json={"motif": ""})
    assert refused.status_code == 422 and refused.json()["detail"]["champ"] == "motif"
    avis = world.client.post(
        f"/api/especes/invalidite/demandes/{demande_id}/avis",
        headers=world.as_("mc.idf"),
        json={"categorie": 2, "date_effet": "2025-05-01", "motif": "capacité de travail réduite des deux tiers"},
    )
    assert avis.status_code == 200, avis.text
    decision = world.client.post(
        f"/api/especes/invalidite/demandes/{demande_id}/decision", headers=world.as_("agent.paris"), json={"decision": "accord", "date_decision": "2025-04-20"}
    )
    assert decision.status_code == 200, decision.text
    assert decision.json()["avis"]["motif"] is None  # the agent does not read the medical motif
    mine = world.client.get(f"/api/especes/invalidite/demandes/{demande_id}", headers=world.as_("assure.parent")).json()
    assert mine["statut"] == "accordee" and mine["avis"]["motif"] == "capacité de travail réduite des deux tiers"

    pension = world.client.get(f"/api/especes/invalidite/pensions/{mine['pension_id']}?mois=2025-05-01", headers=world.as_("assure.parent"))
    assert pension.status_code == 200, pension.text
    body = pension.json()
    assert (body["categorie"], body["sam_cents"], body["pension_mensuelle_cents"]) == (2, 2_400_000, 100_000)  # 24 000 × 50 % ÷ 12
    assert all(step["reference"] for step in body["explication"] if step["montant_cents"] and step["etape"] != "Pension mensuelle")

    after = _consultation(world, "INV-2", date(2025, 6, 10))
    assert after["rembourse_cents"] == 2_800  # 100 % of 30 € less the participation forfaitaire
    assert after["lignes"][0]["exoneration"] == "invalidite"

    paid = world.client.post(
        "/api/especes/invalidite/paiements", headers=world.as_("agent.paris"), json={"organisme_code": world.cpam_paris, "mois": "2025-05-01"}
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["total_cents"] == 90_900 and paid.json()["virements"] == 1
    other = world.client.post(
        "/api/especes/invalidite/paiements", headers=world.as_("agent.marseille"), json={"organisme_code": world.cpam_paris, "mois": "2025-05-01"}
    )
    assert other.status_code == 403
