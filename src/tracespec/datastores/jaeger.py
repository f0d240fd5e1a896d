"""Jaeger over HTTP (an extension of tracespec): the API v3 gateway, else the v1 JSON API.

``GET {url}/api/v3/traces/{id}`` answers ``{"result": {"resourceSpans": [...]}}`` (OTLP JSON);
its 404 holds ``{"error": {...}}``.  A Jaeger without API v3 answers its path with a plain 404:
tracespec then reads ``GET {url}/api/traces/{id}`` (``{"data": [trace]}``) from then
on.  Not found is *not there yet*.  The gRPC query service is :mod:`.jaeger_grpc`.
"""

from __future__ import annotations

from typing import Any

import orjson

from ._http import HttpStore
from .config import DataStore

__all__ = ["JaegerHttp"]


class JaegerHttp(HttpStore):
    """Reads traces from Jaeger's HTTP APIs (v3, or v1 when v3 is absent)."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        super().__init__(store, timeout=timeout)
        self.v3 = True

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's sources for the loaders, ``None`` when Jaeger has none of its spans."""
        if self.v3:
            url = f"{self.store.url}/api/v3/traces/{trace_id}"
            response = self.http.send("GET", url)
            status = response.status_code
            if status == 200:
                doc = self.json(url, response.content)
                result = doc.get("result") if isinstance(doc, dict) else None
                if not isinstance(result, dict):
                    raise self.store.error(f"the answer of {url} holds no 'result'")
                return [doc] if result.get("resourceSpans") else None
            if status == 404 and _is_v3_error(response.content):
                return None
            self.v3 = False  # no API v3 here: the v1 JSON API
        url = f"{self.store.url}/api/traces/{trace_id}"
        response = self.http.send("GET", url)
        if response.status_code == 404:
            return None
        doc = self.json(url, response.content)
        if not isinstance(doc, dict) or not isinstance(doc.get("data", []), list | None):
            raise self.store.error(f"the answer of {url} is not a Jaeger trace")
        data = doc.get("data") or []
        return [doc] if any(isinstance(t, dict) and t.get("spans") for t in data) else None


def _is_v3_error(body: bytes) -> bool:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("error"), dict)
