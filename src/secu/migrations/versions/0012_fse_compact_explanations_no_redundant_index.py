"""maladie: a claim line's explanation by reference to shared steps; fse's redundant index on professionnel_id dropped

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:40:00

``etape_explication`` holds each step of an explanation (label and reference) once, never changed (a trigger
refuses it, as for the ledger); a line liquidated from now on stores ``[[id, montant_cents], …]`` (some 100 bytes
instead of 3 kB: less for PostgreSQL to parse, compress, log and keep in memory per claim). Lines stored before
keep their steps written out and read as they are. The downgrade writes the compact lines out in full again.

Every lookup of claims by professional is served by the unique index (professionnel_id, numero), whose first
column it is: the index on professionnel_id alone cost every claim one more insertion, and PostgreSQL's generic
plan for the intake's "these numbers of this professional" chose it, reading all the professional's claims.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "etape_explication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("etape", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etape_explication")),
        sa.UniqueConstraint("empreinte", name=op.f("uq_etape_explication_empreinte")),
    )
    if op.get_bind().dialect.name == "postgresql":  # secu_ajout_seul() is migration 0001's
        op.execute("CREATE TRIGGER etape_explication_ajout_seul BEFORE UPDATE OR DELETE ON etape_explication FOR EACH ROW EXECUTE FUNCTION secu_ajout_seul()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER etape_explication_ajout_seul_{verb.lower()} BEFORE {verb} ON etape_explication "
                "BEGIN SELECT RAISE(ABORT, 'table etape_explication en ajout seul : modification refusée'); END"
            )
    with op.batch_alter_table("fse", schema=None) as batch_op:
        batch_op.drop_index("ix_fse_professionnel_id")


def downgrade() -> None:
    with op.batch_alter_table("fse", schema=None) as batch_op:
        batch_op.create_index("ix_fse_professionnel_id", ["professionnel_id"], unique=False)
    bind = op.get_bind()
    names = {row.id: (row.etape, row.reference) for row in bind.execute(sa.text("SELECT id, etape, reference FROM etape_explication"))}
    compact = bind.execute(sa.text("SELECT id, explication FROM ligne_fse WHERE explication LIKE '[[%'")).all()
    for row in compact:
        steps = [{"etape": names[i][0], "montant_cents": amount, "reference": names[i][1]} for i, amount in json.loads(row.explication)]
        bind.execute(
            sa.text("UPDATE ligne_fse SET explication = :text WHERE id = :id"), {"text": json.dumps(steps, ensure_ascii=False, default=str), "id": row.id}
        )
    op.drop_table("etape_explication")
