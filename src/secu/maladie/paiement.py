"""Payment runs: what the caisse owes becomes one SEPA credit-transfer file (pain.001) and ledger entries.

A run is keyed by (caisse, execution date), and holds its caisse's claim while it works (one run of a
caisse at a time, :func:`run_payments`). It claims the liquidated feuilles
de soins in chunks, each chunk in its own transaction with its ledger entries,
so a run cut off halfway resumes where it stopped; once the file is built the
run is closed, and running it again returns the same file and pays nothing.
A feuille is paid to the assuré, or to the professional under tiers payant;
one whose payee has no IBAN waits for the next run. A child's reimbursement
goes to the account of the parent through whom the child is covered. Under tiers payant the
professional receives the AMO's whole share and the participations and
franchises become the assuré's debt; the caisse recovers it from the
assuré's next reimbursements (CSS L160-13), deducted before the transfer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ledger
from secu.core.errors import InvalidField
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.sepa import Virement, fichier_virements
from secu.maladie.models import CampagnePaiement, Fse
from secu.organismes import compte_payeur, get_organisme
from secu.register.models import AyantDroit, Personne, ProfessionnelSante

CHUNK = 500


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    organisme_code: str
    date_execution: date
    virements: int
    total_cents: int
    feuilles: int
    fichier_sepa: str


def _with_account() -> Select[int]:
    """Persons who can be paid: their own IBAN, or (a minor) a parent's through whom they are covered."""
    parents_with_iban = select(AyantDroit.enfant_id).join(Personne, Personne.id == AyantDroit.ouvrant_droit_id).where(Personne.iban.is_not(None))
    return select(Personne.id).where(or_(Personne.iban.is_not(None), Personne.id.in_(parents_with_iban)))


def _payee(session: Session, personne_id: int, on: date) -> Personne:
    """Who receives an assuré's reimbursement: the assuré, or for a child without an account the parent ouvrant droit."""
    personne = session.get(Personne, personne_id)
    assert personne is not None
    if personne.iban:
        return personne
    parents = session.scalars(
        select(Personne).join(AyantDroit, AyantDroit.ouvrant_droit_id == Personne.id)
        .where(AyantDroit.enfant_id == personne_id, Personne.iban.is_not(None), AyantDroit.date_debut <= on,
               or_(AyantDroit.date_fin.is_(None), AyantDroit.date_fin >= on))
        .order_by(AyantDroit.date_debut, Personne.id)
    ).all()
    if not parents:  # the link ended since the care: the most recent parent with an account
        parents = session.scalars(select(Personne).join(AyantDroit, AyantDroit.ouvrant_droit_id == Personne.id)
                                  .where(AyantDroit.enfant_id == personne_id, Personne.iban.is_not(None))
                                  .order_by(AyantDroit.date_debut.desc(), Personne.id)).all()
    assert parents, "payable only with an account (see _payable)"
    return parents[0]


def _payable(organisme_code: str, campagne_id: int):  # type: ignore[no-untyped-def]
    """Liquidated, unpaid feuilles of the caisse whose payee has an IBAN."""
    has_iban = or_(
        and_(Fse.tiers_payant.is_(False), Fse.personne_id.in_(_with_account())),
        and_(Fse.tiers_payant.is_(True), Fse.professionnel_id.in_(select(ProfessionnelSante.id).where(ProfessionnelSante.iban.is_not(None)))),
    )
    return (
        select(Fse)
        .where(Fse.organisme_code == organisme_code, Fse.statut == "liquidee", Fse.paiement_id.is_(None), Fse.verse_cents > 0, has_iban)
        .order_by(Fse.id)
    )


