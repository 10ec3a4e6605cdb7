"""The IJ payment run of a caisse: the liquidated IJ periods become one SEPA file (pain.001) and ledger entries.

The IJ are paid in arrears by periods of ``ij_paiement.periode_jours`` (14) days (:mod:`secu.especes.service`
liquidates them): a run on a date pays every computed, unpaid period of the caisse that ended by that date, to the
assuré's IBAN in the register, or to the employer's IBAN of the attestation under subrogation (CSS R. 323-11). A
payee without an account waits for the next run.

Exactly once, resumable, as the maladie run (:mod:`secu.maladie.paiement`): a run is keyed by (caisse, execution
date) and holds the caisse's claim (:mod:`secu.core.verrou`, key ``paiement:ij:<caisse>``) from its first chunk to
its file; periods are marked paid in chunks, each chunk in its own transaction with its ledger entries, so a run
cut off halfway resumes where it stopped; once the file is built the run is closed, and running it again returns
the same file and pays nothing. The file is built from exactly the periods the run marked (one transfer per payee
and account). A call while another run of the caisse holds the claim gets the closed run of its date, else a
Conflict ("déjà en cours").

Ledger, per period paid (branch maladie for maladie, maternité, paternité, adoption; AT-MP for AT/MP; see
:data:`secu.especes.service.BRANCHE`): ``dettes.prestations.assures`` (or ``.employeurs``) debited, the debt the
liquidation recorded, against ``tresorerie.virements_emis`` credited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sepaxml import SepaTransfer
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from secu.config import settings
from secu.core import ledger, verrou
from secu.core.db import unit_of_work
from secu.core.errors import Conflict, InvalidField
from secu.core.sepa import export_valide
from secu.especes.models import CampagneIJ, PeriodeIJ
from secu.especes.service import BRANCHE
from secu.organismes import get_organisme
from secu.register.models import Employeur, Etablissement, Personne

CHUNK = 500


@dataclass(frozen=True)
class Bilan:
    campagne_id: int
    organisme_code: str
    date_execution: date
    virements: int
    total_cents: int
    periodes: int
    fichier_sepa: str


def _open_run(sessions: sessionmaker[Session], organisme_code: str, date_execution: date) -> int:
    with unit_of_work(sessions) as session:
        run = session.scalar(select(CampagneIJ).where(CampagneIJ.organisme_code == organisme_code, CampagneIJ.date_execution == date_execution))
        if run is None:
            run = CampagneIJ(organisme_code=organisme_code, date_execution=date_execution)
            session.add(run)
            session.flush()
        return run.id


def _payable(organisme_code: str, date_execution: date):  # type: ignore[no-untyped-def]
    """Computed, unpaid periods of the caisse, over by the run's date, with something to pay and an account to pay."""
    with_iban = select(Personne.id).where(Personne.iban.is_not(None))
    account = or_(
        and_(PeriodeIJ.beneficiaire == "employeur", PeriodeIJ.iban.is_not(None)), and_(PeriodeIJ.beneficiaire == "assure", PeriodeIJ.personne_id.in_(with_iban))
    )
    return (
        select(PeriodeIJ)
        .where(PeriodeIJ.organisme_code == organisme_code, PeriodeIJ.statut == "calculee", PeriodeIJ.net_cents > 0, PeriodeIJ.fin <= date_execution, account)
        .order_by(PeriodeIJ.id)
    )


def _titulaire_employeur(session: Session, siret: str | None) -> str:
    name = session.scalar(select(Employeur.raison_sociale).join(Etablissement, Etablissement.employeur_id == Employeur.id).where(Etablissement.siret == siret))
    return (name or f"employeur {siret}")[:140]


def _claim_chunk(sessions: sessionmaker[Session], organisme_code: str, campagne_id: int, date_execution: date) -> int:
    with unit_of_work(sessions) as session:
        query = _payable(organisme_code, date_execution).limit(CHUNK)
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        periodes = list(session.scalars(query))
        assures = {p.personne_id for p in periodes if p.beneficiaire == "assure"}
        personnes = {p.id: p for p in session.scalars(select(Personne).where(Personne.id.in_(assures)))} if assures else {}
        employeurs: dict[str | None, str] = {}
        entries = []
        for periode in periodes:
            if periode.beneficiaire == "assure":
                personne = personnes[periode.personne_id]
                assert personne.iban
                periode.iban, periode.bic = personne.iban, personne.bic
                periode.titulaire = f"{personne.prenoms} {personne.nom_usage or personne.nom_naissance}"[:140]
            else:
                if periode.siret not in employeurs:
                    employeurs[periode.siret] = _titulaire_employeur(session, periode.siret)
                periode.titulaire = employeurs[periode.siret]
            periode.statut, periode.campagne_id = "payee", campagne_id
            payee = "employeurs" if periode.beneficiaire == "employeur" else "assures"
            branche = BRANCHE[periode.risque]
            entries.append(
                ledger.NouvelleEcriture(
                    cle_idempotence=f"especes:paiement:{periode.id}",
                    date_operation=date_execution,
                    libelle=f"Paiement des IJ {periode.risque} du {periode.debut:%d/%m/%Y} au {periode.fin:%d/%m/%Y} (arrêt {periode.arret_id})",
                    document_source=f"campagne IJ {campagne_id}",
                    lignes=(
                        ledger.Ligne(branche, organisme_code, f"dettes.prestations.{payee}", periode.net_cents),
                        ledger.Ligne(branche, organisme_code, "tresorerie.virements_emis", -periode.net_cents),
                    ),
                )
            )
        ledger.post_many(session, entries)
        return len(periodes)


