"""tracespec's benchmarks, each measured against a baseline timed in the same run.

* ``bench_select``: selector queries, cold and warm, against a plain implementation of
  Tracetest's matching algorithm; parse+compile time, cold and cached.
* ``bench_load``: load time and peak memory of ``load_trace`` (OTLP protobuf and JSON Lines)
  against the bare protobuf and orjson parsers, each part in a fresh subprocess.
* ``bench_check``: span-assertions per second of the compiled checks against a plain AST
  interpreter.
* ``bench_run``: what ``run_test`` costs (runner overhead over direct checks, against the
  trace load) and rendering the pretty, JSON and JUnit reports.
* ``synth``: the seeded synthetic traces they all use, cached under ``benchmarks/data/``.

Run each as a module from the repository root, with tracespec installed (the README's setup,
``pip install -e '.[test]'``, installs it editable)::

    python -m benchmarks.bench_select --sizes 1000,10000
    python -m benchmarks.bench_load [--repeat 3] [SIZE ...]
    python -m benchmarks.bench_check [--big] [--repeat N]
    python -m benchmarks.bench_run [SIZE ...]

Each module's docstring says what it prints, its defaults and its targets, if any.
"""
