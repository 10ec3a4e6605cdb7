"""Invalidité: the claim, the médecin-conseil's avis, the caisse's decision, the pension in service (issue 13 §5).

The workflow, one row of ``demande_invalidite`` through its life:

1. **demande** (``deposee``): the assuré (for himself) or an agent of his CPAM files it, with the date of
   the arrêt de travail followed by invalidity, the IBAN, and — for the years before secu's DSN — the
   salaries of those years (already capped at each year's PASS and revalued, R. 341-4);
2. **avis** (``avis_rendu``): the médecin-conseil of the territory (DRSM) gives the catégorie (1, 2, 3:
   L. 341-4) and the date d'effet, or a refusal with its medical motif (read by the médecin-conseil and
   the assuré only: secret médical). The queue of claims awaiting an avis is :func:`file_medecin_conseil`;
3. **décision** (``accordee`` / ``refusee``): an agent of the CPAM decides; a grant follows the avis (the
   caisse is bound by the medical service's opinion on medical matters, L. 315-1) and liquidates the
   pension: the SAM of the 10 best calendar years before the arrêt (R. 341-4: the DSN salary records
   secu keeps, per year, capped at that year's PASS and revalued to the date d'effet with the
   coefficients of L. 341-6; plus the years given in the claim), then :func:`rules.pension_en_service`.

A pension is paid monthly by :mod:`secu.especes.paiement_invalidite` until the legal age (L. 341-15:
the hand-over to the retraite branch, ``conversion_retraite``) or death.

A pension in service on a day of care sets the maladie exonération ``invalidite`` that the liquidation of
the feuilles de soins reads (CSS art. L. 160-14: the titulaires d'une pension d'invalidité are exempt of the
ticket modérateur; the number of the alinéa was not re-read), see :func:`pensionnes_le`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import Field
from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from secu.acces import Permission, Portee, exiger, portee, refus
from secu.core.db import Base
from secu.core.entree import Centimes, Entree, Identifiant
from secu.core.errors import Conflict, InvalidField, NotFound
from secu.core.explication import Etape
from secu.core.identifiers import validate_iban
from secu.core.security import Action, Caller, Ressource, journal
from secu.especes import rules
from secu.especes.explication_invalidite import explain_pension, explain_sam
from secu.register.access import reaches
from secu.register.models import Personne, Rattachement

# --------------------------------------------------------------------------
# Tables


def _now() -> datetime:
    return datetime.now(UTC)


class DemandeInvalidite(Base):
    """An invalidity claim, the médecin-conseil's avis on it and the caisse's decision (one row: the file's life)."""

    __tablename__ = "demande_invalidite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the CPAM the person is attached to (maladie)
    departement: Mapped[str] = mapped_column(String(3), index=True)  # the médecin-conseil's territory
    date_demande: Mapped[date] = mapped_column(Date)
    date_arret: Mapped[date] = mapped_column(Date)  # the arrêt de travail followed by invalidity, or the constatation
    salaires_hors_secu: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{annee, salaire_cents}], capped and revalued
    salaire_annee_precedente_cents: Mapped[int | None] = mapped_column(BigInteger)  # R. 341-17 I 2°, when secu has no DSN of it
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str | None] = mapped_column(String(70))
    statut: Mapped[str] = mapped_column(String(12), default="deposee", index=True)  # deposee, avis_rendu, accordee, refusee
    deposee_par: Mapped[int | None] = mapped_column(Integer)
    deposee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    avis_categorie: Mapped[int | None] = mapped_column(Integer)  # 1, 2, 3; null with a refusal
    avis_date_effet: Mapped[date | None] = mapped_column(Date)
    avis_motif: Mapped[str | None] = mapped_column(String(500))
    avis_par: Mapped[int | None] = mapped_column(Integer)
    avis_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(8))  # accord, refus
    date_decision: Mapped[date | None] = mapped_column(Date)
    decidee_par: Mapped[int | None] = mapped_column(Integer)


