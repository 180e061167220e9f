"""The reviewers' web pages, served by the exchange server under ``/web``."""

from __future__ import annotations

from fastapi import FastAPI

from precursorwatch.api.app import create_app
from precursorwatch.settings import Settings
from precursorwatch.web.pages import install

__all__ = ["create_site", "create_site_from_env"]


def create_site(settings: Settings) -> FastAPI:
    """The API with the pages: what ``precursorwatch serve`` runs."""
    app = create_app(settings)
    install(app)
    return app


def create_site_from_env() -> FastAPI:
    """:func:`create_site` configured from ``PRECURSORWATCH_*`` variables, for workers."""
    return create_site(Settings())
