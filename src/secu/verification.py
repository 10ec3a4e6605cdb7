"""What must hold in the database whatever happened (a crash, two runs at once): ``secu verifier``.

An operator runs it after an incident; the fault-injection harness
(``tests/fautes``, ``bench/fautes.py``) runs it after every killed and
resumed flow. Each check returns violations as French sentences; none is the
only good answer.

* every closed payment run (maladie, famille, autonomie, IJ): its SEPA file pays
  exactly what the run marks paid, transfer by transfer count and to the cent;
* nothing paid twice: a feuille de soins, a (run, dossier), a (decision,
  month) have one payment each, and each payment its one ledger entry;
* participations recovered from an assuré never exceed what they owe, an
  indu never more than its amount;
* the ledger is balanced: every entry's lines sum to zero;
* the access journal's chain is intact (:func:`secu.core.security.verify_journal`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from xml.etree import ElementTree

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secu.autonomie.models import CampagneAutonomie, VersementAutonomie
from secu.core import ledger
from secu.core.security import verify_journal
from secu.especes.models import CampagneIJ, PeriodeIJ
from secu.famille.models import CampagneFamille, InduFamille, PaiementFamille, RetenueIndu
from secu.maladie.models import CampagnePaiement, Fse

_PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def sepa_totals(xml: str) -> tuple[int, int]:
    """(number of transfers, total in cents) read from a pain.001 file's transactions (not from its header)."""
    if not xml:
        return 0, 0
    root = ElementTree.fromstring(xml)
    amounts = [Decimal(node.text or "0") for node in root.iter(f"{_PAIN}InstdAmt")]
    header = root.find(f"{_PAIN}CstmrCdtTrfInitn/{_PAIN}GrpHdr")
    total = int(sum(amounts, Decimal(0)) * 100)
    if header is not None:  # the header must agree with the transactions it announces
        declared = header.findtext(f"{_PAIN}CtrlSum")
        if declared is not None and int(Decimal(declared) * 100) != total:
            return len(amounts), -1
    return len(amounts), total


def maladie(session: Session) -> list[str]:
    out: list[str] = []
    for run in session.scalars(select(CampagnePaiement).where(CampagnePaiement.statut == "terminee").order_by(CampagnePaiement.id)):
        marked = int(session.scalar(select(func.coalesce(func.sum(Fse.verse_cents - Fse.recupere_cents), 0))
                                    .where(Fse.paiement_id == run.id)) or 0)
        count, total = sepa_totals(run.fichier_sepa or "")
        if total != marked or run.total_cents != marked or count != run.virements:
            out.append(f"campagne maladie {run.id} ({run.organisme_code}) : fichier SEPA {total} c en {count} virement(s), "
                       f"bilan {run.total_cents} c en {run.virements}, feuilles marquées payées {marked} c")
    paid = int(session.scalar(select(func.count(Fse.id)).where(Fse.paiement_id.is_not(None))) or 0)
    entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like("paiement:fse:%"))) or 0)
    if paid != entries:
        out.append(f"maladie : {paid} feuille(s) marquée(s) payée(s) mais {entries} écriture(s) de paiement")
    over = session.execute(
        select(Fse.personne_id, func.sum(Fse.recupere_cents), func.sum(Fse.a_recuperer_cents))
        .group_by(Fse.personne_id).having(func.sum(Fse.recupere_cents) > func.sum(Fse.a_recuperer_cents))
    ).all()
    out.extend(f"maladie : personne {personne} : {recovered} c récupérés pour {owed} c dus" for personne, recovered, owed in over)
    return out