class PensionInvalidite(Base):
    """A pension d'invalidité granted: what it was liquidated on, and until when it is paid."""

    __tablename__ = "pension_invalidite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_invalidite.id"), unique=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    categorie: Mapped[int] = mapped_column(Integer)
    date_effet: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)  # first day no longer paid (conversion at the legal age, death)
    sam_cents: Mapped[int] = mapped_column(BigInteger)
    annees_retenues: Mapped[int] = mapped_column(Integer)
    montant_liquidation_cents: Mapped[int] = mapped_column(BigInteger)
    salaire_annee_precedente_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    annee_precedente: Mapped[int] = mapped_column(Integer)
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str | None] = mapped_column(String(70))
    # CSG on the pension (L. 136-8 III): the category when known, else the RFR of N-2 (cents) and its parts; none: taux normal
    categorie_csg: Mapped[str | None] = mapped_column(String(10))
    rfr_cents: Mapped[int | None] = mapped_column(BigInteger)
    parts: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    explication: Mapped[str] = mapped_column(Text)  # JSON: the SAM's years and the liquidation steps
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CampagneInvalidite(Base):
    """The monthly payment run of a CPAM's invalidity pensions: run it again, it pays nothing twice."""

    __tablename__ = "campagne_invalidite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    mois: Mapped[date] = mapped_column(Date)  # first day of the month paid
    date_execution: Mapped[date] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    virements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("organisme_code", "mois"),)


class VersementInvalidite(Base):
    """What one pension paid for one month: one row per (pension, month), so nothing is paid twice."""

    __tablename__ = "versement_invalidite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pension_id: Mapped[int] = mapped_column(ForeignKey("pension_invalidite.id"), index=True)
    campagne_id: Mapped[int] = mapped_column(ForeignKey("campagne_invalidite.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)
    pension_cents: Mapped[int] = mapped_column(BigInteger)  # the month's pension before the cumul
    reduction_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # R. 341-17
    csg_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # L. 136-8 III
    crds_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # ordonnance 96-50 art. 14
    casa_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # CASF L. 14-10-4 2°
    montant_cents: Mapped[int] = mapped_column(BigInteger)  # paid: the net, after the cumul and the withholdings
    explication: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("pension_id", "mois"),)


class ConversionRetraite(Base):
    """The hand-over to the retraite branch at the legal age (L. 341-15): the date and the last pension paid."""

    __tablename__ = "conversion_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pension_id: Mapped[int] = mapped_column(ForeignKey("pension_invalidite.id"), unique=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    date_conversion: Mapped[date] = mapped_column(Date)
    derniere_pension_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(300))
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# --------------------------------------------------------------------------
# Inputs

CATEGORIES = (1, 2, 3)
STATUTS = ("deposee", "avis_rendu", "accordee", "refusee")
REF_AVIS = "CSS art. L. 341-1, L. 341-3 et L. 341-4 (état d'invalidité et catégorie appréciés par le service du contrôle médical)"


class SalaireAnnuel(Entree):
    annee: int = Field(ge=1950, le=2100)
    salaire_cents: Centimes = Field(description="salaire de l'année, déjà plafonné au PASS de l'année et revalorisé (R. 341-4)")


