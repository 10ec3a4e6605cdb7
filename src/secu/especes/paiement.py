"""The IJ payment run of a caisse: the liquidated IJ periods become one SEPA file (pain.001) and ledger entries.

The IJ are paid in arrears by periods of ``ij_paiement.periode_jours`` (14) days (:mod:`secu.especes.service`
liquidates them): a run on a date pays every computed, unpaid period of the caisse that ended by that date, to the
assuré's IBAN in the register, or to the employer's IBAN of the attestation under subrogation (CSS R. 323-11). A
payee without an account waits for the next run.

Exactly once, resumable, as the maladie run (:mod:`secu.maladie.paiement`): a run is keyed by (caisse, execution
date) and holds the caisse's claim (:mod:`secu.core.paiement`, key ``paiement:ij:<caisse>``) from its first chunk to
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

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from secu.core import ledger
from secu.core.errors import InvalidField
from secu.core.paiement import Campagne, Fichier, executer, sans_attendre
from secu.core.sepa import Virement, fichier_virements
from secu.especes.models import CampagneIJ, PeriodeIJ
from secu.especes.service import BRANCHE
from secu.organismes import compte_payeur, get_organisme
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


def _claim_chunk(session: Session, run: CampagneIJ) -> int:
    organisme_code, campagne_id, date_execution = run.organisme_code, run.id, run.date_execution
    periodes = list(session.scalars(sans_attendre(session, _payable(organisme_code, date_execution).limit(CHUNK))))
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


def _build_file(session: Session, run: CampagneIJ) -> Fichier:
    totals: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for periode in session.scalars(select(PeriodeIJ).where(PeriodeIJ.campagne_id == run.id).order_by(PeriodeIJ.id)):
        assert periode.iban
        totals[((periode.titulaire or "assuré")[:70], periode.iban, periode.bic)] += periode.net_cents
    libelle = f"Indemnites journalieres {run.organisme_code} {run.date_execution:%d/%m/%Y}"
    virements = [Virement(name, iban, bic, amount, libelle) for (name, iban, bic), amount in sorted(totals.items())]
    xml = fichier_virements(compte_payeur(run.organisme_code), run.date_execution, f"IJ{run.id:08d}", virements)
    return Fichier(xml, len(totals), sum(totals.values()))


def run_payments(sessions: sessionmaker[Session], organisme_code: str, date_execution: date) -> Bilan:
    """Pay the caisse's liquidated IJ over by ``date_execution``, once. Safe to call again after a crash or a success."""
    if not organisme_code:
        raise InvalidField("organisme_code", "la caisse est obligatoire")
    if not date(2000, 1, 1) <= date_execution <= date(2100, 12, 31):
        raise InvalidField("date_execution", "date hors de la période gérée (2000 à 2100)")
    get_organisme(organisme_code)
    return executer(sessions, _campagne(organisme_code, date_execution))


def _campagne(organisme_code: str, date_execution: date) -> Campagne[CampagneIJ, Bilan]:
    return Campagne(
        modele=CampagneIJ,
        cle=f"paiement:ij:{organisme_code}",
        colonnes={"organisme_code": organisme_code, "date_execution": date_execution},
        lot=_claim_chunk,
        fichier=_build_file,
        bilan=_bilan,
        en_cours=f"un paiement des IJ de la caisse {organisme_code} est déjà en cours : relancer quand il sera terminé",
    )


def _bilan(session: Session, run: CampagneIJ) -> Bilan:
    periodes = session.scalar(select(func.count(PeriodeIJ.id)).where(PeriodeIJ.campagne_id == run.id)) or 0
    return Bilan(run.id, run.organisme_code, run.date_execution, run.virements, run.total_cents, int(periodes), run.fichier_sepa or "")
