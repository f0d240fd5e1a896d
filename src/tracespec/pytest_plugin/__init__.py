"""The pytest plugin of tracespec (entry point ``pytest11``: ``tracespec.pytest_plugin``).

What it adds to pytest:

- the ``trace_capture`` fixture (:class:`~tracespec.pytest_plugin.capture.TraceCapture`): the
  spans the code under test ends while the test runs, as traces (``.trace()``, ``.traces()``,
  ``.wait_for(selector, timeout=...)``), and ``.request(client, method, url, ...)`` to send a
  request inside a ``Tracetest trigger`` span (:mod:`.send`);
- failure messages that are tracespec's report: for ``assert result.passed`` (any failed
  ``SpecResult``, ``TestResult`` or ``SuiteResult`` among the failing frame's variables) the
  report is added under the traceback, and for a comparison with a result
  (``pytest_assertrepr_compare``) it is the explanation;
- Tracetest YAML files as test items: the files matched by the ini option ``tracespec_files``
  (glob patterns from the root directory), run on the trace file ``--tracespec-trace FILE``, or
  live when they have a trigger and no trace file is given (:mod:`.items`);
- the session's OTLP receiver (``--tracespec-otlp-http``, ``--tracespec-otlp-grpc``,
  :mod:`.live`), started when first needed: the ``tracespec_receiver`` fixture,
  ``trace_capture.otlp_endpoint()``, a live YAML test.

Importing this module is cheap: the OpenTelemetry SDK and the rest of tracespec are imported
when a fixture or an item first needs them, so the plugin costs nothing to a pytest run that
does not use it.  The rest of the library never imports pytest.
"""

from __future__ import annotations

import fnmatch
import types
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..receiver import Receiver
    from .capture import TraceCapture
    from .live import SessionReceiver

__all__ = [
    "pytest_addoption",
    "pytest_assertrepr_compare",
    "pytest_collect_file",
    "pytest_runtest_makereport",
    "session_receiver",
    "trace_capture",
    "tracespec_receiver",
]

#: The result types whose report a failure shows, by module and name (imported only if used).
_RESULT_TYPES = {
    ("tracespec.results", "SpecResult"),
    ("tracespec.testfiles.results", "TestResult"),
    ("tracespec.testfiles.results", "SuiteResult"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini option ``tracespec_files``; ``--tracespec-trace``, ``--tracespec-var`` and the
    receiver's ``--tracespec-otlp-http`` and ``--tracespec-otlp-grpc``."""
    parser.addini(
        "tracespec_files", type="args", default=[],
        help="tracespec: glob patterns (from the root directory) of Tracetest YAML test files "
             "to collect as tests, e.g. tests/trace/*.yaml",
    )
    group = parser.getgroup("tracespec", "tracespec (trace-based tests)")
    group.addoption(
        "--tracespec-trace", metavar="FILE", default=None,
        help="the trace file (any format tracespec reads; a directory or a glob) the "
             "Tracetest YAML tests of tracespec_files run on",
    )
    group.addoption(
        "--tracespec-var", metavar="KEY=VALUE", action="append", default=[],
        help="a variable for var: and env: in the YAML tests (repeatable)",
    )
    group.addoption(
        "--tracespec-otlp-http", metavar="ADDR", default="127.0.0.1:4318",
        help="where the session's OTLP receiver listens for OTLP/HTTP (live YAML tests, spans "
             "of other processes): HOST:PORT (port 0: a free one) or off; default %(default)s",
    )
    group.addoption(
        "--tracespec-otlp-grpc", metavar="ADDR", default="127.0.0.1:4317",
        help="where it listens for OTLP/gRPC: HOST:PORT or off; default %(default)s",
    )


_SESSION_RECEIVER = pytest.StashKey["SessionReceiver"]()


def session_receiver(config: pytest.Config) -> SessionReceiver:
    """The session's OTLP receiver (not started until something needs it; stopped at the
    end of the session)."""
    held = config.stash.get(_SESSION_RECEIVER, None)
    if held is None:
        from .live import SessionReceiver

        held = SessionReceiver(config.getoption("tracespec_otlp_http"),
                               config.getoption("tracespec_otlp_grpc"))
        config.stash[_SESSION_RECEIVER] = held
        config.add_cleanup(held.stop)
    return held


@pytest.fixture(scope="session")
def tracespec_receiver(pytestconfig: pytest.Config) -> Receiver:
    """The session's OTLP receiver, started: give its ``endpoint()`` to the processes the
    tests start (``OTEL_EXPORTER_OTLP_ENDPOINT``); ``trace_capture`` then holds their spans."""
    return session_receiver(pytestconfig).get()


@pytest.fixture
def trace_capture(pytestconfig: pytest.Config) -> Iterator[TraceCapture]:
    """The spans the code under test ends during this test, as traces: ``.trace()``,
    ``.traces()``, ``.wait_for(selector, timeout=...)``, ``.request(client, method, url)``;
    with those other processes export to ``.otlp_endpoint()`` meanwhile."""
    try:
        from .capture import TraceCapture
    except ImportError as exc:  # (the OpenTelemetry SDK is not a dependency of tracespec)
        raise pytest.UsageError(
            f"trace_capture needs the OpenTelemetry SDK ({exc}): pip install opentelemetry-sdk"
        ) from None
    capture = TraceCapture(session_receiver(pytestconfig)).start()
    try:
        yield capture
    finally:
        capture.stop()


def _is_result(value: object) -> bool:
    cls = type(value)
    return (cls.__module__, cls.__qualname__) in _RESULT_TYPES


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """A comparison with a tracespec result (``assert result == ...``) is explained by the
    result's report."""
    results = [v for v in (left, right) if _is_result(v)]
    if not results:
        return None
    lines = [f"tracespec result {op} {type(right if results[0] is left else left).__name__}"]
    for result in results:
        lines += str(result).splitlines()
    return lines


def _failing_frame(exc: BaseException) -> types.FrameType | None:
    """The frame the exception was raised in (``None`` when that is tracespec's own code,
    whose messages already carry the report)."""
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if str(frame.f_globals.get("__name__", "")).startswith("tracespec."):
        return None
    return frame


def _failed_results(frame: types.FrameType) -> list[tuple[str, Any]]:
    """The failed tracespec results among the frame's variables, each once, by name."""
    seen: set[int] = set()
    out = []
    for name, value in frame.f_locals.items():
        if _is_result(value) and not value.passed and id(value) not in seen:
            seen.add(id(value))
            out.append((name, value))
    return out


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Under the traceback of a failed assertion, the report of each failed tracespec result
    the failing code held (so ``assert result.passed`` tells which span failed and why)."""
    report = yield
    excinfo = call.excinfo
    if (report.when != "call" or not report.failed or excinfo is None
            or not isinstance(excinfo.value, AssertionError)
            or not hasattr(report.longrepr, "addsection")):
        return report
    frame = _failing_frame(excinfo.value)
    message = str(excinfo.value)
    for name, value in _failed_results(frame) if frame is not None else ():
        text = str(value)
        if "\n".join(text.splitlines()[:-1]) not in message:  # (not told in full already)
            report.longrepr.addsection(f"tracespec report: {name}", text)
    return report


def _matches(path: Path, root: Path, patterns: list[str]) -> bool:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(path.as_posix(), p)
               for p in patterns)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A file matched by ``tracespec_files`` is collected as Tracetest tests."""
    patterns = parent.config.getini("tracespec_files")
    if not patterns or not _matches(file_path, parent.config.rootpath, patterns):
        return None
    from .items import TracespecFile

    return TracespecFile.from_parent(parent, path=file_path)