class DemandeIn(Entree):
    """An invalidity claim. Amounts in cents."""

    personne_id: Identifiant
    date_demande: date
    date_arret: date = Field(description="début de l'arrêt de travail suivi d'invalidité, ou date de la constatation de l'usure prématurée")
    salaires_hors_secu: list[SalaireAnnuel] = Field(default_factory=list, max_length=60, description="années antérieures aux DSN tenues par secu")
    salaire_annee_precedente_cents: Centimes | None = Field(
        default=None, description="salaire de l'année civile précédant l'arrêt (R. 341-17), si secu n'en a pas les DSN"
    )
    iban: str | None = Field(default=None, max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    titulaire: str | None = Field(default=None, max_length=70)


class AvisIn(Entree):
    """The médecin-conseil's avis: a catégorie and a date d'effet, or a refusal (``categorie`` null)."""

    categorie: int | None = Field(default=None, ge=1, le=3, description="1, 2 ou 3 ; vide pour un avis défavorable")
    date_effet: date | None = None
    motif: str | None = Field(default=None, max_length=500, description="motif médical (secret médical : lu par le contrôle médical et l'assuré)")


class DecisionIn(Entree):
    decision: str = Field(description="accord ou refus")
    date_decision: date


# --------------------------------------------------------------------------
# Who may do what


def _personne(session: Session, personne_id: int) -> Personne:
    personne = session.get(Personne, personne_id)
    if personne is None:
        raise NotFound("dossier introuvable", field="personne_id")
    return personne


def _exiger_dossier(session: Session, caller: Caller, permission: Permission, personne: Personne, organisme_code: str | None = None) -> Portee:
    """The caller's right over this person's invalidity file (an agent: persons attached to his caisse)."""
    reach = exiger(caller, permission)
    if reach is Portee.SA_CAISSE and organisme_code is not None:
        if caller.organisme_code != organisme_code:
            raise refus("accès refusé : ce dossier relève d'une autre caisse", personne.id)
        return reach
    if not reaches(session, caller, reach, personne):
        raise refus("accès refusé : ce dossier ne relève pas de votre périmètre", personne.id)
    return reach


def _caisse_maladie(session: Session, personne_id: int) -> str:
    code = session.scalar(select(Rattachement.organisme_code).where(Rattachement.personne_id == personne_id, Rattachement.branche == "maladie"))
    if code is None:
        raise InvalidField("personne_id", "cette personne n'est rattachée à aucune caisse d'assurance maladie")
    return code


def medical(caller: Caller) -> bool:
    """Whether the caller reads the avis's medical motif (the contrôle médical and the assuré, not the agents)."""
    return portee(caller, Permission.LIRE_DONNEES_MEDICALES) is not None


# --------------------------------------------------------------------------
# The claim


def demander(session: Session, caller: Caller, data: DemandeIn) -> DemandeInvalidite:
    """File a claim: the assuré for himself, an agent of his caisse, or an administrator."""
    personne = _personne(session, data.personne_id)
    _exiger_dossier(session, caller, Permission.DEMANDER_INVALIDITE, personne)
    organisme = _caisse_maladie(session, personne.id)
    if data.date_arret > data.date_demande:
        raise InvalidField("date_arret", "l'arrêt de travail ne peut pas être postérieur à la demande")
    if personne.date_deces is not None and personne.date_deces < data.date_demande:
        raise InvalidField("date_demande", "la personne est décédée avant la date de la demande")
    fin = rules.conversion_retraite(pl.DataFrame({"date_naissance": [personne.date_naissance], "mois": [data.date_demande]})).row(0, named=True)
    if not fin["en_service"]:
        raise InvalidField(
            "date_demande",
            f"à {fin['age_conversion']} ans, la pension d'invalidité n'est plus attribuée : "
            "c'est la pension de vieillesse pour inaptitude (CSS art. L. 341-15)",
        )
    annees = [s.annee for s in data.salaires_hors_secu]
    if len(set(annees)) != len(annees):
        raise InvalidField("salaires_hors_secu", "une même année est donnée deux fois")
    if any(a >= data.date_arret.year for a in annees):
        raise InvalidField("salaires_hors_secu", "seules les années civiles antérieures à l'arrêt de travail comptent (R. 341-4)")
    ouverte = session.scalar(
        select(DemandeInvalidite.id).where(DemandeInvalidite.personne_id == personne.id, DemandeInvalidite.statut.in_(("deposee", "avis_rendu", "accordee")))
    )
    if ouverte is not None:
        raise Conflict(f"une demande de pension d'invalidité est déjà en cours ou accordée (n° {ouverte})", field="personne_id")
    from secu.core.identifiers import validate_bic

    demande = DemandeInvalidite(
        personne_id=personne.id,
        organisme_code=organisme,
        departement=personne.departement,
        date_demande=data.date_demande,
        date_arret=data.date_arret,
        salaires_hors_secu=json.dumps([s.model_dump() for s in data.salaires_hors_secu]),
        salaire_annee_precedente_cents=data.salaire_annee_precedente_cents,
        iban=validate_iban(data.iban) if data.iban else None,
        bic=validate_bic(data.bic) if data.bic else None,
        titulaire=data.titulaire or f"{personne.nom_naissance} {personne.prenoms}"[:70],
        deposee_par=caller.user_id,
    )
    session.add(demande)
    session.flush()
    journal(session, caller, Action.CREATION, Ressource.DEMANDE_INVALIDITE, demande.id, personne_id=personne.id)
    return demande


def lire_demande(session: Session, caller: Caller, demande_id: int) -> DemandeInvalidite:
    demande = session.get(DemandeInvalidite, demande_id)
    if demande is None:
        raise NotFound("demande introuvable", field="demande_id")
    personne = _personne(session, demande.personne_id)
    _exiger_dossier(session, caller, Permission.LIRE_INVALIDITE, personne, demande.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.DEMANDE_INVALIDITE, demande.id, personne_id=personne.id)
    return demande


def file_medecin_conseil(session: Session, caller: Caller, limite: int = 200) -> list[DemandeInvalidite]:
    """The claims awaiting an avis in the médecin-conseil's territory, oldest first; each listed file is journaled."""
    reach = exiger(caller, Permission.DONNER_AVIS_INVALIDITE)
    query = select(DemandeInvalidite).where(DemandeInvalidite.statut == "deposee").order_by(DemandeInvalidite.date_demande, DemandeInvalidite.id)
    if reach is Portee.SON_TERRITOIRE:
        from secu.acces import departements_of

        query = query.where(DemandeInvalidite.departement.in_(departements_of(caller.organisme_code)))
    demandes = list(session.scalars(query.limit(limite)))
    for demande in demandes:
        journal(session, caller, Action.LECTURE, Ressource.FILE_INVALIDITE, demande.id, personne_id=demande.personne_id)
    return demandes


def donner_avis(session: Session, caller: Caller, demande_id: int, data: AvisIn, *, now: datetime | None = None) -> DemandeInvalidite:
    """The médecin-conseil's avis on a claim of his territory."""
    demande = session.get(DemandeInvalidite, demande_id)
    if demande is None:
        raise NotFound("demande introuvable", field="demande_id")
    personne = _personne(session, demande.personne_id)
    _exiger_dossier(session, caller, Permission.DONNER_AVIS_INVALIDITE, personne)
    if demande.statut != "deposee":
        raise Conflict("l'avis a déjà été rendu sur cette demande", field="demande_id")
    if data.categorie is not None:
        if data.date_effet is None:
            raise InvalidField("date_effet", "la date d'effet est obligatoire avec une catégorie")
        if data.date_effet < demande.date_arret:
            raise InvalidField("date_effet", "la date d'effet ne peut pas précéder l'arrêt de travail")
        fin = rules.conversion_retraite(pl.DataFrame({"date_naissance": [personne.date_naissance], "mois": [data.date_effet]})).row(0, named=True)
        if not fin["en_service"]:
            raise InvalidField("date_effet", f"à cette date, l'assuré a atteint l'âge de {fin['age_conversion']} ans (CSS art. L. 341-15)")
        try:  # the law of that date must be known to secu (PASS, minimum, MTP): a clear refusal, not a failed payment later
            rules.pension_en_service(pl.DataFrame({"mois": [data.date_effet], "date_effet": [data.date_effet], "categorie": [data.categorie], "sam": [0]}))
        except NotFound as error:
            raise InvalidField("date_effet", f"date d'effet antérieure aux paramètres tenus par secu ({error.message})") from error
    elif not data.motif:
        raise InvalidField("motif", "un avis défavorable doit être motivé")
    demande.avis_categorie, demande.avis_date_effet = data.categorie, data.date_effet if data.categorie else None
    demande.avis_motif, demande.avis_par, demande.avis_le = data.motif, caller.user_id, now or datetime.now(UTC)
    demande.statut = "avis_rendu"
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_INVALIDITE, demande.id, personne_id=personne.id, detail="avis")
    return demande


