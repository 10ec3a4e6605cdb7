"""Tables of the compte de carrière (issue 14 item 1): what secu does not already hold, stored as facts.

What secu already keeps is read where it is, never copied: the salaries of the DSN (``remuneration``), the IJ paid
(``periode_ij``), the invalidity pensions paid (``versement_invalidite``). These tables add:

* ``retraite_import`` — one imported file of past years (its fingerprint: the same file twice is one import);
* ``retraite_report`` — one fact reported au compte for a person and a year: a salary, an AVPF salary, days of
  chômage indemnisé or service national, quarters of another régime… from an import or an accepted correction;
* ``retraite_enfant`` — a child giving the majorations de durée d'assurance of L. 351-4 (its birth or adoption, to
  whom the quarters of education and adoption go: the stored option of the parents, never a computed amount);
* ``retraite_correction`` — a correction the assuré asks for on a year, and its instruction by his CARSAT.

Amounts are integer cents; a fact is never updated: a correction is a new row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from secu.core.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


#: What a report line may be: a salary (cents), months of AVPF, days (of a period assimilée), or quarters.
NATURES_SALAIRE = ("salaire",)
NATURES_MOIS = ("avpf",)
NATURES_JOURS = ("chomage", "service_national", "maladie", "maternite", "atmp")
NATURES_TRIMESTRES = ("invalidite", "autre_regime")
NATURES = (*NATURES_SALAIRE, *NATURES_MOIS, *NATURES_JOURS, *NATURES_TRIMESTRES)
_NATURES_SQL = "nature IN (" + ", ".join(f"'{n}'" for n in NATURES) + ")"
BORNES = "montant_cents >= 0 AND jours >= 0 AND jours <= 366 AND trimestres >= 0 AND trimestres <= 4 AND mois >= 0 AND mois <= 12"


class ImportCarriere(Base):
    """A file of past years imported: its fingerprint is unique, so importing it again changes nothing."""

    __tablename__ = "retraite_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the file's bytes
    nom_fichier: Mapped[str] = mapped_column(String(200))
    lignes: Mapped[int] = mapped_column(Integer)
    ajoutees: Mapped[int] = mapped_column(Integer)  # rows new to the compte (the others were already there, identical)
    importe_par: Mapped[int | None] = mapped_column(Integer)
    importe_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReportCarriere(Base):
    """One fact reported au compte of a person for a calendar year, from an import or an accepted correction.

    ``cle`` makes a fact unique per person: ``import:<annee>:<nature>:<origine>`` (the same line imported twice is one
    fact) or ``correction:<id>``."""

    __tablename__ = "retraite_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    annee: Mapped[int] = mapped_column(Integer)
    nature: Mapped[str] = mapped_column(String(20))
    montant_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # salaire, avpf
    jours: Mapped[int] = mapped_column(Integer, default=0)  # chomage, service_national, maladie, maternite, atmp
    trimestres: Mapped[int] = mapped_column(Integer, default=0)  # invalidite, autre_regime
    mois: Mapped[int] = mapped_column(Integer, default=0)  # avpf: months of affiliation (the salary follows from D. 381-1)
    origine: Mapped[str] = mapped_column(String(100), default="")  # the employer, the régime, the payer, as the source says
    source: Mapped[str] = mapped_column(String(12))  # import, correction
    cle: Mapped[str] = mapped_column(String(160))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("retraite_import.id"), index=True)
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("retraite_correction.id"), index=True)
    date_effet: Mapped[date] = mapped_column(Date)  # the day it entered the compte
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        UniqueConstraint("personne_id", "cle"),
        CheckConstraint(_NATURES_SQL, name="nature"),
        CheckConstraint("source IN ('import', 'correction')", name="source"),
        CheckConstraint(BORNES, name="bornes"),
        CheckConstraint("annee >= 1930 AND annee <= 2100", name="annee"),
    )


class EnfantMajoration(Base):
    """A child of the assuré for the majorations de durée d'assurance (CSS L. 351-4): the facts, not the quarters.

    ``lien``: naissance (the mother's 4 quarters for the maternité) or adoption (4 quarters for the adoption, shared by
    the parents' option). ``option_education``: who receives the 4 quarters for the education (and the adoption's):
    ``mere`` (the default when the parents chose nothing), ``pere``, ``partage`` (``trimestres_education`` to this
    person, the rest to the other parent)."""

    __tablename__ = "retraite_enfant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    enfant_nir: Mapped[str | None] = mapped_column(String(15))
    date_naissance: Mapped[date] = mapped_column(Date)
    lien: Mapped[str] = mapped_column(String(10))  # naissance, adoption
    date_adoption: Mapped[date | None] = mapped_column(Date)
    parent: Mapped[str] = mapped_column(String(5))  # mere, pere: which parent this person is for the child
    option_education: Mapped[str] = mapped_column(String(8), default="mere")  # mere, pere, partage
    trimestres_education: Mapped[int | None] = mapped_column(Integer)  # with partage: this parent's share (0..4)
    source: Mapped[str] = mapped_column(String(12), default="import")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("retraite_import.id"), index=True)
    enregistre_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    __table_args__ = (
        UniqueConstraint("personne_id", "date_naissance", "enfant_nir", "lien"),
        CheckConstraint("lien IN ('naissance', 'adoption')", name="lien"),
        CheckConstraint("parent IN ('mere', 'pere')", name="parent"),
        CheckConstraint("option_education IN ('mere', 'pere', 'partage')", name="option"),
        CheckConstraint("trimestres_education IS NULL OR (trimestres_education >= 0 AND trimestres_education <= 4)", name="partage"),
    )


STATUTS_CORRECTION = ("demandee", "acceptee", "refusee")


class CorrectionCarriere(Base):
    """A correction of the compte asked for by the assuré on one year, and its instruction by his CARSAT."""

    __tablename__ = "retraite_correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personne_id: Mapped[int] = mapped_column(ForeignKey("personne.id"), index=True)
    organisme_code: Mapped[str] = mapped_column(String(20), index=True)  # the caisse de retraite that instructs it
    annee: Mapped[int] = mapped_column(Integer)
    nature: Mapped[str] = mapped_column(String(20))
    montant_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    jours: Mapped[int] = mapped_column(Integer, default=0)
    trimestres: Mapped[int] = mapped_column(Integer, default=0)
    mois: Mapped[int] = mapped_column(Integer, default=0)
    origine: Mapped[str] = mapped_column(String(100), default="")
    explication: Mapped[str] = mapped_column(Text)  # the assuré's words: what is missing or wrong, his proof
    statut: Mapped[str] = mapped_column(String(10), default="demandee", index=True)
    demandee_par: Mapped[int | None] = mapped_column(Integer)
    demandee_le: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    instruite_par: Mapped[int | None] = mapped_column(Integer)
    date_decision: Mapped[date | None] = mapped_column(Date)
    motif_refus: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint(_NATURES_SQL, name="nature"),
        CheckConstraint("statut IN ('demandee', 'acceptee', 'refusee')", name="statut"),
        CheckConstraint(BORNES, name="bornes"),
        CheckConstraint("statut != 'refusee' OR motif_refus IS NOT NULL", name="motif"),
    )
