"""maladie: the same care is liquidated once — a unique index on the care's fingerprint among liquidated claims

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WHERE = sa.text("statut = 'liquidee'")


def upgrade() -> None:
    # Claims paid twice before this constraint existed cannot be undone by a migration: stop and name them,
    # so that the caisse cancels the duplicates (and recovers what was overpaid) before the index is created.
    twins = op.get_bind().execute(sa.text(
        "SELECT soins_empreinte, COUNT(*) FROM fse WHERE statut = 'liquidee' GROUP BY soins_empreinte HAVING COUNT(*) > 1"
    )).all()
    if twins:
        raise RuntimeError(f"{len(twins)} soins liquidés plusieurs fois (fse.soins_empreinte) : annulez les doublons avant cette migration")
    with op.batch_alter_table('fse', schema=None) as batch_op:
        batch_op.drop_index('ix_fse_soins_empreinte')
        batch_op.create_index('uq_fse_soins_liquidee', ['soins_empreinte'], unique=True, postgresql_where=WHERE, sqlite_where=WHERE)


def downgrade() -> None:
    with op.batch_alter_table('fse', schema=None) as batch_op:
        batch_op.drop_index('uq_fse_soins_liquidee', postgresql_where=WHERE, sqlite_where=WHERE)
        batch_op.create_index('ix_fse_soins_empreinte', ['soins_empreinte'], unique=False)
