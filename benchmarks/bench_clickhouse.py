"""Selectors and a spec over every trace in ClickHouse (chdb) against the in-memory loop.

``--traces N`` synthetic traces of ``--spans M`` spans (:mod:`benchmarks.synth`, seeds 1..N)
are written into a chdb database in the collector exporter's schema; then a rare-name
selector, a type selector, a descendant selector and two specs of two assertions (one that
every trace passes, one that nearly every trace fails) run over all
of them, through :class:`tracespec.clickhouse.ClickHouseStore`, and the same again by loading
each trace's OTLP protobuf file into memory and evaluating there (the loop a user would
write); the files are written once, before either side is measured.  Each
side runs in its own process, whose peak resident memory is reported; the ratios are of the
same run.  The issue's size is 10^4 x 10^3; the default is smaller for a 2-core machine.

Each query runs ``--repeat`` times on both sides and the best time is kept.

Usage: ``python -m benchmarks.bench_clickhouse [--traces N] [--spans M] [--db DIR] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SELECTORS = {
    "rare name": 'span[name="SELECT users"]',
    "type": 'span[tracetest.span.type="database"]',
    "descendant": 'span[service.name="api"] span[tracetest.span.type="database"]',
}
SPECS = {
    # every database span passes: SQL decides every trace, none is fetched
    "spec (passes)": ('span[tracetest.span.type="database"]',
                      ['attr:db.name = "shop"', "attr:tracetest.span.duration < 5s"]),
    # a few HTTP responses are 500s, in nearly every trace: those traces are fetched and
    # checked in memory, for their report
    "spec (fails)": ('span[tracetest.span.type="http"]',
                     ["attr:http.status_code < 500", "attr:tracetest.span.duration < 5s"]),
}


def _files(args: argparse.Namespace) -> list[Path]:
    """The traces as OTLP protobuf files (made once, under the database's directory)."""
    from benchmarks.synth import trace_bytes

    folder = Path(args.db).parent / "traces"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in range(1, args.traces + 1):
        path = folder / f"{seed}-{args.spans}.pb"
        if not path.exists():
            path.write_bytes(trace_bytes(args.spans, seed))
        out.append(path)
    return out


def _sql(args: argparse.Namespace) -> dict[str, float]:
    import tracespec
    from tracespec.clickhouse import ClickHouseStore

    out: dict[str, float] = {}
    files = _files(args)
    with ClickHouseStore(f"chdb:{args.db}") as store:
        store.engine.command(f"DROP TABLE IF EXISTS {store.table}")
        t = time.perf_counter()
        store.ingest(tracespec.load_trace(f) for f in files)
        store.engine.command(f"OPTIMIZE TABLE {store.table} FINAL")
        out["ingest"] = time.perf_counter() - t
        for label, selector in SELECTORS.items():
            for _ in range(args.repeat):  # span ids per trace: SQL, or skeletons in memory
                t = time.perf_counter()
                n = sum(len(v) for v in store.selected_ids(selector).values())
                out[label] = min(out.get(label, math.inf), time.perf_counter() - t)
            out[label + " spans"] = n
        for label, (selector, assertions) in SPECS.items():
            for _ in range(args.repeat):
                t = time.perf_counter()
                failed = sum(not c.passed for c in store.check(selector, assertions))
                out[label] = min(out.get(label, math.inf), time.perf_counter() - t)
            out[label + " failed traces"] = failed
    return out


def _memory(args: argparse.Namespace) -> dict[str, float]:
    import tracespec

    out: dict[str, float] = {}
    files = _files(args)
    for label, selector in SELECTORS.items():
        query = tracespec.compile_selector(selector)
        for _ in range(args.repeat):
            t = time.perf_counter()
            n = sum(len(query.select(tracespec.load_trace(f))) for f in files)
            out[label] = min(out.get(label, math.inf), time.perf_counter() - t)
        out[label + " spans"] = n
    for label, (selector, assertions) in SPECS.items():
        for _ in range(args.repeat):
            t = time.perf_counter()
            failed = sum(not tracespec.check(selector, assertions,
                                             tracespec.load_trace(f)).passed for f in files)
            out[label] = min(out.get(label, math.inf), time.perf_counter() - t)
        out[label + " failed traces"] = failed
    return out


def _child(part: str, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, "-m", "benchmarks.bench_clickhouse", "--part", part,
           "--traces", str(args.traces), "--spans", str(args.spans), "--db", args.db,
           "--repeat", str(args.repeat)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the {part} side failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    """Run both sides and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--spans", type=int, default=1000)
    parser.add_argument("--db", default="")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each query (best kept)")
    parser.add_argument("--part", choices=("sql", "memory"))
    args = parser.parse_args()
    if args.part:
        result = _sql(args) if args.part == "sql" else _memory(args)
        result["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        args.db = args.db or str(Path(tmp) / "db")
        _files(args)  # the trace files first, outside both measurements
        sql = _child("sql", args)
        mem = _child("memory", args)
    print(f"{args.traces} traces x {args.spans} spans = {args.traces * args.spans:,} spans; "
          f"ingest into chdb {sql['ingest']:.1f} s")
    for label in (*SELECTORS, *SPECS):
        count = label + (" failed traces" if label in SPECS else " spans")
        print(f"{label:>10}: chdb {sql[label]:8.2f} s  in memory {mem[label]:8.2f} s  "
              f"ratio {mem[label] / max(sql[label], 1e-9):6.1f}x  ({sql[count]:.0f} = "
              f"{mem[count]:.0f})")
    print(f"peak memory: chdb process {sql['peak MB']:.0f} MB, in-memory loop "
          f"{mem['peak MB']:.0f} MB")


if __name__ == "__main__":
    main()
