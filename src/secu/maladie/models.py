"""Tables of the Assurance Maladie's soins: lots, feuilles de soins, their lines, the yearly counters."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class LotFse(Base):
    __tablename__ = "lot_fse"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    professionnel_id: Mapped[int] = mapped_column(ForeignKey("professionnel_sante.id"), index=True)
    numero: Mapped[str] = mapped_column(String(40))
    recu_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("professionnel_id", "numero"),)


class Fse(Base):
    """One feuille de soins: a patient, a professional, a date, lines. Idempotent on (professionnel, numero)."""

    __tablename__ = "fse"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # No index of its own: the unique (professionnel_id, numero) below serves every lookup by professional, and a
    # second index only cost each claim one more insertion and tempted the planner into reading all of a
    # professional's claims to find a lot's numbers.
    professionnel_id: Mapped[int] = mapped_column(ForeignKey("professionnel_sante.id"))
    numero: Mapped[str] = mapped_column(String(40))
    empreinte: Mapped[str] = mapped_column(String(64))  # hash of the content: same number, same content
    # The care itself (see intake.checks.care_fingerprint), to refuse it under another number: unique among liquidated claims.
    soins_empreinte: Mapped[str] = mapped_column(String(64))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot_fse.id"))
    personne_id: Mapped[int | None] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str | None] = mapped_column(String(20), index=True)
    date_soins: Mapped[date] = mapped_column(Date)
    tiers_payant: Mapped[bool] = mapped_column(Boolean, default=False)
    branche: Mapped[str] = mapped_column(String(10), default="maladie")  # atmp when the care follows a work accident
    statut: Mapped[str] = mapped_column(String(12))  # liquidee, rejetee
    code_rejet: Mapped[str | None] = mapped_column(String(30))
    motif_rejet: Mapped[str | None] = mapped_column(String(300))
    rembourse_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    verse_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # owed to the payee: the assuré, or the professional under tiers payant
    a_recuperer_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # participations the assuré owes (not deducted here)
    recupere_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # earlier participations deducted from this payment
    recue_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    paiement_id: Mapped[int | None] = mapped_column(Integer, index=True)

    lignes: Mapped[list[LigneFse]] = relationship(back_populates="fse", order_by="LigneFse.numero", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("professionnel_id", "numero"),
        # The same care is paid once: the database refuses a second liquidated claim with the same fingerprint, even
        # when two transactions check at the same moment (the loser retries and answers DOUBLON). Rejected claims
        # keep their trace without taking part.
        Index("uq_fse_soins_liquidee", "soins_empreinte", unique=True, postgresql_where=text("statut = 'liquidee'"), sqlite_where=text("statut = 'liquidee'")),
    )


class LigneFse(Base):
    __tablename__ = "ligne_fse"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    fse_id: Mapped[int] = mapped_column(ForeignKey("fse.id", ondelete="CASCADE"), index=True)
    numero: Mapped[int] = mapped_column(Integer)
    acte: Mapped[str] = mapped_column(String(12))
    quantite: Mapped[int] = mapped_column(Integer)
    coefficient: Mapped[str] = mapped_column(String(12), default="1")
    montant_cents: Mapped[int] = mapped_column(BigInteger)
    base_remboursement_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    depassement_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    taux: Mapped[str | None] = mapped_column(String(12))
    exoneration: Mapped[str | None] = mapped_column(String(20))
    montant_amo_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    ticket_moderateur_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    participation_forfaitaire_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    franchise_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    rembourse_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # AMO − participation − franchise, at least 0
    verse_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # paid to paye_a for this line
    a_recuperer_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # participation and franchise not deducted here
    paye_a: Mapped[str] = mapped_column(String(16))  # assure, professionnel
    rejet: Mapped[str | None] = mapped_column(String(30))
    motif: Mapped[str | None] = mapped_column(String(300))
    explication: Mapped[str] = mapped_column(Text)  # JSON: the steps, their amounts and references

    fse: Mapped[Fse] = relationship(back_populates="lignes")


class CompteurAnnuel(Base):
    """What a person has already borne this calendar year: the caps of CSS L160-13 apply to these sums.

    Changed in the same transaction as the claim, with the row locked, so
    concurrent lots for one person can never exceed a cap together.
    """

    __tablename__ = "compteur_annuel"

    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    participation_forfaitaire_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    franchise_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class CampagnePaiement(Base):
    """A payment run of one caisse for one execution date: resumable, and never pays twice."""

    __tablename__ = "campagne_paiement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    date_execution: Mapped[date] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    virements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("organisme_code", "date_execution"),)


class EtapeExplication(Base):
    """One step of a claim line's explanation as people read it (its label and the texts it applies), stored once.

    A line's ``explication`` names its steps by their ``id`` with its own amounts (secu.maladie.etapes): a few
    dozen such steps explain millions of lines, which then write some 100 bytes each instead of 3 kB. Its rows
    are never changed (a trigger refuses it, as for the ledger): the explanation a claim was given stays the one
    it reads.
    """

    __tablename__ = "etape_explication"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of [etape, reference]: a step is stored once
    etape: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(Text)
