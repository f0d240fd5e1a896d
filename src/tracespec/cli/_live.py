"""The receiver of a live ``tracespec run``: addresses checked, started for the run, stopped.

A run without ``--trace`` whose tests have triggers is live: tracespec listens for OTLP on
``--otlp-http`` (default ``127.0.0.1:4318``) and ``--otlp-grpc`` (``127.0.0.1:4317``), the
addresses OpenTelemetry exporters send to by default, while the tests run one after another.
An address is ``HOST:PORT`` or ``off``; one in use is a one-line error naming it and its flag.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..testfiles import PollingProfile, Test, TestSuite
from ._common import CliError, print_warnings
from ._otlp import DEFAULT_GRPC, DEFAULT_HTTP, start_receiver

if TYPE_CHECKING:
    from ..datastores import DataStore
    from ..testfiles import LiveRun

__all__ = ["address", "live_run", "needs_receiver"]

_ADDRESS = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\s\[\]]*)):(?P<port>\d{1,5})")


def address(value: str, flag: str) -> str | None:
    """``value`` of ``flag`` checked before anything is read (an offline run never listens,
    but a mistyped address is still an error): ``HOST:PORT`` (``[::1]:PORT`` for IPv6; a port
    of 0 picks a free one), or ``None`` for ``off``."""
    text = value.strip()
    if text.lower() == "off":
        return None
    m = _ADDRESS.fullmatch(text)
    if m is None or int(m.group("port")) > 65535:
        raise CliError(f"{flag} {value!r}: expected HOST:PORT (e.g. {_default(flag)}) or off")
    if not (m.group("v6") or m.group("host")):
        text = "127.0.0.1" + text  # ":4318": loopback, never every interface by surprise
    return text


def _default(flag: str) -> str:
    return DEFAULT_HTTP if flag == "--otlp-http" else DEFAULT_GRPC


def needs_receiver(resources: Sequence[Test | TestSuite]) -> bool:
    """Whether some test of ``resources`` has a trigger (a request to send, a trace id to
    wait for): the run is then live when no trace file is given."""
    for resource in resources:
        steps = resource.steps if isinstance(resource, TestSuite) else (resource,)
        if any(step.trigger is not None for step in steps):
            return True
    return False


@contextlib.contextmanager
def live_run(
    http: str | None, grpc: str | None, profiles: Sequence[PollingProfile],
    datastore: DataStore | None = None,
) -> Iterator[LiveRun]:
    """A :class:`LiveRun` whose receiver listens on ``http`` and ``grpc`` (``None``: off) for
    the time of the ``with`` block; what the receiver warned about goes to stderr after.  With
    a ``datastore`` that is asked (not a push type) nothing listens: the traces are polled."""
    from ..testfiles.live import LiveRun

    if datastore is not None and not datastore.is_push:
        yield LiveRun(None, tuple(profiles), datastore=datastore)
        return
    if http is None and grpc is None:
        raise CliError("--otlp-http and --otlp-grpc are both off: a live run receives its "
                       "traces on one of them (or give the trace with --trace FILE)")
    receiver = start_receiver(http or "off", grpc or "off")
    try:
        yield LiveRun(receiver, tuple(profiles), datastore=datastore)
    finally:
        receiver.stop()
        print_warnings(list(receiver.warnings))
