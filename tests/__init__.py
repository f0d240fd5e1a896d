"""tracespec's test suite: one folder per part of the package, shared helpers in ``support``."""
