"""SignalFx / Splunk APM: the trace's segments, then the spans of each segment.

``GET {url}/v2/apm/trace/{id}/segments`` gives the segment timestamps, ``GET
{url}/v2/apm/trace/{id}/{segment}`` each segment's spans (``operationName``, ``startTime``
RFC 3339, ``durationMicros``, ``tags``, ``processTags``), the token sent as ``Authorization:
Bearer``, as the reference does.  ``url`` defaults to ``https://api.{realm}.signalfx.com``.
No segment (or 404) is *not there yet*.  The spans become Zipkin v2 spans for the loaders,
``span.kind`` from their tags, the service from ``processTags`` (``service.name``, else
``sf_service``).
"""

from __future__ import annotations

from typing import Any

from ._http import HttpStore
from ._zipkin_shape import rfc3339_us, zipkin_span
from .config import DataStore

__all__ = ["SignalFx"]


class SignalFx(HttpStore):
    """Reads traces from the SignalFx APM API."""

    def __init__(self, store: DataStore, *, timeout: float) -> None:
        super().__init__(store, timeout=timeout)
        self.auth = {"Authorization": f"Bearer {store.token}"}

    def _list(self, url: str) -> list[Any] | None:
        response = self.http.send("GET", url, headers=self.auth)
        if response.status_code == 404:
            return None
        doc = self.json(url, response.content)
        if not isinstance(doc, list):
            raise self.store.error(f"the answer of {url} is not a list")
        return doc

    def get(self, trace_id: str) -> list[Any] | None:
        """The trace's spans for the loaders, ``None`` when SignalFx has no segment of it."""
        base = f"{self.store.url}/v2/apm/trace/{trace_id}"
        segments = self._list(f"{base}/segments")
        if not segments:
            return None
        spans: list[dict[str, Any]] = []
        for segment in segments:
            for span in self._list(f"{base}/{segment}") or []:
                if isinstance(span, dict):
                    spans.append(_span(span))
        return [spans] if spans else None


def _span(span: dict[str, Any]) -> dict[str, Any]:
    tags = span.get("tags") if isinstance(span.get("tags"), dict) else {}
    process = span.get("processTags") if isinstance(span.get("processTags"), dict) else {}
    assert isinstance(tags, dict) and isinstance(process, dict)
    start = span.get("startTime")
    duration = span.get("durationMicros")
    kind = str(tags.get("span.kind") or "")
    service = str(process.get("service.name") or process.get("sf_service") or "")
    merged = {k: v for k, v in {**process, **tags}.items() if k != "span.kind"}
    return zipkin_span(
        trace_id=str(span.get("traceId", "")), span_id=str(span.get("spanId", "")),
        parent_id=str(span.get("parentId") or ""), name=str(span.get("operationName", "")),
        start_us=rfc3339_us(start) if isinstance(start, str) else None,
        duration_us=float(duration) if isinstance(duration, int | float) else None,
        kind=kind, service=service, tags=merged,
    )
