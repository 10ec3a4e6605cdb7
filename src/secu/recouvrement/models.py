"""Tables of the recouvrement: DSN received, salary records, contribution lines, the employer's account.

A DSN is kept whole (its text, its fingerprint) with one row per version: an
"annule et remplace" DSN supersedes the earlier version of the same
establishment and month, never adds to it. Salary records and contribution
lines belong to a version; the active version of each (siret, month) is the
one whose ``remplacee_par_id`` is null.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class DeclarationDsn(Base):
    __tablename__ = "declaration_dsn"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    siret: Mapped[str] = mapped_column(String(14), index=True)
    mois: Mapped[date] = mapped_column(Date)  # first day of the declared month
    version: Mapped[int] = mapped_column(Integer)  # 1, then 2 for its first replacement…
    type_declaration: Mapped[str] = mapped_column(String(30))  # normale, normale_neant, annule_remplace…
    remplacee_par_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_dsn.id"))
    empreinte: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the file: the same file sent twice is one DSN
    format: Mapped[str] = mapped_column(String(8))  # texte, json
    contenu: Mapped[str] = mapped_column(Text)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the URSSAF of the establishment
    effectif: Mapped[int] = mapped_column(Integer)
    salaries: Mapped[int] = mapped_column(Integer)
    date_exigibilite: Mapped[date] = mapped_column(Date)
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    salarial_cents: Mapped[int] = mapped_column(BigInteger)  # employee contributions, all recipients
    patronal_cents: Mapped[int] = mapped_column(BigInteger)  # employer contributions net of the réduction générale
    du_urssaf_cents: Mapped[int] = mapped_column(BigInteger)  # what the URSSAF collects for this month
    recue_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    deposee_par: Mapped[int | None] = mapped_column(Integer)

    remunerations: Mapped[list[Remuneration]] = relationship(back_populates="declaration", order_by="Remuneration.id")

    __table_args__ = (UniqueConstraint("siret", "mois", "version"),)


class Remuneration(Base):
    """The salary record of one person, one contract, one month: kept for the daily allowances, pensions and family benefits."""

    __tablename__ = "remuneration"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declaration_dsn.id"), index=True)
    nir: Mapped[str] = mapped_column(String(15), index=True)
    personne_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"), index=True)
    siret: Mapped[str] = mapped_column(String(14))
    mois: Mapped[date] = mapped_column(Date)
    numero_contrat: Mapped[str | None] = mapped_column(String(30))
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    heures: Mapped[str | None] = mapped_column(String(12))  # exact decimal as text
    heures_contrat: Mapped[str | None] = mapped_column(String(12))
    cadre: Mapped[bool] = mapped_column(Boolean)
    date_entree: Mapped[date | None] = mapped_column(Date)
    date_sortie: Mapped[date | None] = mapped_column(Date)
    salarial_cents: Mapped[int] = mapped_column(BigInteger)
    patronal_cents: Mapped[int] = mapped_column(BigInteger)
    net_avant_impot_cents: Mapped[int] = mapped_column(BigInteger)

    declaration: Mapped[DeclarationDsn] = relationship(back_populates="remunerations")
    lignes: Mapped[list[LigneCotisation]] = relationship(back_populates="remuneration", order_by="LigneCotisation.id")


class LigneCotisation(Base):
    __tablename__ = "ligne_cotisation"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    remuneration_id: Mapped[int] = mapped_column(ForeignKey("remuneration.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    libelle: Mapped[str] = mapped_column(String(120))
    assiette_cents: Mapped[int] = mapped_column(BigInteger)
    taux_salarial: Mapped[str | None] = mapped_column(String(16))
    taux_patronal: Mapped[str | None] = mapped_column(String(16))
    montant_salarial_cents: Mapped[int] = mapped_column(BigInteger)
    montant_patronal_cents: Mapped[int] = mapped_column(BigInteger)
    attributaire: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(Text)

    remuneration: Mapped[Remuneration] = relationship(back_populates="lignes")


class MouvementCotisant(Base):
    """One movement of an employer's account with the URSSAF: positive, owed by the employer; negative, paid."""

    __tablename__ = "mouvement_cotisant"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    siret: Mapped[str | None] = mapped_column(String(14))
    organisme_code: Mapped[str] = mapped_column(String(20))
    nature: Mapped[str] = mapped_column(String(30))  # cotisations, regularisation, versement, majoration_retard, majoration_complementaire
    mois: Mapped[date | None] = mapped_column(Date)  # the period concerned
    date_valeur: Mapped[date] = mapped_column(Date)  # due date, or date the payment was received
    montant_cents: Mapped[int] = mapped_column(BigInteger)
    libelle: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(300))
    cle_idempotence: Mapped[str] = mapped_column(String(120), unique=True)
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("declaration_dsn.id"))
    cree_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class MiseEnDemeure(Base):
    __tablename__ = "mise_en_demeure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    siren: Mapped[str] = mapped_column(String(9), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    date_emission: Mapped[date] = mapped_column(Date)
    date_limite: Mapped[date] = mapped_column(Date)
    cotisations_cents: Mapped[int] = mapped_column(BigInteger)
    majorations_cents: Mapped[int] = mapped_column(BigInteger)
    periodes: Mapped[str] = mapped_column(Text)  # JSON: [{"mois": "2025-03-01", "reste_du_cents": …}]
    emise_par: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("siren", "date_emission"),)
