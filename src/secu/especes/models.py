"""Tables of the prestations en espèces: the arrêts de travail, the avis as received, the employer's attestations
de salaire, the IJ periods and the IJ payment runs.

* ``arret_travail`` — one interruption of work of one assuré for one risk: its first day, its last (moved by a
  prolongation or a reprise), its flags (ALD, AT/MP and the sinistre, subrogation) and its state.
* ``avis_arret`` — each avis as the caisse received it (initial, prolongation, reprise); its ``numero`` is
  unique, so the same avis sent twice is one row and one arrêt.
* ``attestation_salaire`` — the employer's attestation (``secu.especes.schemas.AttestationSalaire``), stored once
  per ``reference``; linked to the arrêt of the same person and risk that starts the day after the last day worked.
* ``periode_ij`` — one row per paid (or payable) period of an arrêt, unique per (arrêt, first day): a period is
  computed once and paid once whatever runs again.
* ``campagne_ij`` — a caisse's IJ payment run for one execution date, with its SEPA file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false as sa_false

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


RISQUES_SQL = "risque IN ('maladie', 'maternite', 'paternite', 'adoption', 'atmp')"


class ArretTravail(Base):
    """One arrêt de travail (an initial avis and its prolongations), or a congé maternité / paternité / adoption."""

    __tablename__ = "arret_travail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    nir: Mapped[str] = mapped_column(String(15), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the CPAM that pays
    risque: Mapped[str] = mapped_column(String(10))
    origine: Mapped[str] = mapped_column(String(12), default="avis")  # avis (prescriber), declaration (congé)
    cas_conge: Mapped[str | None] = mapped_column(String(20))  # maternité: rang_1_2, jumeaux…; paternité: simple, multiple
    date_prescription: Mapped[date] = mapped_column(Date)
    date_reception: Mapped[date] = mapped_column(Date)
    debut: Mapped[date] = mapped_column(Date)
    fin: Mapped[date] = mapped_column(Date)  # last day of incapacity, inclusive (moved by prolongations and a reprise)
    date_reprise: Mapped[date | None] = mapped_column(Date)
    ald: Mapped[bool] = mapped_column(Boolean, default=False)
    atmp: Mapped[bool] = mapped_column(Boolean, default=False)
    sinistre_reference: Mapped[str | None] = mapped_column(String(40))
    subrogation: Mapped[bool] = mapped_column(Boolean, default=False)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)  # the employer of the attestation
    prolongations: Mapped[int] = mapped_column(Integer, default=0)
    statut: Mapped[str] = mapped_column(String(20), default="en_attente_salaire")  # en_attente_salaire, indemnisable
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        CheckConstraint(RISQUES_SQL, name="risque"),
        CheckConstraint("fin >= debut", name="dates"),
        CheckConstraint("statut IN ('en_attente_salaire', 'indemnisable')", name="statut"),
    )


class AvisArret(Base):
    """An avis d'arrêt de travail as received: the same ``numero`` twice is the same avis."""

    __tablename__ = "avis_arret"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    numero: Mapped[str] = mapped_column(String(40), unique=True)
    arret_id: Mapped[int] = mapped_column(ForeignKey("arret_travail.id"), index=True)
    nature: Mapped[str] = mapped_column(String(12))  # initial, prolongation, reprise
    empreinte: Mapped[str] = mapped_column(String(64))  # of the avis's content: the same number with another content is refused
    date_prescription: Mapped[date] = mapped_column(Date)
    date_reception: Mapped[date] = mapped_column(Date)
    debut: Mapped[date] = mapped_column(Date)
    fin: Mapped[date] = mapped_column(Date)
    tardif: Mapped[bool] = mapped_column(Boolean, default=False)  # received after the délai of R. 321-2
    sanction: Mapped[str] = mapped_column(String(14), default="aucune")  # aucune, avertissement, reduction
    # received after the last day it prescribes: the caisse could control none of them (R. 323-12), their IJ refused
    controle_impossible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    reduction_debut: Mapped[date | None] = mapped_column(Date)  # days whose IJ are reduced (D. 323-2), inclusive
    reduction_fin: Mapped[date | None] = mapped_column(Date)
    recu_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        CheckConstraint("nature IN ('initial', 'prolongation', 'reprise')", name="nature"),
        CheckConstraint("sanction IN ('aucune', 'avertissement', 'reduction')", name="sanction"),
    )


