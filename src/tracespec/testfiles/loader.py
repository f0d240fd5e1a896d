"""Reading Tracetest resource files (``Test``, ``TestSuite``, ``VariableSet``, ...) into values.

Each file is parsed once into a located node tree (``_yaml``), then read field by field by a
small schema reader that knows the resource shapes of docs/test-files.md, including the
legacy ones the reference still accepts (``Transaction``, ``Environment``, v1 ordered-map specs
and outputs, ``{query: ...}`` selectors, v1/v2 trigger keys).  Every schema error is a
:class:`TestFileError` naming the file, the line and the field; unknown fields are ignored, as
the reference does, but reported as warnings so a typo (``assertion:``) does not go unseen.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._files import open_regular
from ..errors import TestFileError, TestFileNotFoundError
from ._yaml import Node, parse_document, substitute_env
from .model import (
    TRIGGER_TYPES,
    Output,
    Place,
    PollingProfile,
    Resource,
    Spec,
    Test,
    TestSuite,
    Trigger,
    Variable,
    VariableSet,
)

__all__ = [
    "KINDS",
    "is_step_path",
    "load_resource",
    "load_suite",
    "load_test",
    "load_variables",
    "read_text",
    "resource_kind",
]

#: Resource kinds and the legacy names the reference rewrites to them.
KINDS = {
    "test": "Test",
    "testsuite": "TestSuite",
    "transaction": "TestSuite",
    "variableset": "VariableSet",
    "environment": "VariableSet",
    "pollingprofile": "PollingProfile",
    "datastore": "DataStore",
}

_PathLike = str | os.PathLike[str]

# Fields a file exported from a Tracetest server may carry; read-only there, ignored here.
_SERVER_FIELDS = {"createdAt", "summary", "fullSteps", "serverId", "version"}

_GO_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$|^0$")


def read_text(path: _PathLike) -> str:
    """The text of a resource file; a missing file is a :class:`TestFileNotFoundError`."""
    name = os.fspath(path)
    try:
        with open_regular(path) as f:
            data = f.read()
    except FileNotFoundError:
        raise TestFileNotFoundError("file not found", path=name) from None
    except IsADirectoryError:
        raise TestFileError("is a directory, not a test file", path=name) from None
    except OSError as exc:
        raise TestFileError(f"cannot read: {exc.strerror or exc}", path=name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TestFileError("not UTF-8 text", path=name, line=line) from None


def load_resource(
    path: _PathLike,
    *,
    environ: Mapping[str, str] | None = None,
    tests: Mapping[str, Test] | None = None,
) -> Resource:
    """Read any resource file: a Test, a TestSuite (steps loaded), a VariableSet or a
    PollingProfile.

    ``environ``, when given, replaces ``${NAME}`` in the file text first (the reference CLI's
    substitution; the ``--env-subst`` flag, docs/cli.md).  ``tests`` names tests a suite step may
    refer to by id.
    """
    return _load_resource(path, environ, tests or {}, ())


def _load_resource(
    path: _PathLike, environ: Mapping[str, str] | None, tests: Mapping[str, Test],
    chain: tuple[str, ...],
) -> Resource:
    """:func:`load_resource`, ``chain`` naming the files whose references led here."""
    name = os.fspath(path)
    text = read_text(path)
    if environ is not None:
        text = substitute_env(text, environ)
    root = parse_document(text, name)
    return _Reader(name, environ=environ, tests=tests, chain=chain).resource(root)


def resource_kind(path: _PathLike, *, environ: Mapping[str, str] | None = None) -> str:
    """The kind of a resource file (``Test``, ``TestSuite``, ``VariableSet``,
    ``PollingProfile``), legacy names mapped to current ones, without reading the rest."""
    name = os.fspath(path)
    text = read_text(path)
    if environ is not None:
        text = substitute_env(text, environ)
    return _Reader(name, environ=environ, tests={}).kind(parse_document(text, name))


def load_test(path: _PathLike, *, environ: Mapping[str, str] | None = None) -> Test:
    """Read a ``type: Test`` file."""
    resource = load_resource(path, environ=environ)
    if not isinstance(resource, Test):
        raise TestFileError(
            f"expected a Test, found a {_kind_name(resource)}", path=os.fspath(path), line=1,
            field="type",
        )
    return resource


def load_suite(
    path: _PathLike,
    *,
    environ: Mapping[str, str] | None = None,
    tests: Mapping[str, Test] | None = None,
) -> TestSuite:
    """Read a ``type: TestSuite`` (or ``Transaction``) file and the step files it names."""
    resource = load_resource(path, environ=environ, tests=tests)
    if not isinstance(resource, TestSuite):
        raise TestFileError(
            f"expected a TestSuite, found a {_kind_name(resource)}", path=os.fspath(path),
            line=1, field="type",
        )
    return resource


def load_variables(path: _PathLike, *, environ: Mapping[str, str] | None = None) -> VariableSet:
    """Read a ``type: VariableSet`` (or ``Environment``) file."""
    resource = load_resource(path, environ=environ)
    if not isinstance(resource, VariableSet):
        raise TestFileError(
            f"expected a VariableSet, found a {_kind_name(resource)}", path=os.fspath(path),
            line=1, field="type",
        )
    return resource


def is_step_path(step: str) -> bool:
    """Whether a suite step names a file (``./``, ``../``, ``/`` or a YAML/JSON file name)."""
    return step.startswith(("./", "../", "/", ".\\", "..\\")) or step.lower().endswith(
        (".yaml", ".yml", ".json")
    )


def _kind_name(resource: Resource) -> str:
    return type(resource).__name__


class _Reader:
    """Reads one file's node tree into resources; knows the file's name for every error."""

    def __init__(
        self, path: str, *, environ: Mapping[str, str] | None, tests: Mapping[str, Test],
        chain: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.environ = environ
        self.tests = tests
        self.chain = chain  # the files whose references led to this one (outermost first)
        self.warnings: list[str] = []

    def follow(self, target: Path, ref: str, node: Node, field: str) -> Resource:
        """The resource a reference names (a suite's step, a test's polling profile); a
        reference back to a file already being read is a loop, named file by file."""
        here = (*self.chain, os.path.realpath(self.path))
        real = os.path.realpath(target)
        if real in here:
            loop = [os.path.relpath(p) for p in here[here.index(real):]]
            raise self.error(
                f"{ref} refers back to a file being read: {' -> '.join([*loop, loop[0]])}",
                node, field,
            )
        return _load_resource(target, self.environ, self.tests, here)

    # -- errors and small readers ------------------------------------------------------

    def place(self, node: Node | None, field: str) -> Place:
        return Place(self.path, node.line if node is not None else None, field)

    def error(self, message: str, node: Node | None, field: str) -> TestFileError:
        return TestFileError(
            message, path=self.path, line=node.line if node is not None else None, field=field
        )

    def mapping(self, node: Node, field: str) -> Node:
        if node.kind != "map":
            raise self.error(f"expected a mapping, got {node.type_name}", node, field)
        return node

    def sequence(self, node: Node | None, field: str) -> tuple[Node, ...]:
        if node is None or (node.kind == "scalar" and node.value is None):
            return ()
        if node.kind != "seq":
            raise self.error(f"expected a list, got {node.type_name}", node, field)
        return node.value  # type: ignore[no-any-return]

    def string(self, node: Node | None, field: str, *, default: str = "") -> str:
        if node is None or (node.kind == "scalar" and node.value is None):
            return default
        if node.kind != "scalar":
            raise self.error(f"expected a string, got {node.type_name}", node, field)
        if isinstance(node.value, str):
            return node.value
        return node.text  # a number or boolean, as written

    def boolean(self, node: Node | None, field: str) -> bool:
        if node is None or (node.kind == "scalar" and node.value is None):
            return False
        if node.kind == "scalar" and isinstance(node.value, bool):
            return node.value
        if node.kind == "scalar" and isinstance(node.value, str):
            low = node.value.strip().lower()
            if low in ("true", "false"):
                return low == "true"
        raise self.error(f"expected true or false, got {node.type_name}", node, field)

    def integer(self, node: Node | None, field: str) -> int | None:
        if node is None or (node.kind == "scalar" and node.value is None):
            return None
        if node.kind == "scalar" and isinstance(node.value, int) and not isinstance(
            node.value, bool
        ):
            return node.value
        if node.kind == "scalar" and isinstance(node.value, str):
            digits = node.value.strip()
            if digits.isascii() and digits.isdigit():
                if len(digits) > 18:
                    raise self.error("a whole number too large (more than 18 digits)", node, field)
                return int(digits)
        raise self.error(f"expected a whole number, got {node.type_name}", node, field)

    def check_fields(self, node: Node, field: str, known: Iterable[str]) -> None:
        allowed = set(known) | _SERVER_FIELDS
        for key, _value in node.items():
            if key not in allowed:
                line = node.key_line(key)
                where = f"{self.path}:{line}" if line else self.path
                self.warnings.append(
                    f"{where}: unknown field {field + '.' if field else ''}{key} (ignored)"
                )

    # -- resources -----------------------------------------------------------------------

    def kind(self, root: Node) -> str:
        self.mapping(root, "")
        type_node = root.get("type")
        if type_node is None:
            raise self.error(
                "missing 'type' (expected Test, TestSuite, VariableSet or PollingProfile)",
                root, "type",
            )
        kind_text = self.string(type_node, "type")
        kind = KINDS.get(kind_text.strip().lower())
        if kind is None:
            raise self.error(
                f"unknown resource type {kind_text!r} (expected Test, TestSuite, "
                "VariableSet or PollingProfile)", type_node, "type",
            )
        return kind

    def resource(self, root: Node) -> Resource:
        kind = self.kind(root)
        spec = root.get("spec")
        if spec is None:
            raise self.error("missing 'spec'", root, "spec")
        self.mapping(spec, "spec")
        self.check_fields(root, "", ("type", "spec"))
        if kind == "Test":
            return self.test(spec)
        if kind == "TestSuite":
            return self.suite(spec)
        if kind == "VariableSet":
            return self.variable_set(spec)
        if kind == "DataStore":
            raise self.error("is a DataStore, not a test resource (read it with "
                             "load_datastore; tracespec run takes it with --datastore or -f)",
                             root, "type")
        return self.polling_profile(spec)

    def test(self, spec: Node) -> Test:
        self.check_fields(spec, "spec", (
            "id", "name", "description", "version", "skipTraceCollection", "pollingProfile",
            "trigger", "specs", "outputs",
        ))
        name = self.string(spec.get("name"), "spec.name")
        test_id = self.string(spec.get("id"), "spec.id")
        trigger_node = spec.get("trigger")
        trigger = None
        if trigger_node is not None and not (
            trigger_node.kind == "scalar" and trigger_node.value is None
        ):
            trigger = self.trigger(trigger_node)
        polling: PollingProfile | str | None = None
        pp_node = spec.get("pollingProfile")
        if pp_node is not None:
            polling = self.polling_reference(pp_node)
        return Test(
            name=name or test_id or Path(self.path).stem,
            id=test_id,
            description=self.string(spec.get("description"), "spec.description"),
            version=self.integer(spec.get("version"), "spec.version"),
            skip_trace_collection=self.boolean(
                spec.get("skipTraceCollection"), "spec.skipTraceCollection"
            ),
            polling_profile=polling,
            trigger=trigger,
            specs=self.specs(spec.get("specs")),
            outputs=self.outputs(spec.get("outputs")),
            place=self.place(spec, "spec"),
            warnings=tuple(self.warnings),
        )

    def trigger(self, node: Node) -> Trigger:
        field = "spec.trigger"
        self.mapping(node, field)
        type_node = node.get("type") or node.get_folded("triggerType") or node.get_folded("type")
        if type_node is None:
            raise self.error("missing trigger 'type'", node, field + ".type")
        ttype = self.string(type_node, field + ".type").strip()
        key = TRIGGER_TYPES.get(ttype.lower())
        if key is None:
            raise self.error(
                f"unknown trigger type {ttype!r} (expected one of "
                f"{', '.join(sorted(TRIGGER_TYPES))})", type_node, field + ".type",
            )
        settings: Mapping[str, Any] = {}
        if key:
            settings_node = node.get_folded(key)
            if key == "traceid" and settings_node is None:
                settings_node = node.get_folded("traceId")
            if settings_node is not None and settings_node.kind == "map":
                settings = settings_node.plain()
                if key == "traceid":
                    id_node = settings_node.get_folded("id")
                    settings = {"id": self.string(id_node, f"{field}.traceid.id")}
            elif settings_node is not None and not (
                settings_node.kind == "scalar" and settings_node.value is None
            ):
                raise self.error(
                    f"expected a mapping, got {settings_node.type_name}", settings_node,
                    f"{field}.{key}",
                )
        return Trigger(type=ttype.lower(), settings=settings, place=self.place(node, field))

    def polling_reference(self, node: Node) -> PollingProfile | str:
        field = "spec.pollingProfile"
        ref = self.string(node, field).strip()
        if not is_step_path(ref):
            return ref
        target = Path(self.path).parent / ref
        try:
            resource = self.follow(target, ref, node, field)
        except TestFileNotFoundError:
            raise self.error(f"polling profile file {ref} not found", node, field) from None
        if not isinstance(resource, PollingProfile):
            raise self.error(
                f"{ref} is a {_kind_name(resource)}, not a PollingProfile", node, field
            )
        return resource

    def selector(self, node: Node | None, field: str) -> str:
        """A selector: a string, or the legacy ``{query: ..., parsedSelector: ...}``."""
        if node is not None and node.kind == "map":
            return self.string(node.get_folded("query"), field + ".query")
        return self.string(node, field)

    def assertions(
        self, node: Node | None, field: str
    ) -> tuple[tuple[str, ...], tuple[Place, ...]]:
        texts: list[str] = []
        places: list[Place] = []
        for i, item in enumerate(self.sequence(node, field)):
            sub = f"{field}[{i}]"
            if item.kind != "scalar" or item.value is None:
                raise self.error(
                    f"an assertion must be a string, got {item.type_name}", item, sub
                )
            texts.append(item.value if isinstance(item.value, str) else item.text)
            places.append(self.place(item, sub))
        return tuple(texts), tuple(places)

    def specs(self, node: Node | None) -> tuple[Spec, ...]:
        field = "spec.specs"
        items = self.sequence(node, field)
        out: list[Spec] = []
        for i, item in enumerate(items):
            sub = f"{field}[{i}]"
            self.mapping(item, sub)
            key = item.get_folded("Key")
            value = item.get_folded("Value")
            if key is not None and item.get("selector") is None and item.get("assertions") is None:
                # legacy v1: an ordered map serialised as [{"Key": selector, "Value": {...}}]
                selector = self.selector(key, sub + ".Key")
                name = ""
                texts: tuple[str, ...] = ()
                places: tuple[Place, ...] = ()
                if value is not None:
                    self.mapping(value, sub + ".Value")
                    name = self.string(value.get_folded("Name"), sub + ".Value.Name")
                    texts, places = self.assertions(
                        value.get_folded("Assertions"), sub + ".Value.Assertions"
                    )
                out.append(Spec(selector, texts, name, self.place(item, sub), places,
                                self.place(key, sub + ".Key")))
                continue
            self.check_fields(item, sub, ("selector", "name", "assertions", "id"))
            selector_node = item.get_folded("selector")
            selector = self.selector(selector_node, sub + ".selector")
            name = self.string(item.get_folded("name"), sub + ".name")
            texts, places = self.assertions(item.get_folded("assertions"), sub + ".assertions")
            selector_place = self.place(selector_node or item, sub + ".selector")
            out.append(Spec(selector, texts, name, self.place(item, sub), places, selector_place))
        return tuple(out)

    def outputs(self, node: Node | None) -> tuple[Output, ...]:
        field = "spec.outputs"
        if node is not None and node.kind == "map":
            # a mapping NAME: {selector, value} (how the v1 ordered map reads in YAML)
            items: list[tuple[str, Node, str]] = [
                (k, v, f"{field}.{k}") for k, v in node.items()
            ]
            return tuple(self.output_body(n, v, f) for n, v, f in items)
        out: list[Output] = []
        for i, item in enumerate(self.sequence(node, field)):
            sub = f"{field}[{i}]"
            self.mapping(item, sub)
            key = item.get_folded("Key")
            value = item.get_folded("Value")
            if key is not None and value is not None and value.kind == "map":
                out.append(self.output_body(self.string(key, sub + ".Key"), value, sub + ".Value"))
                continue
            self.check_fields(item, sub, ("name", "selector", "value"))
            name_node = item.get_folded("name")
            name = self.string(name_node, sub + ".name")
            if not name:
                raise self.error("an output needs a name", name_node or item, sub + ".name")
            out.append(self.output_body(name, item, sub))
        return tuple(out)

    def output_body(self, name: str, node: Node, field: str) -> Output:
        self.mapping(node, field)
        value_node = node.get_folded("value")
        value = self.string(value_node, field + ".value")
        if not value.strip():
            raise self.error(
                f"output {name!r} needs a value (an expression)", value_node or node,
                field + ".value",
            )
        return Output(
            name=name,
            selector=self.selector(node.get_folded("selector"), field + ".selector"),
            value=value,
            place=self.place(node, field),
        )

    def suite(self, spec: Node) -> TestSuite:
        self.check_fields(spec, "spec", ("id", "name", "description", "steps"))
        steps: list[Test] = []
        base = Path(self.path).parent
        for i, item in enumerate(self.sequence(spec.get("steps"), "spec.steps")):
            field = f"spec.steps[{i}]"
            ref = self.string(item, field).strip()
            if not ref:
                raise self.error("empty step", item, field)
            if is_step_path(ref):
                target = base / ref if not Path(ref).is_absolute() else Path(ref)
                try:
                    step = self.follow(target, ref, item, field)
                except TestFileNotFoundError:
                    raise TestFileNotFoundError(
                        f"step file {ref} not found (looked for {target})",
                        path=self.path, line=item.line, field=field,
                    ) from None
                if not isinstance(step, Test):
                    raise self.error(
                        f"step {ref} is a {_kind_name(step)}, not a Test", item, field
                    )
                steps.append(step)
            else:
                found = self.tests.get(ref)
                if found is None:
                    raise self.error(
                        f"step {ref!r} is not a file path and no test with that id was given "
                        "(write steps as ./file.yaml, or pass the test with -f)", item, field,
                    )
                steps.append(found)
        test_id = self.string(spec.get("id"), "spec.id")
        return TestSuite(
            name=self.string(spec.get("name"), "spec.name") or test_id or Path(self.path).stem,
            id=test_id,
            description=self.string(spec.get("description"), "spec.description"),
            steps=tuple(steps),
            place=self.place(spec, "spec"),
            warnings=tuple(self.warnings),
        )

    def variable_set(self, spec: Node) -> VariableSet:
        self.check_fields(spec, "spec", ("id", "name", "description", "values"))
        values: list[Variable] = []
        for i, item in enumerate(self.sequence(spec.get("values"), "spec.values")):
            field = f"spec.values[{i}]"
            self.mapping(item, field)
            self.check_fields(item, field, ("key", "value", "type"))
            key_node = item.get_folded("key")
            key = self.string(key_node, field + ".key")
            if not key:
                raise self.error("a variable needs a key", key_node or item, field + ".key")
            vtype = self.string(item.get_folded("type"), field + ".type", default="raw")
            values.append(Variable(key, self.string(item.get_folded("value"), field + ".value"),
                                   vtype or "raw"))
        return VariableSet(
            values=tuple(values),
            name=self.string(spec.get("name"), "spec.name"),
            id=self.string(spec.get("id"), "spec.id"),
            description=self.string(spec.get("description"), "spec.description"),
            place=self.place(spec, "spec"),
            warnings=tuple(self.warnings),
        )

    def polling_profile(self, spec: Node) -> PollingProfile:
        self.check_fields(spec, "spec", ("id", "name", "default", "strategy", "periodic"))
        strategy = self.string(spec.get("strategy"), "spec.strategy", default="periodic")
        if strategy.lower() != "periodic":
            raise self.error(
                f"unknown polling strategy {strategy!r} (expected periodic)",
                spec.get("strategy"), "spec.strategy",
            )
        periodic = spec.get("periodic")
        retry_delay, timeout, retries = "5s", "1m", 3
        if periodic is not None:
            self.mapping(periodic, "spec.periodic")
            self.check_fields(
                periodic, "spec.periodic", ("retryDelay", "timeout", "selectorMatchRetries")
            )
            retry_delay = self.duration(periodic.get("retryDelay"), "spec.periodic.retryDelay",
                                        retry_delay)
            timeout = self.duration(periodic.get("timeout"), "spec.periodic.timeout", timeout)
            got = self.integer(
                periodic.get("selectorMatchRetries"), "spec.periodic.selectorMatchRetries"
            )
            retries = retries if got is None else got
        return PollingProfile(
            name=self.string(spec.get("name"), "spec.name"),
            id=self.string(spec.get("id"), "spec.id"),
            default=self.boolean(spec.get("default"), "spec.default"),
            strategy="periodic",
            retry_delay=retry_delay,
            timeout=timeout,
            selector_match_retries=retries,
            place=self.place(spec, "spec"),
        )

    def duration(self, node: Node | None, field: str, default: str) -> str:
        text = self.string(node, field, default=default).strip()
        if not _GO_DURATION.match(text):
            raise self.error(
                f"{text!r} is not a duration (write e.g. 500ms, 5s, 1m30s)", node, field
            )
        return text
