"""Tests of ``tracespec.selectors``."""
