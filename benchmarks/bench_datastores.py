"""How long ``tracespec.datastores.fetch`` takes for a big trace, per store and protocol.

The loopback backends of the tests (``tests/datastores/``: Flask for the HTTP APIs, grpcio
servers built from the upstream protos) serve one trace of ``--spans`` spans; each store is
fetched ``--repeat`` times and the best time printed, the backend's own rendering included
(Tempo's JSON is made by ``MessageToDict`` on each request, OpenSearch's pages of 1000
documents by Flask), so compare protocols, not absolute times.  The machine is shared.

Usage: ``python -m benchmarks.bench_datastores [--spans 25000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _best(config: dict[str, Any], trace_id: str, repeat: int, spans: int) -> float:
    from tracespec.datastores import fetch

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        trace = fetch(config, trace_id, timeout=120)
        best = min(best, time.perf_counter() - start)
        assert trace is not None and len(trace) == spans
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from tests.datastores import backends as b
    from tests.datastores.grpc_backends import grpc_backend

    data = b.make_trace(args.spans)
    http = {"type": "http", "http": {}}
    cases: list[tuple[str, Callable[[], AbstractContextManager[str]],
                      Callable[[str], dict[str, Any]]]] = [
        ("tempo http protobuf", lambda: b.backend(b.tempo_routes, b.Plan([data])),
         lambda u: {"type": "tempo", "tempo": {**http, "http": {"url": u}}}),
        ("tempo http json", lambda: b.backend(b.tempo_json_routes, b.Plan([data])),
         lambda u: {"type": "tempo", "tempo": {**http, "http": {"url": u}}}),
        ("tempo grpc", lambda: grpc_backend("tempo", b.Plan([data])),
         lambda e: {"type": "tempo", "tempo": {"type": "grpc", "grpc": {
             "endpoint": e, "tls": {"insecure": True}}}}),
        ("jaeger grpc api_v3", lambda: grpc_backend("jaeger-v3", b.Plan([data])),
         lambda e: {"type": "jaeger", "jaeger": {"endpoint": e, "tls": {"insecure": True}}}),
        ("jaeger grpc api_v2", lambda: grpc_backend("jaeger-v2", b.Plan([data])),
         lambda e: {"type": "jaeger", "jaeger": {"endpoint": e, "tls": {"insecure": True}}}),
        ("jaeger http api_v3", lambda: b.backend(b.jaeger_routes, b.Plan([data])),
         lambda u: {"type": "jaeger", "jaeger": {**http, "http": {"url": u}}}),
        ("opensearch (search_after)", lambda: b.backend(b.search_routes, b.Plan([data])),
         lambda u: {"type": "opensearch", "opensearch": {"addresses": [u], "index": "i"}}),
    ]
    print(f"fetch of one trace of {args.spans} spans, best of {args.repeat}")
    for name, serve, config in cases:
        with serve() as where:
            seconds = _best(config(where), b.TRACE_ID, args.repeat, args.spans)
        print(f"  {name:28} {seconds:6.2f} s  ({seconds / args.spans * 1e6:5.1f} µs a span)")


if __name__ == "__main__":
    main()
