"""tracespec: trace-based testing with Tracetest's selector and assertion languages.

Load an OpenTelemetry trace (OTLP protobuf or JSON, Jaeger, Zipkin, Tempo, OpenSearch, or spans
from the Python SDK), select spans with the Tracetest Selector Language and check assertions on
them, with no server to run.  This module is the public API and nothing else.
"""

from __future__ import annotations

from .errors import (
    CompileError,
    ParseError,
    TestFileError,
    TraceFileNotFoundError,
    TraceLoadError,
    TracespecError,
)
from .formats import load_trace, load_traces
from .trace import Event, Link, Resource, Scope, Span, SpanKind, StatusCode, Trace

__version__ = "0.1.0"

__all__ = (
    "CompileError",
    "Event",
    "Link",
    "ParseError",
    "Resource",
    "Scope",
    "Span",
    "SpanKind",
    "StatusCode",
    "TestFileError",
    "Trace",
    "TraceFileNotFoundError",
    "TraceLoadError",
    "TracespecError",
    "__version__",
    "load_trace",
    "load_traces",
)
