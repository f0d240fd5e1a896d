"""Span-assertions per second: tracespec's compiled checks against a plain AST interpreter.

For seeded synthetic traces (``benchmarks/synth.py``) of 10^4 and 10^5 spans (10^6 with
``--big``), select the ``span[tracetest.span.type="http"]`` spans and check three assertions on
every one of them: the span duration, the status code, and a ``json_path`` over a small JSON
document built per span.  The baseline, measured in the same run, is a straightforward
interpreter: it walks the same AST for each span, reading ``span.attributes`` (the merged
attribute mapping a user would read).  Both must give the same results.

With ``--parse``, it times the parse of assertions instead, against lark's parse
(``assertions/lalr.py``, which the hand-written ``assertions/descent.py`` leaves only the texts
it gives up on to): *cold*, the CPU time of a fresh process that imports the parser and parses
its first assertion (the import and the parse, and the whole process), and *warm*, µs per call.

Usage: ``python -m benchmarks.bench_check [--big] [--repeat N]`` or ``--parse [--repeat N]``.
Targets (5x Tracetest's Go engine): under 4.6 µs per span-assertion for the duration, under
1.4 µs for the status code.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import tracespec
from benchmarks import synth
from tracespec import EvalError, compile_assertion
from tracespec.assertions import ast
from tracespec.assertions.arith import arithmetic, negate
from tracespec.assertions.compare import comparison, verdict
from tracespec.assertions.compiler import META_PREFIX, attr_value
from tracespec.assertions.filters import FILTERS, FilterError
from tracespec.assertions.functions import FUNCTIONS, FunctionError
from tracespec.assertions.values import DURATION, NUMBER, Value, dehumanize, unescape
from tracespec.results import AssertionResult, Outcome, SpanResult
from tracespec.trace import Span

ASSERTIONS = (
    ("duration", "attr:tracetest.span.duration < 500ms"),
    ("status code", "attr:http.status_code = 200"),
    ("json_path", "'{\"code\": ${attr:http.status_code}, "
                  "\"method\": \"${attr:http.request.method}\"}' | json_path '$.code' < 500"),
)
SELECTOR = 'span[tracetest.span.type="http"]'


# -- the baseline: walk the AST for every span ----------------------------------------------------


def interpret(node: Any, span: tracespec.Span | None, count: int,
              variables: Mapping[str, str]) -> Value:
    """The value of an expression node on one span, by walking the tree."""
    if isinstance(node, ast.Attribute):
        if node.name.startswith(META_PREFIX) and node.name != META_PREFIX:
            return Value.of(str(count))
        if span is None:
            raise EvalError(f'no span for attribute "{node.name}"')
        value = span.attributes.get(node.name)
        if value is None:
            raise EvalError(f'attribute "{node.name}" not found')
        return attr_value(value)
    if isinstance(node, ast.Environment | ast.Variable):
        if node.name not in variables:
            raise EvalError(f'variable "{node.name}" not found')
        return Value.of(variables[node.name])
    if isinstance(node, ast.Number):
        return Value.typed(node.text, NUMBER)
    if isinstance(node, ast.Duration):
        return Value.typed(str(dehumanize(node.text)), DURATION)
    if isinstance(node, ast.String):
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                try:
                    out.append(interpret(part, span, count, variables).text)
                except EvalError as exc:
                    raise EvalError(f"could not execute expression: {exc.message}") from None
        return Value.of("".join(out))
    if isinstance(node, ast.Array):
        return Value(tuple(interpret(i, span, count, variables).first for i in node.items), True)
    if isinstance(node, ast.FunctionCall):
        args = [interpret(a, span, count, variables).first for a in node.args]
        try:
            return Value.of(FUNCTIONS[node.name].call(args))
        except (KeyError, FunctionError) as exc:
            raise EvalError(str(exc)) from None
    if isinstance(node, ast.BinaryOp):
        return arithmetic(node.op, interpret(node.left, span, count, variables),
                          interpret(node.right, span, count, variables))
    if isinstance(node, ast.Negate):
        return negate(interpret(node.operand, span, count, variables))
    if isinstance(node, ast.Pipeline):
        value = interpret(node.input, span, count, variables)
        for f in node.filters:
            args = [unescape(interpret(a, span, count, variables).text) for a in f.args]
            try:
                value = FILTERS[f.name](value, args)
            except FilterError as exc:
                raise EvalError(f"{f.name}: {exc}") from None
        return value
    raise TypeError(node)


def interpret_check(assertion: ast.Assertion, text: str, spans: list[tracespec.Span],
                    variables: Mapping[str, str]) -> AssertionResult:
    results = []
    for span in spans:
        try:
            left = interpret(assertion.left, span, len(spans), variables)
            right = interpret(assertion.right, span, len(spans), variables)
        except EvalError as exc:
            results.append(SpanResult(span.span_id, "", Outcome.ERROR, exc.message))
            continue
        observed, err, _ = comparison(assertion.comparator, left, right)
        results.append(SpanResult(span.span_id, observed, verdict(err), err))
    return AssertionResult(text, all(r.passed for r in results), tuple(results))


# -- timing ---------------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def http_positions(trace: tracespec.Trace) -> list[int]:
    select = getattr(tracespec, "select", None)
    if select is not None:
        return [s.position for s in select(SELECTOR, trace)]
    return [p for p, t in enumerate(trace.index.types()) if t == "http"]


def run(n: int, repeat: int) -> list[tuple[str, int, float, float]]:
    path = synth.cached(n, 1, "pb")
    trace = tracespec.load_trace(path)
    positions = http_positions(trace)
    rows = []
    for label, text in ASSERTIONS:
        check = compile_assertion(text)
        check.run_positions(trace, positions[:10])  # builds the attribute columns once
        engine_s, engine_result = best_of(lambda c=check: c.run_positions(trace, positions),
                                          repeat)
        # Fresh span views: the interpreter reads each span's merged attributes itself.
        spans_fresh = [Span(trace, p) for p in positions]
        base_s, base_result = best_of(
            lambda c=check, s=spans_fresh: interpret_check(c.ast, c.source, s, {}), 1
        )
        if engine_result != base_result:
            raise SystemExit(f"results differ for {text!r} at n={n}")
        rows.append((label, len(positions), engine_s, base_s))
        del spans_fresh
    return rows


# -- parse, cold and warm ---------------------------------------------------------------------

PARSED = (
    *(text for _, text in ASSERTIONS),
    "attr:tracetest.response.body | json_path '$.status' = \"created\"",
    "(attr:a + 2) * -3 >= 4 - attr:b / 2",
)
_FIRST = "attr:http.status_code < 500"
_COLD = {
    "descent": "from tracespec.assertions.parser import parse_assertion\n"
               f"parse_assertion({_FIRST!r})\n",
    "lark": "from tracespec.assertions import parser, lalr\n"
            f"lalr.parse({_FIRST!r}, 'assertion', False)\n",
}


def _cold(code: str) -> tuple[float, float]:
    """(import + first parse, whole process) CPU seconds of one fresh process running ``code``."""
    timed = ("import time\nt0 = time.process_time()\n" + code +
             "print(time.process_time() - t0)\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", timed], check=True, capture_output=True,
                         text=True, env=os.environ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    whole = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(out), whole


def _per_call(fn: Callable[[], object], repeat: int, calls: int = 2000) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - start) / calls)
    return best


def parse_times(repeat: int) -> None:
    """Print the cold and warm parse figures, the descent against lark's parse."""
    from tracespec.assertions import lalr, parser

    rounds = max(repeat, 7)
    cold: dict[str, list[tuple[float, float]]] = {name: [] for name in _COLD}
    for i in range(rounds):  # alternated, so that both meet the same machine
        for name in sorted(_COLD, reverse=i % 2 == 1):
            cold[name].append(_cold(_COLD[name]))
    print("== parse, cold: a fresh process, its first assertion (CPU ms, median) ==")
    print(f"{'parser':<8} {'import+parse':>13} {'process':>9}")
    for name, runs in cold.items():
        first = statistics.median(r[0] for r in runs) * 1e3
        whole = statistics.median(r[1] for r in runs) * 1e3
        print(f"{name:<8} {first:>13.1f} {whole:>9.1f}")
    print("\n== parse, warm (µs per call) ==")
    print(f"{'descent':>8} {'lark':>8} {'speed-up':>9}  assertion")
    for text in PARSED:
        ours = _per_call(lambda t=text: parser.parse_assertion(t), repeat)  # type: ignore[misc]
        theirs = _per_call(lambda t=text: lalr.parse(t, "assertion", False),  # type: ignore[misc]
                           repeat, calls=500)
        assert parser.parse_assertion(text) == lalr.parse(text, "assertion", False)
        print(f"{ours * 1e6:>8.1f} {theirs * 1e6:>8.1f} {theirs / ours:>8.1f}x  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also run 10^6 spans")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parse", action="store_true",
                        help="time the parse of assertions (cold and warm) instead")
    args = parser.parse_args()
    if args.parse:
        parse_times(args.repeat)
        return
    sizes = [10_000, 100_000] + ([1_000_000] if args.big else [])
    print(f"{'spans':>9} {'assertion':<12} {'checked':>8} {'µs/check':>9} "
          f"{'checks/s':>11} {'interp µs':>10} {'speed-up':>9}")
    for n in sizes:
        for label, count, engine_s, base_s in run(n, args.repeat):
            per = engine_s / count * 1e6
            base_per = base_s / count * 1e6
            print(f"{n:>9} {label:<12} {count:>8} {per:>9.2f} {count / engine_s:>11,.0f} "
                  f"{base_per:>10.2f} {base_per / per:>8.1f}x")


if __name__ == "__main__":
    main()
