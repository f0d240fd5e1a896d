"""What ``tracespec run`` costs on large traces, phase by phase, against baselines of the same run.

For each size: load the trace (protobuf), run a Tracetest test of four specs and an output with
``run_test``, then render the pretty, JSON and JUnit reports.  Baselines measured in the same
run: ``check`` called directly once per spec (so runner overhead = run_test / sum of checks)
and the trace load itself (so "the test costs X loads").  Reports are timed per span result.

    python -m benchmarks.bench_run              # 10^4 and 10^5 spans
    python -m benchmarks.bench_run 1000000      # sizes given on the command line
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import tracespec
from benchmarks import synth
from tracespec.reports import junit_xml, pretty_test, render, test_json

TEST = """
type: Test
spec:
  name: Synthetic checkout
  outputs:
    - name: ROOT
      selector: span[tracetest.span.type="http"]:first
      value: attr:name
  specs:
    - selector: span[tracetest.span.type="http"]
      assertions:
        - attr:http.status_code < 500
        - attr:tracetest.span.duration < 1h
    - selector: span[name="SELECT users"]
      assertions:
        - attr:tracetest.selected_spans.count >= 1
    - selector: span[service.name="api"] span[tracetest.span.type="database"]
      assertions:
        - attr:db.system != ""
    - selector: span[tracetest.span.type="messaging"]:first
      assertions:
        - attr:name = var:ROOT
"""


def best(fn: object, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls, and the last result."""
    result = None
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        test_path = Path(tmp) / "test.yaml"
        test_path.write_text(TEST)
        test = tracespec.load_test(test_path)
        print(f"{'spans':>9} {'load':>8} {'checks':>8} {'run':>8} {'overhead':>8} "
              f"{'run/load':>8} {'results':>8} {'pretty':>9} {'json':>9} {'junit':>9}")
        for n in sizes:
            path = synth.cached(n, 1, "pb")
            repeat = 3 if n <= 100_000 else 1
            load_s, trace = best(lambda p=path: tracespec.load_trace(p), repeat)
            assert isinstance(trace, tracespec.Trace)
            tracespec.run_test(test, trace)  # warm: indexes and compiled selectors

            def checks(t: tracespec.Trace = trace) -> None:
                variables = {"ROOT": "x"}
                for spec in test.specs:
                    tracespec.check(spec.selector, spec.assertions, t, variables=variables,
                                    errors="report")

            checks_s, _ = best(checks, repeat)
            run_s, result = best(lambda t=trace: tracespec.run_test(test, t), repeat)
            assert isinstance(result, tracespec.TestResult)
            passed, failed = result.span_results
            count = passed + failed
            pretty_s, _ = best(lambda r=result: render(pretty_test(r)), repeat)
            json_s, _ = best(lambda r=result: json.dumps(test_json(r)), repeat)
            junit_s, _ = best(lambda r=result: junit_xml([r]), repeat)
            per = 1e6 / max(count, 1)
            print(f"{n:>9} {load_s * 1e3:>6.0f}ms {checks_s * 1e3:>6.1f}ms {run_s * 1e3:>6.1f}ms "
                  f"{run_s / checks_s:>7.2f}x {run_s / load_s:>7.2f}x {count:>8} "
                  f"{pretty_s * per:>6.2f}µs {json_s * per:>6.2f}µs {junit_s * per:>6.2f}µs")
    print("overhead = run_test / the same specs checked directly; report columns are per span "
          "result")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
