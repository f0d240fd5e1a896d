"""tracespec: trace-based testing with Tracetest's selector and assertion languages.

Load an OpenTelemetry trace (OTLP protobuf or JSON, Jaeger, Zipkin, Tempo, OpenSearch, or spans
from the Python SDK), select spans with the Tracetest Selector Language and check assertions on
them, with no server to run.  This module is the public API and nothing else, grouped by
capability; ``docs/architecture.md`` says where each part lives.  Each name is imported from its
module the first time it is read (PEP 562), so ``import tracespec`` costs next to nothing and a
process pays only for the parts it uses.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and the import graph see; at run time, _EXPORTS below
    from .assertions import (
        Check,
        Expression,
        compile_assertion,
        compile_expression,
        parse_assertion,
        parse_expression,
    )
    from .datastores import DataStore
    from .errors import (
        CompileError,
        DataStoreError,
        EvalError,
        ParseError,
        ReceiverError,
        TestFileError,
        TestFileNotFoundError,
        TraceFileNotFoundError,
        TraceLoadError,
        TracespecError,
        TriggerError,
    )
    from .formats import FORMATS, Format, load_otel_spans, load_trace, load_traces
    from .receiver import Receiver
    from .results import AssertionResult, Outcome, OutputResult, SpanResult, SpecResult
    from .selectors import Query, compile_selector, parse_selector, select, suggest_selector
    from .spec import check, purge, resolve_output
    from .testfiles import (
        LiveRun,
        SuiteResult,
        Test,
        TestResult,
        TestSuite,
        VariableSet,
        load_suite,
        load_test,
        load_variables,
        run_suite,
        run_test,
    )
    from .trace import Event, Link, Resource, Scope, Span, SpanKind, StatusCode, Trace
    from .unparse import unparse

__version__ = "0.1.0"

#: The module each public name comes from, by capability (the README's table): the trace
#: model, loading traces, selectors, assertions, specs and both languages, test files, the
#: OTLP receiver, data stores, results, errors.
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".trace": ("Trace", "Span", "SpanKind", "StatusCode", "Resource", "Scope", "Event", "Link"),
    ".formats": ("load_trace", "load_traces", "load_otel_spans", "FORMATS", "Format"),
    ".selectors": ("parse_selector", "compile_selector", "select", "suggest_selector", "Query"),
    ".assertions": ("parse_assertion", "parse_expression", "compile_assertion",
                    "compile_expression", "Check", "Expression"),
    ".spec": ("check", "resolve_output", "purge"),
    ".unparse": ("unparse",),
    ".testfiles": ("load_test", "load_suite", "load_variables", "run_test", "run_suite", "Test",
                   "TestSuite", "VariableSet", "TestResult", "SuiteResult", "LiveRun"),
    ".receiver": ("Receiver",),
    ".datastores": ("DataStore",),
    ".results": ("SpanResult", "AssertionResult", "SpecResult", "OutputResult", "Outcome"),
    ".errors": ("TracespecError", "ParseError", "CompileError", "EvalError", "TraceLoadError",
                "TraceFileNotFoundError", "TestFileError", "TestFileNotFoundError",
                "ReceiverError", "TriggerError", "DataStoreError"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
# Trace is read through the loaders, which wire its alias Trace.from_otel_spans (the model
# imports no loader): the class is the same object.
_HOME["Trace"] = ".formats"

__all__ = (
    "FORMATS",
    "AssertionResult",
    "Check",
    "CompileError",
    "DataStore",
    "DataStoreError",
    "EvalError",
    "Event",
    "Expression",
    "Format",
    "Link",
    "LiveRun",
    "Outcome",
    "OutputResult",
    "ParseError",
    "Query",
    "Receiver",
    "ReceiverError",
    "Resource",
    "Scope",
    "Span",
    "SpanKind",
    "SpanResult",
    "SpecResult",
    "StatusCode",
    "SuiteResult",
    "Test",
    "TestFileError",
    "TestFileNotFoundError",
    "TestResult",
    "TestSuite",
    "Trace",
    "TraceFileNotFoundError",
    "TraceLoadError",
    "TracespecError",
    "TriggerError",
    "VariableSet",
    "__version__",
    "check",
    "compile_assertion",
    "compile_expression",
    "compile_selector",
    "load_otel_spans",
    "load_suite",
    "load_test",
    "load_trace",
    "load_traces",
    "load_variables",
    "parse_assertion",
    "parse_expression",
    "parse_selector",
    "purge",
    "resolve_output",
    "run_suite",
    "run_test",
    "select",
    "suggest_selector",
    "unparse",
)


if not TYPE_CHECKING:  # (so that type checkers still reject a name tracespec does not have)

    def __getattr__(name: str) -> Any:
        """Import a public name from its module on first use, and keep it here."""
        home = _HOME.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names, imported or not, and what the module holds."""
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The type of this module: importing the submodule ``tracespec.unparse`` by its name sets
    the attribute ``unparse`` of the package (Python does on a submodule's first import); the
    public function of that name stays, as when every name was imported up front."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOME.get(name) == "." + name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
