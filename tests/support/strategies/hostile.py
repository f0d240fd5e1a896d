"""Hypothesis strategies of hostile input (issue 11): deep nesting, big numbers, lone
surrogates, control characters and compression layers, for the fuzz suites of the loaders, the
two languages and the test files."""

from __future__ import annotations

import gzip
import json
from typing import Any

import zstandard
from hypothesis import strategies as st

__all__ = [
    "big_number_texts",
    "compressed",
    "deep_json_texts",
    "deep_values",
    "hostile_json_values",
    "nasty_texts",
]

#: Characters that act on a terminal, reorder text or cannot be encoded.
NASTY_CHARS = ["\x00", "\x07", "\x1b", "\x1b[31m", "\x1b]0;title\x07", "\r", "\x7f", "\x9b",
               "\u202e", "\u2066", "\ud800", "\udfff", "\ufeff", "\ufffe"]

nasty_texts = st.lists(st.one_of(st.sampled_from(NASTY_CHARS), st.text(max_size=3)),
                       min_size=1, max_size=6).map("".join)

#: Numbers around the limits: 64 bits, float range, Python's 4,300 digits.
big_number_texts = st.one_of(
    st.integers(2**63 - 2, 2**64 + 2).map(str),
    st.integers(-(2**64), -(2**63) + 1).map(str),
    st.integers(19, 6000).map(lambda n: "9" * n),
    st.integers(4290, 4310).map(lambda n: "1" + "0" * (n - 1)),
    st.integers(1, 400).map(lambda e: f"1e{e}"),
    st.integers(300, 5000).map(lambda n: "0x" + "f" * n),
)


@st.composite
def deep_json_texts(draw: st.DrawFn, max_depth: int = 2000) -> str:
    """JSON text nested ``depth`` levels of arrays and objects (mixed)."""
    depth = draw(st.one_of(st.integers(1, 200), st.integers(200, max_depth)))
    kinds = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    opening = "".join("[" if kinds[i % len(kinds)] else '{"k":' for i in range(depth))
    closing = "".join("]" if kinds[i % len(kinds)] else "}" for i in reversed(range(depth)))
    return opening + draw(st.sampled_from(["1", '"x"', "null", "[]"])) + closing


@st.composite
def deep_values(draw: st.DrawFn, max_depth: int = 700) -> Any:
    """A parsed JSON value nested deeply (lists and dicts)."""
    depth = draw(st.integers(1, max_depth))
    value: Any = draw(st.sampled_from([1, "x", None, 2**70]))
    lists = draw(st.booleans())
    for _ in range(depth):
        value = [value] if lists else {"k": value}
    return value


hostile_json_values = st.one_of(
    big_number_texts,
    big_number_texts.map(lambda t: int(t) if t.lstrip("-").isdigit() and len(t) < 4000 else t),
    nasty_texts,
    deep_values(),
    deep_json_texts(),
)


def _zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


@st.composite
def compressed(draw: st.DrawFn, data: bytes) -> tuple[int, bytes]:
    """``data`` under 0 to 4 layers of gzip and zstd (the number of layers, the bytes)."""
    layers = draw(st.lists(st.sampled_from(["gzip", "zstd"]), max_size=4))
    for layer in layers:
        data = gzip.compress(data, 1) if layer == "gzip" else _zstd(data)
    return len(layers), data


def json_text(value: Any) -> str:
    """``value`` as JSON text, however deep (written without recursion)."""
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            parts.append(item.text)
        elif isinstance(item, list):
            stack.append(_Raw("]"))
            for i, v in enumerate(reversed(item)):
                stack.append(v)
                if i < len(item) - 1:
                    stack.append(_Raw(","))
            parts.append("[")
        elif isinstance(item, dict):
            stack.append(_Raw("}"))
            items = list(item.items())
            for i, (k, v) in enumerate(reversed(items)):
                stack.append(v)
                stack.append(_Raw(json.dumps(k) + ":"))
                if i < len(items) - 1:
                    stack.append(_Raw(","))
            parts.append("{")
        else:
            parts.append(json.dumps(item))
    return "".join(parts)


class _Raw:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
