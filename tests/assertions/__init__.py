"""Tests of ``tracespec.assertions``."""
