"""Reading an HTML report back: its embedded data, and its compact traces decoded in Python.

The decoder is written from the format's description (``tracespec.reports._htmldata``), not
from the page's script, so the tests check the encoding against the trace it came from.
"""

from __future__ import annotations

import json
import re
from typing import Any

_DATA = re.compile(r'<script type="application/json" id="tracespec-data">(.*?)</script>', re.S)
_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def page_data(page: str) -> dict[str, Any]:
    """The data a page embeds (exactly one data element, and it parses as JSON)."""
    found = _DATA.findall(page)
    assert len(found) == 1, "one data element"
    return json.loads(found[0])  # type: ignore[no-any-return]


def decode(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each span of one embedded trace: parent, start (relative), duration, name, group, kind,
    status, type, attributes."""
    digits = {c: i for i, c in enumerate(_DIGITS)}
    text, at = data["vlq"], 0

    def number() -> int:
        nonlocal at
        value, shift = 0, 0
        while True:
            d = digits[text[at]]
            at += 1
            value |= (d & 31) << shift
            shift += 5
            if d < 32:
                return value

    spans: list[dict[str, Any]] = []
    seen_values = 0
    for pos in range(data["n"]):
        delta, zz = number(), number()
        parent = pos - delta if delta else -1
        rel = -(zz + 1) // 2 if zz % 2 else zz // 2
        start = (spans[parent]["start"] if parent >= 0 else 0) + rel
        duration, name, group, packed, count = (number() for _ in range(5))
        attributes = {}
        for _ in range(count):
            key, ref = number(), number()
            if ref == 0:
                index, seen_values = seen_values, seen_values + 1
            else:
                index = ref - 1
            attributes[data["strings"][key]] = data["values"][index]
        spans.append({"id": data["ids"][pos * 16:pos * 16 + 16], "parent": parent,
                      "start": start, "duration": duration, "name": data["strings"][name],
                      "group": group, "kind": data["kinds"][packed & 7],
                      "status": data["statuses"][(packed >> 3) & 3],
                      "type": data["types"][packed >> 5], "attributes": attributes})
    assert at == len(text), "the numbers end where the text does"
    return spans
