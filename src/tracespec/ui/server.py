"""The explorer's web server: the page and its JSON API on aiohttp, in a thread of its own.

aiohttp (the server library the OTLP receiver uses) serves one socket bound by the caller's
thread (a port in use is an error of :meth:`UiServer.start`; port 0 gives a free one) from a
background thread running its own asyncio loop; each API call runs in a worker thread so a big
trace never stalls the loop.  ``GET /`` is the page (the HTML report's script in explorer mode),
``GET /api/traces`` and ``GET /api/traces/N`` the traces, ``POST /api/select``, ``explain``,
``suggest``, ``check``, ``test`` and ``run`` the calls of :class:`~.session.Session`.  A POST
must be ``application/json`` (so another site's page cannot send one without a CORS preflight,
which is never granted) and every request must name this server in its ``Host`` header (so a
DNS name rebound to 127.0.0.1 reaches nothing).  No path from a request is ever opened.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import TracespecError
from ..receiver._served import ServedApp
from ..reports.html import html_page
from .errors import RequestError
from .session import Session

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["UiServer"]

_CALLS = ("select", "explain", "suggest", "check", "test", "run")
_MAX_BODY = 16 * 2**20


class UiServer:
    """The explorer on one bound socket, served from a thread until :meth:`stop`."""

    def __init__(self, session: Session, host: str = "127.0.0.1", port: int = 0) -> None:
        from ..receiver._sockets import bind

        self.session = session
        self._sock = bind(host, port, "http")
        bound = self._sock.getsockname()
        shown = f"[{host}]" if ":" in host else host
        self.address = f"{shown}:{bound[1]}"
        self._hosts = {self.address, f"localhost:{bound[1]}"}
        if host in ("127.0.0.1", "::1"):
            self._hosts |= {f"127.0.0.1:{bound[1]}", f"[::1]:{bound[1]}"}
        self._served = ServedApp(self._sock, self._app, "tracespec-ui")

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{self.address}/"

    def start(self) -> UiServer:
        """Serve from a background thread (returns once connections are accepted)."""
        error = self._served.start()
        if error is not None:
            raise TracespecError(f"the explorer did not start: {error}")
        return self

    def stop(self) -> None:
        """Stop serving, close the socket, join the thread (idempotent)."""
        self._served.stop()

    def __enter__(self) -> UiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _app(self) -> web.Application:
        from aiohttp import web

        app = web.Application(client_max_size=_MAX_BODY, middlewares=[self._guard])
        app.router.add_get("/", self._page)
        app.router.add_get("/api/traces", self._listing)
        app.router.add_get("/api/traces/{number}", self._trace)
        for name in _CALLS:
            app.router.add_post(f"/api/{name}", self._call(getattr(self.session, name)))
        return app

    @property
    def _guard(self) -> Any:
        from aiohttp import web

        @web.middleware
        async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.host not in self._hosts:
                return web.Response(status=403, text="unknown Host\n")
            if request.method == "POST" and request.content_type != "application/json":
                return web.Response(status=415, text="send application/json\n")
            response: web.StreamResponse = await handler(request)
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Cache-Control"] = "no-store"
            return response

        return guard

    async def _answer(self, work: Callable[[], Any]) -> web.Response:
        from aiohttp import web

        try:
            result = await asyncio.get_running_loop().run_in_executor(None, work)
        except RequestError as exc:
            return web.json_response({"error": exc.message}, status=exc.status)
        return web.json_response(result, dumps=_dumps)

    async def _page(self, request: web.Request) -> web.Response:
        from aiohttp import web

        def page() -> str:
            data = {"mode": "explorer", "title": "tracespec ui", "tests": [],
                    "traces": self.session.listing()}
            return html_page(data, title="tracespec ui")

        text = await asyncio.get_running_loop().run_in_executor(None, page)
        return web.Response(text=text, content_type="text/html")

    async def _listing(self, request: web.Request) -> web.Response:
        return await self._answer(self.session.listing)

    async def _trace(self, request: web.Request) -> web.Response:
        text = request.match_info["number"]
        number: object = int(text) if text.isdigit() else text
        return await self._answer(lambda: self.session.data(number))

    def _call(self, method: Callable[[dict[str, Any]], Any]) -> Any:
        async def handle(request: web.Request) -> web.Response:
            from aiohttp import web

            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"error": "the body is not JSON"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"error": "the body is not an object"}, status=400)
            return await self._answer(lambda: method(body))

        return handle


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False)  # (ASCII: a lone surrogate is escaped)
