"""What a run of a plan found, part by part: the executor's observer, which explain prints.

``evaluate.run(plan, index, counts)`` fills a :class:`Counts`: for each step the spans of its
region, its first candidates, the size of each seed list and what each check and span test
kept; for each chain and selector the spans it gave.  A run without one records nothing and
pays one ``is None`` test per step and condition, never per span.
"""

from __future__ import annotations

import attrs

from .._frozen import FieldsRepr
from .plan import ChainPlan, SelectorPlan, StepPlan

__all__ = ["Counts", "StepCounts"]


@attrs.define(repr=False)
class StepCounts(FieldsRepr):
    """What one step found on one run: the spans of its region (the whole trace for a first
    step), its first candidates (the driving seed or scan, cut to the region), the size of each
    seed list, and the spans kept after each check and span test (by the ``id`` of the
    condition or test; one the run did not reach, its candidates being gone, is missing)."""

    region: int
    candidates: int = 0
    seeds: dict[int, int] = attrs.Factory(dict)
    kept: dict[int, int] = attrs.Factory(dict)

    @property
    def result(self) -> int:
        """The spans the step kept (before its pick: picks act on the chain's lists)."""
        if not self.candidates:
            return 0
        return min((self.candidates, *self.kept.values()))


class Counts:
    """What the parts of a plan found on one run (``run(plan, index, counts)``), by the ``id``
    of each part; the parts are kept alive with it, so the ids stay theirs."""

    def __init__(self) -> None:
        self.steps: dict[int, StepCounts] = {}
        self.chains: dict[int, int] = {}
        self.selectors: dict[int, int] = {}
        self._parts: list[object] = []

    def step(self, step: StepPlan, region: int) -> StepCounts:
        """A new record for ``step`` (the last run of a step is the one kept)."""
        self._parts.append(step)
        found = self.steps[id(step)] = StepCounts(region)
        return found

    def chain(self, chain: ChainPlan, found: int) -> None:
        """The spans ``chain`` gave (after its picks)."""
        self._parts.append(chain)
        self.chains[id(chain)] = found

    def selector(self, plan: SelectorPlan, found: int) -> None:
        """The spans ``plan`` gave."""
        self._parts.append(plan)
        self.selectors[id(plan)] = found
