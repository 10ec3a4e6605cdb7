"""Capital décès (issue 13 §6): the declaration of the death, the beneficiaries' claims, the decision, one payment.

1. **déclaration**: an agent of the deceased's CPAM records the death with the situations the deceased held
   in the months before (L. 361-1: salaried activity, unemployment benefit, invalidity pension, rente AT/MP of
   at least 66,66 %, maintien de droits — the last day of each). secu adds what it knows itself: the last
   month of pay in its DSN records and a pension d'invalidité in service. The right and the flat amount
   (L. 361-1, D. 361-1: the amount in force on the date of death) are computed then
   (:func:`secu.especes.rules.conditions_capital_deces`, :func:`secu.especes.rules.capital_deces`);
2. **demandes**: each claimant (conjoint, partenaire, enfant, ascendant, or another person à charge) with the
   date of the claim, whether they were à la charge effective, totale et permanente of the deceased, an IBAN;
3. **décision**: :func:`secu.especes.rules.beneficiaires_capital_deces` — the priority of the persons à charge
   who claimed within the month (L. 361-4), else the conjoint or partenaire, the descendants, the ascendants;
   shares equal; a claim after two years is prescribed (L. 332-1). Before the month has passed without a
   priority claim, nothing can be decided (a French conflict says until when);
4. **paiement**: once: one transfer per beneficiary retained (``versement_capital_deces`` is unique per claim),
   one SEPA file kept with the death, ledger entries on the maladie branch (``charges.prestations.capital_deces``
   debited, ``tresorerie.virements_emis`` credited; the capital bears neither CSG nor CRDS), under the caisse's
   payment claim (:mod:`secu.core.verrou`), so two calls at once pay once.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from secu.acces import Permission, Portee, exiger, refus
from secu.core import ledger, verrou
from secu.core.db import Base, unit_of_work
from secu.core.entree import Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.identifiers import validate_bic, validate_iban
from secu.core.security import Action, Caller, Ressource, journal
from secu.core.sepa import Virement, fichier_virements
from secu.especes import rules
from secu.especes.explication import explain_capital_deces
from secu.organismes import compte_payeur
from secu.register.access import reaches
from secu.register.models import Personne, Rattachement

# --------------------------------------------------------------------------
# Tables


def _now() -> datetime:
    return datetime.now(UTC)


class DecesAssure(Base):
    """The declaration of an assuré's death to the CPAM, the right it opens and the capital's decision."""

    __tablename__ = "deces_assure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), unique=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    date_deces: Mapped[date] = mapped_column(Date)
    situations: Mapped[str] = mapped_column(Text)  # JSON {situation: last day held}, as declared and as secu found it
    taux_rente_atmp: Mapped[str | None] = mapped_column(String(12))
    situation_retenue: Mapped[str | None] = mapped_column(String(30))
    droit_ouvert: Mapped[bool] = mapped_column(Boolean)
    capital_cents: Mapped[int] = mapped_column(BigInteger)
    statut: Mapped[str] = mapped_column(String(12), default="declare")  # declare, decide, refuse, paye
    date_decision: Mapped[date | None] = mapped_column(Date)
    decide_par: Mapped[int | None] = mapped_column(Integer)
    date_execution: Mapped[date | None] = mapped_column(Date)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    declare_par: Mapped[int | None] = mapped_column(Integer)
    declare_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DemandeCapitalDeces(Base):
    """One beneficiary's claim of the capital décès, and what the decision gave it."""

    __tablename__ = "demande_capital_deces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deces_id: Mapped[int] = mapped_column(ForeignKey("deces_assure.id"), index=True)
    beneficiaire_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"))  # when registered
    nom: Mapped[str] = mapped_column(String(100))
    prenoms: Mapped[str] = mapped_column(String(100))
    lien: Mapped[str] = mapped_column(String(20))
    a_charge: Mapped[bool] = mapped_column(Boolean)
    separe: Mapped[bool] = mapped_column(Boolean, default=False)
    date_demande: Mapped[date] = mapped_column(Date)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    retenue: Mapped[bool | None] = mapped_column(Boolean)
    ordre: Mapped[str | None] = mapped_column(String(16))
    montant_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    motif: Mapped[str | None] = mapped_column(String(300))
    enregistree_par: Mapped[int | None] = mapped_column(Integer)
    enregistree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("deces_id", "nom", "prenoms", "lien"),)


