"""Tests of ``tracespec.formats``."""
