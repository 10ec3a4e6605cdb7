"""Tables of the branche famille: the dossier allocataire, its dated changes, rights, payments and indus.

The household itself stays in the register (`foyer`, `membre_foyer`, `personne`);
the CAF adds what it needs to pay:

* ``dossier_allocataire`` — one per household: the CAF that manages it, the
  account it is paid on, the date the household was declared and the date it
  exists from;
* ``evenement_famille`` — every change of situation (birth, arrival or
  departure of a child, couple, separation, move, garde alternée, AEEH, ASF,
  a child's pay, schooling, handicap of the allocataire, resources) with the
  date of the event and the first month it takes effect (CSS R552-2). The
  history is append-only: the state of any month is rebuilt from it;
* ``ressource_annuelle`` — each member's resources of a year (net catégoriel,
  CSS R532-3), taken from the DSN salary records or declared; the latest row
  of a (dossier, person, year) is the one in force, earlier ones stay;
* ``droit_famille`` — the rights last computed for (dossier, month, benefit):
  gross, CRDS, net and the explanation (JSON);
* ``campagne_famille`` / ``paiement_famille`` / ``ligne_paiement_famille`` — a
  monthly run per CAF, one payment per dossier, and what it settles for each
  (month, benefit): the month's instalment, a rappel of an earlier month, or
  an indu (negative);
* ``indu_famille`` / ``retenue_indu`` — an overpayment and each deduction
  that recovers it (CSS L553-2, D553-1, D553-4).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from secu.core.db import Base
from secu.register.models import utcnow as _now

NATURES = (
    "naissance",  # a child is born into the household
    "arrivee_enfant",  # a child comes to live in the household
    "depart_enfant",  # a child leaves the household (or dies)
    "mise_en_couple",  # a conjoint joins the allocataire
    "separation",  # the conjoint leaves
    "demenagement",  # the household moves (the CAF may change)
    "garde_alternee",  # résidence alternée of a child begins or ends
    "aeeh",  # AEEH category of a child granted, changed or ended
    "asf",  # a child's situation for the ASF
    "salaire_enfant",  # a child's monthly net pay
    "scolarite",  # a child starts or stops school/apprenticeship
    "handicap",  # the allocataire's taux d'incapacité / RSDAE
    "ressources",  # a member's resources of a year
)

PRESTATIONS = ("af", "cf", "paje_naissance", "paje_base", "ars", "asf", "aeeh", "aah")


class DossierAllocataire(Base):
    __tablename__ = "dossier_allocataire"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    foyer_id: Mapped[int] = mapped_column(ForeignKey("foyer.id"), unique=True)
    allocataire_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the CAF (rattachement famille)
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    date_debut: Mapped[date] = mapped_column(Date)  # the household exists from
    date_declaration: Mapped[date] = mapped_column(Date)
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    cree_par: Mapped[int | None] = mapped_column(Integer)

    evenements: Mapped[list[EvenementFamille]] = relationship(
        back_populates="dossier", order_by="(EvenementFamille.date_effet, EvenementFamille.id)"
    )


class EvenementFamille(Base):
    """A dated change of situation. ``donnees`` is JSON: what changed (category, amount, year…)."""

    __tablename__ = "evenement_famille"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    nature: Mapped[str] = mapped_column(String(20))
    personne_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"), index=True)
    date_evenement: Mapped[date] = mapped_column(Date)
    date_effet: Mapped[date] = mapped_column(Date)  # first day of the first month it changes
    donnees: Mapped[str] = mapped_column(Text, default="{}")
    reference: Mapped[str | None] = mapped_column(String(200))
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    enregistre_par: Mapped[int | None] = mapped_column(Integer)

    dossier: Mapped[DossierAllocataire] = relationship(back_populates="evenements")

    __table_args__ = (
        CheckConstraint(
            "nature IN (" + ", ".join(f"'{n}'" for n in NATURES) + ")", name="nature"
        ),
    )


class RessourceAnnuelle(Base):
    __tablename__ = "ressource_annuelle"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    annee: Mapped[int] = mapped_column(Integer)
    montant_cents: Mapped[int] = mapped_column(BigInteger)  # net catégoriel of the year
    revenu_professionnel_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # for biactivité
    origine: Mapped[str] = mapped_column(String(10))  # dsn, declaree
    note: Mapped[str | None] = mapped_column(Text)
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        CheckConstraint("montant_cents >= 0", name="montant"),
        CheckConstraint("origine IN ('dsn', 'declaree')", name="origine"),
    )


class DroitFamille(Base):
    """The right of a month, as last computed; what was paid for it is in ligne_paiement_famille."""

    __tablename__ = "droit_famille"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)
    prestation: Mapped[str] = mapped_column(String(20))
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    crds_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    explication: Mapped[str] = mapped_column(Text, default="[]")
    calcule_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("dossier_id", "mois", "prestation"),)


class CampagneFamille(Base):
    """The monthly payment run of one CAF for the rights of one month."""

    __tablename__ = "campagne_famille"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    mois: Mapped[date] = mapped_column(Date)  # the month of the rights paid
    date_execution: Mapped[date] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    virements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    ouverte_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        UniqueConstraint("organisme_code", "mois"),
        CheckConstraint("statut IN ('en_cours', 'terminee')", name="statut"),
    )


class PaiementFamille(Base):
    """What one dossier receives in one run: the lines settled, less the deduction for indus."""

    __tablename__ = "paiement_famille"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    campagne_id: Mapped[int] = mapped_column(ForeignKey("campagne_famille.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    du_cents: Mapped[int] = mapped_column(BigInteger)  # net of the positive lines (instalment and rappels)
    retenue_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # recovered on indus
    vire_cents: Mapped[int] = mapped_column(BigInteger)  # transferred
    retenue_plafond_cents: Mapped[int | None] = mapped_column(BigInteger)  # the legal limit of the month
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str | None] = mapped_column(String(140))

    __table_args__ = (
        UniqueConstraint("campagne_id", "dossier_id"),
        CheckConstraint("retenue_cents >= 0 AND vire_cents >= 0", name="montants"),
    )


class LignePaiementFamille(Base):
    """One (month, benefit) settled by a payment: signed amounts, an indu is negative."""

    __tablename__ = "ligne_paiement_famille"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    paiement_id: Mapped[int] = mapped_column(ForeignKey("paiement_famille.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    mois: Mapped[date] = mapped_column(Date)
    prestation: Mapped[str] = mapped_column(String(20))
    nature: Mapped[str] = mapped_column(String(12))  # echeance, rappel, indu
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    crds_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("paiement_id", "mois", "prestation"),
        CheckConstraint("nature IN ('echeance', 'rappel', 'indu')", name="nature"),
    )


class InduFamille(Base):
    __tablename__ = "indu_famille"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier_allocataire.id"), index=True)
    ligne_id: Mapped[int] = mapped_column(ForeignKey("ligne_paiement_famille.id"), unique=True)
    mois: Mapped[date] = mapped_column(Date)
    prestation: Mapped[str] = mapped_column(String(20))
    montant_cents: Mapped[int] = mapped_column(BigInteger)  # net overpaid, positive
    recupere_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    constate_le: Mapped[date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("montant_cents > 0 AND recupere_cents >= 0 AND recupere_cents <= montant_cents", name="montants"),)


class RetenueIndu(Base):
    __tablename__ = "retenue_indu"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    indu_id: Mapped[int] = mapped_column(ForeignKey("indu_famille.id"), index=True)
    paiement_id: Mapped[int] = mapped_column(ForeignKey("paiement_famille.id"), index=True)
    montant_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("indu_id", "paiement_id"),
        CheckConstraint("montant_cents > 0", name="montant"),
    )