class VersementCapitalDeces(Base):
    """The one payment of a beneficiary's share: unique per claim, so the capital is paid once."""

    __tablename__ = "versement_capital_deces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_capital_deces.id"), unique=True)
    deces_id: Mapped[int] = mapped_column(ForeignKey("deces_assure.id"), index=True)
    montant_cents: Mapped[int] = mapped_column(BigInteger)
    date_execution: Mapped[date] = mapped_column(Date)


# --------------------------------------------------------------------------
# Inputs


class DecesIn(Entree):
    """The declaration of a death: the last day the deceased held each situation of L. 361-1 (when known)."""

    personne_id: Identifiant
    date_deces: date
    activite_salariee: date | None = Field(default=None, description="dernier jour d'activité salariée")
    chomage_indemnise: date | None = Field(default=None, description="dernier jour indemnisé au titre du chômage")
    pension_invalidite: date | None = None
    rente_atmp: date | None = None
    taux_rente_atmp: Decimal | None = Field(default=None, ge=0, le=1, description="taux d'incapacité de la rente AT/MP (0,6666 pour 66,66 %)")
    maintien_droits: date | None = None


class DemandeCapitalIn(Entree):
    nom: str = Field(min_length=1, max_length=100)
    prenoms: str = Field(min_length=1, max_length=100)
    beneficiaire_id: Identifiant | None = None
    lien: str = Field(description="conjoint, partenaire_pacs, enfant, descendant, ascendant ou autre")
    a_charge: bool = Field(description="à la charge effective, totale et permanente du défunt au jour du décès")
    separe: bool = Field(default=False, description="conjoint séparé de droit ou de fait")
    date_demande: date
    iban: str = Field(max_length=34)
    bic: str | None = Field(default=None, max_length=11)


class DecisionCapitalIn(Entree):
    date_decision: date


class PaiementCapitalIn(Entree):
    date_execution: date


# --------------------------------------------------------------------------
# Service


def _deces(session: Session, deces_id: int) -> DecesAssure:
    deces = session.get(DecesAssure, deces_id)
    if deces is None:
        raise NotFound("décès introuvable", field="deces_id")
    return deces


def _exiger(session: Session, caller: Caller, personne: Personne, organisme_code: str | None = None) -> None:
    reach = exiger(caller, Permission.GERER_CAPITAL_DECES)
    if reach is Portee.SA_CAISSE and organisme_code is not None:
        if caller.organisme_code != organisme_code:
            raise refus("accès refusé : ce dossier relève d'une autre caisse", personne.id)
        return
    if not reaches(session, caller, reach, personne):
        raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", personne.id)