# --------------------------------------------------------------------------
# The SAM from the salary records, and the decision


def _salaires_dsn(session: Session, personne_id: int) -> dict[int, int]:
    """Gross pay per calendar year from the DSN secu keeps (declarations not replaced)."""
    from secu.recouvrement.models import DeclarationDsn, Remuneration

    rows = session.execute(
        select(Remuneration.mois, Remuneration.brut_cents)
        .join(DeclarationDsn, DeclarationDsn.id == Remuneration.declaration_id)
        .where(Remuneration.personne_id == personne_id, DeclarationDsn.remplacee_par_id.is_(None))
    ).all()
    par_annee: dict[int, int] = defaultdict(int)
    for mois, brut in rows:
        par_annee[mois.year] += int(brut)
    return dict(par_annee)


def salaire_annuel_moyen(session: Session, demande: DemandeInvalidite, date_effet: date) -> tuple[int, int, list[dict[str, Any]], list[Etape]]:
    """The SAM (R. 341-4) of a claim: (sam, years kept, the years, the steps)."""
    dsn = {annee: brut for annee, brut in _salaires_dsn(session, demande.personne_id).items() if annee < demande.date_arret.year}
    declares = {int(s["annee"]): int(s["salaire_cents"]) for s in json.loads(demande.salaires_hors_secu)}
    doubles = sorted(set(dsn) & set(declares))
    if doubles:
        raise InvalidField("salaires_hors_secu", f"année(s) déjà connue(s) de secu par la DSN : {', '.join(map(str, doubles))}")
    if not dsn and not declares:
        raise InvalidField("salaires_hors_secu", "aucune année de salaire connue avant l'arrêt : le SAM ne peut pas être calculé")
    rows = [(a, m, True) for a, m in dsn.items()] + [(a, m, False) for a, m in declares.items()]
    counted = rules.annees_sam(
        pl.DataFrame({"annee": [r[0] for r in rows], "salaire": [r[1] for r in rows], "brut": [r[2] for r in rows], "date_effet": [date_effet] * len(rows)})
    )
    annees: list[dict[str, Any]] = [
        {"annee": r["annee"], "salaire_cents": r["salaire_sam"], "origine": "dsn" if r["brut"] else "demande", "retenue": r["retenue"]}
        for r in counted.iter_rows(named=True)
    ]
    nombre_reference = counted.get_column("invalidite_nombre_annees_sam_reference").cast(pl.String)[0]
    frame = pl.DataFrame({"personne": [1] * len(annees), "salaire": [a["salaire_cents"] for a in annees], "nombre": counted.get_column("nombre")})
    sam_row = rules.salaire_annuel_moyen(frame).row(0, named=True)
    annees.sort(key=lambda a: a["annee"])
    etapes = explain_sam(annees, sam_row["sam"], sam_row["annees_retenues"], nombre_reference)
    return int(sam_row["sam"]), int(sam_row["annees_retenues"]), annees, etapes


