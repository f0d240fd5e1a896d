"""What every ``tracespec`` command shares: exit codes, one-line errors, colour, trace loading.

Exit codes follow Tracetest's CLI: 0 passed, 1 error, 2 a test failed, 3 a file not found.
Every error a user can cause reaches the terminal as one line naming the place (the file and
line, the field, or the argument), never as a traceback.  Traces load behind a progress bar on
the terminal when the file is large enough for the wait to be noticed.  rich is imported only
when something is drawn or a terminal's colours are asked for.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import TracespecError, first_line
from ..formats import FORMATS, Format, LoadWarning, load_traces, pick_trace
from ..trace import Trace

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "PROGRESS_BYTES",
    "CliError",
    "ExitCode",
    "color_enabled",
    "format_duration",
    "load_trace_cli",
    "load_traces_cli",
    "one_line",
    "parse_var",
    "trace_format_option",
]

#: Trace files at least this large load behind a progress bar (on a terminal).
PROGRESS_BYTES = 4 * 1024 * 1024


class ExitCode(enum.IntEnum):
    """Process exit codes (Tracetest's)."""

    PASSED = 0
    ERROR = 1
    FAILED = 2
    NOT_FOUND = 3


class CliError(Exception):
    """An error to print as one line and exit with ``code``."""

    def __init__(self, message: str, code: ExitCode = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.code = code


def one_line(error: BaseException | str) -> str:
    """An error as one line: the first line of its message (its type when it has none)."""
    return first_line(str(error)) or type(error).__name__


def parse_var(text: str) -> tuple[str, str]:
    """``--var KEY=VALUE`` as (key, value)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise CliError(f"--var {text!r}: expected KEY=VALUE")
    return key.strip(), value


def color_enabled(no_color: bool = False) -> bool:
    """Colour when stdout is a terminal that shows it (rich honours NO_COLOR, FORCE_COLOR and
    TERM=dumb), unless ``--no-color`` was given."""
    if no_color or not _may_colour(sys.stdout):
        return False
    from rich.console import Console

    return Console(file=sys.stdout).color_system is not None


#: Variables with which rich (or a later rich) may colour a stream that is not a terminal.
_COLOUR_ANYWAY = ("FORCE_COLOR", "TTY_COMPATIBLE", "CLICOLOR_FORCE")


def _may_colour(stream: object) -> bool:
    """False only where rich certainly finds no colour (so that a run on a pipe, as in CI, need
    not import rich): a stream that is not a terminal, no variable that colours anyway, and no
    IPython, where rich colours notebooks.  Anything else is rich's to decide."""
    if any(name in os.environ for name in _COLOUR_ANYWAY):
        return True
    import builtins

    if hasattr(builtins, "get_ipython"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and bool(isatty())
    except ValueError:  # a closed stream, as rich says: not a terminal
        return False


def format_duration(ns: int) -> str:
    """A duration for people: ``850ns``, ``12.5us``, ``48.25ms``, ``1.2s``, ``2m3s``."""
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.4g}us"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.4g}ms"
    seconds = ns / 1_000_000_000
    if seconds < 60:
        return f"{seconds:.4g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:.0f}s"


def trace_format_option() -> click.Option:
    """The ``--format`` option of commands that read a trace."""
    return click.Option(
        ["--format", "trace_format"],
        type=click.Choice(FORMATS),
        default=None,
        help="Trace file format (default: sniffed from the data).",
    )


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def load_traces_cli(path: str, *, trace_format: str | None = None) -> list[Trace]:
    """Every trace in ``path``, behind a progress bar when the file is large and stderr is a
    terminal.  A missing file raises (exit 3), any other problem is a TraceLoadError."""
    fmt: Format | None = trace_format  # type: ignore[assignment]
    size = 0
    with contextlib.suppress(OSError):  # load_traces reports it with the file name
        size = os.stat(path).st_size
    if size < PROGRESS_BYTES:
        return _warned(load_traces(path, format=fmt))
    err = _stderr_console()
    if not err.is_terminal:
        return _warned(load_traces(path, format=fmt))
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    label = f"loading {Path(path).name} ({size / 1_048_576:.1f} MB)"
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        progress.add_task(label, total=None)
        return _warned(load_traces(path, format=fmt))


def _warned(traces: list[Trace]) -> list[Trace]:
    """``traces``, once the load's warnings (lines of the file skipped) are on stderr."""
    print_warnings([r for r in traces[0].repairs if isinstance(r, LoadWarning)])
    return traces


def load_trace_cli(
    path: str, *, trace_id: str | None = None, trace_format: str | None = None
) -> Trace:
    """The one trace of ``path`` (or the one with ``trace_id``)."""
    traces = load_traces_cli(path, trace_format=trace_format)
    return pick_trace(traces, trace_id, path)


def print_warnings(warnings: Sequence[str]) -> None:
    """Warnings go to stderr, one line each."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of an error a command let through."""
    if isinstance(error, CliError):
        return error.code
    if isinstance(error, FileNotFoundError):
        return ExitCode.NOT_FOUND
    return ExitCode.ERROR


def describe(error: BaseException) -> str:
    """The one line printed for an error."""
    if isinstance(error, TracespecError | CliError):
        return one_line(error)
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"{error.filename}: file not found"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return one_line(error)