def famille(session: Session) -> list[str]:
    out: list[str] = []
    for run in session.scalars(select(CampagneFamille).where(CampagneFamille.statut == "terminee").order_by(CampagneFamille.id)):
        marked, transfers = session.execute(
            select(func.coalesce(func.sum(PaiementFamille.vire_cents), 0), func.count(PaiementFamille.id))
            .where(PaiementFamille.campagne_id == run.id, PaiementFamille.vire_cents > 0)).one()
        count, total = sepa_totals(run.fichier_sepa or "")
        if total != int(marked) or run.total_cents != int(marked) or count != int(transfers) or run.virements != int(transfers):
            out.append(f"campagne famille {run.id} ({run.organisme_code} {run.mois:%m/%Y}) : fichier SEPA {total} c en {count} virement(s), "
                       f"bilan {run.total_cents} c en {run.virements}, paiements enregistrés {int(marked)} c en {int(transfers)}")
    # one entry per (run, dossier) at most, written with its payment (a payment of nothing books nothing)
    payments = int(session.scalar(select(func.count(PaiementFamille.id))) or 0)
    entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like("famille:paiement:%"))) or 0)
    if entries > payments:
        out.append(f"famille : {entries} écriture(s) de paiement pour {payments} paiement(s)")
    retenues = select(RetenueIndu.indu_id, func.sum(RetenueIndu.montant_cents).label("retenu")).group_by(RetenueIndu.indu_id).subquery()
    for indu_id, montant, recupere, retenu in session.execute(
        select(InduFamille.id, InduFamille.montant_cents, InduFamille.recupere_cents, func.coalesce(retenues.c.retenu, 0))
        .outerjoin(retenues, retenues.c.indu_id == InduFamille.id)
    ):
        if recupere > montant or recupere != int(retenu):
            out.append(f"famille : indu {indu_id} de {montant} c : {recupere} c récupérés, retenues {int(retenu)} c")
    return out


def autonomie(session: Session) -> list[str]:
    out: list[str] = []
    for run in session.scalars(select(CampagneAutonomie).where(CampagneAutonomie.statut == "terminee").order_by(CampagneAutonomie.id)):
        count, total = session.execute(select(func.count(VersementAutonomie.id), func.coalesce(func.sum(VersementAutonomie.montant_cents), 0))
                                       .where(VersementAutonomie.campagne_id == run.id)).one()
        if (int(count), int(total)) != (run.versements, run.total_cents):
            out.append(f"campagne autonomie {run.id} ({run.departement} {run.mois:%m/%Y}) : bilan {run.total_cents} c en {run.versements} "
                       f"versement(s), versements enregistrés {int(total)} c en {int(count)}")
    return out


def especes(session: Session) -> list[str]:
    """Each closed IJ run's file pays what it marks paid; each IJ period paid has one payment entry."""
    out: list[str] = []
    for run in session.scalars(select(CampagneIJ).where(CampagneIJ.statut == "terminee").order_by(CampagneIJ.id)):
        marked = int(session.scalar(select(func.coalesce(func.sum(PeriodeIJ.net_cents), 0)).where(PeriodeIJ.campagne_id == run.id)) or 0)
        count, total = sepa_totals(run.fichier_sepa or "")
        if total != marked or run.total_cents != marked or count != run.virements:
            out.append(f"campagne IJ {run.id} ({run.organisme_code}) : fichier SEPA {total} c en {count} virement(s), "
                       f"bilan {run.total_cents} c en {run.virements}, périodes marquées payées {marked} c")
    paid = int(session.scalar(select(func.count(PeriodeIJ.id)).where(PeriodeIJ.statut == "payee")) or 0)
    entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like("especes:paiement:%"))) or 0)
    if paid != entries:
        out.append(f"IJ : {paid} période(s) marquée(s) payée(s) mais {entries} écriture(s) de paiement")
    return out


def invalidite(session: Session) -> list[str]:
    """The invalidity runs: each closed run's SEPA file pays exactly what its rows mark paid (secu.especes.paiement_invalidite);
    each payment of a pension after the cumul has its one ledger entry (one row per pension and month: the schema's)."""
    from secu.especes.invalidite import CampagneInvalidite, VersementInvalidite

    out: list[str] = []
    for run in session.scalars(select(CampagneInvalidite).where(CampagneInvalidite.statut == "terminee").order_by(CampagneInvalidite.id)):
        count, total = session.execute(select(func.count(VersementInvalidite.id), func.coalesce(func.sum(VersementInvalidite.montant_cents), 0))
                                       .where(VersementInvalidite.campagne_id == run.id, VersementInvalidite.montant_cents > 0)).one()
        fichier = sepa_totals(run.fichier_sepa or "")
        if fichier != (int(count), int(total)) or (run.virements, run.total_cents) != fichier:
            out.append(f"campagne invalidité {run.id} ({run.organisme_code} {run.mois:%m/%Y}) : fichier SEPA {fichier[1]} c en {fichier[0]} "
                       f"virement(s), versements marqués {int(total)} c en {int(count)}")
    booked = int(session.scalar(select(func.count(VersementInvalidite.id)).where(VersementInvalidite.pension_cents > VersementInvalidite.reduction_cents)) or 0)
    entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like("invalidite:versement:%"))) or 0)
    if booked != entries:
        out.append(f"invalidité : {booked} versement(s) de pension mais {entries} écriture(s) de versement")
    return out


