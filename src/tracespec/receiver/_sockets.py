"""Listening sockets: bound in the caller's thread, so that an address in use is a clear error.

An OTLP port another process listens on must be an error naming the address, never a port
shared with it: ``SO_REUSEADDR`` (set on POSIX, so that a port in ``TIME_WAIT`` is taken again)
does not let two sockets listen on one port, and ``SO_REUSEPORT`` is never set.
"""

from __future__ import annotations

import os
import socket

from ..errors import ReceiverError

__all__ = ["bind", "check_free"]


def bind(host: str, port: int, protocol: str) -> socket.socket:
    """A TCP socket listening on ``host:port`` (a :class:`ReceiverError` naming the address
    when it cannot be bound)."""
    address = f"{host}:{port}"
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, sockaddr = info[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ReceiverError(
            f"cannot listen on {address}: {exc.strerror or exc}", address=address,
            protocol=protocol,
        ) from None
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (not a shared port)
        sock.bind(sockaddr)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ReceiverError(
            f"cannot listen on {address}: {exc.strerror or exc}", address=address,
            protocol=protocol,
        ) from None
    sock.setblocking(False)
    return sock


def check_free(host: str, port: int, protocol: str) -> None:
    """A :class:`ReceiverError` naming ``host:port`` when it cannot be listened on now (port 0
    is always free)."""
    if port:
        bind(host, port, protocol).close()
