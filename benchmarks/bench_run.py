"""What ``tracespec run`` costs, against baselines measured in the same run: whole processes,
or phase by phase.

**Whole-run mode** (the default) measures what a user waits for: every figure is a fresh
process.  For each size (default 10^3, 10^4, 10^5, 10^6) and format (``--formats``, default
``pb,jsonl``: the OTLP protobuf and JSON Lines files of ``synth.cached``), it runs
``tracespec run -f TEST --trace FILE``, where TEST is this module's ``TEST`` written to a
temporary file (the synthetic trace has a few HTTP 500s, so the run prints the full failing
report and exits 2), with stdout to /dev/null and stderr to a temporary file.  Each command runs
``--repeat`` times (default 5; at 10^6 spans at most 3) after one untimed warm-up (none at 10^6
spans), the commands of a row group alternating so that they see the same machine load.  Per
command: the median and min wall time (spawn to exit), the median CPU time (user + system), the
peak RSS of the child (``ru_maxrss`` from ``os.wait4``, the largest of the runs) in MB and in KB
(1,000 bytes) per span, and on JSON Lines rows the ratio of the median wall time to protobuf's.
Each row has a baseline timed the same way, in the same alternation:

* ``python -c "import tracespec"`` against ``python -c pass`` (the bare interpreter);
* the 9-span example, ``tracespec run -f examples/orders-pass.yaml --trace
  examples/orders-trace.json``, against the import;
* each synthetic run against a process that reads the same file with the bare parser
  (``ExportTraceServiceRequest.ParseFromString``, message kept; ``orjson.loads`` per line, GC
  off, each document dropped, as ``bench_load`` parses).

The command is the ``tracespec`` console script beside ``sys.executable`` (``python -m
tracespec`` if there is none, or with ``--module``).  First the bytecode of the tracespec
package being measured is compiled (``compileall``): ``pip install`` does that for a user, but
an editable install under ``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes and CI images)
would otherwise compile every module again in each process, ~0.1 s that no user pays.
Then, unless ``--no-cold``:
``bench_select --cold``'s table at the same sizes (protobuf, at most 3 processes each: the first
``span[tracetest.span.type="http"]`` and the first read of a new attribute, each in a fresh
process) and ``bench_load``'s protobuf load / bare upb parse ratio at the largest size (best of
3, alternated in one fresh process).  Last, issue 9's targets table, PASS or MISS for each
target whose size was run, ``----`` (and the figure at the largest size run) for the others.

**Phase mode** (``--phases``), in this process: for each size (default 10^4 and 10^5) load the
trace (protobuf), run a Tracetest test of four specs and an output with ``run_test``, then
render the pretty, JSON and JUnit reports.  Baselines measured in the same run: ``check``
called directly once per spec (so runner overhead = run_test / sum of checks) and the trace
load itself (so "the test costs X loads").  Reports are timed per span result.

    python -m benchmarks.bench_run                       # whole runs, 10^3 .. 10^6, the targets
    python -m benchmarks.bench_run 1000 10000 --repeat 3 # sizes given on the command line
    python -m benchmarks.bench_run --no-cold --formats pb 1000
    python -m benchmarks.bench_run --phases              # phase by phase: 10^4 and 10^5 spans
    python -m benchmarks.bench_run --phases 1000000

The machine is shared: compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tracespec
from benchmarks import bench_load, bench_select, synth, targets
from tracespec.reports import junit_xml, pretty_test, render, test_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "orders-pass.yaml", ROOT / "examples" / "orders-trace.json")
BIG = 1_000_000

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


# -- whole runs: fresh processes -------------------------------------------------------------------

#: ``python -c`` programs: the bare parser of each format on the file named by ``sys.argv[1]``.
BARE = {
    "pb": (
        "import sys\n"
        "from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import "
        "ExportTraceServiceRequest\n"
        "msg = ExportTraceServiceRequest()\n"
        "msg.ParseFromString(open(sys.argv[1], 'rb').read())\n"
    ),
    "jsonl": (
        "import gc, sys\n"
        "import orjson\n"
        "gc.disable()\n"
        "for line in open(sys.argv[1], 'rb').read().splitlines():\n"
        "    if line:\n"
        "        orjson.loads(line)\n"
    ),
}


@dataclass(frozen=True)
class Runs:
    """The runs of one command: wall time median and min, CPU median, the largest peak RSS."""

    wall: float
    wall_min: float
    cpu: float
    maxrss_kb: int


def spawn(argv: Sequence[str], ok: Sequence[int] = (0,)) -> tuple[float, float, int]:
    """Run ``argv`` as a fresh process (stdout to /dev/null): wall s, CPU s, peak RSS KiB."""
    with tempfile.TemporaryFile() as err:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
        ]
        t0 = time.perf_counter()
        pid = os.posix_spawn(argv[0], list(argv), os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{' '.join(argv)}: exit code {code}\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def interleaved(commands: Sequence[tuple[Sequence[str], Sequence[int]]], repeat: int,
                warmup: bool) -> list[Runs]:
    """Each command ``repeat`` times, alternating (after one untimed round if ``warmup``)."""
    if warmup:
        for argv, ok in commands:
            spawn(argv, ok)
    samples: list[list[tuple[float, float, int]]] = [[] for _ in commands]
    for _ in range(repeat):
        for (argv, ok), out in zip(commands, samples, strict=True):
            out.append(spawn(argv, ok))
    return [
        Runs(statistics.median(w for w, _, _ in runs), min(w for w, _, _ in runs),
             statistics.median(c for _, c, _ in runs), max(m for _, _, m in runs))
        for runs in samples
    ]


def cli_command(module: bool) -> list[str]:
    """The ``tracespec`` console script of this interpreter's environment, or ``-m tracespec``."""
    script = Path(sys.executable).parent / "tracespec"
    if not module and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tracespec"]