def decider(session: Session, caller: Caller, demande_id: int, data: DecisionIn) -> DemandeInvalidite:
    """The caisse's decision: a grant follows a favourable avis and liquidates the pension; a refusal closes the claim."""
    demande = session.get(DemandeInvalidite, demande_id)
    if demande is None:
        raise NotFound("demande introuvable", field="demande_id")
    personne = _personne(session, demande.personne_id)
    _exiger_dossier(session, caller, Permission.DECIDER_INVALIDITE, personne, demande.organisme_code)
    if data.decision not in ("accord", "refus"):
        raise InvalidField("decision", "décision inconnue : accord ou refus")
    if demande.statut == "deposee":
        raise Conflict("la demande attend l'avis du médecin-conseil", field="demande_id")
    if demande.statut != "avis_rendu":
        raise Conflict("la demande a déjà été décidée", field="demande_id")
    if data.date_decision < demande.date_demande:
        raise InvalidField("date_decision", "la décision ne peut pas précéder la demande")
    if data.decision == "accord":
        if demande.avis_categorie is None or demande.avis_date_effet is None:
            raise InvalidField("decision", "l'avis du médecin-conseil est défavorable : la caisse ne peut pas accorder la pension (CSS art. L. 315-1)")
        if not demande.iban:
            raise InvalidField("iban", "un IBAN est nécessaire pour servir la pension")
        _liquider(session, demande, personne)
    demande.decision, demande.date_decision, demande.decidee_par = data.decision, data.date_decision, caller.user_id
    demande.statut = "accordee" if data.decision == "accord" else "refusee"
    journal(session, caller, Action.MODIFICATION, Ressource.DEMANDE_INVALIDITE, demande.id, personne_id=personne.id, detail=data.decision)
    return demande


