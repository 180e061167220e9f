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
) -> None:
    """Run the exchange server: notifications, incidents and releases between agencies.

    Applies the database migrations, then serves the HTTP API with its OpenAPI document at
    `/openapi.json` (browsable at `/docs`). Stop it with Ctrl-C. Create nations, agencies,
    users and tokens first with `precursorwatch admin`.

    Example: `precursorwatch serve --port 8000 --db sqlite:///exchange.db`
    """
    import uvicorn

    from precursorwatch.api.app import create_app

    err.print(f"Serving on http://{host}:{port} (OpenAPI at /openapi.json)")
    uvicorn.run(create_app(Settings(db=db)), host=host, port=port, log_level="warning",
                access_log=False)
