"""especes: invalidity claims, avis, decisions, pensions, monthly payment runs, hand-over at the legal age; capital décès

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campagne_invalidite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("date_execution", sa.Date(), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("virements", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("fichier_sepa", sa.Text(), nullable=True),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campagne_invalidite")),
        sa.UniqueConstraint("organisme_code", "mois", name=op.f("uq_campagne_invalidite_organisme_code")),
    )
    op.create_table(
        "deces_assure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("date_deces", sa.Date(), nullable=False),
        sa.Column("situations", sa.Text(), nullable=False),
        sa.Column("taux_rente_atmp", sa.String(length=12), nullable=True),
        sa.Column("situation_retenue", sa.String(length=30), nullable=True),
        sa.Column("droit_ouvert", sa.Boolean(), nullable=False),
        sa.Column("capital_cents", sa.BigInteger(), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("decide_par", sa.Integer(), nullable=True),
        sa.Column("date_execution", sa.Date(), nullable=True),
        sa.Column("fichier_sepa", sa.Text(), nullable=True),
        sa.Column("declare_par", sa.Integer(), nullable=True),
        sa.Column("declare_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_deces_assure_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deces_assure")),
        sa.UniqueConstraint("personne_id", name=op.f("uq_deces_assure_personne_id")),
    )
    op.create_index(op.f("ix_deces_assure_organisme_code"), "deces_assure", ["organisme_code"], unique=False)
    op.create_table(
        "demande_invalidite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("date_demande", sa.Date(), nullable=False),
        sa.Column("date_arret", sa.Date(), nullable=False),
        sa.Column("salaires_hors_secu", sa.Text(), nullable=False),
        sa.Column("salaire_annee_precedente_cents", sa.BigInteger(), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=True),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("deposee_par", sa.Integer(), nullable=True),
        sa.Column("deposee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("avis_categorie", sa.Integer(), nullable=True),
        sa.Column("avis_date_effet", sa.Date(), nullable=True),
        sa.Column("avis_motif", sa.String(length=500), nullable=True),
        sa.Column("avis_par", sa.Integer(), nullable=True),
        sa.Column("avis_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("decidee_par", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_demande_invalidite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demande_invalidite")),
    )
    op.create_index(op.f("ix_demande_invalidite_departement"), "demande_invalidite", ["departement"], unique=False)
    op.create_index(op.f("ix_demande_invalidite_organisme_code"), "demande_invalidite", ["organisme_code"], unique=False)
    op.create_index(op.f("ix_demande_invalidite_personne_id"), "demande_invalidite", ["personne_id"], unique=False)
    op.create_index(op.f("ix_demande_invalidite_statut"), "demande_invalidite", ["statut"], unique=False)
    op.create_table(
        "demande_capital_deces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deces_id", sa.Integer(), nullable=False),
        sa.Column("beneficiaire_id", sa.Integer(), nullable=True),
        sa.Column("nom", sa.String(length=100), nullable=False),
        sa.Column("prenoms", sa.String(length=100), nullable=False),
        sa.Column("lien", sa.String(length=20), nullable=False),
        sa.Column("a_charge", sa.Boolean(), nullable=False),
        sa.Column("separe", sa.Boolean(), nullable=False),
        sa.Column("date_demande", sa.Date(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("retenue", sa.Boolean(), nullable=True),
        sa.Column("ordre", sa.String(length=16), nullable=True),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("motif", sa.String(length=300), nullable=True),
        sa.Column("enregistree_par", sa.Integer(), nullable=True),
        sa.Column("enregistree_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["beneficiaire_id"], ["personne.id"], name=op.f("fk_demande_capital_deces_beneficiaire_id_personne")),
        sa.ForeignKeyConstraint(["deces_id"], ["deces_assure.id"], name=op.f("fk_demande_capital_deces_deces_id_deces_assure")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demande_capital_deces")),
        sa.UniqueConstraint("deces_id", "nom", "prenoms", "lien", name=op.f("uq_demande_capital_deces_deces_id")),
    )
    op.create_index(op.f("ix_demande_capital_deces_deces_id"), "demande_capital_deces", ["deces_id"], unique=False)
    op.create_table(
        "pension_invalidite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("organisme_code", sa.String(length=20), nullable=False),
        sa.Column("categorie", sa.Integer(), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("sam_cents", sa.BigInteger(), nullable=False),
        sa.Column("annees_retenues", sa.Integer(), nullable=False),
        sa.Column("montant_liquidation_cents", sa.BigInteger(), nullable=False),
        sa.Column("salaire_annee_precedente_cents", sa.BigInteger(), nullable=False),
        sa.Column("annee_precedente", sa.Integer(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("titulaire", sa.String(length=70), nullable=True),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_invalidite.id"], name=op.f("fk_pension_invalidite_demande_id_demande_invalidite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_pension_invalidite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pension_invalidite")),
        sa.UniqueConstraint("demande_id", name=op.f("uq_pension_invalidite_demande_id")),
    )
    op.create_index(op.f("ix_pension_invalidite_organisme_code"), "pension_invalidite", ["organisme_code"], unique=False)
    op.create_index(op.f("ix_pension_invalidite_personne_id"), "pension_invalidite", ["personne_id"], unique=False)
    op.create_table(
        "conversion_retraite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pension_id", sa.Integer(), nullable=False),
        sa.Column("personne_id", sa.Integer(), nullable=False),
        sa.Column("date_conversion", sa.Date(), nullable=False),
        sa.Column("derniere_pension_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=False),
        sa.Column("creee_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pension_id"], ["pension_invalidite.id"], name=op.f("fk_conversion_retraite_pension_id_pension_invalidite")),
        sa.ForeignKeyConstraint(["personne_id"], ["personne.id"], name=op.f("fk_conversion_retraite_personne_id_personne")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversion_retraite")),
        sa.UniqueConstraint("pension_id", name=op.f("uq_conversion_retraite_pension_id")),
    )
    op.create_index(op.f("ix_conversion_retraite_personne_id"), "conversion_retraite", ["personne_id"], unique=False)
    op.create_table(
        "versement_capital_deces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("deces_id", sa.Integer(), nullable=False),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("date_execution", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["deces_id"], ["deces_assure.id"], name=op.f("fk_versement_capital_deces_deces_id_deces_assure")),
        sa.ForeignKeyConstraint(["demande_id"], ["demande_capital_deces.id"], name=op.f("fk_versement_capital_deces_demande_id_demande_capital_deces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versement_capital_deces")),
        sa.UniqueConstraint("demande_id", name=op.f("uq_versement_capital_deces_demande_id")),
    )
    op.create_index(op.f("ix_versement_capital_deces_deces_id"), "versement_capital_deces", ["deces_id"], unique=False)
    op.create_table(
        "versement_invalidite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pension_id", sa.Integer(), nullable=False),
        sa.Column("campagne_id", sa.Integer(), nullable=False),
        sa.Column("mois", sa.Date(), nullable=False),
        sa.Column("pension_cents", sa.BigInteger(), nullable=False),
        sa.Column("reduction_cents", sa.BigInteger(), nullable=False),
        sa.Column("montant_cents", sa.BigInteger(), nullable=False),
        sa.Column("explication", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["campagne_id"], ["campagne_invalidite.id"], name=op.f("fk_versement_invalidite_campagne_id_campagne_invalidite")),
        sa.ForeignKeyConstraint(["pension_id"], ["pension_invalidite.id"], name=op.f("fk_versement_invalidite_pension_id_pension_invalidite")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versement_invalidite")),
        sa.UniqueConstraint("pension_id", "mois", name=op.f("uq_versement_invalidite_pension_id")),
    )
    op.create_index(op.f("ix_versement_invalidite_campagne_id"), "versement_invalidite", ["campagne_id"], unique=False)
    op.create_index(op.f("ix_versement_invalidite_pension_id"), "versement_invalidite", ["pension_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_versement_invalidite_pension_id"), table_name="versement_invalidite")
    op.drop_index(op.f("ix_versement_invalidite_campagne_id"), table_name="versement_invalidite")
    op.drop_table("versement_invalidite")
    op.drop_index(op.f("ix_versement_capital_deces_deces_id"), table_name="versement_capital_deces")
    op.drop_table("versement_capital_deces")
    op.drop_index(op.f("ix_conversion_retraite_personne_id"), table_name="conversion_retraite")
    op.drop_table("conversion_retraite")
    op.drop_index(op.f("ix_pension_invalidite_personne_id"), table_name="pension_invalidite")
    op.drop_index(op.f("ix_pension_invalidite_organisme_code"), table_name="pension_invalidite")
    op.drop_table("pension_invalidite")
    op.drop_index(op.f("ix_demande_capital_deces_deces_id"), table_name="demande_capital_deces")
    op.drop_table("demande_capital_deces")
    op.drop_index(op.f("ix_demande_invalidite_statut"), table_name="demande_invalidite")
    op.drop_index(op.f("ix_demande_invalidite_personne_id"), table_name="demande_invalidite")
    op.drop_index(op.f("ix_demande_invalidite_organisme_code"), table_name="demande_invalidite")
    op.drop_index(op.f("ix_demande_invalidite_departement"), table_name="demande_invalidite")
    op.drop_table("demande_invalidite")
    op.drop_index(op.f("ix_deces_assure_organisme_code"), table_name="deces_assure")
    op.drop_table("deces_assure")
    op.drop_table("campagne_invalidite")
