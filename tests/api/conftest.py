"""The real app over a seeded store; use ``client`` and ``world.auth(username)``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from precursorwatch.api.app import create_app
from precursorwatch.settings import Settings
from tests.exchange_fixtures import World, seed_world


@pytest.fixture
def world(db_url: str) -> World:
    return seed_world(db_url)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=world.url))) as test_client:
        yield test_client
