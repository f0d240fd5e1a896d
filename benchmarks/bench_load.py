"""Load time and peak memory of tracespec's loaders against bare parsers, in the same run.

For each size (spans) it prints:

* OTLP protobuf: ``ExportTraceServiceRequest.ParseFromString`` of the file's bytes (the bare
  parse, reading excluded) and ``tracespec.load_trace(path)`` (reading included): seconds, µs
  per span, their ratio; the peak RSS of each, per span.
* OTLP JSON Lines: ``orjson.loads`` of every line, each document dropped after it is parsed
  (the pure parse cost: reading and splitting excluded, the cyclic GC off as tracespec turns it
  off while loading) and ``tracespec.load_trace(path)``: seconds, µs per span, ratio, peak RSS
  per span.

Times: the bare parse and the load alternate ``--repeat`` times in one fresh subprocess (so
both see the same machine load), best of each (JSON at 10^6 spans: 2 runs); the first load of a
process also imports numpy.  Peak RSS: each operation once in its own fresh subprocess, so that
``ru_maxrss`` is the peak of that one operation plus the interpreter with tracespec imported
(reported as "base").  The machine is shared: compare ratios, not absolute times.

Usage: ``python -m benchmarks.bench_load [--repeat 3] [SIZE ...]`` (default 1000 10000 100000
1000000; the 10^6 files take a minute to generate once, under ``benchmarks/data/``).
Targets at 10^6 spans, printed with PASS/MISS at the end: protobuf load ≤ 2.5× the bare parse
(issue 9: ≤ 2.0×), its peak RSS ≤ 1.5 KB/span, JSON ≤ 3× orjson.loads.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository root: ``benchmarks`` importable


def _bare_pb(path: str) -> tuple[float, int]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    msg = ExportTraceServiceRequest()
    msg.ParseFromString(data)
    dt = time.perf_counter() - t0
    spans = sum(len(ss.spans) for rs in msg.resource_spans for ss in rs.scope_spans)
    return dt, spans


def _bare_jsonl(path: str) -> tuple[float, int]:
    import gc

    import orjson

    data = Path(path).read_bytes()
    lines = [line for line in data.splitlines() if line]
    del data
    loads = orjson.loads
    gc.disable()  # as tracespec does while loading: fair to both
    spans = 0
    t0 = time.perf_counter()
    for line in lines:  # each document parsed, then dropped: the pure parse cost
        doc = loads(line)
        spans += len(doc["resourceSpans"][0]["scopeSpans"][0]["spans"])
    dt = time.perf_counter() - t0
    gc.enable()
    return dt, spans


def _load(path: str) -> tuple[float, int]:
    import tracespec

    t0 = time.perf_counter()
    trace = tracespec.load_trace(path)
    dt = time.perf_counter() - t0
    return dt, len(trace)


def _child(mode: str, path: str, repeat: int) -> None:
    """One measurement in this fresh process, printed as JSON.

    ``rss-bare``/``rss-load``: one run, its peak RSS.  ``time``: the bare parse and the load
    alternated ``repeat`` times in this process (same conditions for both), the best of each.
    """
    import gc

    import tracespec  # noqa: F401  (imported before the baseline RSS is taken)

    bare = _bare_pb if path.endswith(".pb") else _bare_jsonl
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if mode in ("rss-bare", "rss-load"):
        _, spans = (bare if mode == "rss-bare" else _load)(path)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"maxrss_kb": peak_kb, "base_kb": base_kb, "spans": spans}))
        return
    best_bare = best_load = float("inf")
    spans = 0
    for _ in range(repeat):
        dt, _ = bare(path)
        best_bare = min(best_bare, dt)
        gc.collect()
        dt, spans = _load(path)
        best_load = min(best_load, dt)
        gc.collect()
    print(json.dumps({"bare": best_bare, "load": best_load, "spans": spans}))


def measure(mode: str, path: Path, repeat: int) -> dict[str, float]:
    """One ``_child`` measurement (``time``, ``rss-bare``, ``rss-load``) in a fresh process."""
    import subprocess  # (here: the child processes, whose RSS is measured, do not import it)

    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_load", "--child", mode, str(path),
         "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3, help="timing runs for sizes < 10^6")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.repeat)
        return
    from benchmarks import targets
    from benchmarks.synth import cached

    header = (
        f"{'spans':>9} {'format':6} {'bare s':>8} {'load s':>8} {'µs/span':>8} {'ratio':>6} "
        f"{'bare RSS B/span':>15} {'load RSS B/span':>15} {'base MB':>7}"
    )
    print(header)
    print("-" * len(header))
    ratios: dict[str, dict[int | None, float]] = {"pb": {}, "jsonl": {}}
    rss: dict[int | None, float] = {}
    for n in args.sizes:
        for kind, label in (("pb", "proto"), ("jsonl", "jsonl")):
            path = cached(n, 1, kind)
            repeat = args.repeat if n < 1_000_000 or kind == "pb" else 2
            times = measure("time", path, repeat)
            bare = measure("rss-bare", path, 1)
            load = measure("rss-load", path, 1)
            spans = load["spans"]
            ratios[kind][n] = times["load"] / times["bare"]
            if kind == "pb":
                rss[n] = load["maxrss_kb"] * 1.024 / spans
            print(
                f"{spans:>9} {label:6} {times['bare']:8.3f} {times['load']:8.3f} "
                f"{times['load'] / spans * 1e6:8.2f} {times['load'] / times['bare']:6.2f} "
                f"{bare['maxrss_kb'] * 1024 / spans:15.0f} "
                f"{load['maxrss_kb'] * 1024 / spans:15.0f} "
                f"{load['base_kb'] / 1024:7.0f}",
                flush=True,
            )
    big = targets.M
    targets.report(f"targets at {big:,} spans", [
        (targets.issue_9("load-upb")[0], ratios["pb"]),
        (targets.Target("load-pb", "protobuf load / bare parse (earlier target)", big, 2.5, "×"),
         ratios["pb"]),
        (targets.Target("rss-pb", "protobuf load peak RSS", big, 1.5, "KB/span"), rss),
        (targets.Target("load-json", "JSON Lines load / orjson.loads", big, 3.0, "×"),
         ratios["jsonl"]),
    ])


if __name__ == "__main__":
    main()
