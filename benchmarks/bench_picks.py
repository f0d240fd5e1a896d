"""Picks on deep traces: the chains of issue 11 ("Hostile input"), timed on a chain of n spans.

A pick (``:first``, ``:last``, ``:nth_child``) sees Tracetest's per-ancestor lists; built one
ancestor at a time they cost O(n²) on a deep trace (a 20,000-deep chain: 20 to 50 s).  For each
shape below, the time of the selector on a chain n deep (every span a child of the one before,
all named ``a``), against the baseline measured in the same run: the same chain without its
picks (a plain forward pass of interval arithmetic), as a ratio.  A shape whose lists must
still be built is refused past the work bound (``PICK_WORK_PER_SPAN``, docs/limits.md): its
time is the time to the refusal.  Each shape's answer at the smallest size is checked against
the plain oracle of the tests (``tests/support/oracle.py``).

Usage: ``python -m benchmarks.bench_picks [--sizes 1000,10000,20000,100000]``.  Target: every
shape answered, or refused, within 3 s at every size, the answered shapes growing as n log n
(the "growth" column: time over the time at the smallest size, against n log n's own growth;
quadratic lists would grow as n²).
"""

from __future__ import annotations

import argparse
import math
import time

from tests.support.oracle import oracle_select
from tests.support.traces import make_trace

import tracespec

S = 'span[name="a"]'
SHAPES = (
    f"{S} {S}:first {S}",
    f"{S} {S}:last {S}",
    f"{S}:first {S}:nth_child(2) {S}",
    f"{S}:last {S} > {S}",
    f"{S} {S}:last {S} > {S}",
    f"{S} {S}:first {S} > {S}:last",
    f"{S} {S}:last {S} {S}:nth_child(2)",
    f"{S}:last {S} > {S} {S}",  # (still built: refused on deep chains)
)


def _time(text: str, trace: tracespec.Trace) -> tuple[float, str]:
    query = tracespec.compile_selector(text)
    t0 = time.perf_counter()
    try:
        got = len(query.positions(trace))
        outcome = f"{got} spans"
    except tracespec.EvalError:
        outcome = "refused"
    return time.perf_counter() - t0, outcome


def _baseline(text: str) -> str:
    for pick in (":first", ":last", ":nth_child(2)"):
        text = text.replace(pick, "")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,20000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    small = make_trace([{"name": "a", "parent": i - 1} for i in range(200)])
    for text in SHAPES:  # the same answer as the plain oracle, where the oracle can walk
        got = tracespec.compile_selector(text).positions(small)
        if got != oracle_select(tracespec.parse_selector(text), small):
            raise SystemExit(f"{text}: differs from the oracle on a 200-deep chain")
    print(f"{'shape':<58} {'spans':>7} {'time s':>8} {'base s':>8} {'ratio':>7} "
          f"{'growth':>7} {'nlogn':>7}  outcome")
    worst = 0.0
    first: dict[str, float] = {}
    for n in sizes:
        trace = make_trace([{"name": "a", "parent": i - 1} for i in range(n)])
        for text in SHAPES:
            base, _ = _time(_baseline(text), trace)
            took, outcome = _time(text, trace)
            worst = max(worst, took)
            shown = text.replace(S, "S")
            growth = took / first.setdefault(text, took)
            nlogn = n * math.log(n) / (sizes[0] * math.log(sizes[0]))
            print(f"{shown:<58} {n:>7} {took:8.3f} {base:8.3f} {took / base:7.1f} "
                  f"{growth:7.1f} {nlogn:7.1f}  {outcome}")
    print(f"\nslowest: {worst:.2f} s  ({'PASS' if worst <= 3 else 'MISS'} ≤ 3 s)")


if __name__ == "__main__":
    main()
