"""The explorer behind ``tracespec ui``: a local web application to look at traces and write specs.

It shows the traces it was given and, with a receiver on, every trace applications send, as
they arrive; a typed selector lights up the spans it selects (with the parse error and its
position when it does not parse) and is explained step by step; a clicked span shows its
attributes and the selector for it (:func:`tracespec.suggest_selector`); assertions are checked
on the trace, specs collected into a Tracetest ``type: Test`` file that ``tracespec run`` runs
unchanged, and a test file's text run on a trace gives the HTML report.  ``session`` answers
the calls, ``testfile`` writes the test, ``server`` serves the page and the API (aiohttp,
imported only when the server starts), bound to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from .errors import RequestError
from .server import UiServer
from .session import Session

__all__ = ["RequestError", "Session", "UiServer"]
