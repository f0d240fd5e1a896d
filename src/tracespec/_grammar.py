"""Lark parsers for tracespec's languages, and the one place lark errors become ours.

Grammars live in the top-level ``grammar/`` folder of the source tree and are shipped inside the
wheel as ``tracespec/grammar/`` (hatch force-include).  :func:`grammar_text` finds them either
way.  Parsers are LALR with a contextual lexer and positions, built lazily once per grammar.
:func:`translate_error` turns any ``lark.exceptions.LarkError`` into a :class:`ParseError` with a
position inside the text and a readable list of what was expected; no lark type escapes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from .errors import ParseError, TracespecError

__all__ = ["Label", "grammar_text", "parse_with", "parser", "translate_error"]

# A label turns a recognised mistake into a friendlier message, optionally with its own
# (start, end) span; ``None`` means "not recognised, use the generic message".
Label = Callable[[UnexpectedInput, str], "str | tuple[str, tuple[int, int]] | None"]

_SOURCE_GRAMMAR_DIR = Path(__file__).resolve().parent.parent.parent / "grammar"


def grammar_text(name: str) -> str:
    """The text of ``grammar/<name>``, from the installed package or the source tree."""
    try:
        ref = resources.files("tracespec").joinpath("grammar", name)
        if ref.is_file():
            return ref.read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    path = _SOURCE_GRAMMAR_DIR / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise FileNotFoundError(  # pragma: no cover - a packaging slip, caught by test_packaging
        f"tracespec grammar {name!r} is missing from the installation"
    )


@functools.cache
def parser(
    name: str,
    start: str | tuple[str, ...] = "start",
    transformer: lark.Transformer[Any, Any] | None = None,
) -> lark.Lark:
    """The LALR parser of ``grammar/<name>`` (built once, then shared; parsers are reentrant).

    Without ``transformer`` it builds parse trees with positions (``meta``).  With one (a
    long-lived, stateless instance), lark calls it on every reduction instead of building a
    tree, which is about twice as fast; positions then come from the tokens it keeps.
    Exceptions the transformer raises come out of :func:`parse_with` unchanged.
    """
    starts = [start] if isinstance(start, str) else list(start)
    return lark.Lark(
        grammar_text(name),
        parser="lalr",
        lexer="contextual",
        start=starts,
        propagate_positions=transformer is None,
        maybe_placeholders=False,
        transformer=transformer,
    )


def _describe(names: Iterable[str], display: Mapping[str, str]) -> tuple[str, ...]:
    shown = {display.get(n, n) for n in names if not n.startswith("_") or n in display}
    shown.discard("")
    return tuple(sorted(shown))


def _found(exc: UnexpectedInput, text: str, display: Mapping[str, str]) -> str:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return "end of input"
        shown = display.get(tok.type)
        if shown is None or shown == repr(str(tok)):
            return repr(str(tok))
        return f"{shown} {str(tok)!r}"
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        if pos is not None and 0 <= pos < len(text):
            return repr(text[pos])
        return "end of input"
    return "end of input"


def translate_error(
    exc: BaseException,
    text: str,
    *,
    language: str,
    display: Mapping[str, str],
    label: Label | None = None,
) -> ParseError:
    """Turn a lark error raised while parsing ``text`` into a :class:`ParseError`.

    ``display`` maps terminal names to what a person should read ("']'", "attribute name").
    ``label`` may return a friendlier message for a recognised mistake (lark's match_examples
    idea), alone or with the span it is about; otherwise the message is "expected X; got Y".
    """
    if isinstance(exc, VisitError):
        inner = exc.orig_exc
        if isinstance(inner, ParseError):
            return inner
        if isinstance(inner, TracespecError):  # pragma: no cover - defensive
            return ParseError(str(inner), source=text, span=(0, len(text)), language=language)
        return ParseError(
            f"invalid {language}: {inner}", source=text, span=(0, len(text)), language=language
        )
    if isinstance(exc, UnexpectedInput):
        if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
            start = len(text)
            end = start + 1
        elif isinstance(exc, UnexpectedEOF):
            start, end = len(text), len(text) + 1
        elif isinstance(exc, UnexpectedToken):
            start = exc.token.start_pos if exc.token.start_pos is not None else 0
            end = exc.token.end_pos if exc.token.end_pos is not None else start + 1
        else:
            start = exc.pos_in_stream if exc.pos_in_stream is not None else 0
            end = start + 1
        start = max(0, min(start, len(text)))
        expected_names: Iterable[str] = ()
        if isinstance(exc, UnexpectedToken):
            expected_names = exc.accepts or exc.expected
        elif isinstance(exc, UnexpectedCharacters):
            expected_names = exc.allowed or ()
        elif isinstance(exc, UnexpectedEOF):
            expected_names = exc.expected
        expected = _describe(expected_names, display)
        labelled = label(exc, text) if label is not None else None
        message: str | None
        if isinstance(labelled, tuple):
            message, (start, end) = labelled
            start = max(0, min(start, len(text)))
        else:
            message = labelled
        if message is None:
            got = _found(exc, text, display)
            if expected:
                shown = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
                message = f"expected {shown}; got {got}"
            else:
                message = f"unexpected {got}"
        return ParseError(
            message, source=text, span=(start, max(end, start + 1)), language=language,
            expected=expected,
        )
    if isinstance(exc, LarkError):  # pragma: no cover - other lark errors are grammar bugs
        return ParseError(
            f"invalid {language}: {exc}", source=text, span=(0, len(text)), language=language
        )
    raise TypeError(f"not a lark error: {exc!r}")  # pragma: no cover


def parse_with(
    name: str,
    text: str,
    *,
    start: str,
    language: str,
    display: Mapping[str, str],
    label: Label | None = None,
    all_starts: tuple[str, ...] | None = None,
    transformer: lark.Transformer[Any, Any] | None = None,
) -> Any:
    """Parse ``text`` with ``grammar/<name>`` from rule ``start``; lark's errors come out as
    ParseError (see :func:`parser` for ``transformer``)."""
    p = parser(name, all_starts or start, transformer)
    try:
        return p.parse(text, start=start)
    except LarkError as exc:
        raise translate_error(exc, text, language=language, display=display, label=label) from None

