"""especes: CSG, CRDS and CASA withheld on invalidity pensions (the pension's CSG category or RFR, the withholdings paid)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pension_invalidite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("categorie_csg", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("rfr_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("parts", sa.Numeric(precision=5, scale=2), nullable=True))
    with op.batch_alter_table("versement_invalidite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("csg_cents", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("crds_cents", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("casa_cents", sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("versement_invalidite", schema=None) as batch_op:
        batch_op.drop_column("casa_cents")
        batch_op.drop_column("crds_cents")
        batch_op.drop_column("csg_cents")
    with op.batch_alter_table("pension_invalidite", schema=None) as batch_op:
        batch_op.drop_column("parts")
        batch_op.drop_column("rfr_cents")
        batch_op.drop_column("categorie_csg")
