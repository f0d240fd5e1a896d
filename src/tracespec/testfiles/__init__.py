"""Tracetest test files: reading the YAML resources and running them against traces.

``model`` holds the resources as frozen values, ``loader`` reads them from files (safe YAML with
lines for every error), ``sources`` picks the trace a test runs on, ``live`` gets it in a live
run (trigger, receiver, ``polling``), ``runner`` runs tests and
suites and gives the values of ``results``, which the reports in :mod:`tracespec.reports`
print.  This package builds on specs (``tracespec.spec``: ``check``, ``resolve_output``);
nothing below it knows about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .loader import load_resource, load_suite, load_test, load_variables
from .model import (
    Output,
    Place,
    PollingProfile,
    Resource,
    Spec,
    Test,
    TestSuite,
    Trigger,
    Variable,
    VariableSet,
)
from .results import SuiteResult, TestResult
from .runner import run_suite, run_test
from .sources import TraceSource

if TYPE_CHECKING:
    from .live import LiveRun


def __getattr__(name: str) -> Any:
    """``LiveRun`` is imported on first use: a run on trace files needs no receiver, polling
    or trigger code (PEP 562)."""
    if name == "LiveRun":
        from .live import LiveRun

        return LiveRun
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = (
    "LiveRun",
    "Output",
    "Place",
    "PollingProfile",
    "Resource",
    "Spec",
    "SuiteResult",
    "Test",
    "TestResult",
    "TestSuite",
    "TraceSource",
    "Trigger",
    "Variable",
    "VariableSet",
    "load_resource",
    "load_suite",
    "load_test",
    "load_variables",
    "run_suite",
    "run_test",
)
