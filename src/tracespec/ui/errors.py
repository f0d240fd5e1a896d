"""The explorer's one error: a request it cannot answer, with the HTTP status to answer it with."""

from __future__ import annotations

from ..errors import TracespecError

__all__ = ["RequestError"]


class RequestError(TracespecError):
    """A request the explorer cannot answer (no such trace, a field missing or of the wrong
    type, a spec that does not parse): HTTP 400, or 404 for what does not exist."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
