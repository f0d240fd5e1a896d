"""The cyclic garbage collector, paused while tracespec makes many small objects.

Loading a trace, building span results and writing reports make millions of small objects that
hold no cycles; collections that walk them again and again cost more than the work itself (on
big traces, a fifth to a half).  :func:`paused` switches the collector off for a block and back
on after it, and leaves it alone when the caller had switched it off.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused(count: int | None = None) -> Iterator[None]:
    """Pause the cyclic GC for the block; with ``count``, only when it is at least 1,000 (fewer
    objects are not worth it)."""
    if (count is not None and count < 1000) or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
