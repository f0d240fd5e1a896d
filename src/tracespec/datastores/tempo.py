"""Grafana Tempo over HTTP: ``GET {url}/api/traces/{id}``, JSON or protobuf by content type.

tracespec asks for protobuf (``Accept: application/protobuf``; the reference sends no
``Accept`` and reads what comes, as tracespec does when a proxy or an old Tempo answers JSON).
The JSON is gogo ``jsonpb`` of ``tempopb.Trace`` (``batches``, base64 ids, enum names), the
protobuf ``tempopb.Trace`` (wire-compatible with OTLP ``TracesData``); both are read by
:mod:`tracespec.formats`.  With ``http.api: v2`` (an extension) it reads
``/api/v2/traces/{id}``: ``{"trace": {...}, "status": ...}``, or a protobuf
``TraceByIDResponse`` decoded with the stubs of :mod:`._pb`.  404 is *not there yet*, as an
answer with no batch is.  The gRPC ``Querier/FindTraceByID`` is in :mod:`.tempo_grpc`.
"""

from __future__ import annotations

from typing import Any

from ._http import HttpStore
from .config import DataStore

__all__ = ["TempoHttp"]


class TempoHttp(HttpStore):
    """Reads traces from Tempo's HTTP API."""


    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's sources for the loaders, ``None`` when Tempo has none of its spans."""
        v2 = self.store.api == "v2"
        url = f"{self.store.url}/api/{'v2/' if v2 else ''}traces/{trace_id}"
        # protobuf when Tempo gives it (it checks the header whole): no base64 or enum names
        response = self.http.send("GET", url, headers={"Accept": "application/protobuf"})
        if response.status_code == 404:
            return None
        body = response.content
        if "protobuf" in response.headers.get("content-type", ""):
            return _v2_trace(self.store, body) if v2 else ([body] if body else None)
        doc = self.json(url, body)
        if not isinstance(doc, dict):
            raise self.store.error(f"the answer of {url} is not a Tempo trace")
        trace = doc.get("trace") if v2 else doc
        if not isinstance(trace, dict) or not (trace.get("batches") or trace.get("resourceSpans")):
            return None
        return [doc]


def _v2_trace(store: DataStore, body: bytes) -> list[Any] | None:
    """The trace of a protobuf ``TraceByIDResponse`` (API v2), as ``TracesData`` bytes."""
    from google.protobuf.message import DecodeError

    from ._pb.tempo import tempo_pb2

    try:
        response = tempo_pb2.TraceByIDResponse.FromString(body)
    except DecodeError as exc:
        raise store.error(f"the answer is not a TraceByIDResponse: {exc}") from None
    if not response.HasField("trace") or not response.trace.resourceSpans:
        return None
    return [response.trace.SerializeToString()]
