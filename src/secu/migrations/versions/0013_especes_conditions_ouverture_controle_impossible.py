"""especes: why a period's days are not paid (conditions d'ouverture R. 313-3, avis received after the arrêt R. 323-12)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("avis_arret", schema=None) as batch_op:
        batch_op.add_column(sa.Column("controle_impossible", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("periode_ij", schema=None) as batch_op:
        batch_op.add_column(sa.Column("jours_refuses", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("refus_cents", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("motif_refus", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("periode_ij", schema=None) as batch_op:
        batch_op.drop_column("motif_refus")
        batch_op.drop_column("refus_cents")
        batch_op.drop_column("jours_refuses")
    with op.batch_alter_table("avis_arret", schema=None) as batch_op:
        batch_op.drop_column("controle_impossible")
