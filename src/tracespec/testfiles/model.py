"""The Tracetest resources tracespec reads, as frozen values that remember where they came from.

``Test``, ``TestSuite``, ``VariableSet`` and ``PollingProfile`` mirror Tracetest's YAML resources
(docs/test-files.md).  Every piece a report may need to point at (a spec, an assertion,
an output) keeps the file and line it was written on, and the dotted field path, so an error
of a run can say "tests/checkout.yaml:14 (spec.specs[1].assertions[0])" rather than only what
went wrong.  Nothing here reads files or runs anything: see ``loader`` and ``runner``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._frozen import FieldsRepr
from ..results import ALL_SPANS

__all__ = [
    "LIVE_TRIGGERS",
    "TRIGGER_TYPES",
    "Output",
    "Place",
    "PollingProfile",
    "Resource",
    "Spec",
    "Test",
    "TestSuite",
    "Trigger",
    "Variable",
    "VariableSet",
]

#: ``trigger.type`` values and the key holding that trigger's settings in a test file.
TRIGGER_TYPES = {
    "http": "httpRequest",
    "grpc": "grpc",
    "traceid": "traceid",
    "kafka": "kafka",
    "graphql": "graphql",
    "playwrightengine": "playwrightEngine",
    "cypress": "",
    "playwright": "",
    "artillery": "",
    "k6": "",
}
#: Trigger types that need a live system (a request to send, a backend to poll).
LIVE_TRIGGERS = frozenset(TRIGGER_TYPES) - {"traceid"}

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@attrs.frozen(repr=False)
class Place(FieldsRepr):
    """Where something was written: file, 1-based line (when known) and dotted field path."""

    path: str
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
        if self.field:
            out += f" ({self.field})"
        return out

    @property
    def file_line(self) -> str:
        """``path:line`` (or just ``path``), as editors and terminals link it."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


@attrs.frozen(repr=False)
class Spec(FieldsRepr):
    """A test spec: a selector and the assertions every selected span must pass."""

    selector: str
    assertions: tuple[str, ...]
    name: str = ""
    place: Place = attrs.field(default=Place("<spec>"), eq=False)
    assertion_places: tuple[Place, ...] = attrs.field(default=(), eq=False)
    selector_place: Place = attrs.field(
        default=attrs.Factory(lambda self: self.place, takes_self=True), eq=False
    )

    @property
    def title(self) -> str:
        """What Tracetest prints for the spec: its name, else its selector, else ``All Spans``."""
        return self.name or self.selector or ALL_SPANS

    def assertion_place(self, index: int) -> Place:
        """Where assertion ``index`` was written (the spec's place when unknown)."""
        if 0 <= index < len(self.assertion_places):
            return self.assertion_places[index]
        return self.place


@attrs.frozen(repr=False)
class Output(FieldsRepr):
    """A test output: ``value`` (an expression) evaluated on the first span ``selector`` picks."""

    name: str
    selector: str
    value: str
    place: Place = attrs.field(default=Place("<output>"), eq=False)


@attrs.frozen(repr=False)
class Trigger(FieldsRepr):
    """How Tracetest starts a test: ``type`` and that type's settings as plain data.

    tracespec runs tests against a trace it is given, so only ``traceid`` has a meaning here
    (which trace of a file to check); the others are kept so nothing of the file is lost.
    """

    type: str
    settings: Mapping[str, Any] = attrs.field(default=_EMPTY, eq=False)
    place: Place = attrs.field(default=Place("<trigger>"), eq=False)

    @property
    def needs_network(self) -> bool:
        """Whether running this trigger needs a live system (everything but ``traceid``)."""
        return self.type.lower() in LIVE_TRIGGERS

    @property
    def trace_id(self) -> str | None:
        """The ``traceid.id`` of a ``traceid`` trigger, as written (may hold ``${var:X}``)."""
        if self.type.lower() != "traceid":
            return None
        value = self.settings.get("id")
        return None if value is None else str(value)


@attrs.frozen(repr=False)
class PollingProfile(FieldsRepr):
    """A polling profile.  Kept for completeness: with a trace at hand there is nothing to poll."""

    name: str = ""
    id: str = ""
    default: bool = False
    strategy: str = "periodic"
    retry_delay: str = "5s"
    timeout: str = "1m"
    selector_match_retries: int = 3
    place: Place = attrs.field(default=Place("<polling profile>"), eq=False)


@attrs.frozen(repr=False)
class Test(FieldsRepr):
    """A ``type: Test`` resource."""

    __test__ = False  # not a pytest test class

    name: str
    specs: tuple[Spec, ...] = ()
    outputs: tuple[Output, ...] = ()
    trigger: Trigger | None = None
    id: str = ""
    description: str = ""
    version: int | None = None
    skip_trace_collection: bool = False
    polling_profile: PollingProfile | str | None = None
    place: Place = attrs.field(default=Place("<test>"), eq=False)
    warnings: tuple[str, ...] = attrs.field(default=(), eq=False)

    @property
    def path(self) -> str:
        """The file the test was read from."""
        return self.place.path


@attrs.frozen(repr=False)
class Variable(FieldsRepr):
    """One entry of a variable set (``type`` is ``raw`` or ``secret``)."""

    key: str
    value: str
    type: str = "raw"


@attrs.frozen(repr=False)
class VariableSet(FieldsRepr):
    """A ``type: VariableSet`` (old name ``Environment``) resource."""

    values: tuple[Variable, ...] = ()
    name: str = ""
    id: str = ""
    description: str = ""
    place: Place = attrs.field(default=Place("<variable set>"), eq=False)
    warnings: tuple[str, ...] = attrs.field(default=(), eq=False)

    def as_dict(self) -> dict[str, str]:
        """Key → value (a later entry with the same key wins)."""
        return {v.key: v.value for v in self.values}


@attrs.frozen(repr=False)
class TestSuite(FieldsRepr):
    """A ``type: TestSuite`` (old name ``Transaction``) resource with its steps resolved.

    ``steps`` are the step tests in order; a step written as a file path is read relative to
    the suite file, a step written as an id names a test given alongside the suite.
    """

    __test__ = False

    name: str
    steps: tuple[Test, ...] = ()
    id: str = ""
    description: str = ""
    place: Place = attrs.field(default=Place("<test suite>"), eq=False)
    warnings: tuple[str, ...] = attrs.field(default=(), eq=False)

    @property
    def path(self) -> str:
        """The file the resource was read from."""
        return self.place.path


Resource = Test | TestSuite | VariableSet | PollingProfile
