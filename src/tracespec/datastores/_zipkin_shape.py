"""Spans of backends with no loader of their own (SignalFx, Elastic APM) as Zipkin v2 span
objects, which :mod:`tracespec.formats.zipkin` reads: ids, name, times in microseconds, kind,
service and string tags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["rfc3339_us", "zipkin_span"]

_KINDS = {"client": "CLIENT", "server": "SERVER", "producer": "PRODUCER", "consumer": "CONSUMER"}


def rfc3339_us(text: str) -> int | None:
    """Microseconds since the epoch of an RFC 3339 time (fractions beyond µs cut), or None."""
    written = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    head, dot, rest = written.partition(".")
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        written = f"{head}.{(digits + '000000')[:6]}{zone}"
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        return None
    return round(moment.timestamp() * 1_000_000)


def zipkin_span(
    *, trace_id: str, span_id: str, parent_id: str, name: str, start_us: int | None,
    duration_us: float | None, kind: str, service: str, tags: dict[str, Any],
) -> dict[str, Any]:
    """One span as a Zipkin v2 object."""
    span: dict[str, Any] = {"traceId": trace_id, "id": span_id, "name": name,
                            "tags": {k: str(v) for k, v in tags.items() if v is not None}}
    if parent_id:
        span["parentId"] = parent_id
    if start_us is not None:
        span["timestamp"] = start_us
    if duration_us is not None:
        span["duration"] = int(duration_us)
    zipkin_kind = _KINDS.get(kind.strip().lower())
    if zipkin_kind:
        span["kind"] = zipkin_kind
    if service:
        span["localEndpoint"] = {"serviceName": service}
    return span
