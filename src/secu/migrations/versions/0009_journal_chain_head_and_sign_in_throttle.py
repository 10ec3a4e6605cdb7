"""access journal: one chain head, rows numbered without gaps; sign-in throttling per login and source

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-07 19:45:00

The journal's rows get their place in the chain (``numero``, unique) and the chain a head
(``journal_tete``, one row) that every append locks. Existing rows are numbered in the order they were
written and the chain is re-sealed from the first row whose predecessor is not the row before it: a chain
that was intact keeps every hash unchanged (the hash's format is the same), a chain that racing appends
forked (two rows after the same row) becomes one line again. The count of re-sealed rows is logged.

``limite_connexion`` holds the sign-in counters (per login and source, per login, per source).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _row_hash(previous: str | None, fields: dict[str, object]) -> str:
    # secu.core.security._row_hash as of this migration (copied: a migration must not change with the code)
    payload = json.dumps({"precedente": previous, **fields}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lift_append_only(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS journal_acces_ajout_seul ON journal_acces")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS journal_acces_ajout_seul_{verb}")


def _restore_append_only(dialect: str) -> None:
    # as migration 0001 made it
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER journal_acces_ajout_seul BEFORE UPDATE OR DELETE ON journal_acces "
            "FOR EACH ROW EXECUTE FUNCTION secu_ajout_seul()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER journal_acces_ajout_seul_{verb.lower()} BEFORE {verb} ON journal_acces "
                "BEGIN SELECT RAISE(ABORT, 'table journal_acces en ajout seul : modification refusée'); END"
            )


def _number_and_reseal(bind: sa.Connection) -> tuple[int, str | None]:
    rows = bind.execute(sa.text(
        "SELECT id, horodatage, utilisateur_id, role, action, ressource, ressource_id, personne_id, detail, "
        "empreinte_precedente, empreinte FROM journal_acces ORDER BY id"
    )).all()
    previous: str | None = None
    resealed = 0
    for numero, row in enumerate(rows, start=1):
        moment = row.horodatage
        if isinstance(moment, str):  # SQLite through a plain text query
            from datetime import datetime

            moment = datetime.fromisoformat(moment)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        fields = {
            "horodatage": moment.astimezone(UTC).isoformat(), "utilisateur_id": row.utilisateur_id, "role": row.role,
            "action": row.action, "ressource": row.ressource, "ressource_id": row.ressource_id,
            "personne_id": row.personne_id, "detail": row.detail,
        }
        values: dict[str, object] = {"id": row.id, "numero": numero}
        if row.empreinte_precedente != previous or resealed:
            values |= {"precedente": previous, "empreinte": _row_hash(previous, fields)}
            resealed += 1
            bind.execute(sa.text(
                "UPDATE journal_acces SET numero = :numero, empreinte_precedente = :precedente, empreinte = :empreinte "
                "WHERE id = :id"), values)
            previous = str(values["empreinte"])
        else:
            bind.execute(sa.text("UPDATE journal_acces SET numero = :numero WHERE id = :id"), values)
            previous = row.empreinte
    if resealed:
        log.warning("journal_acces : chaîne refermée à partir de la ligne n° %s (%s lignes)", len(rows) - resealed + 1, resealed)
    return len(rows), previous


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    _lift_append_only(dialect)
    with op.batch_alter_table('journal_acces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('numero', sa.BigInteger(), nullable=True))
    numero, empreinte = _number_and_reseal(bind)
    with op.batch_alter_table('journal_acces', schema=None) as batch_op:
        batch_op.alter_column('numero', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_journal_acces_numero'), ['numero'])
    _restore_append_only(dialect)

    op.create_table('journal_tete',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('numero', sa.BigInteger(), nullable=False),
    sa.Column('empreinte', sa.String(length=64), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_journal_tete_une_seule_tete')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_tete'))
    )
    op.execute(sa.text("INSERT INTO journal_tete (id, numero, empreinte) VALUES (1, :n, :e)").bindparams(n=numero, e=empreinte))

    op.create_table('limite_connexion',
    sa.Column('cle', sa.String(length=64), nullable=False),
    sa.Column('echecs', sa.Integer(), nullable=False),
    sa.Column('prochain_essai', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dernier_succes', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('cle', name=op.f('pk_limite_connexion'))
    )


def downgrade() -> None:
    op.drop_table('limite_connexion')
    op.drop_table('journal_tete')
    dialect = op.get_bind().dialect.name
    _lift_append_only(dialect)
    with op.batch_alter_table('journal_acces', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_journal_acces_numero'), type_='unique')
        batch_op.drop_column('numero')
    _restore_append_only(dialect)
