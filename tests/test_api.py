"""The public API: exactly these names, each one working, caches that purge, values that pickle."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import tracespec

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

PUBLIC = {
    # the trace model
    "Trace", "Span", "SpanKind", "StatusCode", "Resource", "Scope", "Event", "Link",
    # loading traces
    "load_trace", "load_traces", "load_otel_spans", "FORMATS", "Format",
    # selectors
    "parse_selector", "compile_selector", "select", "suggest_selector", "Query",
    # assertions and expressions
    "parse_assertion", "parse_expression", "compile_assertion", "compile_expression", "Check",
    "Expression",
    # specs, and what serves both languages
    "check", "resolve_output", "unparse", "purge",
    # test files
    "load_test", "load_suite", "load_variables", "run_test", "run_suite", "LiveRun", "Test",
    "TestSuite", "VariableSet", "TestResult", "SuiteResult",
    # receiving traces over OTLP, reading them from data stores
    "Receiver", "DataStore",
    # results
    "SpanResult", "AssertionResult", "SpecResult", "OutputResult", "Outcome",
    # errors
    "TracespecError", "ParseError", "CompileError", "EvalError", "TraceLoadError",
    "TraceFileNotFoundError", "TestFileError", "TestFileNotFoundError", "ReceiverError",
    "TriggerError", "DataStoreError",
    "__version__",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(tracespec.__all__) == PUBLIC
    assert len(tracespec.__all__) == len(PUBLIC)  # no name twice
    for name in tracespec.__all__:
        assert getattr(tracespec, name) is not None, name


def test_every_error_is_a_tracespec_error() -> None:
    for name in PUBLIC:
        obj = getattr(tracespec, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, tracespec.TracespecError), name


def test_purge_empties_both_languages_caches() -> None:
    q = tracespec.compile_selector("span[a]")
    c = tracespec.compile_assertion("attr:a = 1")
    e = tracespec.compile_expression("attr:a")
    assert tracespec.compile_selector("span[a]") is q
    assert tracespec.compile_assertion("attr:a = 1") is c
    assert tracespec.compile_expression("attr:a") is e
    tracespec.purge()
    assert tracespec.compile_selector("span[a]") is not q
    assert tracespec.compile_assertion("attr:a = 1") is not c
    assert tracespec.compile_expression("attr:a") is not e
    assert tracespec.compile_selector("span[a]") == q  # equal, though compiled anew


def test_strict_rejects_extensions_in_both_languages() -> None:
    tracespec.compile_assertion("attr:a = 1", strict=True)
    with pytest.raises(tracespec.ParseError):
        tracespec.compile_selector("span[a != 1]", strict=True)
    tracespec.compile_selector("span[a != 1]")
    assert tracespec.compile_assertion("attr:a = 1", strict=True) == tracespec.compile_assertion(
        "attr:a = 1")


def test_compiled_values_and_errors_pickle() -> None:
    for value in (
        tracespec.compile_selector('span[name="x"] span[kind="server"]:first'),
        tracespec.compile_assertion("attr:tracetest.span.duration < 5ms"),
        tracespec.compile_expression("attr:http.status_code + 1"),
        tracespec.EvalError('attribute "x" not found'),
        tracespec.TriggerError("connection refused", field="spec.trigger.httpRequest.url"),
    ):
        back = pickle.loads(pickle.dumps(value))
        assert type(back) is type(value)
        assert str(back) == str(value)


def test_expression_errors_are_tracespec_errors() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    with pytest.raises(tracespec.TracespecError, match=r'attribute "no\.such" not found'):
        tracespec.compile_expression("attr:no.such").value(trace, 0)


def test_check_takes_compiled_selectors_and_assertions() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    text = 'span[tracetest.span.type="database"]'
    by_text = tracespec.check(text, ["attr:db.system = \"postgresql\""], trace)
    by_objects = tracespec.check(
        tracespec.compile_selector(text),
        [tracespec.compile_assertion('attr:db.system = "postgresql"')],
        trace,
    )
    by_tree = tracespec.check(tracespec.parse_selector(text), 'attr:db.system = "postgresql"',
                              trace)
    assert by_text == by_objects == by_tree
    assert by_text.span_ids and by_text.passed


def test_outcomes_tell_failures_from_errors() -> None:
    trace = tracespec.load_trace(EXAMPLES / "orders-trace.json")
    result = tracespec.check("span[]", ["attr:name = \"nope\"", "attr:no.such = 1"], trace)
    failed, errored = result.assertions
    assert {s.outcome for s in failed.spans} == {tracespec.Outcome.FAILED}
    assert {s.outcome for s in errored.spans} == {tracespec.Outcome.ERROR}
    assert failed.ran and errored.ran
    bad = tracespec.check("span[]", ["attr:x ==="], trace, errors="report")
    assert not bad.assertions[0].ran and bad.assertions[0].error


def test_load_otel_spans_and_its_alias() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("api-test")
    with tracer.start_as_current_span("root"), tracer.start_as_current_span("child"):
        pass
    spans = exporter.get_finished_spans()
    trace = tracespec.load_otel_spans(spans)
    assert [s.name for s in trace] == ["root", "child"]
    assert [s.flags & 1 for s in trace] == [1, 1]  # the W3C "sampled" bit (newer SDKs add more)
    alias = tracespec.Trace.from_otel_spans(spans, trace_id=trace.trace_id)
    assert [s.span_id for s in alias] == [s.span_id for s in trace]


def test_compiled_objects_are_equal_by_syntax_tree() -> None:
    """As for queries, spacing does not count; literal texts do (Tracetest compares texts)."""
    assert tracespec.compile_assertion("attr:a = 1") == tracespec.compile_assertion("attr:a=1")
    assert hash(tracespec.compile_assertion("attr:a = 1")) == hash(
        tracespec.compile_assertion("attr:a=1"))
    assert tracespec.compile_assertion("attr:a = 1") != tracespec.compile_assertion("attr:a = 01")
    assert tracespec.compile_expression("attr:a | length") == tracespec.compile_expression(
        "attr:a|length")
    assert tracespec.compile_selector("span[a=1]") == tracespec.compile_selector("span[ a = 1 ]")


# -- importing: each name comes from its module on first use ----------------------------------

SRC = Path(__file__).resolve().parent.parent / "src"
HEAVY = ("lark", "yaml", "click", "rich", "numpy", "re2", "jsonpath", "attrs", "orjson",
         "google.protobuf", "opentelemetry", "zstandard", "aiohttp", "httpx", "grpc",
         "grpc_tools", "grpc_reflection")


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter importing this source tree; its stdout."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    return out.stdout


def test_import_tracespec_imports_no_part_of_it_yet() -> None:
    loaded = json.loads(_fresh(
        "import json, sys, tracespec\n"
        f"assert tracespec.__file__.startswith({str(SRC)!r})\n"
        "print(json.dumps(sorted(sys.modules)))"
    ))
    assert [m for m in loaded if m.startswith("tracespec.")] == []
    assert [m for m in loaded if m.split(".")[0] in {h.split(".")[0] for h in HEAVY}] == []


def test_each_name_is_its_modules_own_and_listed() -> None:
    import importlib

    for name in tracespec.__all__:
        if name == "__version__":
            continue
        home = importlib.import_module(tracespec._HOME[name], "tracespec")
        assert getattr(tracespec, name) is getattr(home, name), name
    assert set(tracespec.__all__) <= set(dir(tracespec))
    namespace: dict[str, object] = {}
    exec("from tracespec import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(tracespec.__all__)
    assert not hasattr(tracespec, "no_such_name")
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        tracespec.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_a_submodule_of_the_same_name_does_not_hide_the_function() -> None:
    # Python sets tracespec.unparse to the submodule when it is first imported by name.
    out = _fresh(
        "import tracespec.unparse, tracespec\n"
        "print(tracespec.unparse.__module__, tracespec.unparse(tracespec.parse_selector("
        "'span[a=\"1\"]')))\n"
    )
    assert out.split() == ["tracespec.unparse", 'span[a="1"]']


def test_names_read_in_a_fresh_process_work_at_once() -> None:
    out = _fresh(
        "import tracespec\n"
        f"t = tracespec.load_trace({str(EXAMPLES / 'orders-trace.json')!r})\n"
        "r = tracespec.check('span[tracetest.span.type=\"database\"]', "
        "['attr:tracetest.span.duration < 10ms'], t)\n"
        "print(len(t), r.passed, isinstance(r, tracespec.SpecResult))\n"
    )
    assert out.split() == ["9", "True", "True"]


def test_yaml_and_re2_wait_for_a_test_file_and_a_regex() -> None:
    out = _fresh(
        "import sys, tracespec, tracespec.testfiles\n"
        f"t = tracespec.load_trace({str(EXAMPLES / 'orders-trace.json')!r})\n"
        "r = tracespec.check('span[name=\"POST /api/orders\"]', "
        "['attr:http.status_code = 201'], t)\n"
        "print(r.passed, 'yaml' in sys.modules, 're2' in sys.modules)\n"
        f"tracespec.load_test({str(EXAMPLES / 'orders-pass.yaml')!r})\n"
        "r = tracespec.check('span[name=~\"POST.*\"]', "
        "['attr:name | regex \"[A-Z]+\" = \"POST\"'], t)\n"
        "print(r.passed, 'yaml' in sys.modules, 're2' in sys.modules)\n"
    )
    assert out.splitlines() == ["True False False", "True True True"]


def test_the_alias_works_in_a_fresh_process() -> None:
    """``import tracespec`` imports its parts on first use; the alias must still find its
    loader when the first thing a program reads is ``tracespec.Trace``."""
    import subprocess
    import sys

    code = (
        "import tracespec\n"
        "try:\n"
        "    tracespec.Trace.from_otel_spans([])\n"
        "except tracespec.TraceLoadError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**__import__("os").environ,
                                          "PYTHONPATH": str(EXAMPLES.parent / "src")})
    assert "no spans given" in out.stdout
