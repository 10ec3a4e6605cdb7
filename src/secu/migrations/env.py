"""Alembic environment: runs on the connection secu hands over, or on the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import secu.autonomie.models  # noqa: F401
import secu.core.ledger  # noqa: F401
import secu.core.security  # noqa: F401
import secu.especes.deces  # noqa: F401
import secu.especes.invalidite  # noqa: F401
import secu.especes.models  # noqa: F401
import secu.famille.models  # noqa: F401
import secu.maladie.models  # noqa: F401
import secu.recouvrement.models  # noqa: F401
import secu.register.models  # noqa: F401  (registers every table)
import secu.retraite.models  # noqa: F401
import secu.retraite.models_pension  # noqa: F401
import secu.retraite.models_survivants  # noqa: F401
from secu.core.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