ROW = (f"{'':<18} {'format':6} {'spans':>9} {'wall med':>9} {'wall min':>9} {'cpu med':>8} "
       f"{'peak MB':>8} {'KB/span':>8} {'base med':>9} {'x base':>7} {'jsonl/pb':>8}")


def row(what: str, fmt: str, spans: int | None, r: Runs, base: Runs,
        vs_pb: float | None = None) -> None:
    """One line of the whole-run table."""
    per = f"{r.maxrss_kb * 1.024 / spans:8.2f}" if spans and spans >= 1000 else f"{'-':>8}"
    print(f"{what:<18} {fmt:6} {spans or '-':>9} {r.wall:8.3f}s {r.wall_min:8.3f}s "
          f"{r.cpu:7.3f}s {r.maxrss_kb / 1024:8.1f} {per} {base.wall:8.3f}s "
          f"{r.wall / base.wall:6.2f}x {f'{vs_pb:.2f}x' if vs_pb is not None else '':>8}"
          .rstrip(), flush=True)


def generate(sizes: Sequence[int]) -> None:
    """Make the synthetic files not made yet, in a child process.  Not in this one: a child's
    ``ru_maxrss`` starts from this process's peak (``posix_spawn`` shares the memory map until
    the exec), so a trace generated here would inflate every peak measured after it."""
    if all(synth.cached_path(n, 1, kind).exists() for n in sizes for kind in BARE):
        return
    spawn([sys.executable, "-m", "benchmarks.synth", *map(str, sizes)])


