"""Tests of ``tracespec.cli``."""
