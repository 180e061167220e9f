"""Migrations go up, down and up again, and end where the models are."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from precursorwatch.store.models import Base
from precursorwatch.store.session import Store, downgrade, migrate


def test_upgrade_downgrade_upgrade_matches_the_models(db_url: str) -> None:
    store = Store(db_url, pool_size=1)
    try:
        migrate(store.engine)
        downgrade(store.engine)
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
        migrate(store.engine)
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
    finally:
        store.dispose()