class AttestationSalaireRecue(Base):
    """The employer's attestation de salaire, stored once per ``reference``; the months' pay as JSON."""

    __tablename__ = "attestation_salaire"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    empreinte: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))
    nir: Mapped[str] = mapped_column(String(15), index=True)
    siret: Mapped[str] = mapped_column(String(14), index=True)
    risque: Mapped[str] = mapped_column(String(10))
    dernier_jour_travaille: Mapped[date] = mapped_column(Date)
    fin_previsionnelle: Mapped[date | None] = mapped_column(Date)
    reprise: Mapped[date | None] = mapped_column(Date)
    salaires: Mapped[str] = mapped_column(Text)  # JSON: [{"mois": "AAAA-MM-01", "brut": cents}]
    subrogation: Mapped[bool] = mapped_column(Boolean, default=False)
    subrogation_debut: Mapped[date | None] = mapped_column(Date)
    subrogation_fin: Mapped[date | None] = mapped_column(Date)
    iban_employeur: Mapped[str | None] = mapped_column(String(34))
    arret_id: Mapped[int | None] = mapped_column(ForeignKey("arret_travail.id"), index=True)
    recue_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (CheckConstraint(RISQUES_SQL, name="risque"),)


class CampagneIJ(Base):
    """A caisse's IJ payment run for one execution date: run it again, it pays nothing twice."""

    __tablename__ = "campagne_ij"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisme_code: Mapped[str] = mapped_column(String(20))
    date_execution: Mapped[date] = mapped_column(Date)
    statut: Mapped[str] = mapped_column(String(12), default="en_cours")  # en_cours, terminee
    virements: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    fichier_sepa: Mapped[str | None] = mapped_column(Text)
    creee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (UniqueConstraint("organisme_code", "date_execution"),)


class PeriodeIJ(Base):
    """The IJ of one period of one arrêt: computed once, paid once (unique per arrêt and first day)."""

    __tablename__ = "periode_ij"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arret_id: Mapped[int] = mapped_column(ForeignKey("arret_travail.id"), index=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)
    risque: Mapped[str] = mapped_column(String(10))
    debut: Mapped[date] = mapped_column(Date)
    fin: Mapped[date] = mapped_column(Date)
    ij_journaliere_cents: Mapped[int] = mapped_column(BigInteger)
    ij_majoree_cents: Mapped[int] = mapped_column(BigInteger)
    jours_indemnises: Mapped[int] = mapped_column(Integer)
    jours_carence: Mapped[int] = mapped_column(Integer)
    jours_hors_droits: Mapped[int] = mapped_column(Integer)
    jours_reduits: Mapped[int] = mapped_column(Integer, default=0)
    reduction_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    jours_refuses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # R. 323-12: not controlled, not paid
    refus_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # the IJ of those days
    # why days of the period are not paid: conditions_ouverture, conditions_au_dela_6_mois (R. 313-3), controle_impossible
    # (R. 323-12), comma-separated; null when every day is paid (or the carence / the 360 IJ alone explain it)
    motif_refus: Mapped[str | None] = mapped_column(String(80))
    brut_cents: Mapped[int] = mapped_column(BigInteger)
    csg_cents: Mapped[int] = mapped_column(BigInteger)
    crds_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    beneficiaire: Mapped[str] = mapped_column(String(10))  # assure, employeur (subrogation, R. 323-11)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    iban: Mapped[str | None] = mapped_column(String(34))  # the employer's (attestation); the assuré's is set when paid
    bic: Mapped[str | None] = mapped_column(String(11))
    titulaire: Mapped[str | None] = mapped_column(String(140))  # set when paid: who the transfer names
    explication: Mapped[str] = mapped_column(Text)  # JSON list of steps (label, montant, reference)
    statut: Mapped[str] = mapped_column(String(10), default="calculee")  # calculee, payee
    campagne_id: Mapped[int | None] = mapped_column(ForeignKey("campagne_ij.id"), index=True)
    calculee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        UniqueConstraint("arret_id", "debut"),
        CheckConstraint("fin >= debut", name="dates"),
        CheckConstraint("beneficiaire IN ('assure', 'employeur')", name="beneficiaire"),
        CheckConstraint("statut IN ('calculee', 'payee')", name="statut"),
        CheckConstraint("net_cents = brut_cents - csg_cents - crds_cents", name="net"),
        CheckConstraint("(statut = 'payee') = (campagne_id IS NOT NULL)", name="paiement"),
    )