def _liquider(session: Session, demande: DemandeInvalidite, personne: Personne) -> PensionInvalidite:
    assert demande.avis_categorie is not None and demande.avis_date_effet is not None
    date_effet = demande.avis_date_effet
    sam, retenues, annees, etapes_sam = salaire_annuel_moyen(session, demande, date_effet)
    row = rules.pension_en_service(pl.DataFrame({"mois": [date_effet], "date_effet": [date_effet], "categorie": [demande.avis_categorie], "sam": [sam]})).row(
        0, named=True
    )
    annee_precedente = demande.date_arret.year - 1
    salaire_precedent = _salaires_dsn(session, personne.id).get(annee_precedente, demande.salaire_annee_precedente_cents or 0)
    pension = PensionInvalidite(
        demande_id=demande.id,
        personne_id=personne.id,
        organisme_code=demande.organisme_code,
        categorie=demande.avis_categorie,
        date_effet=date_effet,
        sam_cents=sam,
        annees_retenues=retenues,
        montant_liquidation_cents=row["montant_liquidation"],
        salaire_annee_precedente_cents=salaire_precedent,
        annee_precedente=annee_precedente,
        iban=demande.iban,
        bic=demande.bic,
        titulaire=demande.titulaire,
        explication=json.dumps({"annees": annees, "sam": etapes_sam, "pension": explain_pension(row)}, default=str),
    )
    session.add(pension)
    session.flush()
    return pension


# --------------------------------------------------------------------------
# The pension in service


def calculer(pensions: Iterable[PensionInvalidite], mois: date) -> dict[int, dict[str, Any]]:
    """Each pension's rules row for ``mois`` (:func:`rules.pension_en_service`), by pension id. One frame for all."""
    items = list(pensions)
    if not items:
        return {}
    frame = pl.DataFrame(
        {
            "pension": [p.id for p in items],
            "mois": [mois] * len(items),
            "date_effet": [p.date_effet for p in items],
            "categorie": [p.categorie for p in items],
            "sam": [p.sam_cents for p in items],
        }
    )
    out = rules.pension_en_service(frame)
    return {row["pension"]: row for row in out.iter_rows(named=True)}


def lire_pension(session: Session, caller: Caller, pension_id: int, mois: date | None = None) -> dict[str, Any]:
    """A pension, its amount this month explained, its payments; the read is journaled."""
    pension = session.get(PensionInvalidite, pension_id)
    if pension is None:
        raise NotFound("pension introuvable", field="pension_id")
    personne = _personne(session, pension.personne_id)
    _exiger_dossier(session, caller, Permission.LIRE_INVALIDITE, personne, pension.organisme_code)
    journal(session, caller, Action.LECTURE, Ressource.PENSION_INVALIDITE, pension.id, personne_id=personne.id)
    mois = (mois or date.today()).replace(day=1)
    mois = max(mois, pension.date_effet.replace(day=1))
    row = calculer([pension], max(mois, pension.date_effet))[pension.id]
    versements = session.scalars(select(VersementInvalidite).where(VersementInvalidite.pension_id == pension.id).order_by(VersementInvalidite.mois)).all()
    stored = json.loads(pension.explication)
    return {
        "id": pension.id,
        "personne_id": pension.personne_id,
        "demande_id": pension.demande_id,
        "organisme_code": pension.organisme_code,
        "categorie": pension.categorie,
        "date_effet": pension.date_effet,
        "date_fin": pension.date_fin,
        "sam_cents": pension.sam_cents,
        "annees_retenues": pension.annees_retenues,
        "montant_liquidation_cents": pension.montant_liquidation_cents,
        "mois": mois,
        "pension_mensuelle_cents": row["pension_mensuelle"],
        "explication": explain_pension(row),
        "sam": stored["sam"],
        "versements": [
            {
                "mois": v.mois,
                "pension_cents": v.pension_cents,
                "reduction_cents": v.reduction_cents,
                "csg_cents": v.csg_cents,
                "crds_cents": v.crds_cents,
                "casa_cents": v.casa_cents,
                "montant_cents": v.montant_cents,
                "explication": json.loads(v.explication),
            }
            for v in versements
        ],
        "categorie_csg": pension.categorie_csg,
    }


def pensions_de(session: Session, caller: Caller, personne_id: int, mois: date | None = None) -> list[dict[str, Any]]:
    """A person's pensions d'invalidité as :func:`lire_pension` reads them (each read journaled); the right over
    the file is checked first, so a person without a pension is refused or answered alike."""
    _exiger_dossier(session, caller, Permission.LIRE_INVALIDITE, _personne(session, personne_id))
    ids = session.scalars(select(PensionInvalidite.id).where(PensionInvalidite.personne_id == personne_id).order_by(PensionInvalidite.date_effet))
    return [lire_pension(session, caller, pension_id, mois) for pension_id in ids.all()]


