"""retraite: the claim for a pension de droit propre, its instruction and decision, the notification, the pension, the monthly runs

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campagne_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("echeance", sa.Date(), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("date_execution", sa.Date(), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("virements", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("fichier_sepa", sa.Text(), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campagne_retraite")),
        sa.UniqueConstraint("organisme_code", "echeance", name=op.f("uq_campagne_retraite_organisme_code")),
    )
    op.create_table(
        "demande_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_demande", sa.Date(), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("enfants", sa.Integer(), nullable=False),
        sa.Column("trimestres_autres_regimes", sa.Integer(), nullable=False),
        sa.Column("inaptitude", sa.Boolean(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=False),
        sa.Column("statut", sa.String(length=10), nullable=False),
        sa.Column("deposee_par", sa.Integer(), nullable=True),
        sa.Column("deposee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sam_cents", sa.BigInteger(), nullable=True),
        sa.Column("trimestres", sa.Integer(), nullable=True),
        sa.Column("trimestres_rg", sa.Integer(), nullable=True),
        sa.Column("trimestres_cotises", sa.Integer(), nullable=True),
        sa.Column("carriere_longue", sa.Boolean(), nullable=False),
        sa.Column("inaptitude_reconnue", sa.Boolean(), nullable=False),
        sa.Column("total_pensions_mensuel_cents", sa.BigInteger(), nullable=True),
        sa.Column("origine_carriere", sa.String(length=10), nullable=True),
        sa.Column("resultat", sa.Text(), nullable=True),
        sa.Column("instruite_par", sa.Integer(), nullable=True),
        sa.Column("instruite_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=11), nullable=True),
        sa.Column("motif_rejet", sa.String(length=500), nullable=True),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("decidee_par", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_demande_retraite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demande_retraite")),
        sa.UniqueConstraint("personne_id", "date_effet", name=op.f("uq_demande_retraite_personne_id")),
    )
    with op.batch_alter_table("demande_retraite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demande_retraite_organisme_code"), ["organisme_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_demande_retraite_personne_id"), ["personne_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_demande_retraite_statut"), ["statut"], unique=False)

    op.create_table(
        "notification_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_notification", sa.Date(), nullable=False),
        sa.Column("objet", sa.String(length=200), nullable=False),
        sa.Column("contenu", sa.Text(), nullable=False),
        sa.Column("lue_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_retraite.id"], name=op.f("fk_notification_retraite_demande_id_demande_retraite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_notification_retraite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_retraite")),
        sa.UniqueConstraint("demande_id", name=op.f("uq_notification_retraite_demande_id")),
    )
    with op.batch_alter_table("notification_retraite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_retraite_personne_id"), ["personne_id"], unique=False)

    op.create_table(
        "pension_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("paiement_arrete_le", sa.Date(), nullable=True),
        sa.Column("pension_annuelle_cents", sa.BigInteger(), nullable=False),
        sa.Column("pension_mensuelle_cents", sa.BigInteger(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=False),
        sa.Column("categorie_csg", sa.String(length=10), nullable=True),
        sa.Column("rfr_cents", sa.BigInteger(), nullable=True),
        sa.Column("parts", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_retraite.id"], name=op.f("fk_pension_retraite_demande_id_demande_retraite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_pension_retraite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_retraite")),
        sa.UniqueConstraint("demande_id", name=op.f("uq_pension_retraite_demande_id")),
    )
    with op.batch_alter_table("pension_retraite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pension_retraite_organisme_code"), ["organisme_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_pension_retraite_personne_id"), ["personne_id"], unique=False)

    op.create_table(
        "versement_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pension_id", sa.Integer(), nullable=False),
        sa.Column("campagne_id", sa.Integer(), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("brut_cents", sa.BigInteger(), nullable=False),
        sa.Column("csg_cents", sa.BigInteger(), nullable=False),
        sa.Column("crds_cents", sa.BigInteger(), nullable=False),
        sa.Column("casa_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["campagne_id"], ["campagne_retraite.id"], name=op.f("fk_versement_retraite_campagne_id_campagne_retraite")),
        sa.ForeignKeyConstraint(["pension_id"], ["pension_retraite.id"], name=op.f("fk_versement_retraite_pension_id_pension_retraite")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versement_retraite")),
        sa.UniqueConstraint("pension_id", "mois", name=op.f("uq_versement_retraite_pension_id")),
    )
    with op.batch_alter_table("versement_retraite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_versement_retraite_campagne_id"), ["campagne_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_versement_retraite_pension_id"), ["pension_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("versement_retraite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_versement_retraite_pension_id"))
        batch_op.drop_index(batch_op.f("ix_versement_retraite_campagne_id"))

    op.drop_table("versement_retraite")
    with op.batch_alter_table("pension_retraite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pension_retraite_personne_id"))
        batch_op.drop_index(batch_op.f("ix_pension_retraite_organisme_code"))

    op.drop_table("pension_retraite")
    with op.batch_alter_table("notification_retraite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_retraite_personne_id"))

    op.drop_table("notification_retraite")
    with op.batch_alter_table("demande_retraite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demande_retraite_statut"))
        batch_op.drop_index(batch_op.f("ix_demande_retraite_personne_id"))
        batch_op.drop_index(batch_op.f("ix_demande_retraite_organisme_code"))

    op.drop_table("demande_retraite")
    op.drop_table("campagne_retraite")
