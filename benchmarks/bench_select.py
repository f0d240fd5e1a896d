"""Selector benchmark: per query, cold and warm evaluation and the ratio to a plain oracle.

For each size (seeded synthetic traces from ``synth.py``, 10^3 .. 10^6 spans) and each query of
issue 3, prints: spans selected; *cold* time (a fresh index: columns and value indexes not yet
built); *warm* time (best of several runs once they are built); the *oracle*'s time in the same
run and the ratio oracle / warm.  The oracle is Tracetest's matching algorithm (spec §1.5 with
the README's fixes): it tests every filter on every span of every subtree it searches, reading
values from the trace's columns (built before it is timed), with no value index and no interval
arithmetic.  Then parse+compile time, cold (cache purged) and cached.

With ``--cold``, each figure comes from a fresh process instead, as a user meets it when the
CLI starts (nothing built, nothing decoded, nothing imported lazily yet).  Per size and format,
``--repeat`` fresh processes of two kinds: one loads the trace and times its *first query*,
``span[tracetest.span.type="http"]`` (then, in the same process, the first
``TraceIndex.column`` of a key no query read, ``user.id``, and the warm query); the other loads
the trace and times ``TraceIndex.column("user.id")`` as the very first read (the *first
attribute read*, µs per span), then its baseline: the bare parser of that format
(``ExportTraceServiceRequest.ParseFromString``, or ``orjson.loads`` per line) and a plain loop
reading that key from every parsed span.  It prints medians (and the min of the first query and
of the first attribute read), the ratios first query / warm, first query / bare parse, first
attribute read / bare scan, then issue 9's two cold targets at 10^6 spans.

    python -m benchmarks.bench_select                     # 10^3 .. 10^6 spans (making 10^6: ~1 min)
    python -m benchmarks.bench_select --sizes 1000,10000  # quicker
    python -m benchmarks.bench_select --cold              # fresh processes, 10^5 and 10^6, protobuf
    python -m benchmarks.bench_select --cold --sizes 100000 --formats pb,jsonl --repeat 3
    python -m benchmarks.bench_select --parse             # parse_selector only, cold and warm

With ``--parse``, only ``parse_selector``: per query, the CPU time of one call on the fast path
(the hand parser, ``selectors.descent``) and on the lark path (``selectors.lalr``, what errors
take), warm; then, in ``--repeat`` fresh processes each, the first call of a process, imports
included (``import tracespec.selectors`` and the first parse: the hand parser; the same and
the lark path's first parse: what every process paid before).  Run
``python -m compileall src`` first, or the fresh processes compile the sources.

Timings on a shared machine are noisy; compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import json
import operator
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import re2

import tracespec
from benchmarks import synth, targets
from tracespec.selectors import ast, purge
from tracespec.trace import Trace, TraceIndex
from tracespec.trace.attrvalue import number_of, text_form

ROOT = Path(__file__).resolve().parent.parent  # the repository root: ``benchmarks`` importable

QUERIES = [
    ("type http", 'span[tracetest.span.type="http"]'),
    ("rare name", 'span[name="SELECT users"]'),
    ("http 500", 'span[tracetest.span.type="http" http.status_code="500"]'),
    ("descendant", 'span[service.name="api"] span[tracetest.span.type="database"]'),
    ("first http", 'span[tracetest.span.type="http"]:first'),
    ("name contains", 'span[name contains "users"]'),
]

# -- the oracle ------------------------------------------------------------------------------------

_ORDER: dict[ast.Operator, Callable[[Any, Any], bool]] = {
    ast.Operator.LT: operator.lt, ast.Operator.LE: operator.le,
    ast.Operator.GT: operator.gt, ast.Operator.GE: operator.ge,
}


def _column(ix: TraceIndex, key: str) -> Sequence[Any]:
    if key == "name":
        return ix.names()
    if key == "kind":
        return ix.kinds()
    return ix.column(key)


def _test(f: ast.Filter, value: Any) -> bool:
    """One filter on one value: the rules of tests/support/oracle.py (kind's "unespecified"
    spelling aside)."""
    if isinstance(f, ast.Exists):
        return (value is None) == f.negated
    lit = f.value
    want = lit.value if isinstance(lit, ast.String) else text_form(lit.value)  # type: ignore[arg-type]
    num = lit.value if isinstance(lit, ast.Number) else None
    have = text_form(value)
    if f.op is ast.Operator.EQ:
        return number_of(value) == num if num is not None else have == want
    if f.op is ast.Operator.CONTAINS:
        return want in have
    if value is None:
        return False
    read = number_of(value)
    if f.op is ast.Operator.NE:
        return read != num if num is not None and read is not None else have != want
    if f.op in _ORDER:
        cmp = _ORDER[f.op]
        return cmp(read, num) if num is not None and read is not None else cmp(have, want)
    if f.op is ast.Operator.NOT_CONTAINS:
        return want not in have
    hit = re2.compile(want).fullmatch(have) is not None
    return hit if f.op is ast.Operator.MATCHES else not hit


def oracle(selector: ast.Selector, ix: TraceIndex) -> list[int]:
    """Tracetest's algorithm over the whole tree: no index, no intervals (see module doc)."""
    found: set[int] = set()
    for chain in selector.alternatives:
        found.update(_match(chain, 0, None, ix))
    return sorted(found)


