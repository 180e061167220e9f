"""Settings of the exchange server, read once at the edge (``serve``, ``admin``, ``audit``)
and passed in; the core never reads the environment.

Every variable is prefixed ``PRECURSORWATCH_`` and listed in docs/configuration.md.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_DB", "Settings"]

#: The store used when neither --db nor PRECURSORWATCH_DB names one: a SQLite file here.
DEFAULT_DB = "sqlite:///precursorwatch-exchange.db"


class Settings(BaseSettings):
    """Where the exchange server keeps its records and how it runs."""

    model_config = SettingsConfigDict(env_prefix="PRECURSORWATCH_", extra="ignore",
                                      frozen=True)

    db: str = Field(DEFAULT_DB, description="SQLAlchemy URL of the operational store: "
                    "sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB")
    migrate_on_start: bool = Field(True, description="Apply Alembic migrations when the "
                                   "service starts")
    pool_size: int = Field(10, ge=1, le=200, description="Database connections per process")
