"""The ``--otlp-http`` and ``--otlp-grpc`` options, and starting a receiver from them.

Shared by the commands that listen for traces (``receive``; ``run`` for live tests): ``ADDR``
is ``HOST:PORT`` or ``off``, and an address that cannot be listened on is a one-line error
naming it and its flag (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from ..errors import ReceiverError
from ._common import CliError

if TYPE_CHECKING:
    from ..receiver import Receiver

__all__ = ["DEFAULT_GRPC", "DEFAULT_HTTP", "listening_line", "otlp_options", "start_receiver"]

DEFAULT_HTTP = "127.0.0.1:4318"
DEFAULT_GRPC = "127.0.0.1:4317"
_FLAGS = {"http": "--otlp-http", "grpc": "--otlp-grpc"}

F = TypeVar("F", bound=Callable[..., Any])


def otlp_options(func: F) -> F:
    """Add ``--otlp-http ADDR`` and ``--otlp-grpc ADDR`` (keyword arguments ``otlp_http`` and
    ``otlp_grpc``) to a command."""
    func = click.option(
        "--otlp-grpc", "otlp_grpc", metavar="ADDR", default=DEFAULT_GRPC, show_default=True,
        help="Where to listen for OTLP/gRPC: HOST:PORT (port 0: any free port), or 'off'.",
    )(func)
    func = click.option(
        "--otlp-http", "otlp_http", metavar="ADDR", default=DEFAULT_HTTP, show_default=True,
        help="Where to listen for OTLP/HTTP (POST /v1/traces): HOST:PORT, or 'off'.",
    )(func)
    return func


def _address(text: str) -> str | None:
    return None if text.strip().lower() == "off" else text.strip()


def start_receiver(
    otlp_http: str, otlp_grpc: str, *, capture: str | IO[bytes] | None = None,
    max_spans: int = 2_000_000,
) -> Receiver:
    """A started :class:`~tracespec.Receiver` on the options' addresses (a :class:`CliError`
    naming the address and the flag when one cannot be listened on)."""
    from ..receiver import Receiver

    http, grpc = _address(otlp_http), _address(otlp_grpc)
    if http is None and grpc is None:
        raise CliError("--otlp-http and --otlp-grpc are both off: nothing to listen on")
    try:
        return Receiver(http=http, grpc=grpc, capture=capture, max_spans=max_spans).start()
    except ReceiverError as exc:
        flag = _FLAGS.get(exc.protocol or "", "")
        where = f" ({flag})" if flag else ""
        raise CliError(f"{exc.message}{where}") from None


def listening_line(receiver: Receiver) -> str:
    """``listening for OTLP on http://127.0.0.1:4318 (HTTP) and 127.0.0.1:4317 (gRPC)``."""
    parts = []
    if receiver.http_address:
        parts.append(f"http://{receiver.http_address} (HTTP)")
    if receiver.grpc_address:
        parts.append(f"{receiver.grpc_address} (gRPC)")
    return "listening for OTLP on " + " and ".join(parts)
