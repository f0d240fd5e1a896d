"""tracespec: trace-based testing with Tracetest's selector and assertion languages.

Load an OpenTelemetry trace (OTLP protobuf or JSON, Jaeger, Zipkin, Tempo, OpenSearch, or spans
from the Python SDK), select spans with the Tracetest Selector Language and check assertions on
them, with no server to run.  This module is the public API and nothing else, grouped by
capability; ``docs/architecture.md`` says where each part lives.
"""

from __future__ import annotations

# The trace model
# Assertions and expressions
from .assertions import (
    Check,
    Expression,
    compile_assertion,
    compile_expression,
    parse_assertion,
    parse_expression,
)

# Errors
from .errors import (
    CompileError,
    EvalError,
    ParseError,
    TestFileError,
    TestFileNotFoundError,
    TraceFileNotFoundError,
    TraceLoadError,
    TracespecError,
)

# Loading traces
from .formats import FORMATS, Format, load_otel_spans, load_trace, load_traces

# Results
from .results import AssertionResult, Outcome, OutputResult, SpanResult, SpecResult

# Selectors
from .selectors import Query, compile_selector, parse_selector, select

# Specs (a selector with assertions), and what serves both languages
from .spec import check, purge, resolve_output

# Test files
from .testfiles import (
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

__all__ = (
    "FORMATS",
    "AssertionResult",
    "Check",
    "CompileError",
    "EvalError",
    "Event",
    "Expression",
    "Format",
    "Link",
    "Outcome",
    "OutputResult",
    "ParseError",
    "Query",
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
    "unparse",
)
