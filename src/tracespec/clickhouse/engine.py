"""Where the SQL runs: chdb (ClickHouse in this process, on a directory) or a ClickHouse server
over HTTP through clickhouse-connect.

:func:`open_engine` reads a store's address: ``chdb:PATH`` (a directory, created when missing)
or ``http(s)://host:port``; user and password come from the arguments or the environment
(``CLICKHOUSE_USER``, ``CLICKHOUSE_PASSWORD``) and never appear in a message or ``repr``.  Both
engines answer :meth:`Engine.rows` (a query's rows as JSON values, read with orjson from
``JSONCompact``), :meth:`Engine.command` and :meth:`Engine.insert_json` (rows as JSON Lines).
chdb and clickhouse-connect are imported here, when an engine is opened, never by
``import tracespec``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import orjson

from .schema import ClickHouseError, quote_ident

__all__ = ["ChdbEngine", "Engine", "HttpEngine", "open_engine"]

_SETTINGS = " SETTINGS output_format_json_quote_64bit_integers = 0"
_INSERT_BYTES = 8 << 20  # JSON rows sent per INSERT
# a stream of rows comes in small blocks, and a big sort spills to disk, so that fetching
# millions of spans holds a few blocks, not all of them
_STREAM_SETTINGS = (_SETTINGS + ", max_block_size = 4096, "
                    "max_bytes_before_external_sort = 50000000, max_threads = 2")


def _lines(chunks: Iterable[bytes]) -> Iterator[list[Any]]:
    """Rows of ``JSONCompactEachRow`` text arriving in chunks (a line may span two)."""
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        lines = data.split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line:
                yield orjson.loads(line)
    if rest.strip():
        yield orjson.loads(rest)


def _blocks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """JSON rows joined by newlines into blocks of about ``_INSERT_BYTES``, one per INSERT."""
    batch: list[bytes] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size > _INSERT_BYTES:
            yield b"\n".join(batch)
            batch, size = [], 0
    if batch:
        yield b"\n".join(batch)


class Engine:
    """A ClickHouse that runs SQL (subclasses: :class:`ChdbEngine`, :class:`HttpEngine`)."""

    #: What the store is, for messages (never a password).
    address: str = ""

    def rows(self, sql: str) -> list[list[Any]]:
        """The rows of a ``SELECT``, each a list of JSON values."""
        raise NotImplementedError

    def stream(self, sql: str) -> Iterator[list[Any]]:
        """The rows of a ``SELECT`` as they come, each a list of JSON values."""
        raise NotImplementedError

    def command(self, sql: str) -> None:
        """Run a statement that returns nothing (``CREATE``, ``DROP``, ...)."""
        raise NotImplementedError

    def insert_json(self, table: str, lines: Iterable[bytes]) -> None:
        """Insert rows given as JSON objects, one per line (``JSONEachRow``)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the engine (a chdb session or an HTTP pool)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address!r})"


def _data(payload: bytes) -> list[list[Any]]:
    try:
        return orjson.loads(payload)["data"]  # type: ignore[no-any-return]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise ClickHouseError(f"ClickHouse answered something that is not JSONCompact: {exc}"
                              ) from None


_CHDB_LOCK = threading.Lock()
# chdb holds one session per process at a time: engines on the same directory share it
# (counted), and opening another directory closes the idle sessions first.
_SESSIONS: dict[str, list[Any]] = {}


class ChdbEngine(Engine):
    """ClickHouse in this process (chdb) on the database directory ``path``."""

    def __init__(self, path: str) -> None:
        try:
            from chdb import session
        except ImportError:
            raise ClickHouseError(
                "chdb is not installed: pip install 'tracespec[clickhouse]'") from None
        self.address = f"chdb:{path}"
        self.path = os.path.abspath(path)
        os.makedirs(self.path, exist_ok=True)
        with _CHDB_LOCK:
            entry = _SESSIONS.get(self.path)
            if entry is None:
                for other, (sess, refs) in list(_SESSIONS.items()):
                    if refs <= 0:
                        sess.close()
                        del _SESSIONS[other]
                if _SESSIONS:
                    raise ClickHouseError(
                        f"{self.address}: chdb has another database open in this process "
                        f"({next(iter(_SESSIONS))}); close its store first")
                try:
                    entry = _SESSIONS[self.path] = [session.Session(self.path), 0]  # type: ignore[no-untyped-call]
                except Exception as exc:  # chdb raises plain exceptions
                    raise ClickHouseError(f"{self.address}: {_first(exc)}") from None
            entry[1] += 1
            self._session: Any = entry[0]

    @staticmethod
    def close_shared() -> None:
        """Close every chdb session of the process (engines still open become unusable)."""
        with _CHDB_LOCK:
            for sess, _ in _SESSIONS.values():
                sess.close()
            _SESSIONS.clear()

    def _query(self, sql: str, fmt: str = "CSV") -> bytes:
        try:
            result = self._session.query(sql, fmt)
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc)}") from None
        return bytes(result.bytes()) if result is not None else b""

    def rows(self, sql: str) -> list[list[Any]]:
        """The rows of a ``SELECT``, each a list of JSON values."""
        return _data(self._query(sql + _SETTINGS, "JSONCompact"))

    def stream(self, sql: str) -> Iterator[list[Any]]:
        """The rows of a ``SELECT`` as they come, each a list of JSON values."""
        try:
            result = self._session.send_query(sql + _STREAM_SETTINGS, "JSONCompactEachRow")
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc)}") from None
        chunks = iter(result)
        try:
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
                except Exception as exc:
                    raise ClickHouseError(f"{self.address}: {_first(exc)}") from None
                yield from _lines([bytes(chunk.bytes())])
        finally:  # a reader that stops early: the session must not keep the stream open
            result.close()

    def command(self, sql: str) -> None:
        """Run a statement that returns nothing."""
        self._query(sql)

    def insert_json(self, table: str, lines: Iterable[bytes]) -> None:
        """Insert rows given as JSON objects, one per line."""
        head = f"INSERT INTO {quote_ident(table)} FORMAT JSONEachRow\n".encode()
        for block in _blocks(lines):
            self._query((head + block).decode("utf-8"))

    def close(self) -> None:
        """Release the engine."""
        session, self._session = getattr(self, "_session", None), None
        if session is None:
            return
        with _CHDB_LOCK:
            entry = _SESSIONS.get(self.path)
            if entry is not None and entry[0] is session:
                entry[1] -= 1
                if entry[1] <= 0:
                    session.close()
                    del _SESSIONS[self.path]


