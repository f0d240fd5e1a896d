"""One trace from a data store: the backend of a store's type opened, asked, its answer loaded.

:func:`open_backend` gives the client of a :class:`~.config.DataStore` (kept open across the
polls of a live run); :func:`load_answer` turns what it fetched (and the spans tracespec adds,
the trigger span) into a :class:`~tracespec.trace.Trace`; :func:`fetch` does both once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import orjson

from ..errors import DataStoreError, TraceLoadError, first_line
from ..trace import Trace
from ..trace.ids import normalize_trace_id
from .config import DataStore, read_config

__all__ = ["Backend", "fetch", "load_answer", "open_backend", "store_of"]

_TRACE_ID = re.compile(r"[0-9a-f]{32}")


class Backend(Protocol):
    """A data store's client: ``get`` the sources of a trace (``None``: not there yet)."""

    def get(self, trace_id: str) -> list[Any] | None: ...  # noqa: D102

    def close(self) -> None: ...  # noqa: D102


def store_of(config: DataStore | Mapping[str, Any]) -> DataStore:
    """``config`` as a :class:`DataStore` (a mapping is read with :func:`read_config`)."""
    return config if isinstance(config, DataStore) else read_config(config)


def open_backend(store: DataStore, *, timeout: float = 10.0) -> Backend:
    """The client of ``store``; each request waits at most ``timeout`` seconds."""
    if store.is_push:
        raise store.error("a push data store: the collector exports the spans to tracespec's "
                          "OTLP receiver, there is nothing to ask")
    if store.type == "tempo":
        if store.protocol == "grpc":
            from .tempo_grpc import TempoGrpc

            return TempoGrpc(store, timeout=timeout)
        from .tempo import TempoHttp

        return TempoHttp(store, timeout=timeout)
    if store.type == "jaeger":
        if store.protocol == "grpc":
            from .jaeger_grpc import JaegerGrpc

            return JaegerGrpc(store, timeout=timeout)
        from .jaeger import JaegerHttp

        return JaegerHttp(store, timeout=timeout)
    if store.type == "zipkin":
        from .zipkin import ZipkinHttp

        return ZipkinHttp(store, timeout=timeout)
    if store.type in ("opensearch", "elasticapm"):
        from .opensearch import OpenSearch

        return OpenSearch(store, timeout=timeout)
    if store.type == "signalfx":
        from .signalfx import SignalFx

        return SignalFx(store, timeout=timeout)
    if store.type == "clickhouse":
        from .clickhouse import ClickHouseBackend

        return ClickHouseBackend(store)
    raise store.error("not supported by tracespec")


def load_answer(
    store: DataStore, sources: Sequence[Any], trace_id: str, extra: Sequence[Any] = ()
) -> Trace | None:
    """The trace ``trace_id`` in what ``store`` answered plus ``extra`` sources (``None`` when
    neither holds a span of it); an answer that does not decode is a :class:`DataStoreError`
    (its cause the :class:`~tracespec.errors.TraceLoadError`)."""
    from ..formats import load_traces

    if not sources and not extra:
        return None
    # each source as bytes: a list of parsed documents would read as one JSON array
    parts = [s if isinstance(s, bytes) else orjson.dumps(s) for s in (*sources, *extra)]
    try:
        traces = load_traces(parts)
    except TraceLoadError as exc:
        raise store.error(f"the answer is not a trace: {first_line(str(exc))}") from exc
    want = normalize_trace_id(trace_id)
    return next((t for t in traces if normalize_trace_id(t.trace_id) == want), None)


def fetch(
    config: DataStore | Mapping[str, Any], trace_id: str, *, timeout: float = 10.0
) -> Trace | None:
    """The trace ``trace_id`` as the data store ``config`` holds it now, or ``None`` when it
    holds none of its spans (yet).

    ``config`` is a :class:`DataStore` or the plain data of a ``type: DataStore`` resource
    (the document or its ``spec``).  ``trace_id`` is 32 hex digits (16 are left-padded).
    Each request waits at most ``timeout`` seconds.  A store that cannot be asked (connection
    refused, DNS, TLS, 401/403, a timeout, an answer that is not a trace) raises
    :class:`~tracespec.errors.DataStoreError` naming the store and the endpoint.
    """
    store = store_of(config)
    wanted = normalize_trace_id(trace_id)
    if not _TRACE_ID.fullmatch(wanted):
        raise DataStoreError(f"{trace_id!r} is not a trace id (32 hex digits)",
                             store=store.type)
    backend = open_backend(store, timeout=timeout)
    try:
        sources = backend.get(wanted)
    finally:
        backend.close()
    return load_answer(store, sources or [], wanted)
