"""The tables of the survivors' benefits and of the minimum vieillesse (issue 14 §4): migration 0017.

One ``demande_solidarite`` is the life of a claim for a réversion, an allocation veuvage or the ASPA (``nature``):
filed (``deposee``), instructed by an agent of the caisse retraite of the claimant's residence (``instruite``: the
facts the rule was given and its result), decided (``attribuee`` / ``rejetee``). A grant writes one
``prestation_solidarite``, whose amounts by period are the rows of ``montant_solidarite`` (the first one at the
date d'effet; a revision of the resources adds one from the month it applies). Each decision, revision and
recovery writes one ``notification_solidarite`` (the letter). The monthly run of :mod:`secu.retraite.paiement`
pays them beside the pensions de droit propre, one ``versement_solidarite`` per (benefit, month owed), unique.
At an ASPA beneficiary's death, ``recuperation_aspa`` is the recovery on the estate (L. 815-13), one per benefit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secu.core.db import Base

NATURES = ("reversion", "veuvage", "aspa")


def _now() -> datetime:
    return datetime.now(UTC)


class DemandeSolidarite(Base):
    """A claim for a réversion, an allocation veuvage or the ASPA, its instruction and the caisse's decision."""

    __tablename__ = "demande_solidarite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nature: Mapped[str] = mapped_column(String(10), index=True)  # reversion, veuvage, aspa
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)  # the claimant (the survivor)
    defunt_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"))  # réversion and veuvage: the deceased
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the caisse retraite of the claimant's residence
    date_demande: Mapped[date] = mapped_column(Date)
    date_effet: Mapped[date] = mapped_column(Date)
    declaration: Mapped[str] = mapped_column(Text)  # JSON: what the claimant declares (resources, marriage, household)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str] = mapped_column(String(70))
    statut: Mapped[str] = mapped_column(String(10), default="deposee", index=True)
    deposee_par: Mapped[int | None] = mapped_column(Integer)
    deposee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    instruction: Mapped[str | None] = mapped_column(Text)  # JSON: the facts the agent established
    resultat: Mapped[str | None] = mapped_column(Text)  # JSON: the rule's row and its steps
    instruite_par: Mapped[int | None] = mapped_column(Integer)
    instruite_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(11))  # attribution, rejet
    motif_rejet: Mapped[str | None] = mapped_column(String(500))
    date_decision: Mapped[date | None] = mapped_column(Date)
    decidee_par: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("personne_id", "nature", "date_effet"),)  # the same claim twice is one, even in a race


class PrestationSolidarite(Base):
    """A réversion, an allocation veuvage or an ASPA granted: what the monthly run pays, and to whom."""

    __tablename__ = "prestation_solidarite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_solidarite.id"), unique=True)
    nature: Mapped[str] = mapped_column(String(10), index=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    date_effet: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)  # first month no longer paid (veuvage: end of the period; the run that learnt of a death)
    date_montant_definitif: Mapped[date | None] = mapped_column(Date)  # réversion: resources revised until then (R. 353-1-1)
    entree: Mapped[str] = mapped_column(Text)  # JSON: the rule's input row, the resources aside (the next revision reruns it)
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str] = mapped_column(String(70))
    categorie_csg: Mapped[str | None] = mapped_column(String(10))
    rfr_cents: Mapped[int | None] = mapped_column(BigInteger)
    parts: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MontantSolidarite(Base):
    """The amount of a benefit from a month on: the resources declared and the rule's result (the first, then each revision)."""

    __tablename__ = "montant_solidarite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation_solidarite.id"), index=True)
    a_compter_du: Mapped[date] = mapped_column(Date)  # first day of a month
    ressources: Mapped[str] = mapped_column(Text)  # JSON: the resources columns of the rule
    montant_mensuel_cents: Mapped[int] = mapped_column(BigInteger)  # at that month, before any revaluation
    explication: Mapped[str] = mapped_column(Text)  # JSON: the steps
    definitif: Mapped[bool] = mapped_column(Boolean, default=False)  # réversion: the amount revised for the last time
    creee_par: Mapped[int | None] = mapped_column(Integer)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("prestation_id", "a_compter_du"),)


class NotificationSolidarite(Base):
    """A letter of the caisse (decision, revision, recovery on the estate): shown in the espace assuré, printed as a PDF."""

    __tablename__ = "notification_solidarite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    demande_id: Mapped[int] = mapped_column(ForeignKey("demande_solidarite.id"), index=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)  # the addressee (the heirs' file: the deceased's)
    organisme_code: Mapped[str] = mapped_column(String(20))
    motif: Mapped[str] = mapped_column(String(12))  # decision, revision, recuperation
    date_notification: Mapped[date] = mapped_column(Date)
    objet: Mapped[str] = mapped_column(String(200))
    contenu: Mapped[str] = mapped_column(Text)  # JSON: the paragraphs, the amounts, the steps
    lue_le: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class VersementSolidarite(Base):
    """What one benefit paid for one month owed, in a run of :class:`CampagneRetraite`: unique per (benefit, month)."""

    __tablename__ = "versement_solidarite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation_solidarite.id"), index=True)
    campagne_id: Mapped[int] = mapped_column(ForeignKey("campagne_retraite.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    csg_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    crds_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    casa_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    explication: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("prestation_id", "mois"),)


class RecuperationAspa(Base):
    """The ASPA recovered on a beneficiary's estate (L. 815-13): the net estate the notary declared, the rule's amount."""

    __tablename__ = "recuperation_aspa"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation_solidarite.id"), unique=True)  # one estate per benefit
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)  # the deceased beneficiary
    organisme_code: Mapped[str] = mapped_column(String(20))
    date_deces: Mapped[date] = mapped_column(Date)
    date_declaration: Mapped[date] = mapped_column(Date)
    notaire: Mapped[str] = mapped_column(String(140))
    actif_net_cents: Mapped[int] = mapped_column(BigInteger)
    outre_mer: Mapped[bool] = mapped_column(Boolean, default=False)
    aspa_versee_cents: Mapped[int] = mapped_column(BigInteger)
    mois_versement: Mapped[int] = mapped_column(Integer)
    montant_cents: Mapped[int] = mapped_column(BigInteger)  # the créance on the estate
    explication: Mapped[str] = mapped_column(Text)
    creee_par: Mapped[int | None] = mapped_column(Integer)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


__all__ = [
    "NATURES",
    "DemandeSolidarite",
    "MontantSolidarite",
    "NotificationSolidarite",
    "PrestationSolidarite",
    "RecuperationAspa",
    "VersementSolidarite",
]
