"""Zipkin (an extension of tracespec): ``GET {url}/api/v2/trace/{id}``, a JSON array of v2 spans.

404 (or an empty array) is *not there yet*; the spans are read by :mod:`tracespec.formats`.
"""

from __future__ import annotations

from typing import Any

from ._http import HttpStore

__all__ = ["ZipkinHttp"]


class ZipkinHttp(HttpStore):
    """Reads traces from Zipkin's v2 API."""


    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's spans for the loaders, ``None`` when Zipkin has none of them."""
        url = f"{self.store.url}/api/v2/trace/{trace_id}"
        response = self.http.send("GET", url)
        if response.status_code == 404:
            return None
        doc = self.json(url, response.content)
        if not isinstance(doc, list):
            raise self.store.error(f"the answer of {url} is not a list of Zipkin spans")
        return [doc] if doc else None
