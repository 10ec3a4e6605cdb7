"""retraite: the survivors' benefits (réversion, allocation veuvage) and the ASPA — claims, benefits, amounts by period, letters, payments, recovery on the estate

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 01:31:38.901504
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demande_solidarite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nature", sa.String(length=10), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("defunt_id", sa.Integer(), nullable=True),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_demande", sa.Date(), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("declaration", sa.Text(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=False),
        sa.Column("statut", sa.String(length=10), nullable=False),
        sa.Column("deposee_par", sa.Integer(), nullable=True),
        sa.Column("deposee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=True),
        sa.Column("resultat", sa.Text(), nullable=True),
        sa.Column("instruite_par", sa.Integer(), nullable=True),
        sa.Column("instruite_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=11), nullable=True),
        sa.Column("motif_rejet", sa.String(length=500), nullable=True),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("decidee_par", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["defunt_id"], ["personne.id"], name=op.f("fk_demande_solidarite_defunt_id_personne")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_demande_solidarite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demande_solidarite")),
        sa.UniqueConstraint("personne_id", "nature", "date_effet", name=op.f("uq_demande_solidarite_personne_id")),
    )
    with op.batch_alter_table("demande_solidarite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demande_solidarite_nature"), ["nature"], unique=False)
        batch_op.create_index(batch_op.f("ix_demande_solidarite_organisme_code"), ["organisme_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_demande_solidarite_personne_id"), ["personne_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_demande_solidarite_statut"), ["statut"], unique=False)

    op.create_table(
        "notification_solidarite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("motif", sa.String(length=12), nullable=False),
        sa.Column("date_notification", sa.Date(), nullable=False),
        sa.Column("objet", sa.String(length=200), nullable=False),
        sa.Column("contenu", sa.Text(), nullable=False),
        sa.Column("lue_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_solidarite.id"], name=op.f("fk_notification_solidarite_demande_id_demande_solidarite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_notification_solidarite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_solidarite")),
    )
    with op.batch_alter_table("notification_solidarite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_solidarite_demande_id"), ["demande_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_solidarite_personne_id"), ["personne_id"], unique=False)

    op.create_table(
        "prestation_solidarite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("nature", sa.String(length=10), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("date_montant_definitif", sa.Date(), nullable=True),
        sa.Column("entree", sa.Text(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=False),
        sa.Column("categorie_csg", sa.String(length=10), nullable=True),
        sa.Column("rfr_cents", sa.BigInteger(), nullable=True),
        sa.Column("parts", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_solidarite.id"], name=op.f("fk_prestation_solidarite_demande_id_demande_solidarite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_prestation_solidarite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prestation_solidarite")),
        sa.UniqueConstraint("demande_id", name=op.f("uq_prestation_solidarite_demande_id")),
    )
    with op.batch_alter_table("prestation_solidarite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prestation_solidarite_nature"), ["nature"], unique=False)
        batch_op.create_index(batch_op.f("ix_prestation_solidarite_organisme_code"), ["organisme_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_prestation_solidarite_personne_id"), ["personne_id"], unique=False)

    op.create_table(
        "montant_solidarite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("a_compter_du", sa.Date(), nullable=False),
        sa.Column("ressources", sa.Text(), nullable=False),
        sa.Column("montant_mensuel_cents", sa.BigInteger(), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.Column("definitif", sa.Boolean(), nullable=False),
        sa.Column("creee_par", sa.Integer(), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["prestation_id"], ["prestation_solidarite.id"], name=op.f("fk_montant_solidarite_prestation_id_prestation_solidarite")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_montant_solidarite")),
        sa.UniqueConstraint("prestation_id", "a_compter_du", name=op.f("uq_montant_solidarite_prestation_id")),
    )
    with op.batch_alter_table("montant_solidarite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_montant_solidarite_prestation_id"), ["prestation_id"], unique=False)

    op.create_table(
        "recuperation_aspa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_deces", sa.Date(), nullable=False),
        sa.Column("date_declaration", sa.Date(), nullable=False),
        sa.Column("notaire", sa.String(length=140), nullable=False),
        sa.Column("actif_net_cents", sa.BigInteger(), nullable=False),
        sa.Column("outre_mer", sa.Boolean(), nullable=False),
        sa.Column("aspa_versee_cents", sa.BigInteger(), nullable=False),
        sa.Column("mois_versement", sa.Integer(), nullable=False),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.Column("creee_par", sa.Integer(), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_recuperation_aspa_personne_id_personne")),
        sa.ForeignKeyConstraint(["prestation_id"], ["prestation_solidarite.id"], name=op.f("fk_recuperation_aspa_prestation_id_prestation_solidarite")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recuperation_aspa")),
        sa.UniqueConstraint("prestation_id", name=op.f("uq_recuperation_aspa_prestation_id")),
    )
    with op.batch_alter_table("recuperation_aspa", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recuperation_aspa_personne_id"), ["personne_id"], unique=False)

    op.create_table(
        "versement_solidarite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("campagne_id", sa.Integer(), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("brut_cents", sa.BigInteger(), nullable=False),
        sa.Column("csg_cents", sa.BigInteger(), nullable=False),
        sa.Column("crds_cents", sa.BigInteger(), nullable=False),
        sa.Column("casa_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["campagne_id"], ["campagne_retraite.id"], name=op.f("fk_versement_solidarite_campagne_id_campagne_retraite")),
        sa.ForeignKeyConstraint(["prestation_id"], ["prestation_solidarite.id"], name=op.f("fk_versement_solidarite_prestation_id_prestation_solidarite")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versement_solidarite")),
        sa.UniqueConstraint("prestation_id", "mois", name=op.f("uq_versement_solidarite_prestation_id")),
    )
    with op.batch_alter_table("versement_solidarite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_versement_solidarite_campagne_id"), ["campagne_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_versement_solidarite_prestation_id"), ["prestation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("versement_solidarite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_versement_solidarite_prestation_id"))
        batch_op.drop_index(batch_op.f("ix_versement_solidarite_campagne_id"))

    op.drop_table("versement_solidarite")
    with op.batch_alter_table("recuperation_aspa", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recuperation_aspa_personne_id"))

    op.drop_table("recuperation_aspa")
    with op.batch_alter_table("montant_solidarite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_montant_solidarite_prestation_id"))

    op.drop_table("montant_solidarite")
    with op.batch_alter_table("prestation_solidarite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prestation_solidarite_personne_id"))
        batch_op.drop_index(batch_op.f("ix_prestation_solidarite_organisme_code"))
        batch_op.drop_index(batch_op.f("ix_prestation_solidarite_nature"))

    op.drop_table("prestation_solidarite")
    with op.batch_alter_table("notification_solidarite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_solidarite_personne_id"))
        batch_op.drop_index(batch_op.f("ix_notification_solidarite_demande_id"))

    op.drop_table("notification_solidarite")
    with op.batch_alter_table("demande_solidarite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demande_solidarite_statut"))
        batch_op.drop_index(batch_op.f("ix_demande_solidarite_personne_id"))
        batch_op.drop_index(batch_op.f("ix_demande_solidarite_organisme_code"))
        batch_op.drop_index(batch_op.f("ix_demande_solidarite_nature"))

    op.drop_table("demande_solidarite")
