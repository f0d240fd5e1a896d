"""The selector language's hostile-input caps, which both parsers enforce.

A text over a cap is refused with a :class:`~tracespec.ParseError` (``parser``); the hand parser
(``descent``) gives such texts to the lark parser (``lalr``), which says what is wrong.
"""

from __future__ import annotations

__all__ = ["MAX_CHAIN", "MAX_LENGTH", "MAX_NESTING"]

#: Longest selector text accepted (characters); longer text is refused before parsing.
MAX_LENGTH = 20_000
#: Deepest nesting of ``:has()`` / ``:not()``.
MAX_NESTING = 32
#: Most compounds in one chain (``span[a] span[b] ...``).
MAX_CHAIN = 64
