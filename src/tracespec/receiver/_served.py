"""An aiohttp application served on one bound socket from a thread of its own.

What the OTLP/HTTP server and the explorer (``tracespec ui``) share: the listening socket is
bound by the caller's thread (so a port in use is the caller's error, and port 0 gives the port
actually bound); a background thread runs its own asyncio loop and serves the application
until :meth:`ServedApp.stop`.  :meth:`~ServedApp.start` returns once connections are accepted,
or hands back what stopped the server from starting.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["ServedApp"]


class ServedApp:
    """``make_app()`` (called in the server's thread) served on ``sock``; ``runner`` holds
    keyword arguments for aiohttp's ``AppRunner`` beyond the defaults (no signal handling, no
    access log)."""

    def __init__(self, sock: socket.socket, make_app: Callable[[], web.Application], name: str,
                 runner: Mapping[str, Any] | None = None) -> None:
        self._sock = sock
        self._make_app = make_app
        self._name = name
        self._runner = dict(runner or {})
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopping: asyncio.Event | None = None

    def start(self) -> BaseException | None:
        """Serve from a background thread; returns once connections are accepted (``None``),
        or with the error that kept the server from starting (the thread has ended)."""
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
        return self._error

    def stop(self) -> None:
        """Stop serving, close the socket, join the thread (idempotent)."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._sock.close()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(); the thread ends
            self._error = exc
            self._ready.set()
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())  # (its worker threads)
            loop.close()

    async def _serve(self) -> None:
        from aiohttp import web

        self._stopping = asyncio.Event()
        runner = web.AppRunner(self._make_app(), **{"handle_signals": False, "access_log": None,
                                                    **self._runner})
        await runner.setup()
        try:
            await web.SockSite(runner, self._sock).start()
            self._ready.set()
            await self._stopping.wait()
        finally:
            await runner.cleanup()