class HttpEngine(Engine):
    """A ClickHouse server over HTTP (clickhouse-connect)."""

    def __init__(self, url: str, user: str | None, password: str | None,
                 database: str | None = None) -> None:
        try:
            import clickhouse_connect
        except ImportError:
            raise ClickHouseError(
                "clickhouse-connect is not installed: pip install 'tracespec[clickhouse]'"
            ) from None
        parts = urlsplit(url)
        if parts.hostname is None:
            raise ClickHouseError(f"{url!r} names no host (http://host:8123)")
        secure = parts.scheme == "https"
        port = parts.port or (8443 if secure else 8123)
        self.address = f"{parts.scheme}://{parts.hostname}:{port}"
        try:
            self._client: Any = clickhouse_connect.get_client(
                host=parts.hostname, port=port,
                username=user or parts.username or "default",
                password=password or parts.password or "", secure=secure,
                database=database or (parts.path.strip("/") or None),
                connect_timeout=10, send_receive_timeout=300)
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc, password)}") from None
        self._password = password or parts.password or ""

    def rows(self, sql: str) -> list[list[Any]]:
        """The rows of a ``SELECT``, each a list of JSON values."""
        try:
            payload = self._client.raw_query(sql + _SETTINGS, fmt="JSONCompact")
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc, self._password)}") from None
        return _data(bytes(payload))

    def stream(self, sql: str) -> Iterator[list[Any]]:
        """The rows of a ``SELECT`` as they come, each a list of JSON values."""
        try:
            stream = self._client.raw_stream(sql + _STREAM_SETTINGS, fmt="JSONCompactEachRow")
            if hasattr(stream, "read"):  # clickhouse-connect before 1.x: a binary stream
                try:
                    yield from _lines(iter(lambda: bytes(stream.read(1 << 16)), b""))
                finally:
                    stream.close()
            else:  # later: a StreamContext of byte blocks, to be used in a with block
                with stream as blocks:
                    yield from _lines(bytes(b) for b in blocks)
        except ClickHouseError:
            raise
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc, self._password)}") from None

    def command(self, sql: str) -> None:
        """Run a statement that returns nothing."""
        try:
            self._client.command(sql)
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc, self._password)}") from None

    def insert_json(self, table: str, lines: Iterable[bytes]) -> None:
        """Insert rows given as JSON objects, one per line."""
        for block in _blocks(lines):
            self._raw_insert(table, block)

    def _raw_insert(self, table: str, block: bytes) -> None:
        try:
            self._client.raw_insert(quote_ident(table), insert_block=block, fmt="JSONEachRow")
        except Exception as exc:
            raise ClickHouseError(f"{self.address}: {_first(exc, self._password)}") from None

    def close(self) -> None:
        """Release the engine."""
        client, self._client = getattr(self, "_client", None), None
        if client is not None:
            client.close()


def _first(exc: BaseException, secret: str | None = None) -> str:
    """The first line of an engine's error, with a password never shown."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    return text


def open_engine(url: str, *, user: str | None = None, password: str | None = None) -> Engine:
    """The engine ``url`` names: ``chdb:PATH`` or ``http(s)://host:port[/database]``."""
    if url.startswith("chdb:"):
        path = url[len("chdb:"):]
        if not path:
            raise ClickHouseError("chdb: needs a directory (chdb:./db)")
        return ChdbEngine(path)
    if url.startswith(("http://", "https://")):
        user = user if user is not None else os.environ.get("CLICKHOUSE_USER")
        if password is None:
            password = os.environ.get("CLICKHOUSE_PASSWORD")
        return HttpEngine(url, user, password)
    raise ClickHouseError(
        f"{url.split('@')[-1]!r}: a ClickHouse store is chdb:PATH or http(s)://host:port")
