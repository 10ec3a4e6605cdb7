"""autonomie: APA and PCH decisions of the départements, monthly payments, payment runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_autonomie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('personne_id', sa.Integer(), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('prestation', sa.String(length=20), nullable=False),
    sa.Column('gir', sa.Integer(), nullable=True),
    sa.Column('plan_cents', sa.BigInteger(), nullable=False),
    sa.Column('tarif_gir56_cents', sa.BigInteger(), nullable=False),
    sa.Column('ressources_cents', sa.BigInteger(), nullable=False),
    sa.Column('couple', sa.Boolean(), nullable=False),
    sa.Column('heures_centiemes', sa.Integer(), nullable=False),
    sa.Column('mode_aide_humaine', sa.String(length=20), nullable=True),
    sa.Column('aides_techniques_cents', sa.BigInteger(), nullable=False),
    sa.Column('amenagement_logement_cents', sa.BigInteger(), nullable=False),
    sa.Column('amenagement_vehicule_cents', sa.BigInteger(), nullable=False),
    sa.Column('charges_specifiques_cents', sa.BigInteger(), nullable=False),
    sa.Column('aide_animaliere_cents', sa.BigInteger(), nullable=False),
    sa.Column('date_decision', sa.Date(), nullable=False),
    sa.Column('date_debut', sa.Date(), nullable=False),
    sa.Column('date_fin', sa.Date(), nullable=True),
    sa.Column('decidee_par', sa.Integer(), nullable=True),
    sa.Column('enregistree_le', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['personne_id'], ['personne.id'], name=op.f('fk_decision_autonomie_personne_id_personne')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_autonomie'))
    )
    with op.batch_alter_table('decision_autonomie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_autonomie_personne_id'), ['personne_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_autonomie_departement'), ['departement'], unique=False)

    op.create_table('campagne_autonomie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('mois', sa.Date(), nullable=False),
    sa.Column('statut', sa.String(length=12), nullable=False),
    sa.Column('versements', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('concours_cents', sa.BigInteger(), nullable=False),
    sa.Column('creee_le', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campagne_autonomie')),
    sa.UniqueConstraint('departement', 'mois', name=op.f('uq_campagne_autonomie_departement'))
    )

    op.create_table('versement_autonomie',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('campagne_id', sa.Integer(), nullable=False),
    sa.Column('mois', sa.Date(), nullable=False),
    sa.Column('participation_cents', sa.BigInteger(), nullable=False),
    sa.Column('montant_cents', sa.BigInteger(), nullable=False),
    sa.Column('concours_cents', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision_autonomie.id'], name=op.f('fk_versement_autonomie_decision_id_decision_autonomie')),
    sa.ForeignKeyConstraint(['campagne_id'], ['campagne_autonomie.id'], name=op.f('fk_versement_autonomie_campagne_id_campagne_autonomie')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_versement_autonomie')),
    sa.UniqueConstraint('decision_id', 'mois', name=op.f('uq_versement_autonomie_decision_id'))
    )
    with op.batch_alter_table('versement_autonomie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_versement_autonomie_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_versement_autonomie_campagne_id'), ['campagne_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('versement_autonomie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_versement_autonomie_campagne_id'))
        batch_op.drop_index(batch_op.f('ix_versement_autonomie_decision_id'))
    op.drop_table('versement_autonomie')
    op.drop_table('campagne_autonomie')
    with op.batch_alter_table('decision_autonomie', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_autonomie_departement'))
        batch_op.drop_index(batch_op.f('ix_decision_autonomie_personne_id'))
    op.drop_table('decision_autonomie')
