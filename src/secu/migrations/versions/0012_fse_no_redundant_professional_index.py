"""maladie: drop fse's index on professionnel_id alone, which the unique (professionnel_id, numero) already serves

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:40:00

Every lookup of claims by professional is served by the unique index (professionnel_id, numero), whose first
column it is. The index on professionnel_id alone cost every claim one more insertion, and PostgreSQL's
generic plan for the intake's "these numbers of this professional" chose it, reading all the professional's
claims and filtering the numbers, a cost that grew with the table.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fse", schema=None) as batch_op:
        batch_op.drop_index("ix_fse_professionnel_id")


def downgrade() -> None:
    with op.batch_alter_table("fse", schema=None) as batch_op:
        batch_op.create_index("ix_fse_professionnel_id", ["professionnel_id"], unique=False)