def _situations_connues(session: Session, personne_id: int, date_deces: date) -> dict[str, date]:
    """What secu itself knows of the deceased's last situations: the last month of pay, a pension in service."""
    from secu.especes.invalidite import PensionInvalidite
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    found: dict[str, date] = {}
    dernier_mois = session.scalar(
        select(Remuneration.mois)
        .join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
        .where(Remuneration.personne_id == personne_id, DeclarationDsn.remplacee_par_id.is_(None), Remuneration.mois <= date_deces)
        .order_by(Remuneration.mois.desc())
        .limit(1)
    )
    if dernier_mois is not None:
        fin = (dernier_mois.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        found["activite_salariee"] = min(fin, date_deces)
    for debut, fin_pension in session.execute(
        select(PensionInvalidite.date_effet, PensionInvalidite.date_fin).where(PensionInvalidite.personne_id == personne_id)
    ):
        if debut <= date_deces:
            found["pension_invalidite"] = min(date_deces, fin_pension - timedelta(days=1)) if fin_pension is not None else date_deces
    return found


def declarer(session: Session, caller: Caller, data: DecesIn) -> DecesAssure:
    personne = session.get(Personne, data.personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    _exiger(session, caller, personne)
    organisme = session.scalar(select(Rattachement.organisme_code).where(Rattachement.personne_id == personne.id, Rattachement.branche == "maladie"))
    if organisme is None:
        raise InvalidField("personne_id", "cette personne n'est rattachée à aucune caisse d'assurance maladie")
    if data.date_deces > date.today():
        raise InvalidField("date_deces", "la date du décès ne peut pas être dans le futur")
    if data.date_deces < personne.date_naissance:
        raise InvalidField("date_deces", "la date du décès précède la naissance")
    if personne.date_deces is not None and personne.date_deces != data.date_deces:
        raise InvalidField("date_deces", f"le répertoire connaît un décès le {personne.date_deces:%d/%m/%Y}")
    existing = session.scalar(select(DecesAssure.id).where(DecesAssure.personne_id == personne.id))
    if existing is not None:
        raise Conflict(f"ce décès est déjà déclaré (n° {existing})", field="personne_id")
    declared = {s: getattr(data, s) for s in rules.SITUATIONS_DECES if getattr(data, s) is not None}
    for situation, day in declared.items():
        if day > data.date_deces:
            raise InvalidField(situation, "une situation ne peut pas se prolonger après le décès")
    if data.rente_atmp is not None and data.taux_rente_atmp is None:
        raise InvalidField("taux_rente_atmp", "le taux d'incapacité de la rente AT/MP est obligatoire avec elle")
    known = _situations_connues(session, personne.id, data.date_deces)
    situations = {s: max(d for d in (declared.get(s), known.get(s)) if d is not None) for s in rules.SITUATIONS_DECES if s in declared or s in known}
    frame = pl.DataFrame(
        {"date_deces": [data.date_deces], **{s: [situations.get(s)] for s in rules.SITUATIONS_DECES}, "taux_rente_atmp": [data.taux_rente_atmp]},
        schema_overrides={s: pl.Date for s in rules.SITUATIONS_DECES} | {"taux_rente_atmp": pl.Decimal(38, 9)},
    )
    row = rules.conditions_capital_deces(frame).row(0, named=True)
    capital = rules.capital_deces(pl.DataFrame({"date_deces": [data.date_deces]})).row(0, named=True)
    deces = DecesAssure(
        personne_id=personne.id,
        organisme_code=organisme,
        date_deces=data.date_deces,
        situations=json.dumps({s: d.isoformat() for s, d in situations.items()} | {"declarees": sorted(declared), "connues_de_secu": sorted(known)}),
        taux_rente_atmp=None if data.taux_rente_atmp is None else str(data.taux_rente_atmp),
        situation_retenue=row["situation_retenue"],
        droit_ouvert=bool(row["droit_ouvert"]),
        capital_cents=int(capital["capital_deces"]),
        statut="declare" if row["droit_ouvert"] else "refuse",
        declare_par=caller.user_id,
    )
    session.add(deces)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.DECES, deces.id, personne_id=personne.id)
    return deces


def demander(session: Session, caller: Caller, deces_id: int, data: DemandeCapitalIn) -> DemandeCapitalDeces:
    deces = _deces(session, deces_id)
    personne = session.get(Personne, deces.personne_id)
    assert personne is not None
    _exiger(session, caller, personne, deces.organisme_code)
    if data.lien not in rules.LIENS:
        raise InvalidField("lien", f"lien inconnu : {data.lien!r} ({', '.join(rules.LIENS)})")
    if data.date_demande < deces.date_deces:
        raise InvalidField("date_demande", "la demande précède le décès")
    if not deces.droit_ouvert:
        raise Conflict("le défunt n'ouvrait pas droit au capital décès (CSS art. L. 361-1)", field="deces_id")
    if deces.statut != "declare":
        raise Conflict("le capital a déjà été attribué", field="deces_id")
    duplicate = session.scalar(
        select(DemandeCapitalDeces.id).where(
            DemandeCapitalDeces.deces_id == deces.id,
            DemandeCapitalDeces.nom == data.nom,
            DemandeCapitalDeces.prenoms == data.prenoms,
            DemandeCapitalDeces.lien == data.lien,
        )
    )
    if duplicate is not None:
        raise Conflict(f"cette demande est déjà enregistrée (n° {duplicate})", field="nom")
    demande = DemandeCapitalDeces(
        deces_id=deces.id,
        beneficiaire_id=data.beneficiaire_id,
        nom=data.nom,
        prenoms=data.prenoms,
        lien=data.lien,
        a_charge=data.a_charge,
        separe=data.separe,
        date_demande=data.date_demande,
        iban=validate_iban(data.iban),
        bic=validate_bic(data.bic) if data.bic else None,
        enregistree_par=caller.user_id,
    )
    session.add(demande)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.CAPITAL_DECES, demande.id, personne_id=personne.id)
    return demande


