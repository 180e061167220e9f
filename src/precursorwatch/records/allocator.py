"""Which allocator Arrow uses for the buffers of a run: chosen once, at the program's edge.

Reading a year of trade decodes and checks gigabytes of short-lived Arrow buffers. On the
Linux machine this project is measured on, Arrow's default allocator (mimalloc) returned
freed pages to the kernel and faulted them in again so often that the kernel's share of the
time of reading and checking the history exceeded that of the checks themselves; jemalloc,
which keeps freed pages for a while before returning them, took a fraction of it (figures
in BENCHMARKS.md, "Screening speed").
"""

from __future__ import annotations

import os
from contextlib import suppress

import pyarrow as pa

__all__ = ["use_batch_allocator"]


def use_batch_allocator() -> str:
    """Make jemalloc Arrow's default allocator, unless the user chose one with
    ``ARROW_DEFAULT_MEMORY_POOL`` or this build of Arrow lacks it; returns the allocator in
    use. For command-line runs and benchmarks, not for a library caller's process."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        with suppress(NotImplementedError):  # a build without jemalloc keeps its default
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return str(pa.default_memory_pool().backend_name)
