"""What the explorer knows and answers: the traces it was given and received, and each API call.

:class:`Session` holds the traces of the files ``tracespec ui`` was given and, with a
:class:`~tracespec.Receiver`, every trace received so far (reassembled when more of its spans
arrive).  Each method answers one call of the page's JSON API with plain data: the traces
listed, one trace's compact data (the HTML report's, :mod:`tracespec.reports._htmldata`), the
spans a selector selects (or its parse error and position), its explanation, the suggested
selector of a span, a spec's verdicts, a test written as Tracetest YAML, and a test file's text
run on a trace (its HTML report).  A trace is named by its number in the list; nothing a
request carries is ever used as a path.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import CompileError, ParseError, TracespecError
from ..query import explain_run
from ..reports._htmldata import trace_data
from ..reports.html import html_report, spec_data
from ..selectors import compile_selector, suggest_selector
from ..spec import check
from ..testfiles import run_test
from ..testfiles.text import load_test_text
from ..trace import Trace
from .errors import RequestError
from .testfile import test_yaml

if TYPE_CHECKING:
    from ..receiver import Receiver

__all__ = ["RequestError", "Session"]


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise RequestError(f"{key!r} must be text")
    return value


def _error(exc: ParseError | CompileError) -> dict[str, Any]:
    return {"message": exc.message, "start": exc.span[0], "end": max(exc.span[1], exc.span[0] + 1),
            "line": exc.line, "column": exc.column}


class Session:
    """The traces of one ``tracespec ui`` and the answers of its API (thread-safe)."""

    def __init__(self, traces: Sequence[Trace] = (), receiver: Receiver | None = None) -> None:
        self._given = list(traces)
        self.receiver = receiver
        self._received: dict[str, tuple[int, Trace]] = {}  # id → (spans when built, trace)
        self._data: dict[int, tuple[Trace, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    # -- the traces -------------------------------------------------------------------------
    def traces(self) -> list[Trace]:
        """The given traces, then the received ones (oldest first), each as received so far."""
        out = list(self._given)
        if self.receiver is None:
            return out
        for trace_id in self.receiver.trace_ids():
            count = self.receiver.span_count(trace_id)
            with self._lock:
                held = self._received.get(trace_id)
            if held is None or held[0] != count:
                trace = self.receiver.trace(trace_id)
                if trace is None:
                    continue
                held = (count, trace)
                with self._lock:
                    self._received[trace_id] = held
            out.append(held[1])
        return out

    def trace(self, number: object) -> Trace:
        """The trace with this number in the list (a :class:`RequestError` for none)."""
        traces = self.traces()
        if not isinstance(number, int) or isinstance(number, bool) or not (
                0 <= number < len(traces)):
            raise RequestError(f"no trace number {number!r} ({len(traces)} traces)", 404)
        return traces[number]

    def listing(self) -> list[dict[str, Any]]:
        """Each trace: its number, id, span count, services, root span's name and source."""
        out = []
        for number, trace in enumerate(self.traces()):
            services = sorted({str(v) for v in trace.index.column("service.name")
                               if v is not None})
            root = trace.root.name if len(trace) else ""
            out.append({"index": number, "traceId": trace.trace_id, "n": len(trace),
                        "services": services, "root": root,
                        "label": f"{root} · {trace.trace_id[:8]}" if root else trace.trace_id,
                        "source": trace.source or ("received" if number >= len(self._given)
                                                   else "")})
        return out

    def data(self, number: object) -> dict[str, Any]:
        """The compact data of one trace (built once per trace object)."""
        trace = self.trace(number)
        assert isinstance(number, int)
        with self._lock:
            held = self._data.get(number)
        if held is None or held[0] is not trace:
            held = (trace, trace_data(trace))
            with self._lock:
                self._data[number] = held
        return held[1]

    # -- the calls ------------------------------------------------------------------------
    def select(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{positions}`` of the spans the selector selects, or ``{error}`` with its place."""
        trace = self.trace(body.get("trace"))
        try:
            query = compile_selector(_text(body, "selector"))
        except (ParseError, CompileError) as exc:
            return {"error": _error(exc)}
        return {"positions": query.positions(trace)}

    def explain(self, body: dict[str, Any]) -> dict[str, Any]:
        """The plan of the selector and what each step kept on the trace."""
        trace = self.trace(body.get("trace"))
        try:
            query = compile_selector(_text(body, "selector"))
        except (ParseError, CompileError) as exc:
            return {"error": _error(exc)}
        if query.keys:
            trace.index.prefetch(query.keys)
        head = query.explain().split("\n", 1)[0]
        return {"text": f"{head}\n{explain_run(query.plan, trace.index)}"}

    def suggest(self, body: dict[str, Any]) -> dict[str, Any]:
        """The suggested selector of the span at position ``span`` (``null`` for none)."""
        trace = self.trace(body.get("trace"))
        pos = body.get("span")
        if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < len(trace):
            raise RequestError(f"no span at position {pos!r}")
        return {"selector": suggest_selector(trace, trace[pos])}

    def check(self, body: dict[str, Any]) -> dict[str, Any]:
        """A spec's verdicts (the report's shape), problems written into them."""
        trace = self.trace(body.get("trace"))
        assertions = body.get("assertions", [])
        if not isinstance(assertions, list) or not all(isinstance(a, str) for a in assertions):
            raise RequestError("'assertions' must be a list of texts")
        result = check(_text(body, "selector"), assertions, trace, errors="report",
                       name=_text(body, "name") or None)
        return {"spec": spec_data(result, trace)}

    def test(self, body: dict[str, Any]) -> dict[str, Any]:
        """The specs as a Tracetest ``type: Test`` file on this trace (its id as the trigger)."""
        trace = self.trace(body.get("trace"))
        specs = body.get("specs", [])
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            raise RequestError("'specs' must be a list of objects")
        text, filename = test_yaml(_text(body, "name"), trace.trace_id, specs)
        return {"yaml": text, "filename": filename}

    def run(self, body: dict[str, Any]) -> dict[str, Any]:
        """A test file's text run on the trace: its verdict and HTML report, or ``{error}``."""
        trace = self.trace(body.get("trace"))
        try:
            test = load_test_text(_text(body, "text"), "test.yaml")
        except TracespecError as exc:
            return {"error": str(exc)}
        result = run_test(test, trace)
        return {"passed": result.passed, "error": result.error,
                "html": html_report([result], title=f"{test.name or test.id} — tracespec")}
