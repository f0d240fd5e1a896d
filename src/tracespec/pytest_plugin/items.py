"""Tracetest YAML files as pytest items: one item per ``Test`` file, one per ``TestSuite`` file.

A file the ini option ``tracespec_files`` matches becomes a :class:`TracespecFile`; a ``type:
Test`` resource gives one :class:`TracespecItem` named after the test, a ``type: TestSuite``
one item running its steps in order (each step's outputs are variables of the next, as in the
CLI); variable sets give none, polling profiles none either (the live tests use them).  An item
runs on the traces of ``--tracespec-trace FILE`` (read once per session; a ``traceid`` trigger
picks its trace among them); without it, a test with a trigger runs live (its request sent,
its trace received by the session's receiver, :mod:`.live`), as ``tracespec run`` without
``--trace`` does.  The variables are those of ``--tracespec-var KEY=VALUE``.  A failure is
reported as tracespec's pretty report with the trace tree, which pytest also writes into
``--junitxml``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..errors import TracespecError
from ..formats import load_traces
from ..testfiles import (
    LiveRun,
    PollingProfile,
    Test,
    TestSuite,
    load_resource,
    run_suite,
    run_test,
)
from ..testfiles.results import SuiteResult, TestResult
from ..trace import Trace

__all__ = ["TracespecFile", "TracespecItem", "TracespecTestFailed"]

_TRACES = pytest.StashKey[list[Trace]]()
_PROFILES = pytest.StashKey[list[PollingProfile]]()


class TracespecTestFailed(Exception):
    """A YAML test or suite did not pass (or could not run): its result."""

    def __init__(self, result: TestResult | SuiteResult) -> None:
        super().__init__(result)
        self.result = result


class _NoTrace(Exception):
    """No trace to run on: the message says what to pass."""


def _traces(config: pytest.Config) -> list[Trace]:
    """The traces of ``--tracespec-trace``, read once per session."""
    cached = config.stash.get(_TRACES, None)
    if cached is not None:
        return cached
    path = config.getoption("tracespec_trace")
    if path is None:
        raise _NoTrace(
            "no trace to run on: give pytest --tracespec-trace FILE (a trace file, a "
            "directory or a glob pattern), or the test a trigger to run it live"
        )
    traces = load_traces(path)
    config.stash[_TRACES] = traces
    return traces


def _variables(config: pytest.Config) -> dict[str, str]:
    out = {}
    for item in config.getoption("tracespec_var") or ():
        key, sep, value = str(item).partition("=")
        if not sep or not key:
            raise pytest.UsageError(f"--tracespec-var {item!r}: expected KEY=VALUE")
        out[key] = value
    return out


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (as reports print it)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class TracespecFile(pytest.File):
    """A Tracetest resource file matched by ``tracespec_files``."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item for a test or a suite."""
        resource = load_resource(_shown(self.path))
        if isinstance(resource, PollingProfile):
            _profiles(self.config).append(resource)
        if isinstance(resource, Test | TestSuite):
            yield TracespecItem.from_parent(self, name=resource.name or self.path.stem,
                                            resource=resource)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        """A test file that cannot be read says why in one line (file, line, field)."""
        if isinstance(excinfo.value, TracespecError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _profiles(config: pytest.Config) -> list[PollingProfile]:
    """The polling profiles among the collected files (live tests name them)."""
    return config.stash.setdefault(_PROFILES, [])


def _needs_receiver(resource: Test | TestSuite) -> bool:
    steps = resource.steps if isinstance(resource, TestSuite) else (resource,)
    return any(step.trigger is not None for step in steps)


def _source(config: pytest.Config, resource: Test | TestSuite) -> list[Trace] | LiveRun:
    """What a test runs on: the traces of ``--tracespec-trace``, or a live run when it has a
    trigger and no trace file is given."""
    if config.getoption("tracespec_trace") is not None or not _needs_receiver(resource):
        return _traces(config)
    from . import session_receiver

    return LiveRun(session_receiver(config).get(), tuple(_profiles(config)))


class TracespecItem(pytest.Item):
    """One Tracetest test (or suite) run on the session's traces."""

    def __init__(self, *, resource: Test | TestSuite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource = resource

    def runtest(self) -> None:
        """Run the test (or the suite's steps); raise with the result when it did not pass."""
        variables = _variables(self.config)
        resource = self.resource
        source = _source(self.config, resource)
        result: TestResult | SuiteResult
        if isinstance(resource, TestSuite):
            result = run_suite(resource, source, variables=variables)
        else:
            result = run_test(resource, source, variables=variables)
        if not result.passed:
            raise TracespecTestFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        """The pretty report of a failed run (with the trace tree); one line for no trace."""
        error = excinfo.value
        if isinstance(error, TracespecTestFailed):
            return str(error.result)
        if isinstance(error, _NoTrace | TracespecError):
            return f"{self.name} ({self.path}): {error}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Where the test is: its file, and its name."""
        return self.path, 0, f"tracespec: {self.name}"
