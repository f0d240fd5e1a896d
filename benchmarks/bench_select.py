"""Selector benchmark: per query, cold and warm evaluation and the ratio to a plain oracle.

For each size (seeded synthetic traces from ``synth.py``, 10^3 .. 10^6 spans) and each query of
issue 3, prints: spans selected; *cold* time (a fresh index: columns and value indexes not yet
built); *warm* time (best of several runs once they are built); the *oracle*'s time in the same
run and the ratio oracle / warm.  The oracle is Tracetest's matching algorithm (spec §1.5 with
the README's fixes): it tests every filter on every span of every subtree it searches, reading
values from the trace's columns (built before it is timed), with no value index and no interval
arithmetic.  Then parse+compile time, cold (cache purged) and cached.

    python -m benchmarks.bench_select                     # 10^3 .. 10^6 spans (making 10^6: ~1 min)
    python -m benchmarks.bench_select --sizes 1000,10000  # quicker

Timings on a shared machine are noisy; compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import operator
import time
from collections.abc import Callable, Sequence
from typing import Any

import re2

import tracespec
from benchmarks import synth
from tracespec.selectors import ast, purge
from tracespec.trace import Trace, TraceIndex
from tracespec.trace.attrvalue import number_of, text_form

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000",
                        help="comma-separated trace sizes (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
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
