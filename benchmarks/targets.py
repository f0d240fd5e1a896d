"""The speed targets the benchmarks check, and the one way they print them.

``ISSUE_9`` is the targets table of issue 9 ("Fast from the first query"), with the figure
each row had when the issue was written.  A target is for one trace size (``None``: no trace,
or the 9-span example); a benchmark passes it the values it measured by size, and
:func:`report` prints ``PASS``/``MISS`` when the target's size was measured, or ``----`` and
the value at the largest size that was, for information only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

M = 1_000_000


@dataclass(frozen=True)
class Target:
    """One row: what is measured, at which size, the limit (``value <= limit``), the figure then."""

    key: str
    label: str
    size: int | None
    limit: float
    unit: str
    was: float | None = None

    def show(self, value: float, measured: bool = True) -> str:
        """``value`` in this target's unit (a limit or an old figure as written)."""
        if not measured:
            text = f"{value:g}"
        elif self.unit == "s":
            text = f"{value:.3f}" if value < 10 else f"{value:.1f}"
        else:
            text = f"{value:.2f}"
        return f"{text}×" if self.unit == "×" else f"{text} {self.unit}"


ISSUE_9: tuple[Target, ...] = (
    Target("example", "tracespec run, whole process, 9-span example", None, 0.25, "s", 0.69),
    Target("import", 'python -c "import tracespec"', None, 0.10, "s", 0.29),
    Target("run-1k", "tracespec run, whole process, 1k spans (protobuf)", 1000, 0.15, "s", 0.72),
    Target("run-1m", "tracespec run, whole process, 1M spans (protobuf)", M, 11.0, "s", 22.6),
    Target("first-query", 'first span[tracetest.span.type="http"], fresh 1M trace', M, 1.5, "s",
           9.7),
    Target("first-attr", "first read of a new attribute, per span (1M)", M, 1.0, "µs", 3.2),
    Target("jsonl-pb", "tracespec run on OTLP JSONL / the same trace as protobuf (1M)", M, 1.3,
           "×", 1.85),
    Target("load-upb", "protobuf load / bare upb parse (1M)", M, 2.0, "×", 2.7),
    Target("rss", "peak RSS of a 1M-span tracespec run", M, 1.4, "KB/span", 2.04),
)


def issue_9(*keys: str) -> list[Target]:
    """The rows of ``ISSUE_9`` with these keys, in the table's order."""
    return [t for t in ISSUE_9 if t.key in keys]


def report(title: str, rows: Sequence[tuple[Target, Mapping[int | None, float]]]) -> None:
    """Print each target with PASS, MISS, or ``----`` when its size was not measured."""
    print(f"\n== {title} ==")
    lines = []
    for target, measured in rows:
        limit = f"≤ {target.show(target.limit, measured=False)}"
        was = f"(was {target.show(target.was, measured=False)})" if target.was is not None else ""
        if target.size in measured:
            value = measured[target.size]
            mark = "PASS" if value <= target.limit else "MISS"
            shown = target.show(value)
        elif measured:
            largest = max(measured, key=lambda s: -1 if s is None else s)
            mark, shown = "----", f"not run ({target.show(measured[largest])} at {largest:,})"
        else:
            mark, shown = "----", "not measured"
        lines.append((mark, target.label, shown, limit, was))
    w_label, w_shown, w_limit = (max(len(line[i]) for line in lines) for i in (1, 2, 3))
    for mark, label, shown, limit, was in lines:
        print(f"  {mark}  {label:<{w_label}}  {shown:>{w_shown}}  {limit:<{w_limit}}  {was}"
              .rstrip())
