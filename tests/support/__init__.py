"""Helpers shared by the tests: ``traces`` (the one trace builder), ``oracle`` (the plain
selector oracle), ``cases`` (the loader of ``tests/cases/``) and ``strategies`` (hypothesis)."""
