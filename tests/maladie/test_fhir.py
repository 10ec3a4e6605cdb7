"""FHIR Claim → lot: the per-item flags said through supportingInfo (ald, acte-lourd-pendant-sejour)."""

from __future__ import annotations

from secu.maladie.fhir import claim_to_lot, parse_claim


def test_a_stay_says_its_acte_lourd_through_supporting_info() -> None:
    """CSS R160-16: a stay during which an acte lourd was performed; the item points to the supportingInfo."""
    claim = parse_claim({
        "resourceType": "Claim",
        "identifier": [{"value": "S-1"}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "institutional"}]},
        "use": "claim",
        "patient": {"identifier": {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "185057511500115"}},
        "created": "2025-03-20",
        "provider": {"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "10003456786"}},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "AMO"}}],
        "supportingInfo": [{"sequence": 1, "category": {"coding": [{"code": "acte-lourd-pendant-sejour"}]}, "valueBoolean": True}],
        "item": [
            {"sequence": 1, "productOrService": {"coding": [{"code": "GHS"}]}, "servicedDate": "2025-03-20",
             "unitPrice": {"value": 1000, "currency": "EUR"}, "net": {"value": 1000, "currency": "EUR"}, "informationSequence": [1]},
            {"sequence": 2, "productOrService": {"coding": [{"code": "FJH"}]}, "servicedDate": "2025-03-20",
             "net": {"value": 20, "currency": "EUR"}},
        ],
    })
    stay, day = claim_to_lot(claim).fse[0]["lignes"]
    assert stay["acte_lourd_pendant_sejour"] is True and stay["ald"] is False
    assert day["acte_lourd_pendant_sejour"] is False
