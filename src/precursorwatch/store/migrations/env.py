"""Alembic environment: run programmatically by ``store.session.migrate`` with the engine
passed in ``config.attributes``; batch mode so that ALTERs also work on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from precursorwatch.store.models import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through precursorwatch.store.session.migrate")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
