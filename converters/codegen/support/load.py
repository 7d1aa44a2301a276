"""How the generated location builds its definitions: without the cyclic garbage collector walking them.

Loading an estate makes millions of objects (assets, specs, their keys, metadata and partition definitions) that
live as long as the process that loaded them: Dagster's code server, webserver, daemon, a run worker. Python's
collector counts them as new allocations and walks all of them again at every full collection during the load,
and once more when the process exits: a third of a 1,000-DAG location's load (docs/benchmarks.md).
`long_lived` turns the collector off while the location is built, then moves everything built so far to the
permanent generation (``gc.freeze``), which no collection walks; it runs as before for everything made later.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """No cyclic garbage collection while the block runs; what it built is never walked by one afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
