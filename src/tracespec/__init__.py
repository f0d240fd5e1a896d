"""tracespec: trace-based testing with Tracetest's selector and assertion languages.

Load an OpenTelemetry trace (OTLP protobuf or JSON, Jaeger, Zipkin, Tempo, OpenSearch, or spans
from the Python SDK), select spans with the Tracetest Selector Language and check assertions on
them, with no server to run.  This module is the public API and nothing else.
"""

from __future__ import annotations

from .assertions import (
    Check,
    check,
    compile_assertion,
    parse_assertion,
    resolve_output,
)
from .errors import (
    CompileError,
    ParseError,
    TestFileError,
    TraceFileNotFoundError,
    TraceLoadError,
    TracespecError,
)
from .formats import load_trace, load_traces
from .results import AssertionResult, OutputResult, SpanResult, SpecResult
from .selectors.parser import parse_selector
from .selectors.query import Query, compile_selector, select
from .testfiles import SuiteResult, Test, TestResult, TestSuite, load_test, run_suite, run_test
from .trace import Event, Link, Resource, Scope, Span, SpanKind, StatusCode, Trace
from .unparse import unparse

__version__ = "0.1.0"

__all__ = (
    "AssertionResult",
    "Check",
    "CompileError",
    "Event",
    "Link",
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
    "TestResult",
    "TestSuite",
    "Trace",
    "TraceFileNotFoundError",
    "TraceLoadError",
    "TracespecError",
    "__version__",
    "check",
    "compile_assertion",
    "compile_selector",
    "load_test",
    "load_trace",
    "load_traces",
    "parse_assertion",
    "parse_selector",
    "resolve_output",
    "run_suite",
    "run_test",
    "select",
    "unparse",
)