def _match(chain: ast.Chain, k: int, start: int | None, ix: TraceIndex) -> list[int]:
    comp = chain.compounds[k]
    tests = [(f, _column(ix, f.key)) for f in comp.filters]
    searched = range(ix.n) if start is None else range(start + 1, ix.end[start])
    out: list[int] = []
    for p in searched:
        if all(_test(f, col[p]) for f, col in tests):
            out.extend([p] if k == len(chain.compounds) - 1 else _match(chain, k + 1, p, ix))
    out = list(dict.fromkeys(out))
    picks = [p for p in comp.pseudos if isinstance(p, ast.First | ast.Last | ast.NthChild)]
    if len(picks) != len(comp.pseudos):
        raise NotImplementedError("the benchmark oracle has no :root/:leaf/:has/:not")
    if not picks:
        return out
    pick = picks[-1]
    if isinstance(pick, ast.First):
        return out[:1]
    if isinstance(pick, ast.Last):
        return out[-1:]
    return out[pick.n - 1:pick.n] if pick.n >= 1 else []


# -- timing ----------------------------------------------------------------------------------------


def fresh(trace: Trace) -> Trace:
    """The same trace with a new, empty index (no column or value index built yet)."""
    ix = trace.index
    return Trace(TraceIndex(
        trace_id=ix.trace_id, span_ids=ix.span_ids, parent=ix.parent, end=ix.end,
        start_ns=ix.start_ns, end_ns=ix.end_ns, raws=ix.raws, group_of=ix.group_of,
        groups=ix.groups, synthetic=ix.synthetic,
    ))


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def best(fn: Callable[[], object], budget: float = 0.3, cap: int = 200) -> float:
    """Best time of repeated runs within about ``budget`` seconds (at least 3 runs)."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < budget and len(times) < cap):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:10.3f}"


def run_size(n: int, results: dict[tuple[int, str], float]) -> None:
    path = synth.cached(n, 1, "pb")
    t0 = time.perf_counter()
    trace = tracespec.load_trace(path)
    load = time.perf_counter() - t0
    print(f"\n== {len(trace):,} spans (load {load:.2f} s) ==")
    print(f"{'query':<14} {'spans':>8} {'cold ms':>10} {'warm ms':>10} {'oracle ms':>10} "
          f"{'oracle/warm':>11}")
    for label, text in QUERIES:
        query = tracespec.compile_selector(text)
        cold_trace = fresh(trace)
        cold = timed(lambda q=query, t=cold_trace: q.positions(t))  # type: ignore[misc]
        got = query.positions(cold_trace)
        warm = best(lambda q=query, t=cold_trace: q.positions(t))  # type: ignore[misc]
        expected = oracle(query.ast, cold_trace.index)  # also builds the columns it reads
        if expected != got:
            raise SystemExit(f"{label}: the engine and the oracle disagree")
        slow = timed(lambda q=query, t=cold_trace: oracle(q.ast, t.index))  # type: ignore[misc]
        ratio = slow / warm
        results[(n, label)] = ratio
        print(f"{label:<14} {len(got):>8,} {ms(cold)} {ms(warm)} {ms(slow)} {ratio:>10.1f}x")


def compile_times() -> tuple[float, float]:
    print("\n== parse + compile ==")
    print(f"{'query':<14} {'cold us':>9} {'cached us':>10}")
    worst_cold = worst_cached = 0.0
    for label, text in QUERIES:
        def cold(t: str = text) -> None:
            purge()
            tracespec.compile_selector(t)
        cold_s = best(cold, budget=0.2, cap=2000)
        tracespec.compile_selector(text)
        reps = 200_000
        t0 = time.perf_counter()
        for _ in range(reps):
            tracespec.compile_selector(text)
        cached_s = (time.perf_counter() - t0) / reps
        worst_cold = max(worst_cold, cold_s)
        worst_cached = max(worst_cached, cached_s)
        print(f"{label:<14} {cold_s * 1e6:>9.1f} {cached_s * 1e6:>10.3f}")
    return worst_cold, worst_cached


# -- parse_selector alone --------------------------------------------------------------------------

_FIRST_PARSE = """
import time
t0 = time.process_time()
import tracespec.selectors
from tracespec.selectors import parser
parser.{function}({text!r}, {strict})
print(time.process_time() - t0)
"""


def _first_parse(function: str, text: str) -> float:
    code = _FIRST_PARSE.format(function=function, text=text,
                               strict="False" if function == "_parse_with_lark" else "")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return float(done.stdout.strip())


def parse_times(repeat: int) -> None:
    """Print warm per-call and cold first-call CPU times of the two parse paths."""
    from tracespec.selectors import descent, parser

    print("\n== parse_selector, warm: CPU us per call ==")
    print(f"{'query':<14} {'hand':>8} {'lark':>8} {'lark/hand':>9}")
    for label, text in QUERIES:
        figures = []
        for parse in (lambda t=text: descent.parse(t, strict=False),
                      lambda t=text: parser._parse_with_lark(t, False)):
            reps = 2000
            runs = []
            for _ in range(5):
                t0 = time.process_time()
                for _ in range(reps):
                    parse()
                runs.append((time.process_time() - t0) / reps)
            figures.append(min(runs))
        hand, lark = figures
        print(f"{label:<14} {hand * 1e6:>8.1f} {lark * 1e6:>8.1f} {lark / hand:>8.1f}x")
    print(f"\n== first parse_selector of a process, imports included: CPU ms, median of {repeat} "
          "fresh processes (min) ==")
    text = QUERIES[3][1]
    runs: dict[str, list[float]] = {"parse_selector": [], "_parse_with_lark": []}
    for _ in range(repeat):  # alternated, so that both see the same machine
        for function, times in runs.items():
            times.append(_first_parse(function, text))
    for function, times in runs.items():
        name = "hand parser" if function == "parse_selector" else "lark path"
        print(f"{name:<14} {statistics.median(times) * 1e3:>8.1f} ({min(times) * 1e3:.1f})")


# -- cold: fresh processes -------------------------------------------------------------------------

COLD_QUERY = QUERIES[0][1]  # span[tracetest.span.type="http"]
NEW_KEY = "user.id"  # on every synthetic span; read by no query above, nor by the loader


def _bare_scan(path: str, key: str) -> tuple[float, float, int]:
    """The bare parse of ``path`` and a plain loop reading ``key`` from every parsed span.

    Returns (parse seconds, scan seconds, spans holding the key).  Protobuf: the full
    ``ExportTraceServiceRequest`` parsed by upb, then ``kv.key == key`` over each span's
    attributes.  JSON Lines: ``orjson.loads`` per line (the GC off, as tracespec loads), each
    document scanned, then dropped; parse and scan timed apart.
    """
    data = Path(path).read_bytes()
    column: list[Any] = []
    if path.endswith(".pb"):
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        t0 = time.perf_counter()
        msg = ExportTraceServiceRequest()
        msg.ParseFromString(data)
        parse = time.perf_counter() - t0
        del data
        t0 = time.perf_counter()
        for rs in msg.resource_spans:
            for ss in rs.scope_spans:
                for sp in ss.spans:
                    value = None
                    for kv in sp.attributes:
                        if kv.key == key:
                            v = kv.value
                            value = getattr(v, v.WhichOneof("value"))
                            break
                    column.append(value)
        scan = time.perf_counter() - t0
    else:
        import orjson

        lines = [line for line in data.splitlines() if line]
        del data
        loads = orjson.loads
        parse = scan = 0.0
        gc.disable()
        for line in lines:
            t0 = time.perf_counter()
            doc = loads(line)
            t1 = time.perf_counter()
            for rs in doc["resourceSpans"]:
                for ss in rs.get("scopeSpans", ()):
                    for sp in ss.get("spans", ()):
                        value = None
                        for a in sp.get("attributes", ()):
                            if a["key"] == key:
                                v = a["value"]
                                value = int(v["intValue"]) if "intValue" in v else next(
                                    iter(v.values()), None)
                                break
                        column.append(value)
            scan += time.perf_counter() - t1
            parse += t1 - t0
        gc.enable()
    return parse, scan, sum(v is not None for v in column)


def _cold_child(mode: str, path: str) -> None:
    """One cold measurement in this fresh process, printed as one line of JSON.

    ``query``: load, the first query, then the first column of a key no query read, then the
    warm query.  ``attr``: load, the first column read of all, then the bare baseline.  Nothing
    is collected or built between the load and what is timed, as in a CLI run.
    """
    t0 = time.perf_counter()
    trace = tracespec.load_trace(path)
    out: dict[str, float] = {"load": time.perf_counter() - t0, "spans": len(trace)}
    if mode == "query":
        t0 = time.perf_counter()
        query = tracespec.compile_selector(COLD_QUERY)
        out["compile"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        got = query.positions(trace)
        out["first"] = time.perf_counter() - t0
        out["selected"] = len(got)
        t0 = time.perf_counter()
        trace.index.column(NEW_KEY)
        out["after"] = time.perf_counter() - t0
        out["warm"] = best(lambda: query.positions(trace))
    else:
        t0 = time.perf_counter()
        column = trace.index.column(NEW_KEY)
        out["attr"] = time.perf_counter() - t0
        present = sum(v is not None for v in column)
        del trace, column
        gc.collect()
        out["parse"], out["scan"], bare_present = _bare_scan(path, NEW_KEY)
        if bare_present != present:
            raise SystemExit(f"{NEW_KEY}: tracespec found it on {present} spans, "
                             f"the bare scan on {bare_present}")
    print(json.dumps(out))


def _fresh(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_select", "--cold-child", mode, str(path)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cold_measure(path: Path, repeat: int) -> dict[str, float]:
    """``repeat`` fresh processes of each kind on ``path``: medians, and mins as ``min_*``."""
    runs = {mode: [_fresh(mode, path) for _ in range(repeat)] for mode in ("query", "attr")}
    out: dict[str, float] = {}
    for rows in runs.values():
        for key in rows[0]:
            out[key] = statistics.median(r[key] for r in rows)
            out[f"min_{key}"] = min(r[key] for r in rows)
    return out


ColdResults = dict[tuple[int, str], dict[str, float]]  # (size, format) → figures


def cold(sizes: list[int], formats: list[str], repeat: int) -> ColdResults:
    """Print the cold table (fresh processes) and return its figures by (size, format)."""
    print(f"\n== cold: each figure in a fresh process, median of {repeat} (min) ==")
    print(f"{'spans':>9} {'format':6} {'load s':>7} {'1st query s':>17} {'µs/span':>7} "
          f"{'warm µs':>8} {'cold/warm':>9} {'/parse':>7} {'1st attr µs/span':>17} "
          f"{'after query':>11} {'bare scan':>9} {'/scan':>6}")
    results: ColdResults = {}
    for n in sizes:
        for kind in formats:
            r = cold_measure(synth.cached(n, 1, kind), repeat)
            results[(n, kind)] = r
            spans = r["spans"]
            per = 1e6 / spans
            label = "proto" if kind == "pb" else kind
            print(f"{spans:>9,.0f} {label:6} {r['load']:7.3f} "
                  f"{r['first']:8.3f} ({r['min_first']:6.3f}) {r['first'] * per:7.2f} "
                  f"{r['warm'] * 1e6:8.1f} {r['first'] / r['warm']:8.0f}x "
                  f"{r['first'] / r['parse']:6.1f}x "
                  f"{r['attr'] * per:8.2f} ({r['min_attr'] * per:6.2f}) "
                  f"{r['after'] * per:11.2f} {r['scan'] * per:9.2f} "
                  f"{r['attr'] / r['scan']:5.2f}x", flush=True)
    print(f"1st query = {COLD_QUERY} right after the load (s, µs per span); 1st attr = the "
          f"first TraceIndex.column({NEW_KEY!r}) of a\nfresh load; after query = the same column "
          "read after the first query; bare scan = a plain loop reading that key from\nevery "
          "span the bare parser made (all µs per span); /parse = 1st query / the bare parse of "
          "the file")
    return results


def cold_targets(results: ColdResults) -> list[tuple[targets.Target, dict[int | None, float]]]:
    """Issue 9's cold rows (protobuf) from ``cold``'s figures."""
    first_query, first_attr = targets.issue_9("first-query", "first-attr")
    pb = {n: r for (n, kind), r in results.items() if kind == "pb"}
    return [
        (first_query, {n: r["first"] for n, r in pb.items()}),
        (first_attr, {n: r["attr"] / r["spans"] * 1e6 for n, r in pb.items()}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=None,
                        help="comma-separated trace sizes (default: 1000,10000,100000,1000000; "
                             "with --cold: 100000,1000000)")
    parser.add_argument("--cold", action="store_true",
                        help="first query and first attribute read, each in a fresh process")
    parser.add_argument("--formats", default="pb",
                        help="with --cold: comma-separated, pb and/or jsonl (default: pb)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="with --cold or --parse: fresh processes per figure (default: 3)")
    parser.add_argument("--parse", action="store_true",
                        help="parse_selector only: warm per call, cold first call")
    parser.add_argument("--cold-child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        _cold_child(*args.cold_child)
        return
    if args.parse:
        parse_times(args.repeat)
        return
    default = "100000,1000000" if args.cold else "1000,10000,100000,1000000"
    sizes = [int(s) for s in (args.sizes or default).split(",") if s]
    if args.cold:
        formats = [f for f in args.formats.split(",") if f]
        figures = cold(sizes, formats, args.repeat)
        targets.report("issue 9 targets, cold (protobuf)", cold_targets(figures))
        return
    results: dict[tuple[int, str], float] = {}
    for n in sizes:
        run_size(n, results)
    worst_cold, worst_cached = compile_times()
    big = max(sizes)
    print(f"\n== targets at {big:,} spans (warm) ==")
    checks = [
        ("rare-name query >= 100x the oracle", results[(big, "rare name")] >= 100),
        ("descendant query >= 5x the oracle", results[(big, "descendant")] >= 5),
        ("no query slower than the oracle", all(r >= 1 for (n, _), r in results.items()
                                                if n == big)),
        ("cached compile < 2 us", worst_cached < 2e-6),
        ("cold parse+compile < 150 us", worst_cold < 150e-6),
    ]
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {name}")


if __name__ == "__main__":
    main()
