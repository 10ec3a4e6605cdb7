"""Tables of the register (SQLAlchemy 2, typed mappings).

Personal data lives here; every read of it goes through `secu.register.access`,
which checks the caller's role and writes the audit journal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from secu.core.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


SEXES = ("1", "2")  # as in the NIR: 1 homme, 2 femme


class Personne(Base):
    __tablename__ = "personne"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nir: Mapped[str] = mapped_column(String(15), unique=True)
    nom_naissance: Mapped[str] = mapped_column(String(100), index=True)
    nom_usage: Mapped[str | None] = mapped_column(String(100))
    prenoms: Mapped[str] = mapped_column(String(150))
    date_naissance: Mapped[date] = mapped_column(Date)
    sexe: Mapped[str] = mapped_column(String(1))
    date_deces: Mapped[date | None] = mapped_column(Date)
    adresse: Mapped[str | None] = mapped_column(String(200))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(5))  # code INSEE (COG)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    regime: Mapped[str] = mapped_column(String(10), default="general")
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint("sexe IN ('1', '2')", name="sexe"),)

    rattachements: Mapped[list[Rattachement]] = relationship(back_populates="personne", cascade="all, delete-orphan")


class Rattachement(Base):
    """Which organism handles the person, for each branch (recomputed when they move)."""

    __tablename__ = "rattachement"

    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id", ondelete="CASCADE"), primary_key=True)
    branche: Mapped[str] = mapped_column(String(20), primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)

    personne: Mapped[Personne] = relationship(back_populates="rattachements")


class AyantDroit(Base):
    """A minor attached to the parent (ouvrant droit) through whom they are covered."""

    __tablename__ = "ayant_droit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enfant_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    ouvrant_droit_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("enfant_id", "ouvrant_droit_id", "date_debut", name="lien"),
        CheckConstraint("enfant_id <> ouvrant_droit_id", name="distincts"),
    )


class Foyer(Base):
    __tablename__ = "foyer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    libelle: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    membres: Mapped[list[MembreFoyer]] = relationship(back_populates="foyer", cascade="all, delete-orphan")


class MembreFoyer(Base):
    __tablename__ = "membre_foyer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    foyer_id: Mapped[int] = mapped_column(ForeignKey("foyer.id", ondelete="CASCADE"), index=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # allocataire, conjoint, enfant, autre
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)

    foyer: Mapped[Foyer] = relationship(back_populates="membres")

    __table_args__ = (CheckConstraint("role IN ('allocataire', 'conjoint', 'enfant', 'autre')", name="role"),)


class Employeur(Base):
    __tablename__ = "employeur"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    raison_sociale: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    etablissements: Mapped[list[Etablissement]] = relationship(back_populates="employeur")


class Etablissement(Base):
    __tablename__ = "etablissement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employeur_id: Mapped[int] = mapped_column(ForeignKey("employeur.id"), index=True)
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    enseigne: Mapped[str | None] = mapped_column(String(200))
    code_naf: Mapped[str] = mapped_column(String(6))
    effectif: Mapped[int] = mapped_column(Integer)
    adresse: Mapped[str | None] = mapped_column(String(200))
    commune: Mapped[str | None] = mapped_column(String(5))
    departement: Mapped[str] = mapped_column(String(3), index=True)

    employeur: Mapped[Employeur] = relationship(back_populates="etablissements")

    __table_args__ = (CheckConstraint("effectif >= 0", name="effectif"),)


PROFESSIONS = (
    "medecin",
    "chirurgien-dentiste",
    "sage-femme",
    "pharmacien",
    "infirmier",
    "masseur-kinesitherapeute",
    "orthophoniste",
    "orthoptiste",
    "pedicure-podologue",
    "biologiste",
    "transporteur-sanitaire",
)


class ProfessionnelSante(Base):
    __tablename__ = "professionnel_sante"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rpps: Mapped[str] = mapped_column(String(11), unique=True)
    nom: Mapped[str] = mapped_column(String(100), index=True)
    prenom: Mapped[str] = mapped_column(String(100))
    profession: Mapped[str] = mapped_column(String(30))
    specialite: Mapped[str | None] = mapped_column(String(60))
    # Secteur conventionnel: 1 (tarifs opposables), 2 (honoraires libres), 3 (non conventionné).
    secteur: Mapped[int] = mapped_column(Integer)
    optam: Mapped[bool] = mapped_column(Boolean, default=False)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    commune: Mapped[str | None] = mapped_column(String(5))
    iban: Mapped[str | None] = mapped_column(String(34))  # where the caisse pays in tiers payant
    bic: Mapped[str | None] = mapped_column(String(11))

    __table_args__ = (CheckConstraint("secteur IN (1, 2, 3)", name="secteur"),)


class Affiliation(Base):
    """A period of rights to the prise en charge des frais de santé (PUMa, CSS L160-1)."""

    __tablename__ = "affiliation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    regime: Mapped[str] = mapped_column(String(10))
    organisme_code: Mapped[str] = mapped_column(String(20))
    motif: Mapped[str] = mapped_column(String(20))  # activite, residence
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (CheckConstraint("date_fin IS NULL OR date_fin >= date_debut", name="periode"),)


class CarteVitale(Base):
    __tablename__ = "carte_vitale"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    numero: Mapped[str] = mapped_column(String(20), unique=True)
    date_emission: Mapped[date] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(12), default="active")  # active, perdue, volee, remplacee
    date_statut: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("statut IN ('active', 'perdue', 'volee', 'remplacee')", name="statut"),
        # One card in force per person: the database itself refuses a second one.
        Index(
            "uq_carte_vitale_active",
            "personne_id",
            unique=True,
            sqlite_where=text("statut = 'active'"),
            postgresql_where=text("statut = 'active'"),
        ),
    )


class MedecinTraitant(Base):
    """A dated déclaration de choix du médecin traitant (CSS L162-5-3)."""

    __tablename__ = "medecin_traitant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    professionnel_id: Mapped[int] = mapped_column(ForeignKey("professionnel_sante.id"), index=True)
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)


class Ald(Base):
    """An affection de longue durée (CSS L160-14 3° and 4°, D160-4): medical data."""

    __tablename__ = "ald"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    code: Mapped[str] = mapped_column(String(3))
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date | None] = mapped_column(Date)
    protocole: Mapped[str | None] = mapped_column(String(40))  # reference of the protocole de soins
    medecin_id: Mapped[int | None] = mapped_column(ForeignKey("professionnel_sante.id"))

    __table_args__ = (CheckConstraint("date_fin IS NULL OR date_fin >= date_debut", name="periode"),)


class PeriodeC2S(Base):
    """Complémentaire santé solidaire (CSS L861-1), with or without participation."""

    __tablename__ = "periode_c2s"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    avec_participation: Mapped[bool] = mapped_column(Boolean, default=False)
    participation_mensuelle_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    date_debut: Mapped[date] = mapped_column(Date)
    date_fin: Mapped[date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("date_fin >= date_debut", name="periode"),)
