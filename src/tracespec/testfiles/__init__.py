"""Tracetest test files: reading the YAML resources and running them against traces.

``model`` holds the resources as frozen values, ``loader`` reads them from files (safe YAML with
lines for every error), ``runner`` runs tests and suites on a trace and gives results the
reports in :mod:`tracespec.reports` print.  This package builds on the selector and assertion
languages (``tracespec.check``, ``tracespec.resolve_output``); nothing below it knows about it.
"""

from __future__ import annotations

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
from .runner import SuiteResult, TestResult, TraceSource, run_suite, run_test

__all__ = (
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
