"""The ``tracespec`` command: run Tracetest test files and query traces from a terminal or CI.

A click group of small commands (``run``, ``select``, ``check``, ``explain``, ``show``,
``suggest``, ``traces``, ``receive``, ``ui``, ``ingest``), each imported only when it is the one
invoked (:class:`_LazyGroup`): a ``tracespec run`` does not pay for the ClickHouse, receiver or
explorer modules, and their imports (``--help`` imports them all, to list them).
:func:`main` runs click in non-standalone mode so that tracespec, not click, owns the exit
codes (click's usage errors would otherwise exit 2, which here means "a test failed") and so
every error a user can cause prints as one line, never a traceback.  Set ``TRACESPEC_DEBUG=1``
to see the traceback of an unexpected internal error.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from .. import __version__
from ..errors import TracespecError
from ._common import CliError, ExitCode, describe, exit_code_for, stdout_gone

__all__ = ["COMMANDS", "app", "main"]

#: Each command's name, and the module of this package and the click command in it.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "run_command"),
    "select": ("inspect", "select_command"),
    "check": ("inspect", "check_command"),
    "explain": ("inspect", "explain_command"),
    "span": ("inspect", "span_command"),
    "suggest": ("inspect", "suggest_command"),
    "show": ("inspect", "show_command"),
    "traces": ("traces", "traces_command"),
    "receive": ("receive", "receive_command"),
    "ui": ("ui", "ui_command"),
    "ingest": ("clickhouse", "ingest_command"),
}


class _LazyGroup(click.Group):
    """A click group whose commands are imported by name, when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self.commands.get(cmd_name)
        if found is None and cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name]
            found = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
            if not isinstance(found, click.Command) or found.name != cmd_name:
                raise RuntimeError(f"tracespec.cli.{module}.{attr} is not the {cmd_name!r} command")
            self.add_command(found)
        return found


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  tracespec run -f examples/orders-pass.yaml --trace examples/orders-trace.json
  tracespec select 'span[tracetest.span.type="database"]' examples/orders-trace.json
  tracespec show examples/orders-trace.json
  tracespec traces 'captured/*.pb'
  tracespec receive -o traces.jsonl
  tracespec ui examples/orders-trace.json

Run 'tracespec COMMAND --help' for a command's options and examples.""",
)
@click.version_option(
    __version__, "--version", prog_name="tracespec", message="%(prog)s %(version)s"
)
def app() -> None:
    """Trace-based testing: Tracetest's selectors, assertions and test files, no server."""



def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app.main(args=args, prog_name="tracespec", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx is not None else str(exc))
        return ExitCode.PASSED
    except click.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        return ExitCode.ERROR
    except click.Abort:
        click.echo("aborted", err=True)
        return ExitCode.ERROR
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return ExitCode.ERROR
    except BrokenPipeError:
        # the reader went away (| head): nothing more to say, and nothing to say it to
        stdout_gone()
        return ExitCode.PASSED
    except (TracespecError, CliError, OSError) as exc:  # every error a user can cause
        click.echo(f"error: {describe(exc)}", err=True)
        return exit_code_for(exc)
    except Exception as exc:  # a bug: still one line, unless asked for the traceback
        if os.environ.get("TRACESPEC_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {describe(exc)} (please report it; "
            "TRACESPEC_DEBUG=1 shows the traceback)", err=True,
        )
        return ExitCode.ERROR
    if isinstance(result, int):
        return result
    return ExitCode.PASSED


def console_main() -> None:
    """Entry point of the ``tracespec`` console script."""
    code = main()
    try:  # what is still buffered: a reader gone by now (| head) is no error
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_gone()
    sys.exit(code)
