"""Ingest rate of the OTLP receiver against a bare protobuf parse, in the same run.

The bodies: ``--traces`` synthetic traces (``benchmarks/synth.py``, 64 spans each, about 10
attributes a span, over 7 services), ``--in-flight`` traces at a time (their spans interleaved;
0 shuffles all spans, the worst case: spans of hundreds of traces in every request), each
service's spans cut in the order they end into export requests of 512 spans (one resource,
spans of dozens of traces in each, as a service's batch exporter sends them), serialized once
before anything is timed.

* bare parse: ``ExportTraceServiceRequest.FromString`` of every body;
* OTLP/HTTP: 4 exporter processes each ``POST`` their share of the bodies over one keep-alive
  ``http.client`` connection, all released at once; the time runs from the release until the
  receiver holds every span (:meth:`tracespec.Receiver.wait`);
* OTLP/gRPC: the same with one grpcio channel a process (the bytes sent as they are);
* the three alternate ``--repeat`` times (so that they see the same machine load), best of each;
* memory per span held: what Python allocated (``tracemalloc``) for a receiver holding every
  span, its requests given with :meth:`tracespec.Receiver.add`, and of that the bytes of the
  held protobuf itself.

Usage: ``python -m benchmarks.bench_receive [--traces 2560] [--in-flight 8] [--repeat 3]``.
The machine is shared and the exporters run on the same cores as the receiver: compare ratios,
not absolute times.  Targets (issue 12), printed with PASS/MISS: ≥ 100,000 spans/s over
HTTP (≤ 10 µs a span), within 5× of the bare parse.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the repository root: ``benchmarks`` importable
EXPORTERS = 4
BATCH = 512


def make_bodies(traces: int, seed: int = 7, in_flight: int = 8) -> list[bytes]:
    """Serialized export requests of ``BATCH`` spans, spans of many traces in each: traces
    come ``in_flight`` at a time (their spans end interleaved; 0: all spans shuffled, the worst
    case), each service's spans batched in the order they end."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    from benchmarks import synth

    rnd = random.Random(seed)
    spans: list[dict[str, Any]] = []
    window = in_flight or traces
    for w in range(0, traces, window):
        group = [s for t in range(w, min(traces, w + window))
                 for s in synth._spans(64, seed * 100_000 + t)]
        rnd.shuffle(group)
        spans.extend(group)
    by_service: dict[str, list[dict[str, Any]]] = {}
    for s in spans:
        by_service.setdefault(s["service"], []).append(s)
    bodies = []
    for service, mine in sorted(by_service.items()):
        for i in range(0, len(mine), BATCH):
            req = ExportTraceServiceRequest()
            rs = req.resource_spans.add()
            for k, v in synth._resource(service).items():
                kv = rs.resource.attributes.add()
                kv.key = k
                synth._set_any(kv.value, v)
            ss = rs.scope_spans.add()
            ss.scope.name = "opentelemetry.instrumentation.auto"
            for s in mine[i:i + BATCH]:
                sp = ss.spans.add()
                sp.trace_id, sp.span_id, sp.name, sp.kind = (
                    s["trace_id"], s["span_id"], s["name"], s["kind"])
                if s["parent"]:
                    sp.parent_span_id = s["parent"]
                sp.start_time_unix_nano, sp.end_time_unix_nano = s["start"], s["end"]
                for k, v in s["attrs"].items():
                    kv = sp.attributes.add()
                    kv.key = k
                    synth._set_any(kv.value, v)
                sp.status.code = s["status"]
            bodies.append(req.SerializeToString())
    return bodies


def _traces_per_request(bodies: list[bytes]) -> float:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    counts = [len({s.trace_id for rs in ExportTraceServiceRequest.FromString(b).resource_spans
                   for ss in rs.scope_spans for s in ss.spans}) for b in bodies]
    return sum(counts) / len(counts)


def bare_parse(bodies: list[bytes], repeat: int) -> float:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        for body in bodies:
            ExportTraceServiceRequest.FromString(body)
        best = min(best, time.perf_counter() - t0)
    return best


def _read_bodies(path: str, share: int) -> list[bytes]:
    data = Path(path).read_bytes()
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        out.append(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out[share::EXPORTERS]


def _http_exporter(path: str, share: int, address: str, go: Any, ready: Any) -> None:
    import http.client

    bodies = _read_bodies(path, share)
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.connect()
    ready.release()
    go.wait()
    for body in bodies:
        conn.request("POST", "/v1/traces", body=body,
                     headers={"Content-Type": "application/x-protobuf"})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"HTTP {resp.status}")
    conn.close()


