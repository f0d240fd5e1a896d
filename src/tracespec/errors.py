"""The exceptions tracespec raises, and the caret snippets they print.

Every error a user can cause is a :class:`TracespecError`.  Errors about text the user wrote
(a selector, an assertion, a test file) carry the source, a 0-based half-open character span and
the 1-based line and column computed from it, and render a caret under the offending text, the
way soupsieve and lark do.  Nothing here knows about lark: ``_grammar`` translates lark's
exceptions into these in one place.
"""

from __future__ import annotations

__all__ = [
    "CompileError",
    "DataStoreError",
    "EvalError",
    "ParseError",
    "ReceiverError",
    "TestFileError",
    "TestFileNotFoundError",
    "TraceFileNotFoundError",
    "TraceLoadError",
    "TracespecError",
    "TriggerError",
    "first_line",
    "line_column",
    "render_context",
]


class TracespecError(Exception):
    """Base class of every error tracespec raises on purpose."""


def first_line(message: str) -> str:
    """The first line of a (possibly multi-line, caret-annotated) message."""
    text = message.strip()
    return text.splitlines()[0].rstrip() if text else message


def line_column(source: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of a 0-based character offset in ``source``."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    last_nl = source.rfind("\n", 0, offset)
    return line, offset - last_nl


def render_context(source: str, start: int, end: int | None = None) -> str:
    """Return the source line holding ``start`` with a caret (or carets) under ``start:end``.

    Multi-line sources get a ``-->`` marker naming the line, as soupsieve prints them.
    """
    start = max(0, min(start, len(source)))
    if end is None or end <= start:
        end = start + 1
    line_no, col = line_column(source, start)
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", start)
    if line_end == -1:
        line_end = len(source)
    text = source[line_start:line_end].replace("\t", " ")
    width = max(1, min(end, line_end) - start)
    caret = " " * (col - 1) + "^" * width
    if "\n" in source:
        return f"  --> line {line_no}\n  {text}\n  {caret}"
    return f"  {text}\n  {caret}"


class _PositionedError(TracespecError, ValueError):
    """An error located in a piece of source text (selector, assertion, test file)."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        span: tuple[int, int],
        language: str,
        expected: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.source = source
        self.span = span
        self.language = language
        self.expected = expected
        self.line, self.column = line_column(source, span[0])
        super().__init__(str(self))

    @property
    def position(self) -> int:
        """The 0-based character offset where the error starts."""
        return self.span[0]

    def __str__(self) -> str:
        head = f"{self.message} ({self.language}, line {self.line}, column {self.column})"
        return head + "\n" + render_context(self.source, self.span[0], self.span[1])

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_positioned,
            (type(self), self.message, self.source, self.span, self.language, self.expected),
        )


def _rebuild_positioned(
    cls: type[_PositionedError],
    message: str,
    source: str,
    span: tuple[int, int],
    language: str,
    expected: tuple[str, ...],
) -> _PositionedError:
    return cls(message, source=source, span=span, language=language, expected=expected)


class ParseError(_PositionedError):
    """Text that does not parse: a selector, an assertion or an expression.

    Attributes: ``language`` (``"selector"``, ``"assertion"``, ``"expression"``), ``source``,
    ``span`` (0-based half-open character range), ``line`` and ``column`` (1-based),
    ``expected`` (display names of what would have been accepted) and ``message``.
    """


class CompileError(_PositionedError):
    """Text that parses but means nothing: an unknown pseudo-class, a bad regex, ..."""


class EvalError(TracespecError):
    """An expression that cannot be evaluated on the data it meets: a missing attribute, a value
    that does not parse, a filter or function that fails.  Checking an assertion turns it into a
    span result with this message; :meth:`tracespec.Expression.value` raises it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        return (EvalError, (self.message,))


class TraceLoadError(TracespecError):
    """A trace that cannot be loaded: unknown format, truncated or corrupt data, missing ids.

    ``source`` names the file (or ``<bytes>``, ``<json>``), ``place`` where in it the problem
    is (a JSON pointer, a byte offset, a span path), ``format`` the format being read.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        place: str | None = None,
        format: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.place = place
        self.format = format
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.place:
            where.append(f"at {self.place}")
        if self.format:
            where.append(f"({self.format})")
        prefix = " ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_load_error,
            (self.message, self.source, self.place, self.format),
        )


def _rebuild_load_error(
    message: str, source: str | None, place: str | None, format: str | None
) -> TraceLoadError:
    return TraceLoadError(message, source=source, place=place, format=format)


class TraceFileNotFoundError(TraceLoadError, FileNotFoundError):
    """The trace file does not exist (also a ``FileNotFoundError``)."""


class TestFileError(TracespecError):
    """A Tracetest YAML/JSON resource file that is malformed or does not fit its schema.

    ``path`` names the file, ``line`` (1-based, when known) and ``field`` (a dotted path such as
    ``spec.specs[2].selector``) say where.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<test file>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" ({self.field})"
        return f"{where}: {self.message}"


class TestFileNotFoundError(TestFileError, FileNotFoundError):
    """A test, suite or variable-set file (or a file one of them names) does not exist."""

    __test__ = False


class ReceiverError(TracespecError):
    """The OTLP receiver cannot do what was asked: an address it cannot listen on (``address``
    names it, ``protocol`` is ``"http"`` or ``"grpc"``), or an export request it refuses
    (``status`` is the HTTP status it answers with: 400 data that does not decode, 413 too
    large, 415 a content type or encoding it does not read)."""

    def __init__(
        self,
        message: str,
        *,
        address: str | None = None,
        protocol: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message
        self.address = address
        self.protocol = protocol
        self.status = status
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_receiver_error, (self.message, self.address, self.protocol, self.status))


def _rebuild_receiver_error(
    message: str, address: str | None, protocol: str | None, status: int | None
) -> ReceiverError:
    return ReceiverError(message, address=address, protocol=protocol, status=status)


class TriggerError(TracespecError):
    """A test's trigger that cannot be prepared or sent: an unsupported trigger type, a field
    of the wrong shape, a file it names that is missing, or a request that got no answer
    (connection refused, DNS failure, TLS error, timeout).

    ``message`` is one line and never holds a secret (auth values, header values, a URL's
    query); ``field`` (when known) is the dotted path of the field at fault, such as
    ``spec.trigger.httpRequest.auth.apiKey.in``.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_trigger_error, (self.message, self.field))


def _rebuild_trigger_error(message: str, field: str | None) -> TriggerError:
    return TriggerError(message, field=field)


class DataStoreError(TracespecError):
    """A data store (Jaeger, Tempo, OpenSearch, ...) a trace is read from that cannot be used:
    a configuration that does not hold, a type tracespec does not read, or a request that failed
    (connection refused, DNS, TLS, 401/403, a timeout, a body that does not decode).

    The message is one line naming the data store (``store``: its type) and the endpoint it
    asked (``endpoint``), and never holds a secret (tokens, passwords, header values).
    """

    def __init__(self, message: str, *, store: str = "", endpoint: str = "") -> None:
        self.message = message
        self.store = store
        self.endpoint = endpoint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = " ".join(p for p in (self.store, self.endpoint and f"at {self.endpoint}") if p)
        return f"data store {where}: {self.message}" if where else self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_datastore_error, (self.message, self.store, self.endpoint))


def _rebuild_datastore_error(message: str, store: str, endpoint: str) -> DataStoreError:
    return DataStoreError(message, store=store, endpoint=endpoint)
