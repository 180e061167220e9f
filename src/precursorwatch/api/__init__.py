"""The HTTP service (FastAPI): routes, authentication, schemas, problem responses."""

from precursorwatch.api.app import create_app

__all__ = ["create_app"]
