"""The operational store (SQLAlchemy 2 + Alembic): tables, sessions, migrations, and the
record operations that apply the sharing policy."""

from precursorwatch.store.session import Store, make_engine, migrate

__all__ = ["Store", "make_engine", "migrate"]
