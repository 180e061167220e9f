"""``precursorwatch serve``: run the exchange server."""

from __future__ import annotations

from typing import Annotated

import typer

from precursorwatch.commands._console import err
from precursorwatch.commands._db import DbOption
from precursorwatch.settings import DEFAULT_DB, Settings

__all__ = ["serve"]


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on. Default: 127.0.0.1 (this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", min=1, max=65535, help="TCP port to listen on. Default: 8000.")] = 8000,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="Server processes. Default: 1; on PostgreSQL, "
        "about one per core.")] = 1,
) -> None:
    """Run the exchange server: notifications, incidents and releases between agencies.

    Applies the database migrations, then serves the HTTP API with its OpenAPI document at
    `/openapi.json` (browsable at `/docs`) and the reviewers' pages at `/web`. Stop it
    with Ctrl-C. Create nations, agencies, users and tokens first with `precursorwatch
    admin`.

    Example: `precursorwatch serve --port 8000 --db sqlite:///exchange.db`
    """
    import os

    import uvicorn

    from precursorwatch.store.session import Store, migrate
    from precursorwatch.web import create_site

    err.print(f"Serving on http://{host}:{port}: pages at /web, OpenAPI at /openapi.json")
    if workers == 1:
        uvicorn.run(create_site(Settings(db=db)), host=host, port=port, log_level="warning",
                    access_log=False)
        return
    # Migrate once here, not in each worker at the same time; the workers read their
    # settings from the environment.
    store = Store(db, pool_size=1)
    migrate(store.engine)
    store.dispose()
    os.environ["PRECURSORWATCH_DB"] = db
    os.environ["PRECURSORWATCH_MIGRATE_ON_START"] = "false"
    uvicorn.run("precursorwatch.web:create_site_from_env", factory=True, host=host,
                port=port, workers=workers, log_level="warning", access_log=False)