def decider(session: Session, caller: Caller, deces_id: int, data: DecisionCapitalIn) -> DecesAssure:
    deces = _deces(session, deces_id)
    personne = session.get(Personne, deces.personne_id)
    assert personne is not None
    _exiger(session, caller, personne, deces.organisme_code)
    if deces.statut != "declare":
        raise Conflict("le capital décès de ce défunt est déjà décidé", field="deces_id")
    if data.date_decision < deces.date_deces:
        raise InvalidField("date_decision", "la décision ne peut pas précéder le décès")
    demandes = list(session.scalars(select(DemandeCapitalDeces).where(DemandeCapitalDeces.deces_id == deces.id).order_by(DemandeCapitalDeces.id)))
    if not demandes:
        raise Conflict("aucune demande de capital décès n'est enregistrée", field="deces_id")
    frame = pl.DataFrame(
        {
            "deces": [deces.id] * len(demandes),
            "date_deces": [deces.date_deces] * len(demandes),
            "capital": [deces.capital_cents] * len(demandes),
            "date_decision": [data.date_decision] * len(demandes),
            "demande": [d.id for d in demandes],
            "lien": [d.lien for d in demandes],
            "a_charge": [d.a_charge for d in demandes],
            "separe": [d.separe for d in demandes],
            "date_demande": [d.date_demande for d in demandes],
        }
    )
    out = {row["demande"]: row for row in rules.beneficiaires_capital_deces(frame).iter_rows(named=True)}
    first = next(iter(out.values()))
    if not first["decidable"]:
        raise Conflict(
            f"les personnes à la charge du défunt peuvent invoquer leur priorité jusqu'au {first['fin_priorite']:%d/%m/%Y} : "
            "décider après cette date (CSS art. L. 361-4)",
            field="date_decision",
        )
    for demande in demandes:
        row = out[demande.id]
        demande.retenue, demande.ordre, demande.montant_cents, demande.motif = bool(row["retenu"]), row["ordre"], int(row["montant"]), row["motif"]
    deces.statut = "decide" if any(d.retenue for d in demandes) else "refuse"
    deces.date_decision, deces.decide_par = data.date_decision, caller.user_id
    journal(session, caller, Action.MODIFICATION, Ressource.DECES, deces.id, personne_id=personne.id, detail="decision")
    return deces


def lire(session: Session, caller: Caller, deces_id: int) -> dict[str, Any]:
    deces = _deces(session, deces_id)
    personne = session.get(Personne, deces.personne_id)
    assert personne is not None
    _exiger(session, caller, personne, deces.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.DECES, deces.id, personne_id=personne.id)
    return deces_out(session, deces)


def deces_out(session: Session, deces: DecesAssure) -> dict[str, Any]:
    demandes = session.scalars(select(DemandeCapitalDeces).where(DemandeCapitalDeces.deces_id == deces.id).order_by(DemandeCapitalDeces.id)).all()
    capital = rules.capital_deces(pl.DataFrame({"date_deces": [deces.date_deces]})).row(0, named=True)
    return {
        "id": deces.id,
        "personne_id": deces.personne_id,
        "organisme_code": deces.organisme_code,
        "date_deces": deces.date_deces,
        "droit_ouvert": deces.droit_ouvert,
        "situation_retenue": deces.situation_retenue,
        "capital_cents": deces.capital_cents,
        "statut": deces.statut,
        "date_decision": deces.date_decision,
        "date_execution": deces.date_execution,
        "explication": explain_capital_deces(capital),
        "demandes": [
            {
                "id": d.id,
                "nom": d.nom,
                "prenoms": d.prenoms,
                "lien": d.lien,
                "a_charge": d.a_charge,
                "date_demande": d.date_demande,
                "retenue": d.retenue,
                "ordre": d.ordre,
                "montant_cents": d.montant_cents,
                "motif": d.motif,
            }
            for d in demandes
        ],
    }


