"""What every ``tracespec`` command shares: exit codes, one-line errors, colour, trace loading.

Exit codes follow Tracetest's CLI: 0 passed, 1 error, 2 a test failed, 3 a file not found.
Every error a user can cause reaches the terminal as one line naming the place (the file and
line, the field, or the argument), never as a traceback, in command-line words (``--trace-id``,
``--format``).  Trace arguments are files, directories or glob patterns, their spans merged by
trace id; they load behind a progress bar on the terminal when they are large enough for the
wait to be noticed.  rich is imported only
when something is drawn or a terminal's colours are asked for.
"""

from __future__ import annotations

import contextlib
import enum
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import TraceLoadError, TracespecError, first_line
from ..formats import FORMATS, Format, LoadWarning, load_traces, trace_paths
from ..trace import Trace
from ..trace.ids import MIN_PREFIX, id_listing, match_traces, trace_id_query

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "PROGRESS_BYTES",
    "CliError",
    "ExitCode",
    "Stdout",
    "color_enabled",
    "format_duration",
    "load_trace_cli",
    "load_traces_cli",
    "one_line",
    "parse_var",
    "pick_trace_cli",
    "stdout_gone",
    "trace_format_option",
    "trace_id_arg",
    "trace_label",
    "write_file",
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


def stdout_gone() -> None:
    """The reader of stdout went away (``| head``): point stdout at the null device, so that
    no later write or flush (not even the interpreter's at exit) meets the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


class Stdout:
    """Where a command's output goes, chunk by chunk, until its reader goes away: then writing
    stops for good, without an error, and ``closed`` tells the command so (it ends as it
    would have, with its own exit code)."""

    def __init__(self) -> None:
        self.closed = False

    def write(self, chunks: Iterable[str]) -> None:
        """Write the chunks as they come, a few hundred lines at a time."""
        out = sys.stdout
        batch: list[str] = []
        try:
            for chunk in chunks:
                batch.append(chunk)
                if len(batch) >= 512:
                    out.write("".join(batch))
                    batch.clear()
                    out.flush()
            if batch:
                out.write("".join(batch))
            out.flush()
        except BrokenPipeError:
            self.closed = True
            stdout_gone()


def write_file(path: str, chunks: Iterable[str]) -> None:
    """Write a report file whole or not at all: into a temporary file beside it, renamed over
    it once written, so a failed write leaves the previous report as it was (and no partial
    one).  A path that is not a regular file (``/dev/stdout``, a FIFO) is written in place."""
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(path, "w", encoding="utf-8") as out:
            out.writelines(chunks)
        return
    import tempfile

    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(chunks)
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


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


def _as_list(paths: str | Sequence[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


def trace_label(paths: str | Sequence[str]) -> str:
    """The trace arguments as messages name them (``a.pb``, ``'captured/*.pb', b.json``)."""
    return ", ".join(_as_list(paths))


def _size(paths: list[str]) -> tuple[int, int]:
    """The number of files the arguments stand for and their size in bytes (0 when unknown:
    the load reports what is wrong with them, with their names)."""
    files = 0
    size = 0
    for path in paths:
        with contextlib.suppress(OSError, TracespecError):
            for name in trace_paths(path):
                files += 1
                size += os.stat(name).st_size
    return files, size


def load_traces_cli(
    paths: str | Sequence[str], *, trace_format: str | None = None
) -> list[Trace]:
    """Every trace of the trace arguments (files, directories, glob patterns; spans merged by
    trace id), behind a progress bar when they are large and stderr is a terminal.  A missing
    file raises (exit 3), any other problem is a TraceLoadError."""
    args = _as_list(paths)
    files, size = _size(args)
    if size < PROGRESS_BYTES:
        return _load(args, trace_format)
    err = _stderr_console()
    if not err.is_terminal:
        return _load(args, trace_format)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    what = Path(args[0]).name if files == 1 else f"{files} files"
    label = f"loading {what} ({size / 1_048_576:.1f} MB)"
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        progress.add_task(label, total=None)
        return _load(args, trace_format)


#: What the library's messages say in Python words, as the command line says it.
_CLI_WORDS = (("pass format= to say which", "pass --format to say which"),)


def _load(args: list[str], trace_format: str | None) -> list[Trace]:
    fmt: Format | None = trace_format  # type: ignore[assignment]
    sources: list[Any] = [sys.stdin.buffer if a == "-" else a for a in args]  # - is stdin
    try:
        return _warned(load_traces(sources[0] if len(sources) == 1 else sources, format=fmt))
    except TraceLoadError as exc:
        message = exc.message
        for python, cli in _CLI_WORDS:
            message = message.replace(python, cli)
        if message == exc.message:
            raise
        raise type(exc)(message, source=exc.source, place=exc.place, format=exc.format) from None


def _warned(traces: list[Trace]) -> list[Trace]:
    """``traces``, once the load's warnings (lines of a file skipped) are on stderr."""
    print_warnings([r for r in traces[0].repairs if isinstance(r, LoadWarning)])
    return traces


def trace_id_arg(trace_id: str | None) -> str | None:
    """``--trace-id`` checked before anything loads: the id or a prefix of 8 hex digits."""
    if trace_id is not None:
        try:
            trace_id_query(trace_id)
        except ValueError as exc:
            raise CliError(f"--trace-id {exc}") from None
    return trace_id


def _traces_command(paths: str | Sequence[str]) -> str:
    return "tracespec traces " + " ".join(shlex.quote(p) for p in _as_list(paths))


def pick_trace_cli(
    traces: Sequence[Trace], trace_id: str | None, paths: str | Sequence[str]
) -> Trace:
    """The trace ``--trace-id`` names among ``traces`` (its id, or a unique prefix of at least
    8 hex digits), or the only one; otherwise an error in command-line words."""
    label = trace_label(paths)
    if trace_id is not None:
        trace_id_arg(trace_id)
        found = match_traces(traces, trace_id)
        if len(found) == 1:
            return found[0]
        if found:
            raise CliError(
                f"{label}: --trace-id {trace_id} is ambiguous: {len(found)} traces start with "
                f"it ({id_listing(found, 10)}); give more of the id"
            )
        raise CliError(
            f"{label}: no trace with id {trace_id} (found: {id_listing(traces)}); list them "
            f"with: {_traces_command(paths)}"
        )
    if len(traces) > 1:
        raise CliError(
            f"{label}: holds {len(traces)} traces ({id_listing(traces)}); choose one with "
            f"--trace-id ID (its first {MIN_PREFIX} hex digits are enough); list them with: "
            f"{_traces_command(paths)}"
        )
    return traces[0]


def load_trace_cli(
    paths: str | Sequence[str], *, trace_id: str | None = None, trace_format: str | None = None
) -> Trace:
    """The one trace of the trace arguments (or the one ``--trace-id`` names)."""
    trace_id_arg(trace_id)  # a malformed id fails before a big file loads
    traces = load_traces_cli(paths, trace_format=trace_format)
    return pick_trace_cli(traces, trace_id, paths)


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
