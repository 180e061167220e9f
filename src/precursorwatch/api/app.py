"""The exchange server: ``create_app(settings)`` builds the FastAPI application.

Its OpenAPI document is at ``/openapi.json``. Migrations are applied when it starts.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from precursorwatch import __version__
from precursorwatch.api import errors
from precursorwatch.api.routes import alerts, cases, entities, incidents, me, notifications
from precursorwatch.settings import Settings
from precursorwatch.store.session import Store, migrate

__all__ = ["create_app", "create_app_from_env"]


def create_app(settings: Settings) -> FastAPI:
    """The application over the store that ``settings.db`` names."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db, pool_size=settings.pool_size)
        if settings.migrate_on_start:
            migrate(store.engine)
        app.state.store = store
        # What start-up loaded (routes, page templates, the substance registry) lives as
        # long as the process. Frozen out of the collector's reach, it is no longer walked
        # by the first full collections, which otherwise fall inside early requests
        # (measured: some 300,000 objects, about 380 ms on a loaded machine).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            # Collectable again, so that what is left is finalised at exit.
            gc.unfreeze()
            store.dispose()

    app = FastAPI(
        title="precursorwatch exchange",
        version=__version__,
        description="Pre-export notifications, incidents and cases between the agencies of "
        "the United States and India, under Traffic Light Protocol 2.0 markings, releases "
        "across the border by a supervisor, and a hash-chained audit trail. Authenticate "
        "with `Authorization: Bearer TOKEN` (tokens from `precursorwatch admin token issue`).",
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry hooks ask the environment for a tracer, meter and
        # logger provider on every request (about 5 % of a read's CPU, measured with
        # py-spy); nothing here exports telemetry, so they are off.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    errors.install(app)
    app.include_router(me.router)
    app.include_router(notifications.router)
    app.include_router(incidents.router)
    app.include_router(cases.router)
    app.include_router(alerts.router)
    app.include_router(entities.router)
    return app


def create_app_from_env() -> FastAPI:
    """The application configured from ``PRECURSORWATCH_*`` variables: the factory that
    each uvicorn worker process calls when ``serve --workers`` is more than one."""
    return create_app(Settings())
