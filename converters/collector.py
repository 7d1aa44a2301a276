"""Python's cyclic garbage collector around the toolkit's bulk work (scan's cache, convert): one home.

What a large estate's scan and conversion build (the IR, the plan, the generated text) are hundreds of thousands
to millions of small objects, nearly all without reference cycles. Left to the collector they are walked again
and again while they arrive (a collection every 700 allocations, a full one as they pile up): on the bench's
1,000-DAG estate a fifth of `convert` (docs/benchmarks.md). Reference counting frees them either way.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off while the block runs, and as it was afterwards (a block inside another stays paused).
    ``freeze``: what exists when the block ends is moved out of the collector's reach for good (``gc.freeze``:
    for what the process keeps, e.g. scan results read from the cache), given back before the interpreter exits.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
            _unfreeze_at_exit()
        if collecting:
            gc.enable()


@functools.cache
def _unfreeze_at_exit() -> None:
    """Frozen objects are never collected, not even when the interpreter exits: an extension module frozen with
    them (DuckDB, imported by the demo and the gates before a scan) outlives it and nanobind reports each of its
    objects as leaked (~70 lines after the demo's summary). Unfrozen before the interpreter tears modules down."""
    atexit.register(gc.unfreeze)
