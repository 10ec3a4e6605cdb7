"""Tables of the autonomie: the département's decisions (APA, PCH), the monthly payments, the payment runs.

The APA and the PCH are decided and paid by the conseil départemental, not by
a caisse: a decision names the département that pays (``departement``, the
code of the COG). The CNSA pays back part of the expense (its concours),
booked with each payment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class DecisionAutonomie(Base):
    """One decision of the président du conseil départemental (APA) or of the CDAPH (PCH), for a period."""

    __tablename__ = "decision_autonomie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    prestation: Mapped[str] = mapped_column(String(20))  # apa_domicile, apa_etablissement, pch
    gir: Mapped[int | None] = mapped_column(Integer)  # APA only
    plan_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # APA domicile: accepted plan; établissement: tarif of the GIR
    tarif_gir56_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # APA en établissement
    ressources_cents: Mapped[int] = mapped_column(BigInteger)  # APA: monthly; PCH: annual base of the taux
    couple: Mapped[bool] = mapped_column(Boolean, default=False)
    heures_centiemes: Mapped[int] = mapped_column(Integer, default=0)  # PCH aide humaine, per month
    mode_aide_humaine: Mapped[str | None] = mapped_column(String(20))
    aides_techniques_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    amenagement_logement_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    amenagement_vehicule_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    charges_specifiques_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    aide_animaliere_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    date_decision: Mapped[date] = mapped_column(Date)
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)
    decidee_par: Mapped[int | None] = mapped_column(Integer)
    enregistree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CampagneAutonomie(Base):
    """The payment run of one département for one month: run it again, it pays nothing twice."""

    __tablename__ = "campagne_autonomie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    departement: Mapped[str] = mapped_column(String(3))
    mois: Mapped[date] = mapped_column(Date)  # first day of the month
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    versements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    concours_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("departement", "mois"),)


class VersementAutonomie(Base):
    """What one decision paid for one month, and the CNSA's concours on it. One row per (decision, month)."""

    __tablename__ = "versement_autonomie"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision_autonomie.id"), index=True)
    campagne_id: Mapped[int] = mapped_column(ForeignKey("campagne_autonomie.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)
    participation_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    montant_cents: Mapped[int] = mapped_column(BigInteger)
    concours_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (UniqueConstraint("decision_id", "mois"),)
