"""Tests of ``tracespec.trace``."""
