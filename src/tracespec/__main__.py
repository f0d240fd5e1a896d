"""``python -m tracespec``: the same command line as the ``tracespec`` console script."""

from __future__ import annotations

from .cli import console_main

if __name__ == "__main__":
    console_main()
