"""How the generated location builds its definitions: without the cyclic garbage collector walking them.

Loading an estate makes millions of objects (assets, specs, their keys, metadata and partition definitions) that
live as long as the process that loaded them: Dagster's code server, webserver, daemon, a run worker. Python's
collector counts them as new allocations and walks all of them again at every full collection during the load,
and once more when the process exits: a third of a 1,000-DAG location's load (docs/benchmarks.md).
`long_lived` turns the collector off while the location is built, then moves everything built so far to the
permanent generation (``gc.freeze``), which no collection walks; it runs as before for everything made later.
"""

import atexit
import functools
import gc
import sys
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
        _checked_at_exit()
        if enabled:
            gc.enable()


@functools.cache
def _checked_at_exit() -> None:
    atexit.register(_unfreeze_for_nanobind)


def _unfreeze_for_nanobind() -> None:
    """Frozen objects are never collected, not even when the interpreter exits. A nanobind extension (DuckDB's,
    imported at load by a module that imports its callables' code) then reports each of its objects still alive
    as leaked: ~70 lines on stderr after the command's own output. Where one is loaded, everything frozen is
    given back to the collector before the interpreter tears the modules down (that exit then costs the
    collection the freeze saved); elsewhere the process ends without walking them."""
    if any(_is_nanobind(module) for module in list(sys.modules.values())):
        gc.unfreeze()


def _is_nanobind(module: object) -> bool:
    if not str(getattr(module, "__file__", None) or "").endswith((".so", ".pyd")):
        return False  # nanobind modules are extension modules
    return any(type(value).__module__ == "nanobind" for value in list(vars(module).values()))