# --------------------------------------------------------------------------
# The one payment


def payer(sessions: sessionmaker[Session], caller: Caller, deces_id: int, date_execution: date) -> dict[str, Any]:
    """Pay the capital décided, once: a second call (or a call after a crash) pays nothing again."""
    with unit_of_work(sessions) as session:
        deces = _deces(session, deces_id)
        personne = session.get(Personne, deces.personne_id)
        assert personne is not None
        exiger(caller, Permission.PAYER_PRESTATIONS)
        _exiger(session, caller, personne, deces.organisme_code)
        organisme = deces.organisme_code
    with verrou.tenir(verrou.engine_of(sessions), f"paiement:capital_deces:{organisme}") as held:
        if not held:
            raise Conflict(f"un paiement de capital décès de la caisse {organisme} est déjà en cours : relancer quand il sera terminé", field="deces_id")
        with unit_of_work(sessions) as session:
            deces = _deces(session, deces_id)
            if deces.statut == "declare":
                raise Conflict("le capital décès n'est pas encore décidé", field="deces_id")
            if deces.statut == "refuse":
                raise Conflict("aucun bénéficiaire n'a droit au capital décès", field="deces_id")
            if deces.statut == "decide":
                _payer(session, deces, date_execution)
            journal(session, caller, Action.MODIFICATION, Ressource.CAPITAL_DECES, deces.id, personne_id=deces.personne_id, detail="paiement")
            return deces_out(session, deces) | {"fichier_sepa": deces.fichier_sepa or ""}


def _payer(session: Session, deces: DecesAssure, date_execution: date) -> None:
    retenues = list(
        session.scalars(
            select(DemandeCapitalDeces)
            .where(DemandeCapitalDeces.deces_id == deces.id, DemandeCapitalDeces.retenue.is_(True), DemandeCapitalDeces.montant_cents > 0)
            .order_by(DemandeCapitalDeces.id)
        )
    )
    for demande in retenues:
        session.add(VersementCapitalDeces(demande_id=demande.id, deces_id=deces.id, montant_cents=demande.montant_cents, date_execution=date_execution))
        ledger.post(
            session,
            ledger.NouvelleEcriture(
                cle_idempotence=f"capital_deces:versement:{demande.id}",
                date_operation=date_execution,
                libelle=f"Capital décès (décès {deces.id}, demande {demande.id})",
                document_source=f"capital décès {deces.id}",
                lignes=(
                    ledger.Ligne("maladie", deces.organisme_code, "charges.prestations.capital_deces", demande.montant_cents),
                    ledger.Ligne("maladie", deces.organisme_code, "tresorerie.virements_emis", -demande.montant_cents),
                ),
            ),
        )
    libelle = f"Capital deces {deces.organisme_code} deces {deces.id}"
    virements = [Virement(f"{d.nom} {d.prenoms}", d.iban, d.bic, d.montant_cents, libelle) for d in retenues]
    xml = fichier_virements(compte_payeur(deces.organisme_code), date_execution, f"CDC{deces.id:08d}", virements)
    session.flush()
    deces.fichier_sepa = xml
    deces.date_execution, deces.statut = date_execution, "paye"


__all__ = [
    "DecesAssure",
    "DecesIn",
    "DecisionCapitalIn",
    "DemandeCapitalDeces",
    "DemandeCapitalIn",
    "PaiementCapitalIn",
    "VersementCapitalDeces",
    "decider",
    "declarer",
    "deces_out",
    "demander",
    "lire",
    "payer",
]
