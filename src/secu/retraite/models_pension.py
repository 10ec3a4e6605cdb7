"""The tables of the claim and the pension de droit propre in service (issue 14 §3): migration 0016.

One row of ``demande_retraite`` is the file's life: filed (``deposee``), instructed by an agent of the CARSAT
(``instruite``: the career facts and the rule's result), decided (``attribuee`` / ``rejetee``). A grant writes
one ``pension_retraite``; every decision writes one ``notification_retraite`` (the letter, shown in the espace
assuré and printed as a PDF). The monthly run writes one ``versement_retraite`` per (pension, month owed):
unique, so no month is ever paid twice; the first payment carries the arrears since the date d'effet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class DemandeRetraite(Base):
    """A claim for the pension de droit propre, its instruction and the CARSAT's decision."""

    __tablename__ = "demande_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the CARSAT (CNAV, CGSS) of the residence
    date_demande: Mapped[date] = mapped_column(Date)  # the day the caisse received it (R. 351-37)
    date_effet: Mapped[date] = mapped_column(Date)  # first day of a month (R. 351-37)
    # what the assuré declares
    enfants: Mapped[int] = mapped_column(Integer, default=0)
    trimestres_autres_regimes: Mapped[int] = mapped_column(Integer, default=0)
    inaptitude: Mapped[bool] = mapped_column(Boolean, default=False)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str] = mapped_column(String(70))
    statut: Mapped[str] = mapped_column(String(10), default="deposee", index=True)  # deposee, instruite, attribuee, rejetee
    deposee_par: Mapped[int | None] = mapped_column(Integer)
    deposee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # the instruction: the career facts the rule was given, and its result (JSON: the row and its steps)
    sam_cents: Mapped[int | None] = mapped_column(BigInteger)
    trimestres: Mapped[int | None] = mapped_column(Integer)  # all régimes, majorations included
    trimestres_rg: Mapped[int | None] = mapped_column(Integer)
    trimestres_cotises: Mapped[int | None] = mapped_column(Integer)
    carriere_longue: Mapped[bool] = mapped_column(Boolean, default=False)
    inaptitude_reconnue: Mapped[bool] = mapped_column(Boolean, default=False)
    total_pensions_mensuel_cents: Mapped[int | None] = mapped_column(BigInteger)  # all régimes, for the MICO (L. 351-10)
    origine_carriere: Mapped[str | None] = mapped_column(String(10))  # compte (the career service) or agent (keyed)
    resultat: Mapped[str | None] = mapped_column(Text)
    instruite_par: Mapped[int | None] = mapped_column(Integer)
    instruite_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the decision
    decision: Mapped[str | None] = mapped_column(String(11))  # attribution, rejet
    motif_rejet: Mapped[str | None] = mapped_column(String(500))
    date_decision: Mapped[date | None] = mapped_column(Date)
    decidee_par: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("personne_id", "date_effet"),)  # the same claim twice is one, even in a race


class PensionRetraite(Base):
    """A pension de droit propre granted: its amount at the date d'effet, and where it is paid."""

    __tablename__ = "pension_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_retraite.id"), unique=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    date_effet: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)  # first month no longer owed (the month after the death)
    paiement_arrete_le: Mapped[date | None] = mapped_column(Date)  # the run that learnt of the death: nothing more transferred
    pension_annuelle_cents: Mapped[int] = mapped_column(BigInteger)
    pension_mensuelle_cents: Mapped[int] = mapped_column(BigInteger)  # at the date d'effet, before any revaluation
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str] = mapped_column(String(70))
    # CSG on the pension (L. 136-8 III): the category when known, else the RFR of N-2 (cents) and its parts
    categorie_csg: Mapped[str | None] = mapped_column(String(10))
    rfr_cents: Mapped[int | None] = mapped_column(BigInteger)
    parts: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    explication: Mapped[str] = mapped_column(Text)  # JSON: the liquidation's steps
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class NotificationRetraite(Base):
    """The decision's letter: a message in the espace assuré, printed on demand as a PDF."""

    __tablename__ = "notification_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_retraite.id"), unique=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    date_notification: Mapped[date] = mapped_column(Date)
    objet: Mapped[str] = mapped_column(String(200))
    contenu: Mapped[str] = mapped_column(Text)  # JSON: the paragraphs, the amounts, the steps
    lue_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CampagneRetraite(Base):
    """One CARSAT's monthly run: month M paid on the 9th of M+1 (terme échu). Run again, it pays nothing twice."""

    __tablename__ = "campagne_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    echeance: Mapped[date] = mapped_column(Date)  # the 9th of M+1
    mois: Mapped[date] = mapped_column(Date)  # first day of the month paid (M)
    date_execution: Mapped[date] = mapped_column(Date)  # the échéance, or the working day before it
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    virements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("organisme_code", "echeance"),)


class VersementRetraite(Base):
    """What one pension paid for one month owed: unique per (pension, month), so nothing is paid twice."""

    __tablename__ = "versement_retraite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pension_id: Mapped[int] = mapped_column(ForeignKey("pension_retraite.id"), index=True)
    campagne_id: Mapped[int] = mapped_column(ForeignKey("campagne_retraite.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)  # the month owed (a first payment: each month since the date d'effet)
    brut_cents: Mapped[int] = mapped_column(BigInteger)  # the pension of that month, revalued
    csg_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    crds_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    casa_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    explication: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("pension_id", "mois"),)


__all__ = ["CampagneRetraite", "DemandeRetraite", "NotificationRetraite", "PensionRetraite", "VersementRetraite"]