def retraite(session: Session) -> list[str]:
    """The retirement runs: each closed run's SEPA file pays what its rows mark paid; each month paid has its ledger entry."""
    from secu.retraite.models_pension import CampagneRetraite, VersementRetraite
    from secu.retraite.models_survivants import VersementSolidarite

    out: list[str] = []
    for run in session.scalars(select(CampagneRetraite).where(CampagneRetraite.statut == "terminee").order_by(CampagneRetraite.id)):
        count, total = 0, 0
        for table, cle in ((VersementRetraite, VersementRetraite.pension_id), (VersementSolidarite, VersementSolidarite.prestation_id)):
            par_pension = select(func.sum(table.net_cents).label("net")).where(table.campagne_id == run.id).group_by(cle).subquery()
            n, somme = session.execute(select(func.count(), func.coalesce(func.sum(par_pension.c.net), 0)).where(par_pension.c.net > 0)).one()
            count, total = count + int(n), total + int(somme)
        fichier = sepa_totals(run.fichier_sepa or "")
        if fichier != (int(count), int(total)) or (run.virements, run.total_cents) != fichier:
            out.append(f"campagne retraite {run.id} ({run.organisme_code} {run.echeance:%d/%m/%Y}) : fichier SEPA {fichier[1]} c en {fichier[0]} "
                       f"virement(s), versements marqués {int(total)} c pour {int(count)} pension(s)")
    paid = int(session.scalar(select(func.count(VersementRetraite.id)).where(VersementRetraite.brut_cents > 0)) or 0)
    entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like("retraite:versement:%"))) or 0)
    if paid != entries:
        out.append(f"retraite : {paid} mois de pension payé(s) mais {entries} écriture(s) de paiement")
    from secu.retraite.models_survivants import PrestationSolidarite

    for nature in ("reversion", "veuvage", "aspa"):
        paid = int(session.scalar(select(func.count(VersementSolidarite.id))
                                  .join(PrestationSolidarite, PrestationSolidarite.id == VersementSolidarite.prestation_id)
                                  .where(VersementSolidarite.brut_cents > 0, PrestationSolidarite.nature == nature)) or 0)
        entries = int(session.scalar(select(func.count(ledger.Ecriture.id)).where(ledger.Ecriture.cle_idempotence.like(f"retraite:{nature}:%"))) or 0)
        if paid != entries:
            out.append(f"retraite : {paid} mois de {nature} payé(s) mais {entries} écriture(s) de paiement")
    return out


def grand_livre(session: Session) -> list[str]:
    unbalanced = session.execute(
        select(ledger.LigneEcriture.ecriture_id, func.sum(ledger.LigneEcriture.montant_cents))
        .group_by(ledger.LigneEcriture.ecriture_id).having(func.sum(ledger.LigneEcriture.montant_cents) != 0)
    ).all()
    return [f"grand livre : écriture {entry} déséquilibrée de {int(amount)} c" for entry, amount in unbalanced]


def journal(session: Session) -> list[str]:
    etat = verify_journal(session)
    broken = etat.lignes_alterees
    rompue = [f"journal des accès : chaîne rompue aux lignes {broken[:10]}{' …' if len(broken) > 10 else ''}"] if broken else []
    return rompue + [f"journal des accès : {anomalie}" for anomalie in etat.anomalies]


CHECKS: dict[str, Callable[[Session], list[str]]] = {
    "maladie": maladie, "famille": famille, "autonomie": autonomie, "especes": especes, "invalidite": invalidite,
    "retraite": retraite,
    "grand_livre": grand_livre, "journal": journal,
}


def verifier(session: Session) -> list[str]:
    """Every violation found, in French; an empty list when everything holds."""
    return [violation for check in CHECKS.values() for violation in check(session)]
