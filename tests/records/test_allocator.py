"""The run's Arrow allocator: jemalloc for batch work, unless the user chose another."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_PRINT = ("from precursorwatch.records.allocator import use_batch_allocator; "
          "import pyarrow as pa; use_batch_allocator(); "
          "print(pa.default_memory_pool().backend_name)")


def _allocator(env: dict[str, str]) -> str:
    # A fresh process: the choice is process-wide, and this one's must stay as it is.
    done = subprocess.run([sys.executable, "-c", _PRINT], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def test_batch_runs_use_jemalloc() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert _allocator(env) == "jemalloc"


@pytest.mark.parametrize("chosen", ["system", "mimalloc"])
def test_the_users_choice_is_kept(chosen: str) -> None:
    assert _allocator(dict(os.environ, ARROW_DEFAULT_MEMORY_POOL=chosen)) == chosen