def _claim_chunk(session: Session, run: CampagnePaiement) -> int:
    organisme_code, campagne_id = run.organisme_code, run.id
    feuilles = list(session.scalars(sans_attendre(session, _payable(organisme_code, campagne_id).limit(CHUNK))))
    owed: dict[int, int] = {}
    for fse in feuilles:
        fse.paiement_id = campagne_id
        payee = "professionnels" if fse.tiers_payant else "assures"
        if not fse.tiers_payant and fse.personne_id is not None:
            if fse.personne_id not in owed:
                owed[fse.personne_id] = _still_owed(session, fse.personne_id)
            fse.recupere_cents = min(owed[fse.personne_id], fse.verse_cents)
            owed[fse.personne_id] -= fse.recupere_cents
        lines = [
            ledger.Ligne(fse.branche, organisme_code, f"dettes.prestations.{payee}", fse.verse_cents),
            ledger.Ligne(fse.branche, organisme_code, "tresorerie.virements_emis", -(fse.verse_cents - fse.recupere_cents)),
            ledger.Ligne(fse.branche, organisme_code, "creances.assures.participations", -fse.recupere_cents),
        ]
        ledger.post(
            session,
            ledger.NouvelleEcriture(
                cle_idempotence=f"paiement:fse:{fse.id}",
                date_operation=run.date_execution,
                libelle=f"Paiement des soins (feuille {fse.numero})",
                document_source=f"campagne {campagne_id}",
                lignes=tuple(line for line in lines if line.montant_cents),
            ),
        )
    return len(feuilles)


def _still_owed(session: Session, personne_id: int) -> int:
    """Participations and franchises the assuré owes: not deducted when incurred, not yet recovered."""
    incurred = session.scalar(select(func.coalesce(func.sum(Fse.a_recuperer_cents), 0)).where(
        Fse.personne_id == personne_id, Fse.statut == "liquidee")) or 0
    recovered = session.scalar(select(func.coalesce(func.sum(Fse.recupere_cents), 0)).where(Fse.personne_id == personne_id)) or 0
    return max(0, int(incurred) - int(recovered))  # PostgreSQL sums bigints as numeric


def _build_file(session: Session, run: CampagnePaiement) -> Fichier:
    totals: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for fse in session.scalars(select(Fse).where(Fse.paiement_id == run.id).order_by(Fse.id)):
        if fse.tiers_payant:
            pro = session.get(ProfessionnelSante, fse.professionnel_id)
            assert pro is not None and pro.iban
            key = (f"{pro.prenom} {pro.nom}"[:70], pro.iban, pro.bic)
        else:
            assert fse.personne_id is not None  # a liquidated feuille has its patient
            personne = _payee(session, fse.personne_id, fse.date_soins)
            assert personne.iban
            key = (f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"[:70], personne.iban, personne.bic)
        totals[key] += fse.verse_cents - fse.recupere_cents
    totals = {key: amount for key, amount in totals.items() if amount}  # wholly recovered: nothing to transfer
    libelle = f"Remboursement Assurance Maladie {run.organisme_code} {run.date_execution:%d/%m/%Y}"
    virements = [Virement(name, iban, bic, amount, libelle) for (name, iban, bic), amount in sorted(totals.items())]
    xml = fichier_virements(compte_payeur(run.organisme_code), run.date_execution, f"SECU{run.id:08d}", virements)
    return Fichier(xml, len(totals), sum(totals.values()))


def run_payments(sessions: sessionmaker[Session], organisme_code: str, date_execution: date) -> Bilan:
    """Pay what the caisse owes, once. Safe to call again after a crash or after success.

    One run of a caisse at a time (any date: two runs would each deduct the same participations): the run
    holds the caisse's claim (:mod:`secu.core.paiement`) from its first chunk to its file, so the file is built
    from exactly the feuilles the run marked, and nobody marks one after it. A call made while another run of the
    caisse holds the claim gets the bilan of the run of its date if that one is closed, else a Conflict ("déjà en cours").
    """
    if not organisme_code:
        raise InvalidField("organisme", "la caisse est obligatoire")
    get_organisme(organisme_code)
    return executer(sessions, _campagne(organisme_code, date_execution))


def _campagne(organisme_code: str, date_execution: date) -> Campagne[CampagnePaiement, Bilan]:
    return Campagne(
        modele=CampagnePaiement,
        cle=f"paiement:maladie:{organisme_code}",
        colonnes={"organisme_code": organisme_code, "date_execution": date_execution},
        lot=_claim_chunk,
        fichier=_build_file,
        bilan=_bilan,
        en_cours=f"une campagne de paiement de la caisse {organisme_code} est déjà en cours : relancer quand elle sera terminée",
    )


def _bilan(session: Session, run: CampagnePaiement) -> Bilan:
    feuilles = session.scalar(select(func.count(Fse.id)).where(Fse.paiement_id == run.id)) or 0
    return Bilan(run.id, run.organisme_code, run.date_execution, run.virements, run.total_cents, int(feuilles), run.fichier_sepa or "")
