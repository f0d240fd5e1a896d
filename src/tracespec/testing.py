"""Assertions for test suites: check a spec or a test file on a trace, fail with the report.

:func:`assert_spec` and :func:`assert_test_file` are for any test runner (pytest, unittest,
plain scripts): each runs the check and returns the result when it passed, and raises
:class:`AssertionError` when it did not, its message the pretty report: every selected span
named (id, name, service, kind), each assertion with its observed value and its place (the
file and line of the ``assert_spec`` call, or of the assertion in the YAML file), and the trace
tree with the selected spans marked.  Nothing here imports a test runner; the pytest plugin
(:mod:`tracespec.pytest_plugin`) builds on it.
"""

from __future__ import annotations

import ast
import linecache
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from .assertions import Check
from .reports.text import result_text, spec_text
from .results import SpecResult
from .selectors import Query
from .spec import check
from .testfiles import Place, Spec, Test, TestResult, run_test
from .testfiles.sources import TraceSource
from .trace import Trace

__all__ = ["assert_spec", "assert_test_file"]

__tracebackhide__ = True  # (pytest hides this module's frames from a failure's traceback)


def _shown_path(filename: str) -> str:
    """``filename`` relative to the working directory when it is below it."""
    try:
        return os.path.relpath(filename) if Path(filename).is_relative_to(Path.cwd()) else filename
    except ValueError:  # (another drive)
        return filename


def _call_lines(frame: FrameType, count: int) -> tuple[int, list[int]]:
    """The line of the call being made in ``frame`` and of each of its last ``count``
    positional arguments (found in the caller's source by the call's position); the frame's
    line for each when the source cannot tell."""
    code = frame.f_code
    fallback = frame.f_lineno, [frame.f_lineno] * count
    positions = list(code.co_positions())
    index = frame.f_lasti // 2
    if not 0 <= index < len(positions):
        return fallback
    line, _, col, _ = positions[index]
    source = "".join(linecache.getlines(code.co_filename, frame.f_globals))
    if line is None or col is None or not source:
        return fallback
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return fallback
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and node.lineno == line and node.col_offset == col
                and len(node.args) >= count):
            return line, [arg.lineno for arg in node.args[len(node.args) - count:]]
    return fallback


def _caller_spec(selector: str, assertions: tuple[str, ...], name: str | None) -> Spec:
    """A spec whose places are those of the ``assert_spec`` call in the caller's file: the
    call, the selector argument and each assertion argument."""
    frame = sys._getframe(2)
    path = _shown_path(frame.f_code.co_filename)
    line, lines = _call_lines(frame, len(assertions) + 1)  # (selector, *assertions)
    return Spec(
        selector, assertions, name or "", place=Place(path, line),
        assertion_places=tuple(Place(path, n) for n in lines[1:]),
        selector_place=Place(path, lines[0]),
    )


def assert_spec(
    trace: Trace,
    selector: str | Query,
    *assertions: str | Check,
    variables: Mapping[str, str] | None = None,
    name: str | None = None,
) -> SpecResult:
    """Check every assertion on every span ``selector`` picks in ``trace``; raise
    :class:`AssertionError` with the report when one fails (or the selector selects nothing
    and an assertion fails without a span), else return the :class:`~tracespec.SpecResult`.

    A selector or assertion that does not parse raises :class:`~tracespec.ParseError` (a
    mistake in the test, not a failure of the code under test).  ``variables`` feed ``env:``
    and ``var:``; ``name`` titles the spec in the report.
    """
    if not isinstance(trace, Trace):
        raise TypeError(f"assert_spec needs a tracespec.Trace (such as trace_capture.trace()), "
                        f"not {type(trace).__name__}")
    result = check(selector, list(assertions), trace, variables=variables, name=name)
    if result.passed:
        return result
    texts = tuple(a.source if isinstance(a, Check) else a for a in assertions)
    spec = _caller_spec(result.selector, texts, name)
    header = f"spec failed ({spec.place.file_line}) on trace {trace.trace_id}"
    raise AssertionError(spec_text(result, trace, spec, header=header))


def assert_test_file(
    path: str | os.PathLike[str] | Test,
    trace: TraceSource,
    *,
    variables: Mapping[str, str] | None = None,
) -> TestResult:
    """Run the Tracetest test file at ``path`` on ``trace`` (a :class:`~tracespec.Trace`, or
    what :func:`~tracespec.run_test` takes); raise :class:`AssertionError` with the report
    (assertions placed in the YAML file) when it did not pass, else return the result."""
    result = run_test(path, trace, variables=variables)
    if not result.passed:
        raise AssertionError(result_text(result))
    return result
