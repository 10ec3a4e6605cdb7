"""The migrations build exactly the schema the models declare.

Migrations are written by hand in places; this compares the migrated database
with the models' metadata (Alembic's autogenerate comparison), so a table,
column, index or constraint missing from a migration fails here rather than
in production.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import secu.autonomie.models  # noqa: F401  (every model module, as migrations/env.py imports them)
import secu.core.ledger  # noqa: F401
import secu.core.security  # noqa: F401
import secu.especes.deces  # noqa: F401
import secu.especes.invalidite  # noqa: F401
import secu.especes.models  # noqa: F401
import secu.famille.models  # noqa: F401
import secu.maladie.models  # noqa: F401
import secu.recouvrement.models  # noqa: F401
import secu.register.models  # noqa: F401
import secu.retraite.models  # noqa: F401
from secu.core.db import Base, migrate


def _differences(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return [d for d in compare_metadata(context, Base.metadata) if not _alembic_own(d)]
    finally:
        engine.dispose()


def _alembic_own(difference: object) -> bool:
    # the version table is Alembic's, not a model's
    return isinstance(difference, tuple) and len(difference) > 1 and getattr(difference[1], "name", None) == "alembic_version"


def test_migrations_match_models(database_url: str) -> None:
    assert _differences(database_url) == []
