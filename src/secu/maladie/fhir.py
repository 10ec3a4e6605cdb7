"""FHIR R4 facade for claims: a `Claim` in, a `ClaimResponse` out (validated with fhir.resources, R4B models).

Mapping (no public French profile exists for claims; this is ours):

| FHIR Claim                                             | FSE                      |
|--------------------------------------------------------|--------------------------|
| identifier[0].value                                    | numéro de la feuille     |
| patient.identifier (system NIR_SYSTEM)                 | NIR of the patient       |
| provider.identifier (system RPPS_SYSTEM, "8"+RPPS ok)  | the professional         |
| billablePeriod.start, or item.servicedDate             | date des soins           |
| item.productOrService.coding[0].code                   | acte (NGAP code)         |
| item.quantity.value / item.factor / item.net.value     | quantité / coefficient / montant facturé |
| item.unitPrice.value (priced items only)               | base unitaire            |
| supportingInfo category `tiers-payant`, `maternite`, `atmp` (valueBoolean), `parcours` (valueString) | flags of the FSE |
| supportingInfo category `ald`, pointed to by item.informationSequence | line in relation to the ALD |

Adjudication per item: `submitted` (charged), `eligible` (base de remboursement),
`eligpercent` (taux, in `value`), `copay` (ticket modérateur), `deductible`
(participation forfaitaire and franchise, each with its `reason`), `benefit`
(paid by the AMO), and the project's `depassement`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from pydantic import ValidationError

from secu.core.errors import InvalidField
from secu.maladie.intake import LotIn, Resultat

NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
RPPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
SECU_ADJUDICATION = "https://secu.example/fhir/CodeSystem/adjudication"
SECU_REJET = "https://secu.example/fhir/CodeSystem/rejet-fse"


def parse_claim(payload: dict[str, Any]) -> Claim:
    if not isinstance(payload, dict) or payload.get("resourceType") != "Claim":
        raise InvalidField("resourceType", "une ressource Claim est attendue")
    try:
        return Claim.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "Claim"
        raise InvalidField(where, f"ressource Claim invalide : {first['msg']}") from None


def _identifier(reference, system: str, field: str) -> str:  # type: ignore[no-untyped-def]
    identifier = getattr(reference, "identifier", None) if reference is not None else None
    if identifier is None or not identifier.value:
        raise InvalidField(field, "identifiant obligatoire")
    if identifier.system and identifier.system != system:
        raise InvalidField(field, f"système d'identifiant attendu : {system}")
    return str(identifier.value)


def claim_to_lot(claim: Claim) -> LotIn:
    """The Claim as a lot of one FSE, so both entry points share one intake."""
    numero = claim.identifier[0].value if claim.identifier else None
    if not numero:
        raise InvalidField("identifier", "le numéro de la feuille de soins (identifier) est obligatoire")
    nir = _identifier(claim.patient, NIR_SYSTEM, "patient.identifier")
    rpps = _identifier(claim.provider, RPPS_SYSTEM, "provider.identifier")
    if len(rpps) == 12 and rpps.startswith("8"):  # idNatPs = "8" + RPPS
        rpps = rpps[1:]
    flags: dict[str, Any] = {}
    info: dict[int | None, str | None] = {}
    for support in claim.supportingInfo or []:
        code = support.category.coding[0].code if support.category and support.category.coding else None
        value = support.valueBoolean if support.valueBoolean is not None else support.valueString
        if support.sequence is not None:
            info[support.sequence] = code
        if code in ("tiers-payant", "maternite", "atmp", "parcours"):
            flags[code] = value
    lignes = []
    dates: set[date] = set()
    for item in claim.item or []:
        coding = item.productOrService.coding[0] if item.productOrService and item.productOrService.coding else None
        codes = {info.get(seq) for seq in item.informationSequence or []}
        line: dict[str, Any] = {
            "acte": coding.code if coding else "",
            "quantite": int(item.quantity.value) if item.quantity and item.quantity.value is not None else 1,
            "montant": str(item.net.value) if item.net and item.net.value is not None else None,
            "ald": "ald" in codes,
            "acte_lourd_pendant_sejour": "acte-lourd-pendant-sejour" in codes,  # CSS R160-16
        }
        if item.factor is not None:
            line["coefficient"] = str(item.factor)
        if item.unitPrice is not None and item.unitPrice.value is not None:
            line["base_unitaire"] = str(item.unitPrice.value)
        if item.servicedDate:
            dates.add(item.servicedDate)
        lignes.append(line)
    if claim.billablePeriod and claim.billablePeriod.start:
        dates.add(claim.billablePeriod.start.date() if isinstance(claim.billablePeriod.start, datetime) else claim.billablePeriod.start)
    if len(dates) != 1:
        raise InvalidField("item.servicedDate", "une feuille de soins porte sur une seule date de soins")
    fse = {
        "numero": numero,
        "nir": nir,
        "date_soins": dates.pop().isoformat(),
        "tiers_payant": bool(flags.get("tiers-payant", False)),
        "maternite": bool(flags.get("maternite", False)),
        "atmp": bool(flags.get("atmp", False)),
        "lignes": lignes,
    }
    if flags.get("parcours"):
        fse["parcours"] = flags["parcours"]
    return LotIn(numero=f"FHIR-{numero}", professionnel_rpps=rpps, fse=[fse])


def _money(cents: int) -> dict[str, Any]:
    return {"value": Decimal(cents) / 100, "currency": "EUR"}


def _adjudication(code: str, cents: int | None = None, *, system: str = ADJUDICATION, reason: str | None = None,
                  value: Decimal | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"category": {"coding": [{"system": system, "code": code}]}}
    if cents is not None:
        out["amount"] = _money(cents)
    if value is not None:
        out["value"] = value
    if reason:
        out["reason"] = {"coding": [{"system": SECU_ADJUDICATION, "code": reason}]}
    return out


def claim_response(claim: Claim, result: Resultat) -> dict[str, Any]:
    response: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": claim.type.model_dump(mode="json", exclude_none=True),
        "use": claim.use,
        "patient": claim.patient.model_dump(mode="json", exclude_none=True),
        "created": datetime.now(UTC).isoformat(),
        "insurer": {"display": "Assurance Maladie"},
        "outcome": "complete" if result.statut == "liquidee" else "error",
        "disposition": "feuille de soins liquidée" if result.statut == "liquidee" else result.motif,
    }
    if claim.identifier:
        response["request"] = {"identifier": claim.identifier[0].model_dump(mode="json", exclude_none=True)}
    if result.statut != "liquidee":
        response["error"] = [{"code": {"coding": [{"system": SECU_REJET, "code": result.code, "display": result.motif}]}}]
        return ClaimResponse.model_validate(response).model_dump(mode="json", exclude_none=True)
    items = []
    total_benefit = 0
    for line in result.lignes:
        adjudications = [
            _adjudication("submitted", line["montant_cents"]),
            _adjudication("eligible", line["base_remboursement_cents"]),
            _adjudication("eligpercent", value=Decimal(line["taux"]) * 100 if line["taux"] else None),
            _adjudication("copay", line["ticket_moderateur_cents"]),
            _adjudication("deductible", line["participation_forfaitaire_cents"], reason="participation-forfaitaire"),
            _adjudication("deductible", line["franchise_cents"], reason="franchise-medicale"),
            _adjudication("depassement", line["depassement_cents"], system=SECU_ADJUDICATION),
            _adjudication("benefit", line["rembourse_cents"]),
        ]
        total_benefit += line["rembourse_cents"]
        items.append({"itemSequence": line["numero"], "adjudication": adjudications})
    response["item"] = items
    response["total"] = [{"category": {"coding": [{"system": ADJUDICATION, "code": "benefit"}]}, "amount": _money(total_benefit)}]
    return ClaimResponse.model_validate(response).model_dump(mode="json", exclude_none=True)
