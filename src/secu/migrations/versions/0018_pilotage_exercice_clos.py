"""pilotage: closed exercises (no entry dated in them) and the corrections of a closed exercise flagged on the entry

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exercice_clos",
        sa.Column("annee", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("clos_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clos_par", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("annee", name=op.f("pk_exercice_clos")),
    )
    # a plain ADD COLUMN (no batch copy on SQLite: the table's append-only triggers stay as they are)
    op.add_column("ecriture", sa.Column("exercice_rattache", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ecriture") as batch:
        batch.drop_column("exercice_rattache")
    op.drop_table("exercice_clos")
