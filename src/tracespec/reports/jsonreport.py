"""The machine report: test runs as the JSON Tracetest's CLI prints with ``-o json`` (docs/cli.md).

The shape is Tracetest's (``testRunWebUrl``, ``results.allPassed``, ``results.results[]`` with
``selector.query`` and per-assertion ``spanResults``), so scripts written against it keep
working; ``testRunWebUrl`` is empty, there being no server.  tracespec adds keys a script may
want and Tracetest has no place for: ``test`` (id, name, file), ``traceId``, ``repairs`` (what
was repaired to assemble the trace), ``outputs``, ``error`` (a run that could not start); per
spec, ``name``, ``error`` and ``hints`` (why a selector selected nothing); per span result, the
span's ``spanName``, ``service`` and ``kind`` (``null`` without a span or a trace).

The shape is written once, with a parameter for how its arrays are held: lists for the
documents (``test_json``, ...), :class:`~._json.Lazy` arrays for their streamed text
(``iter_test_json``, ..., the very text ``json.dumps(doc, indent=2, ensure_ascii=False)``
gives), which is made as it is written, one span result at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..results import AssertionResult, Outcome, OutputResult, SpanResult, SpecResult
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace
from ._json import Lazy, iter_json
from ._rows import span_results_of
from ._stream import chunked, gc_paused
from ._trace import SpanLabel, SpanNames, aligned, selection_hints
from .escape import json_text

__all__ = [
    "iter_json_report",
    "iter_spec_json",
    "iter_suite_json",
    "iter_test_json",
    "spec_json",
    "streamed_document",
    "suite_json",
    "test_json",
]

_PASSED = Outcome.PASSED  # (a module constant reads faster than an enum class attribute)

#: How a document holds an array: ``list`` (the documents) or ``Lazy`` (their streamed text).
_Many = Callable[[Iterable[Any]], Any]


_NO_LABEL: SpanLabel = (None, None, None)  # type: ignore[assignment]


def _span(s: SpanResult, label: SpanLabel | None) -> dict[str, Any]:
    name, service, kind = label or _NO_LABEL
    return {
        "spanId": s.span_id,
        "spanName": name,
        "service": service,
        "kind": kind,
        "observedValue": s.observed,
        "passed": s.outcome is _PASSED,
        "error": s.error,
    }


def _labels(spans: tuple[SpanResult, ...], spec: SpecResult, names: SpanNames) -> Any:
    """The label of each span result: by place when they follow the selected spans (what the
    engine gives), else by span id."""
    if aligned(spans, spec.span_ids):
        return map(names.at, range(len(spans)))
    return (names.of(s.span_id) for s in spans)


def _assertion(
    spec: SpecResult, assertion: AssertionResult, many: _Many, names: SpanNames
) -> dict[str, Any]:
    spans = span_results_of(spec, assertion)
    return {
        "assertion": assertion.text,
        "allPassed": spec.error is None and assertion.passed,
        "spanResults": many(map(_span, spans, _labels(spans, spec, names))),
    }


def _spec(spec: SpecResult, many: _Many, trace: Trace | None) -> dict[str, Any]:
    names = SpanNames(trace, spec.span_ids)
    return {
        "selector": {"query": spec.selector},
        "name": spec.name or "",
        "error": spec.error,
        "hints": selection_hints(spec, trace),
        "results": many(_assertion(spec, a, many, names) for a in spec.assertions),
    }


def _results(result: TestResult, many: _Many) -> dict[str, Any]:
    return {
        "allPassed": result.passed,
        "results": many(_spec(s, many, result.trace) for s in result.specs),
    }


def _output(o: OutputResult) -> dict[str, Any]:
    return {
        "name": o.name,
        "value": o.value,
        "spanId": o.span_id,
        "resolved": o.resolved,
        "error": o.error,
    }


def _extras(result: TestResult, many: _Many) -> dict[str, Any]:
    return {
        "test": {"id": result.test.id, "name": result.test.name, "file": result.test.path},
        "traceId": result.trace_id,
        "repairs": list(result.repairs),
        "outputs": many(map(_output, result.outputs)),
        "error": result.error,
        "incomplete": result.incomplete,
    }


def _test(result: TestResult, many: _Many) -> dict[str, Any]:
    return {"testRunWebUrl": "", "results": _results(result, many), **_extras(result, many)}


def _suite(result: SuiteResult, many: _Many) -> dict[str, Any]:
    return {
        "testRunWebUrl": "",
        "suite": {"id": result.suite.id, "name": result.suite.name, "file": result.suite.path},
        "allPassed": result.passed,
        "steps": many(
            {"name": step.test.name, "results": _results(step, many), **_extras(step, many)}
            for step in result.steps
        ),
    }


def _document(result: TestResult | SuiteResult, many: _Many) -> dict[str, Any]:
    return _suite(result, many) if isinstance(result, SuiteResult) else _test(result, many)


def streamed_document(result: TestResult | SuiteResult) -> dict[str, Any]:
    """The report's document of one result with its arrays held as :class:`~._json.Lazy`
    (read when a writer reaches them): what the JSON and YAML reports stream."""
    return _document(result, Lazy)


def spec_json(spec: SpecResult, *, trace: Trace | None = None) -> dict[str, Any]:
    """One spec's entry of ``results.results`` (``trace``, the one the spec was checked on,
    names the spans)."""
    with gc_paused():
        return _spec(spec, list, trace)


def test_json(result: TestResult) -> dict[str, Any]:
    """The JSON object of one test run."""
    with gc_paused():
        return _test(result, list)


test_json.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def suite_json(result: SuiteResult) -> dict[str, Any]:
    """The JSON object of a suite run: one entry per step that ran."""
    with gc_paused():
        return _suite(result, list)


def iter_spec_json(spec: SpecResult, *, trace: Trace | None = None) -> Iterator[str]:
    """``json.dumps(spec_json(spec, trace=trace), indent=2, ensure_ascii=False)`` in chunks."""
    return _encodable(chunked(iter_json(_spec(spec, Lazy, trace))))


def iter_test_json(result: TestResult) -> Iterator[str]:
    """``json.dumps(test_json(result), indent=2, ensure_ascii=False)`` in chunks."""
    return _encodable(chunked(iter_json(_test(result, Lazy))))


def iter_suite_json(result: SuiteResult) -> Iterator[str]:
    """``json.dumps(suite_json(result), indent=2, ensure_ascii=False)`` in chunks."""
    return _encodable(chunked(iter_json(_suite(result, Lazy))))


def iter_json_report(
    results: Iterable[TestResult | SuiteResult], *, as_list: bool
) -> Iterator[str]:
    """What ``tracespec run -o json`` prints (without the final newline), in chunks: the
    document of each result, as a JSON list when ``as_list``, else of the one result.  Each
    result is read when the text reaches it, so ``results`` may be a generator running them."""
    documents = (_document(r, Lazy) for r in results)
    if as_list:
        return _encodable(chunked(iter_json(Lazy(documents))))
    return _encodable(chunked(_one(documents)))


def _one(documents: Iterator[dict[str, Any]]) -> Iterator[str]:
    document = next(documents, None)
    if document is None:
        raise ValueError("as_list=False needs exactly one result, got none")
    yield from iter_json(document)
    if next(documents, None) is not None:
        raise ValueError("as_list=False needs exactly one result, got more")


def _encodable(chunks: Iterator[str]) -> Iterator[str]:
    """The chunks with lone surrogates (which no UTF-8 holds) written as ``\\uXXXX``: the
    same JSON, since a surrogate can only be inside a string (one pass per chunk)."""
    for chunk in chunks:
        yield chunk if chunk.isascii() else json_text(chunk)
