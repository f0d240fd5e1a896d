"""Text from a trace made safe to print: control characters and lone surrogates escaped.

Span names, services, status messages and attribute values come from the traced application,
or from whoever wrote the trace file.  Printed raw, an ESC or OSC sequence in them drives the
reader's terminal (colours, titles, hidden text, links), a carriage return overwrites what a
line said, a bidirectional override reorders it, and a lone surrogate (which JSON text can
hold) cannot be encoded at all.  :func:`printable` escapes each of them in the text written
for people (``\\x1b``, ``\\r``, ``\\u202e``, ``\\ud800``), keeping tabs and newlines;
:func:`json_text` keeps JSON exact and valid UTF-8 by writing lone surrogates as JSON's
``\\uXXXX`` escapes.  Text without any of them is returned as it is, after one regex search.
"""

from __future__ import annotations

import re

__all__ = ["json_text", "printable"]

# C0 controls but tab and newline, DEL, C1 controls, bidirectional embeddings, overrides and
# isolates, lone surrogates
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHORT = {"\r": "\\r", "\x1b": "\\x1b", "\x00": "\\0"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that could act on a terminal (or not be encoded)
    escaped; tabs and newlines kept."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


def json_text(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with lone surrogates
    written as ``\\uXXXX`` escapes: the same JSON, now encodable as UTF-8.  (A surrogate can
    only be inside a string, where the escape means the same character.)"""
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
