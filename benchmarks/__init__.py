"""tracespec's benchmarks, each measured against a baseline timed in the same run.

* ``bench_select``: selector queries, cold and warm, against a plain implementation of
  Tracetest's matching algorithm; parse+compile time, cold and cached.  ``--cold``: the first
  query and the first read of a new attribute, each in a fresh process, against the bare
  parser and a plain scan of its spans.
* ``bench_load``: load time and peak memory of ``load_trace`` (OTLP protobuf and JSON Lines)
  against the bare protobuf and orjson parsers, each part in a fresh subprocess.
* ``bench_check``: span-assertions per second of the compiled checks against a plain AST
  interpreter.  ``--parse``: the parse of assertions, cold (a fresh process) and warm, against
  lark's parse.
* ``bench_run``: ``tracespec run`` as whole fresh processes at 10^3 .. 10^6 spans, protobuf and
  JSON Lines (wall time, CPU, peak RSS per span, JSONL / protobuf), ``import tracespec`` and the
  9-span example, against bare-parser and bare-interpreter processes; with the cold figures and
  the load ratio it prints issue 9's targets table.  ``--phases``: what ``run_test`` costs in
  process (runner overhead over direct checks, against the trace load) and rendering the
  pretty, JSON and JUnit reports.
* ``synth``: the seeded synthetic traces they all use, cached under ``benchmarks/data/``.
* ``targets``: the targets they check (issue 9's table) and how they print PASS / MISS.

Run each as a module from the repository root, with tracespec installed (the README's setup,
``pip install -e '.[test]'``, installs it editable)::

    python -m benchmarks.bench_select [--sizes 1000,10000]
    python -m benchmarks.bench_select --cold [--sizes 100000,1000000] [--formats pb,jsonl]
    python -m benchmarks.bench_load [--repeat 3] [SIZE ...]
    python -m benchmarks.bench_check [--big] [--repeat N]
    python -m benchmarks.bench_check --parse [--repeat N]
    python -m benchmarks.bench_run [--formats pb,jsonl] [--repeat 5] [--no-cold] [SIZE ...]
    python -m benchmarks.bench_run --phases [SIZE ...]

``python -m benchmarks.bench_run`` alone (10^3 .. 10^6 spans; generating the 10^6 files takes a
minute once, the runs several more) prints issue 9's whole targets table.  Each module's
docstring says what it prints, its defaults and its targets, if any.
"""
