"""The indu of a reprise anticipée: IJ liquidated for days after the assuré went back to work (issue 13 §1).

An avis de reprise (or the employer's signalement de reprise) may reach the caisse after the IJ of days beyond it
were liquidated, and often paid. Those IJ were not due: the arrêt ends the day before the reprise, and what was
liquidated for the days after is an indu that the caisse recovers from the one it paid (CSS L. 133-4-1: « par un ou
plusieurs versements ou par retenue sur les prestations à venir »), after notifying it (R. 133-9-2, I: the nature,
dates and amount of the payments concerned and the motif; the debtor may ask within ``indu_ij.delai_rectification_jours``
(20) days that the information be rectified, and the indu is put into recovery at the earliest when that delay is
over).

The amount, period by period: what was liquidated minus what the same period cut at the day before the reprise gives
through :func:`secu.especes.rules.indemnites_journalieres` (with the same late-sending reductions and refusals), so
the carence, the AT/MP day 29 and the CSG and CRDS rounding are those of the rule; the periods keep their rows (a
payment made is a fact), and the indu is booked at once: the charge reversed, the CSG and CRDS no longer owed, a
créance on the payee (``creances.assures.indus_ij``, or ``creances.employeurs.indus_ij`` for IJ paid to a subrogated
employer: secu claims them from whoever received them). Periods liquidated but not yet paid are counted too: the
payment run pays every liquidated period, and the créance offsets it.

Recovery: secu notifies the indu (the arrêts' reads show it with its dates, amount and motif, and the day it may be
put into recovery). The retenue on the next IJ is not made: it needs the IJ payment run to net it (and a place to
record each retenue), which is not there yet.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.parameters import parameters
from secu.core.security import Action, Caller, Ressource, journal
from secu.especes import rules
from secu.especes.models import ArretTravail, AttestationSalaireRecue, AvisArret, PeriodeIJ

DELAI_RECTIFICATION = "indu_ij.delai_rectification_jours"
REF_INDU = "CSS art. L. 133-4-1 et R. 133-9-2"
COMPTE_CREANCE = {"assure": "creances.assures.indus_ij", "employeur": "creances.employeurs.indus_ij"}


def _cle(arret_id: int, reprise: date) -> str:
    return f"especes:indu:{arret_id}:{reprise.isoformat()}"


def _dues(session: Session, arret: ArretTravail, periodes: list[PeriodeIJ], dernier_jour: date) -> dict[int, dict[str, int]]:
    """What each period should have paid had the arrêt ended on ``dernier_jour``: the rule over its days up to then."""
    from secu.especes import service

    attestation = session.scalars(
        select(AttestationSalaireRecue).where(AttestationSalaireRecue.arret_id == arret.id).order_by(AttestationSalaireRecue.id.desc())
    ).first()
    heads = [p for p in periodes if p.debut <= dernier_jour]
    out = {p.id: {"brut": 0, "csg": 0, "crds": 0, "jours": 0} for p in periodes}
    if attestation is None or not heads:
        return out
    avis_list = list(session.scalars(
        select(AvisArret).where(AvisArret.arret_id == arret.id,
                                ((AvisArret.sanction == "reduction") & AvisArret.reduction_debut.is_not(None)) | AvisArret.controle_impossible.is_(True))
        .order_by(AvisArret.id)))  # fmt: skip
    s1, s2, s3 = service._salaires(attestation, arret.debut)
    base = {"risque": arret.risque, "debut": arret.debut, "fin": dernier_jour, "ald": arret.ald, **service._historiques(session, [arret])[arret.id],
            "salaire_1": s1, "salaire_2": s2, "salaire_3": s3, **service._conditions_ouverture(session, [(arret, attestation)])[arret.id]}  # fmt: skip
    rows: list[dict[str, Any]] = []
    sanctions: list[dict[str, Any]] = []
    for ligne, p in enumerate(heads):  # the liquidation's own call: one row per period, the avis's sanctions as input
        rows.append(base | {"periode_debut": p.debut, "periode_fin": min(p.fin, dernier_jour)})
        sanctions.extend(service._sanctions(ligne, avis_list))
    computed = rules.indemnites_journalieres(pl.DataFrame(rows, schema_overrides={
        "salaire_1": pl.Int64, "salaire_2": pl.Int64, "salaire_3": pl.Int64, "ij_deja_versees": pl.Int64, "ald_debut": pl.Date,
        "heures_3_mois": pl.Float64, "salaire_6_mois": pl.Int64, "heures_12_mois": pl.Float64, "salaire_12_mois": pl.Int64}),
        pl.DataFrame(sanctions, schema=service.SANCTIONS_SCHEMA))  # fmt: skip
    for p, row in zip(heads, computed.iter_rows(named=True), strict=True):
        out[p.id] = {"brut": int(row["brut_apres_sanctions"]), "csg": int(row["csg_apres_sanctions"]), "crds": int(row["crds_apres_sanctions"]),
                     "jours": int(row["jours_indemnises_apres_sanctions"])}  # fmt: skip
    return out


def constater(session: Session, caller: Caller, arret: ArretTravail, reprise: date, le: date) -> dict[str, Any] | None:
    """The indu of the IJ liquidated for the days from ``reprise`` on (called before the arrêt's end moves): booked in
    the ledger and journaled, once per (arrêt, reprise). None when no period reaches the reprise."""
    periodes = list(session.scalars(select(PeriodeIJ).where(PeriodeIJ.arret_id == arret.id, PeriodeIJ.fin >= reprise).order_by(PeriodeIJ.debut)))
    if not periodes:
        return None
    dues = _dues(session, arret, periodes, reprise - timedelta(days=1))
    lignes: list[dict[str, Any]] = []
    for p in periodes:
        due = dues[p.id]
        lignes.append({"debut": max(p.debut, reprise), "fin": p.fin, "beneficiaire": p.beneficiaire,
                       "jours": p.jours_indemnises - due["jours"], "brut": p.brut_cents - due["brut"], "csg": p.csg_cents - due["csg"],
                       "crds": p.crds_cents - due["crds"]})  # fmt: skip
    for ligne in lignes:
        if ligne["brut"] <= 0:  # nothing liquidated beyond what was due (a refused period): no indu on it
            ligne.update(jours=0, brut=0, csg=0, crds=0)
        ligne["net"] = ligne["brut"] - ligne["csg"] - ligne["crds"]
    total = {k: sum(int(ligne[k]) for ligne in lignes) for k in ("jours", "brut", "csg", "crds", "net")}
    if not total["brut"]:
        return None
    from secu.especes.service import BRANCHE

    branche, code = BRANCHE[arret.risque], arret.organisme_code
    comptes: list[ledger.Ligne] = [
        ledger.Ligne(branche, code, f"charges.prestations.ij.{arret.risque}", -total["brut"]),
        ledger.Ligne(branche, code, "dettes.attributaires.csg", total["csg"], contrepartie="URSSAF"),
        ledger.Ligne(branche, code, "dettes.attributaires.cades", total["crds"], contrepartie="CADES"),
    ]
    for payee, compte in COMPTE_CREANCE.items():
        net = sum(int(ligne["net"]) for ligne in lignes if ligne["beneficiaire"] == payee)
        if net:
            comptes.append(ledger.Ligne(branche, code, compte, net))
    premier, dernier = lignes[0]["debut"], lignes[-1]["fin"]
    ledger.post(session, ledger.NouvelleEcriture(
        cle_idempotence=_cle(arret.id, reprise),
        date_operation=le,
        libelle=f"Indu d'IJ {arret.risque} : reprise le {reprise:%d/%m/%Y}, IJ liquidées du {premier:%d/%m/%Y} au {dernier:%d/%m/%Y} (arrêt {arret.id})",
        document_source=json.dumps({"reprise": reprise, "jours": total["jours"], "du": premier, "au": dernier}, default=str),  # ≤ 120 characters
        lignes=tuple(line for line in comptes if line.montant_cents),
    ))  # fmt: skip
    journal(session, caller, Action.CREATION, Ressource.ARRET_TRAVAIL, arret.id, personne_id=arret.personne_id,
            detail=f"indu d'IJ constaté : {total['net']} c (reprise le {reprise.isoformat()})")  # fmt: skip
    return total


def indus_de(session: Session, arrets: list[ArretTravail]) -> dict[int, list[dict[str, Any]]]:
    """Each arrêt's indus as notified (read from their ledger entries): the reprise, the days, the amounts, and the
    day recovery may start."""
    if not arrets:
        return {}
    # every reprise an arrêt received (an avis, an attestation), each a possible indu: exact keys, read on the ledger's unique index
    ids = [a.id for a in arrets]
    reprises: set[tuple[int | None, date | None]] = {(a.id, a.date_reprise) for a in arrets if a.date_reprise is not None}
    reprises |= set(session.execute(select(AvisArret.arret_id, AvisArret.debut).where(AvisArret.arret_id.in_(ids), AvisArret.nature == "reprise")).all())
    reprises |= set(session.execute(select(AttestationSalaireRecue.arret_id, AttestationSalaireRecue.reprise)
                                    .where(AttestationSalaireRecue.arret_id.in_(ids), AttestationSalaireRecue.reprise.is_not(None))).all())  # fmt: skip
    if not reprises:
        return {}
    cles = [_cle(arret_id, reprise) for arret_id, reprise in reprises if arret_id is not None and reprise is not None]
    entries = session.scalars(select(ledger.Ecriture).where(ledger.Ecriture.cle_idempotence.in_(cles)).order_by(ledger.Ecriture.id)).all()
    out: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        arret_id = int(entry.cle_idempotence.split(":")[2])
        detail = json.loads(entry.document_source or "{}")
        montants: dict[str, int] = {}
        for line in entry.lignes:
            montants[line.compte] = montants.get(line.compte, 0) + int(line.montant_cents)
        brut = -sum(v for k, v in montants.items() if k.startswith("charges.prestations.ij."))
        delai = int(parameters().get(DELAI_RECTIFICATION).at(entry.date_operation).number())
        out.setdefault(arret_id, []).append({
            "reprise": date.fromisoformat(detail["reprise"]),
            "du": date.fromisoformat(detail["du"]),
            "au": date.fromisoformat(detail["au"]),
            "jours": int(detail["jours"]),
            "constate_le": entry.date_operation,
            "recouvrable_le": entry.date_operation + timedelta(days=delai),
            "brut_cents": brut,
            "csg_cents": montants.get("dettes.attributaires.csg", 0),
            "crds_cents": montants.get("dettes.attributaires.cades", 0),
            "net_cents": sum(montants.get(c, 0) for c in COMPTE_CREANCE.values()),
            "net_assure_cents": montants.get(COMPTE_CREANCE["assure"], 0),
            "net_employeur_cents": montants.get(COMPTE_CREANCE["employeur"], 0),
            "statut": "notifie",
            "reference": REF_INDU,
        })  # fmt: skip
    return out


__all__ = ["COMPTE_CREANCE", "DELAI_RECTIFICATION", "REF_INDU", "constater", "indus_de"]
