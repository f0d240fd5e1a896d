"""How the reports stream: text made in chunks, with the cyclic garbage collector paused.

A report of a big run is millions of small strings and tuples.  The streamed forms
(``iter_render``, ``iter_test_json``, ``iter_junit_xml``, ...) make it piece by piece and hand
it out in chunks of a few hundred kilobytes, so no whole report is ever held.  While a chunk is
being made the cyclic GC is paused: the pieces hold no cycles, and collections that walk the
run's results again and again cost more than the report itself.  The GC runs again whenever a
chunk is handed out, so a caller's own code never runs with it paused, even if it stops
reading half way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from .._gc import paused as gc_paused

__all__ = ["CHUNK_PIECES", "chunked", "gc_paused"]

#: Pieces (lines, JSON tokens, XML elements) joined into one chunk of streamed text.
CHUNK_PIECES = 4096


def chunked(pieces: Iterable[str], size: int = CHUNK_PIECES) -> Iterator[str]:
    """``pieces`` joined ``size`` at a time; the pieces are made with the GC paused."""
    it = iter(pieces)
    while True:
        with gc_paused():
            batch = list(islice(it, size))
            if not batch:
                return
            chunk = "".join(batch)
            del batch
        yield chunk