def situation_csg(
    session: Session, caller: Caller, pension_id: int, *, categorie_csg: str | None = None, rfr_cents: int | None = None, parts: Decimal | None = None
) -> PensionInvalidite:
    """Record what the tax administration sent for a pension's CSG (L. 136-8 III): its category, or the RFR of N-2
    and its parts (checked by :func:`secu.especes.rules.prelevements_pension`); all None: back to the taux normal."""
    pension = session.get(PensionInvalidite, pension_id)
    if pension is None:
        raise NotFound("pension introuvable", field="pension_id")
    personne = _personne(session, pension.personne_id)
    _exiger_dossier(session, caller, Permission.DECIDER_INVALIDITE, personne, pension.organisme_code)
    if (rfr_cents is None) != (parts is None):
        raise InvalidField("rfr_cents" if rfr_cents is None else "parts", "le revenu fiscal de référence et le nombre de parts vont ensemble")
    from secu.especes.rules import prelevements_pension

    prelevements_pension(  # validates the category, the RFR and the parts, naming the field
        pl.DataFrame(
            {
                "montant": [0],
                "mois": [pension.date_effet],
                "categorie_csg": [categorie_csg],
                "rfr": [rfr_cents],
                "parts": [None if parts is None else float(parts)],
            },
            schema={"montant": pl.Int64, "mois": pl.Date, "categorie_csg": pl.String, "rfr": pl.Int64, "parts": pl.Float64},
        )
    )
    pension.categorie_csg, pension.rfr_cents, pension.parts = categorie_csg, rfr_cents, parts
    journal(session, caller, Action.MODIFICATION, Ressource.PENSION_INVALIDITE, pension.id, personne_id=personne.id, detail="situation CSG")
    return pension


def pensionnes_le(session: Session, asks: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (person, day) pairs on which the person holds a pension d'invalidité in service (granted, from its date
    d'effet, before its end): the exonération ``invalidite`` of the maladie liquidation (CSS art. L. 160-14)."""
    wanted = set(asks)
    ids = {pid for pid, _ in wanted}
    if not ids:
        return set()
    periods: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for pid, debut, fin in session.execute(
        select(PensionInvalidite.personne_id, PensionInvalidite.date_effet, PensionInvalidite.date_fin).where(PensionInvalidite.personne_id.in_(ids))
    ):
        periods[pid].append((debut, fin))
    return {(pid, day) for pid, day in wanted if any(debut <= day and (fin is None or day < fin) for debut, fin in periods[pid])}


def fin_du_mois(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def en_service(organisme_code: str, mois: date):  # type: ignore[no-untyped-def]
    """The query of the pensions of a caisse to pay for ``mois``: started by the end of the month, not ended before it."""
    return select(PensionInvalidite).where(
        PensionInvalidite.organisme_code == organisme_code,
        PensionInvalidite.date_effet <= fin_du_mois(mois),
        or_(PensionInvalidite.date_fin.is_(None), PensionInvalidite.date_fin > mois),
    )


def demande_out(demande: DemandeInvalidite, caller: Caller, session: Session) -> dict[str, Any]:
    pension = session.scalar(select(PensionInvalidite.id).where(PensionInvalidite.demande_id == demande.id))
    return {
        "id": demande.id,
        "personne_id": demande.personne_id,
        "organisme_code": demande.organisme_code,
        "statut": demande.statut,
        "date_demande": demande.date_demande,
        "date_arret": demande.date_arret,
        "avis": None
        if demande.statut == "deposee"
        else {
            "categorie": demande.avis_categorie,
            "date_effet": demande.avis_date_effet,
            "favorable": demande.avis_categorie is not None,
            "motif": demande.avis_motif if medical(caller) else None,
        },
        "decision": demande.decision,
        "date_decision": demande.date_decision,
        "pension_id": pension,
    }


__all__ = [
    "AvisIn",
    "CATEGORIES",
    "CampagneInvalidite",
    "ConversionRetraite",
    "VersementInvalidite",
    "fin_du_mois",
    "DecisionIn",
    "DemandeIn",
    "DemandeInvalidite",
    "PensionInvalidite",
    "SalaireAnnuel",
    "calculer",
    "decider",
    "demande_out",
    "demander",
    "donner_avis",
    "en_service",
    "file_medecin_conseil",
    "lire_demande",
    "lire_pension",
    "pensionnes_le",
    "salaire_annuel_moyen",
    "situation_csg",
]
