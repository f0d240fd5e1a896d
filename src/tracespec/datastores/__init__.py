"""Data stores: reading a live run's trace from the tracing backend the spans went to.

Tracetest's ``type: DataStore`` resources, read as the reference reads them
(:mod:`.config`), one module a backend: Grafana Tempo (:mod:`.tempo`, :mod:`.tempo_grpc`),
Jaeger (:mod:`.jaeger`: API v3 or v1 over HTTP; :mod:`.jaeger_grpc`), OpenSearch and Elastic
APM (:mod:`.opensearch`, paged with ``search_after``), SignalFx (:mod:`.signalfx`) and Zipkin
(:mod:`.zipkin`).  :func:`fetch` reads one trace; :class:`~.feed.StoreFeed` polls a store for
a live run.  What a backend answers is decoded with :mod:`tracespec.formats`; HTTP goes through
httpx, gRPC through grpcio, both imported only when a store is asked.
"""

from __future__ import annotations

from .client import fetch
from .config import PULL_TYPES, PUSH_TYPES, UNSUPPORTED_TYPES, DataStore, Tls, read_config

__all__ = ["PULL_TYPES", "PUSH_TYPES", "UNSUPPORTED_TYPES", "DataStore", "Tls", "fetch",
           "read_config"]