def _grpc_exporter(path: str, share: int, address: str, go: Any, ready: Any) -> None:
    import grpc

    bodies = _read_bodies(path, share)
    with grpc.insecure_channel(address) as channel:
        export = channel.unary_unary(
            "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        grpc.channel_ready_future(channel).result(timeout=30)
        ready.release()
        go.wait()
        for body in bodies:
            export(body, timeout=60)


def ingest(protocol: str, path: str, spans: int) -> float:
    """One run: the seconds from the exporters' release until every span is held."""
    import tracespec

    ctx = mp.get_context("spawn")
    go, ready = ctx.Event(), ctx.Semaphore(0)
    http, grpc = ("127.0.0.1:0", None) if protocol == "http" else (None, "127.0.0.1:0")
    gc.collect()
    with tracespec.Receiver(http=http, grpc=grpc, max_spans=10 * spans) as rx:
        address = rx.http_address if protocol == "http" else rx.grpc_address
        target = _http_exporter if protocol == "http" else _grpc_exporter
        procs = [ctx.Process(target=target, args=(path, i, address, go, ready))
                 for i in range(EXPORTERS)]
        for p in procs:
            p.start()
        for _ in procs:
            if not ready.acquire(timeout=60):
                raise SystemExit("an exporter did not start")
        t0 = time.perf_counter()
        go.set()
        got = rx.wait(since=spans - 1, timeout=120)
        dt = time.perf_counter() - t0
        for p in procs:
            p.join(60)
        if got != spans or any(p.exitcode for p in procs):
            raise SystemExit(f"{protocol}: {got} of {spans} spans received")
    return dt


def memory(bodies: list[bytes]) -> tuple[int, int]:
    """(bytes Python allocated for a receiver holding every span, protobuf bytes held)."""
    import tracemalloc

    import tracespec

    gc.collect()
    tracemalloc.start()
    rx = tracespec.Receiver(http=None, grpc=None, max_spans=10**9)
    for body in bodies:
        rx.add(body)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    data = sum(len(rx._store.data(t) or b"") for t in rx.trace_ids())  # (no public seam)
    return held, data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--traces", type=int, default=2560, help="64-span traces (default 2560)")
    ap.add_argument("--in-flight", type=int, default=8,
                    help="traces whose spans interleave (default 8; 0: all shuffled)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from benchmarks import targets

    bodies = make_bodies(args.traces, in_flight=args.in_flight)
    spans = args.traces * 64
    with tempfile.NamedTemporaryFile(suffix=".bodies", delete=False) as f:
        for body in bodies:
            f.write(len(body).to_bytes(4, "big") + body)
        path = f.name
    try:
        size = sum(map(len, bodies))
        per = _traces_per_request(bodies)
        print(f"{len(bodies)} requests of up to {BATCH} spans ({per:.0f} traces in each on "
              f"average), {spans:,} spans, {size / 2**20:.1f} MiB, {EXPORTERS} exporter "
              f"processes, best of {args.repeat}")
        times: dict[str, float] = {"bare": float("inf"), "http": float("inf"),
                                   "grpc": float("inf")}
        for _ in range(args.repeat):  # interleaved: each sees the same machine load
            times["bare"] = min(times["bare"], bare_parse(bodies, 1))
            for protocol in ("http", "grpc"):
                times[protocol] = min(times[protocol], ingest(protocol, path, spans))
        bare = times["bare"]
        rows = [("bare protobuf parse", bare), ("OTLP/HTTP", times["http"]),
                ("OTLP/gRPC", times["grpc"])]
    finally:
        Path(path).unlink()
    print(f"\n{'':22} {'seconds':>8} {'spans/s':>10} {'µs/span':>8} {'× bare':>7}")
    for label, dt in rows:
        print(f"{label:22} {dt:8.3f} {spans / dt:10,.0f} {dt / spans * 1e6:8.2f} "
              f"{dt / bare:7.2f}")
    held, data = memory(bodies)
    print(f"\nmemory held: {held / spans:.0f} B/span in all (tracemalloc), of which "
          f"{data / spans:.0f} B/span the spans' protobuf (the requests: {size / spans:.0f} "
          "B/span)")
    http_dt = rows[1][1]
    targets.report("targets (issue 12)", [
        (targets.Target("rx-http", "OTLP/HTTP ingest per span (≥ 100,000 spans/s)", None, 10.0,
                        "µs"), {None: http_dt / spans * 1e6}),
        (targets.Target("rx-ratio", "OTLP/HTTP ingest / bare protobuf parse", None, 5.0, "×"),
         {None: http_dt / bare}),
    ])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