def _build_file(session: Session, run: CampagneIJ) -> tuple[str, int, int]:
    config = settings()
    organisme = get_organisme(run.organisme_code)
    totals: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for periode in session.scalars(select(PeriodeIJ).where(PeriodeIJ.campagne_id == run.id).order_by(PeriodeIJ.id)):
        assert periode.iban
        totals[((periode.titulaire or "assuré")[:70], periode.iban, periode.bic)] += periode.net_cents
    if not totals:
        return "", 0, 0
    sepa = SepaTransfer(
        {"name": organisme.nom[:70], "IBAN": config.compte_payeur_iban, "BIC": config.compte_payeur_bic, "batch": True, "currency": "EUR"}, clean=True
    )
    for index, ((name, iban, bic), amount) in enumerate(sorted(totals.items())):
        payment = {
            "name": name,
            "IBAN": iban,
            "amount": amount,
            "execution_date": run.date_execution,
            "description": f"Indemnites journalieres {run.organisme_code} {run.date_execution:%d/%m/%Y}",
            "endtoend_id": f"IJ{run.id:08d}{index:06d}",
        }
        if bic:
            payment["BIC"] = bic
        sepa.add_payment(payment)
    return export_valide(sepa), len(totals), sum(totals.values())


def run_payments(sessions: sessionmaker[Session], organisme_code: str, date_execution: date) -> Bilan:
    """Pay the caisse's liquidated IJ over by ``date_execution``, once. Safe to call again after a crash or a success."""
    if not organisme_code:
        raise InvalidField("organisme_code", "la caisse est obligatoire")
    if not date(2000, 1, 1) <= date_execution <= date(2100, 12, 31):
        raise InvalidField("date_execution", "date hors de la période gérée (2000 à 2100)")
    get_organisme(organisme_code)
    with verrou.tenir(verrou.engine_of(sessions), f"paiement:ij:{organisme_code}") as held:
        if not held:
            return _finished(sessions, organisme_code, date_execution)
        campagne_id = _open_run(sessions, organisme_code, date_execution)
        with unit_of_work(sessions) as session:
            run = session.get(CampagneIJ, campagne_id)
            assert run is not None
            done = run.statut == "terminee"
        if not done:
            while _claim_chunk(sessions, organisme_code, campagne_id, date_execution):
                pass
            with unit_of_work(sessions) as session:
                run = session.get(CampagneIJ, campagne_id)
                assert run is not None
                run.fichier_sepa, run.virements, run.total_cents = _build_file(session, run)
                run.statut = "terminee"
        return _bilan(sessions, campagne_id)


def _finished(sessions: sessionmaker[Session], organisme_code: str, date_execution: date) -> Bilan:
    with unit_of_work(sessions) as session:
        campagne_id = session.scalar(
            select(CampagneIJ.id).where(
                CampagneIJ.organisme_code == organisme_code, CampagneIJ.date_execution == date_execution, CampagneIJ.statut == "terminee"
            )
        )
    if campagne_id is None:
        raise Conflict(f"un paiement des IJ de la caisse {organisme_code} est déjà en cours : relancer quand il sera terminé", field="organisme_code")
    return _bilan(sessions, campagne_id)


def _bilan(sessions: sessionmaker[Session], campagne_id: int) -> Bilan:
    with unit_of_work(sessions) as session:
        run = session.get(CampagneIJ, campagne_id)
        assert run is not None
        periodes = session.scalar(select(func.count(PeriodeIJ.id)).where(PeriodeIJ.campagne_id == run.id)) or 0
        return Bilan(run.id, run.organisme_code, run.date_execution, run.virements, run.total_cents, int(periodes), run.fichier_sepa or "")
