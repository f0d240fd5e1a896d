"""Tests of ``tracespec.reports``."""
