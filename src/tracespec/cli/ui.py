"""``tracespec ui``: the explorer, a local web application to look at traces and write specs.

It loads the trace arguments (none is fine with a receiver on), starts the receiver when
``--otlp-http``/``--otlp-grpc`` name an address (off by default: the explorer then shows only
what it was given), serves :mod:`tracespec.ui` on 127.0.0.1 (``--host`` to change it; ``--port
0``, the default, picks a free port), prints the URL and opens it in the browser unless
``--no-open``.  Ctrl-C (or SIGTERM) stops everything it started.
"""

from __future__ import annotations

import contextlib
import threading

import click

from ..errors import ReceiverError
from ._common import CliError, ExitCode, load_traces_cli, trace_format_option
from ._otlp import listening_line, start_receiver
from .receive import _stopped_by_signals

__all__ = ["ui_command"]


@click.command(
    "ui",
    short_help="Explore traces in the browser: select spans, get selectors, write tests.",
    epilog="""\b
Examples:
  tracespec ui examples/orders-trace.json
  tracespec ui --otlp-http 127.0.0.1:4318 --otlp-grpc 127.0.0.1:4317   (traces as they arrive)
  tracespec ui 'captured/*.pb' --port 8090 --no-open""",
)
@click.argument("trace_paths", metavar="[TRACE]...", nargs=-1)
@click.option("--otlp-http", "otlp_http", metavar="ADDR", default="off", show_default=True,
              help="Also receive traces over OTLP/HTTP here (HOST:PORT; port 0: any free port).")
@click.option("--otlp-grpc", "otlp_grpc", metavar="ADDR", default="off", show_default=True,
              help="Also receive traces over OTLP/gRPC here (HOST:PORT).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="The explorer's port (0: a free one; the URL is printed).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to serve on (anything but loopback shows your traces to the "
              "network).")
@click.option("--no-open", is_flag=True, help="Do not open the browser.")
def ui_command(
    trace_paths: tuple[str, ...], otlp_http: str, otlp_grpc: str, port: int, host: str,
    no_open: bool, trace_format: str | None = None,
) -> int:
    """Explore traces in the browser, as in Tracetest's UI: click a span for its attributes and
    its selector, type a selector to light up what it selects, check assertions, collect specs
    into a test and download it as a Tracetest YAML file that 'tracespec run' runs.

    Give trace files, or turn the receiver on to see traces as applications send them."""
    from ..ui import Session, UiServer

    receiving = otlp_http.strip().lower() != "off" or otlp_grpc.strip().lower() != "off"
    if not trace_paths and not receiving:
        raise CliError("nothing to show: give a TRACE file, or --otlp-http/--otlp-grpc to "
                       "receive traces")
    traces = load_traces_cli(trace_paths, trace_format=trace_format) if trace_paths else []
    with contextlib.ExitStack() as stack:
        receiver = None
        if receiving:
            receiver = start_receiver(otlp_http, otlp_grpc)
            stack.callback(receiver.stop)
            click.echo(listening_line(receiver), err=True)
        try:
            server = UiServer(Session(traces, receiver), host, port).start()
        except ReceiverError as exc:
            raise CliError(f"{exc.message} (--port)") from None
        stack.callback(server.stop)
        noun = "trace" if len(traces) == 1 else "traces"
        click.echo(f"tracespec ui on {server.url} ({len(traces)} {noun}; Ctrl-C stops)")
        if not no_open:
            import webbrowser

            webbrowser.open(server.url)
        stop = threading.Event()
        with contextlib.suppress(KeyboardInterrupt), _stopped_by_signals(stop):
            while not stop.wait(0.5):
                pass
    return ExitCode.PASSED


ui_command.params.append(trace_format_option())
