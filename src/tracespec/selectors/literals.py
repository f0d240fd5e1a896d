"""Go literals of the selector language (strings, numbers) decoded, shared by both parsers.

:func:`unquote` and :func:`number_value` turn a STRING or NUMBER token into its value, or raise
:class:`Problem` with the offending range; ``descent`` (the fast path) and ``lalr`` (lark, the
exact error messages) both call them, so the two cannot decode a literal differently.
"""

from __future__ import annotations

import re

from ..trace.attrvalue import MAX_DIGITS

__all__ = ["LANGUAGE", "LEADING_ZERO_89", "Problem", "number_value", "unquote"]

#: The language named in every selector ParseError.
LANGUAGE = "selector"

#: An integer with a leading zero and an 8 or 9 in it: decimal here, an error in Go (strict mode).
LEADING_ZERO_89 = re.compile(r"0[0-9_]*[89][0-9_]*")


class Problem(Exception):
    """A check beyond the grammar failed at ``loc``; ``parser`` makes it a ParseError."""

    def __init__(self, message: str, loc: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.loc = loc


# -- Go string literals ------------------------------------------------------------------------

_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", '"': '"',
}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


def unquote(token: str, offset: int) -> str:
    """Decode a Go interpreted string literal (quotes included) found at ``offset``.

    ``\\x`` and octal escapes are bytes, as in Go; bytes that do not form UTF-8 are kept as
    ``surrogateescape`` characters (so they print back as ``\\xNN`` and never equal real text).
    """
    body = token[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c != "\\":
            j = body.find("\\", i)
            j = n if j == -1 else j
            out += body[i:j].encode("utf-8", "surrogatepass")
            i = j
            continue
        esc = body[i + 1]
        at = offset + 1 + i
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc].encode()
            i += 2
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not set(digits) <= _HEX:
                raise Problem(f"escape \\{esc} needs {width} hexadecimal digits",
                               (at, at + 2 + len(digits)))
            value = int(digits, 16)
            if esc == "x":
                out.append(value)
            else:
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    raise Problem("escape is not a valid Unicode code point", (at, at + 2 + width))
                out += chr(value).encode()
            i += 2 + width
        elif esc in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not set(digits) <= _OCTAL:
                raise Problem("an octal escape needs 3 octal digits", (at, at + 1 + len(digits)))
            value = int(digits, 8)
            if value > 255:
                raise Problem("octal escape value is above 255", (at, at + 4))
            out.append(value)
            i += 4
        else:
            raise Problem(f"unknown escape sequence \\{esc}", (at, at + 2))
    return out.decode("utf-8", "surrogateescape")


# -- numbers ---------------------------------------------------------------------------------------


_MAX_BITS = int(MAX_DIGITS * 3.3219)  # (log2 10: about as many bits as that many digits)


def number_value(token: str, offset: int) -> int | float:
    """The value of a NUMBER token (Go syntax, but a leading 0 is still decimal)."""
    s = token.replace("_", "")
    loc = (offset, offset + len(token))
    shown = token if len(token) <= 40 else token[:20] + "…" + token[-8:]
    try:
        value = _number(s, loc)
    except (ValueError, OverflowError):
        if len(s) > MAX_DIGITS:
            raise Problem(f"number {shown} has more than {MAX_DIGITS} digits", loc) from None
        raise Problem(f"invalid number {shown}", loc) from None
    if isinstance(value, int):
        if value.bit_length() > _MAX_BITS:
            raise Problem(f"number {shown} has more than {MAX_DIGITS} digits", loc)
        return value
    if value in (float("inf"), float("-inf")):
        raise Problem(f"number {shown} is out of range", loc)
    return value


def _number(s: str, loc: tuple[int, int]) -> int | float:
    low = s.lower()
    if low.startswith("0x"):
        if "." not in low and "p" not in low:
            if len(s) == 2:
                raise Problem("a hexadecimal number needs digits", loc)
            return int(s, 16)
        if "p" not in low:
            raise Problem("a hexadecimal float needs a 'p' exponent", loc)
        return float.fromhex(s)
    if low.startswith("0o"):
        return int(s[2:], 8)
    if low.startswith("0b"):
        return int(s[2:], 2)
    if "." in s or "e" in low:
        return float(s)
    return int(s, 10)
