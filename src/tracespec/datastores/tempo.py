"""Grafana Tempo over HTTP: ``GET {url}/api/traces/{id}``, JSON or protobuf by content type.

tracespec asks for protobuf (``Accept: application/protobuf``; the reference sends no
``Accept`` and reads what comes, as tracespec does when a proxy or an old Tempo answers JSON).
The JSON is gogo ``jsonpb`` of ``tempopb.Trace`` (``batches``, base64 ids, enum names), the
protobuf ``tempopb.Trace`` (wire-compatible with OTLP ``TracesData``); both are read by
:mod:`tracespec.formats`.  404 is *not there yet*, as an answer with no batch is.  The gRPC
``Querier/FindTraceByID`` is in :mod:`.tempo_grpc`.
"""

from __future__ import annotations

from typing import Any

import orjson

from ._http import HttpClient
from .config import DataStore

__all__ = ["TempoHttp"]


class TempoHttp:
    """Reads traces from Tempo's HTTP API."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        self.store = store
        self.http = HttpClient(store, timeout=timeout)

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's sources for the loaders, ``None`` when Tempo has none of its spans."""
        url = f"{self.store.url}/api/traces/{trace_id}"
        # protobuf when Tempo gives it (it checks the header whole): no base64 or enum names
        response = self.http.send("GET", url, headers={"Accept": "application/protobuf"})
        if response.status_code == 404:
            return None
        body = response.content
        if "protobuf" in response.headers.get("content-type", ""):
            return [body] if body else None
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise self.store.error(f"the answer of {url} is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise self.store.error(f"the answer of {url} is not a Tempo trace")
        if not doc.get("batches") and not doc.get("resourceSpans"):
            return None
        return [doc]