def whole(sizes: list[int], formats: list[str], repeat: int, module: bool,
          cold: bool) -> None:
    """The whole-run table, the cold figures, the load ratio, then issue 9's targets."""
    cli = cli_command(module)
    py = sys.executable
    package = Path(tracespec.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        print(f"warning: could not compile the bytecode of {package}", file=sys.stderr)
    found: dict[str, dict[int | None, float]] = {t.key: {} for t in targets.ISSUE_9}
    generate(sizes)
    with tempfile.TemporaryDirectory() as tmp:
        test_path = Path(tmp) / "test.yaml"
        test_path.write_text(TEST)
        at_big = f" ({min(repeat, 3)} at {BIG:,} spans)" if repeat > 3 and max(sizes) >= BIG else ""
        print(f"== whole runs: fresh processes, {repeat} runs each{at_big}; command: "
              f"{' '.join(cli)} run -f TEST --trace FILE ==")
        print(ROW)
        bare_py, imp, example = interleaved([
            ([py, "-c", "pass"], (0,)),
            ([py, "-c", "import tracespec"], (0,)),
            ([*cli, "run", "-f", str(EXAMPLE[0]), "--trace", str(EXAMPLE[1])], (0,)),
        ], repeat, warmup=True)
        row("import tracespec", "", None, imp, bare_py)
        row("9-span example", "json", 9, example, imp)
        found["import"][None] = imp.wall
        found["example"][None] = example.wall
        for n in sizes:
            commands: list[tuple[list[str], tuple[int, ...]]] = []
            for kind in formats:
                path = str(synth.cached(n, 1, kind))
                commands.append(([*cli, "run", "-f", str(test_path), "--trace", path], (0, 2)))
                commands.append(([py, "-c", BARE[kind], path], (0,)))
            got = interleaved(commands, min(repeat, 3) if n >= BIG else repeat,
                              warmup=n < BIG)
            runs = {kind: got[2 * k] for k, kind in enumerate(formats)}
            for k, kind in enumerate(formats):
                r, base = got[2 * k], got[2 * k + 1]
                vs_pb = r.wall / runs["pb"].wall if kind == "jsonl" and "pb" in runs else None
                row("tracespec run", "proto" if kind == "pb" else kind, n, r, base, vs_pb)
                if vs_pb is not None:
                    found["jsonl-pb"][n] = vs_pb
            if "pb" in runs:
                found["run-1k"][n] = found["run-1m"][n] = runs["pb"].wall
                found["rss"][n] = runs["pb"].maxrss_kb * 1.024 / n
    print("x base: the row's median wall time over its baseline's: import tracespec / python -c "
          "pass; the example / import tracespec;\ntracespec run / a process parsing the same "
          "file with the bare parser (upb; orjson per line).  KB = 1,000 bytes.")
    if cold and sizes:
        figures = bench_select.cold(sizes, ["pb"], min(repeat, 3))
        for target, measured in bench_select.cold_targets(figures):
            found[target.key] = measured
        largest = max(sizes)
        t = bench_load.measure("time", synth.cached(largest, 1, "pb"), 3)
        found["load-upb"][largest] = t["load"] / t["bare"]
        print(f"\n== protobuf load / bare upb parse (bench_load, best of 3 in one fresh "
              f"process) ==\n{largest:>9,} spans: bare {t['bare']:.3f} s, load {t['load']:.3f} s,"
              f" ratio {t['load'] / t['bare']:.2f}x")
    targets.report("issue 9 targets", [(t, found[t.key]) for t in targets.ISSUE_9])


# -- phase by phase, in process --------------------------------------------------------------------


def phases(sizes: list[int]) -> None:
    """The phase-by-phase table, in this process (``--phases``)."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("sizes", nargs="*", type=int,
                    help="trace sizes (default 1000 10000 100000 1000000; --phases: 10000 100000)")
    ap.add_argument("--phases", action="store_true",
                    help="the in-process phase-by-phase table instead of whole runs")
    ap.add_argument("--formats", default="pb,jsonl",
                    help="whole runs: comma-separated, pb and/or jsonl (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="whole runs: runs per command (default: %(default)s; at 10^6 at most 3)")
    ap.add_argument("--module", action="store_true",
                    help="whole runs: python -m tracespec instead of the console script")
    ap.add_argument("--no-cold", action="store_true",
                    help="whole runs: skip the cold query/attribute figures and the load ratio")
    args = ap.parse_args()
    if args.phases:
        phases(args.sizes or [10_000, 100_000])
        return
    formats = [f for f in args.formats.split(",") if f]
    if not set(formats) <= set(BARE):
        ap.error(f"--formats: pb and/or jsonl, not {args.formats!r}")
    whole(args.sizes or [1000, 10_000, 100_000, BIG], formats, args.repeat, args.module,
          not args.no_cold)


if __name__ == "__main__":
    main()
