"""retraite: the compte de carrière — imported past years, facts reported au compte, children (L. 351-4), corrections

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

NATURES = "nature IN ('salaire', 'avpf', 'chomage', 'service_national', 'maladie', 'maternite', 'atmp', 'invalidite', 'autre_regime')"
BORNES = "montant_cents >= 0 AND jours >= 0 AND jours <= 366 AND trimestres >= 0 AND trimestres <= 4 AND mois >= 0 AND mois <= 12"


def upgrade() -> None:
    op.create_table(
        "retraite_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("nom_fichier", sa.String(length=200), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.Column("ajoutees", sa.Integer(), nullable=False),
        sa.Column("importe_par", sa.Integer(), nullable=True),
        sa.Column("importe_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retraite_import")),
        sa.UniqueConstraint("empreinte", name=op.f("uq_retraite_import_empreinte")),
    )
    op.create_table(
        "retraite_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("nature", sa.String(length=20), nullable=False),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("jours", sa.Integer(), nullable=False),
        sa.Column("trimestres", sa.Integer(), nullable=False),
        sa.Column("mois", sa.Integer(), nullable=False),
        sa.Column("origine", sa.String(length=100), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.Column("statut", sa.String(length=10), nullable=False),
        sa.Column("demandee_par", sa.Integer(), nullable=True),
        sa.Column("demandee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instruite_par", sa.Integer(), nullable=True),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("motif_refus", sa.String(length=500), nullable=True),
        sa.CheckConstraint(NATURES, name=op.f("ck_retraite_correction_nature")),
        sa.CheckConstraint("statut IN ('demandee', 'acceptee', 'refusee')", name=op.f("ck_retraite_correction_statut")),
        sa.CheckConstraint(BORNES, name=op.f("ck_retraite_correction_bornes")),
        sa.CheckConstraint("statut != 'refusee' OR motif_refus IS NOT NULL", name=op.f("ck_retraite_correction_motif")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_retraite_correction_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retraite_correction")),
    )
    op.create_index(op.f("ix_retraite_correction_personne_id"), "retraite_correction", ["personne_id"], unique=False)
    op.create_index(op.f("ix_retraite_correction_organisme_code"), "retraite_correction", ["organisme_code"], unique=False)
    op.create_index(op.f("ix_retraite_correction_statut"), "retraite_correction", ["statut"], unique=False)
    op.create_table(
        "retraite_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("nature", sa.String(length=20), nullable=False),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("jours", sa.Integer(), nullable=False),
        sa.Column("trimestres", sa.Integer(), nullable=False),
        sa.Column("mois", sa.Integer(), nullable=False),
        sa.Column("origine", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("cle", sa.String(length=160), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("correction_id", sa.Integer(), nullable=True),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("enregistre_le", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(NATURES, name=op.f("ck_retraite_report_nature")),
        sa.CheckConstraint("source IN ('import', 'correction')", name=op.f("ck_retraite_report_source")),
        sa.CheckConstraint(BORNES, name=op.f("ck_retraite_report_bornes")),
        sa.CheckConstraint("annee >= 1930 AND annee <= 2100", name=op.f("ck_retraite_report_annee")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_retraite_report_personne_id_personne")),
        sa.ForeignKeyConstraint(["import_id"], ["retraite_import.id"], name=op.f("fk_retraite_report_import_id_retraite_import")),
        sa.ForeignKeyConstraint(["correction_id"], ["retraite_correction.id"],
                                name=op.f("fk_retraite_report_correction_id_retraite_correction")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retraite_report")),
        sa.UniqueConstraint("personne_id", "cle", name=op.f("uq_retraite_report_personne_id")),
    )
    op.create_index(op.f("ix_retraite_report_personne_id"), "retraite_report", ["personne_id"], unique=False)
    op.create_index(op.f("ix_retraite_report_import_id"), "retraite_report", ["import_id"], unique=False)
    op.create_index(op.f("ix_retraite_report_correction_id"), "retraite_report", ["correction_id"], unique=False)
    op.create_table(
        "retraite_enfant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("enfant_nir", sa.String(length=15), nullable=True),
        sa.Column("date_naissance", sa.Date(), nullable=False),
        sa.Column("lien", sa.String(length=10), nullable=False),
        sa.Column("date_adoption", sa.Date(), nullable=True),
        sa.Column("parent", sa.String(length=5), nullable=False),
        sa.Column("option_education", sa.String(length=8), nullable=False),
        sa.Column("trimestres_education", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("enregistre_le", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lien IN ('naissance', 'adoption')", name=op.f("ck_retraite_enfant_lien")),
        sa.CheckConstraint("parent IN ('mere', 'pere')", name=op.f("ck_retraite_enfant_parent")),
        sa.CheckConstraint("option_education IN ('mere', 'pere', 'partage')", name=op.f("ck_retraite_enfant_option")),
        sa.CheckConstraint("trimestres_education IS NULL OR (trimestres_education >= 0 AND trimestres_education <= 4)",
                           name=op.f("ck_retraite_enfant_partage")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_retraite_enfant_personne_id_personne")),
        sa.ForeignKeyConstraint(["import_id"], ["retraite_import.id"], name=op.f("fk_retraite_enfant_import_id_retraite_import")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retraite_enfant")),
        sa.UniqueConstraint("personne_id", "date_naissance", "enfant_nir", "lien", name=op.f("uq_retraite_enfant_personne_id")),
    )
    op.create_index(op.f("ix_retraite_enfant_personne_id"), "retraite_enfant", ["personne_id"], unique=False)
    op.create_index(op.f("ix_retraite_enfant_import_id"), "retraite_enfant", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_table("retraite_enfant")
    op.drop_table("retraite_report")
    op.drop_table("retraite_correction")
    op.drop_table("retraite_import")
