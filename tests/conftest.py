"""Shared fixtures.

- ``registry`` / ``identifier``: the registry and identifier shipped with the package (real
  data, built once per session). Use them for behaviour the users rely on.
- ``data_dir``: ``tests/data``, where labelled evaluation sets live.
- ``febrl3`` / ``febrl4``: the FEBRL entity-resolution sets with their true pairs
  (see ``tests/febrl.py``).
- ``run_cli``: runs the real ``precursorwatch`` command in a subprocess, as a user would.
- ``db_url`` (exchange): an empty exchange store, parametrised over a SQLite file and a
  fresh PostgreSQL database (``postgres`` mark; skipped only where there is no PostgreSQL).
  ``world`` seeds it with nations, agencies, users and tokens; ``client`` is the real app
  over it (FastAPI's TestClient, in-process HTTP). See ``tests/exchange_fixtures.py``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from precursorwatch.registry import Identifier, Registry, default_identifier, load_registry
from tests.exchange_fixtures import db_url, postgres_url  # noqa: F401 - fixtures
from tests.febrl import Febrl, febrl3_set, febrl4_sets

DATA_DIR = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def identifier() -> Identifier:
    return default_identifier()


@pytest.fixture(scope="session")
def febrl4() -> Febrl:
    return febrl4_sets()


@pytest.fixture(scope="session")
def febrl3() -> Febrl:
    return febrl3_set()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "precursorwatch", *args],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )

    return run
