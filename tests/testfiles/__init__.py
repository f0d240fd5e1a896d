"""Tests of ``tracespec.testfiles``."""
