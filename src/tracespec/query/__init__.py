"""The span-query engine, language-neutral: the plan every front end compiles to, and its executors.

``plan`` (frozen steps with their own vocabulary), ``evaluate`` (the Python executor: plan ×
trace index → positions) and ``explain`` (the plan in words, reading the executor's
thresholds).  A front end (``tracespec.selectors``) lowers its syntax tree onto ``plan``; a second
front end or a second executor (SQL) is added beside them without touching the first.
"""

from __future__ import annotations

from .counts import Counts
from .evaluate import run
from .explain import explain, explain_run, hints
from .plan import SelectorPlan

__all__ = ["Counts", "SelectorPlan", "explain", "explain_run", "hints", "run"]
