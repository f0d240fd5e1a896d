"""The session's OTLP receiver: where spans exported by other processes arrive, for live YAML
items and for ``trace_capture``.

One :class:`SessionReceiver` per pytest process (each pytest-xdist worker has its own) holds a
:class:`tracespec.Receiver` listening on ``--tracespec-otlp-http`` (default ``127.0.0.1:4318``,
where OpenTelemetry exporters send by default) and ``--tracespec-otlp-grpc`` (default
``127.0.0.1:4317``), each ``HOST:PORT`` (port 0: a free port) or ``off``.  It is started by the
first thing that needs it (a YAML test with a trigger, ``trace_capture.otlp_endpoint()``) and
stopped when the session ends.  The receiver package (aiohttp, grpcio) is imported then.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..errors import ReceiverError

if TYPE_CHECKING:
    from ..receiver import Receiver

__all__ = ["DEFAULT_GRPC", "DEFAULT_HTTP", "SessionReceiver"]

DEFAULT_HTTP = "127.0.0.1:4318"
DEFAULT_GRPC = "127.0.0.1:4317"


def _address(text: str | None) -> str | None:
    value = (text or "").strip()
    return None if not value or value.lower() == "off" else value


class SessionReceiver:
    """The receiver of a pytest session, started on first use."""

    def __init__(self, http: str | None = DEFAULT_HTTP, grpc: str | None = DEFAULT_GRPC) -> None:
        self._http = _address(http)
        self._grpc = _address(grpc)
        self._lock = threading.Lock()
        self._receiver: Receiver | None = None

    @property
    def started(self) -> Receiver | None:
        """The receiver when it has been started, else ``None``."""
        return self._receiver

    def get(self) -> Receiver:
        """The receiver, started now if it was not (a :class:`~tracespec.ReceiverError` naming
        the address and the option when one cannot be listened on)."""
        with self._lock:
            if self._receiver is None:
                if self._http is None and self._grpc is None:
                    raise ReceiverError(
                        "--tracespec-otlp-http and --tracespec-otlp-grpc are both off: "
                        "nothing to receive spans on"
                    )
                from ..receiver import Receiver

                try:
                    self._receiver = Receiver(http=self._http, grpc=self._grpc).start()
                except ReceiverError as exc:
                    raise ReceiverError(
                        f"{exc} (pytest's --tracespec-otlp-http/--tracespec-otlp-grpc: "
                        "HOST:PORT, port 0 for a free one, or off)"
                    ) from None
            return self._receiver

    def stop(self) -> None:
        """Stop the receiver (when it was started)."""
        with self._lock:
            receiver, self._receiver = self._receiver, None
        if receiver is not None:
            receiver.stop()
