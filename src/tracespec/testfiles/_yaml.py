"""Safe YAML (and JSON) reading that remembers where every value was written.

Test files are read with PyYAML's safe loader (its libyaml one, ``CSafeLoader``, when PyYAML has
it: libyaml is the parser Go's YAML package ports, and ten times faster) only as far as its
*composer*: the node tree
keeps each node's line and column, which the plain ``safe_load`` throws away.  We turn that tree
into :class:`Node` values (mapping, sequence or scalar, each with its line) ourselves, so that
no tag can construct a Python object, duplicate keys are an error instead of silently losing one,
and alias bombs are capped: a node written once and named by aliases (or ``<<`` merges) is
converted once and shared, and what the sharing adds to the document's expanded size is counted
(:data:`MAX_EXPANSION`); nesting is bounded (:data:`MAX_DEPTH`) before the recursive composer
can run out of stack.  A syntax error becomes a :class:`TestFileError` naming the file and
line.  JSON files that YAML cannot read (tabs for indentation) fall back to a JSON parser.
PyYAML is imported when the first document is read, not with the package.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._frozen import FieldsRepr
from .._gc import paused as gc_paused
from ..errors import TestFileError

if TYPE_CHECKING:
    import yaml

__all__ = ["MAX_DEPTH", "MAX_EXPANSION", "Node", "parse_document", "substitute_env"]

#: Upper bound on the values aliases and ``<<`` merges add to a document when expanded (the
#: values written out count once each, however many there are).
MAX_EXPANSION = 1_000_000
#: Upper bound on how deeply mappings and lists nest in a document.
MAX_DEPTH = 100

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@attrs.frozen(repr=False)
class Node(FieldsRepr):
    """A YAML value with the place it was written.

    ``kind`` is ``"map"`` (``value``: dict of key → Node, in file order), ``"seq"`` (``value``:
    tuple of Node) or ``"scalar"`` (``value``: str, int, float, bool or None; ``text``: the
    scalar as written, so ``0200`` read as a string field stays ``"0200"``).  ``line`` is 1-based,
    ``None`` for the rare JSON file only a JSON parser could read.
    """

    kind: str
    value: Any
    line: int | None
    text: str = ""
    key_lines: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)

    def items(self) -> Iterator[tuple[str, Node]]:
        """Key/value pairs of a mapping (empty for anything else)."""
        if self.kind == "map":
            yield from self.value.items()

    def key_line(self, key: str) -> int | None:
        """The line a mapping's key was written on (the value may start below it)."""
        return self.key_lines.get(key, self.line)

    def get(self, key: str) -> Node | None:
        """The value of ``key`` in a mapping, or ``None``."""
        if self.kind != "map":
            return None
        result: Node | None = self.value.get(key)
        return result

    def get_folded(self, key: str) -> Node | None:
        """The value of ``key`` matched case-insensitively (Go's JSON decoder does that)."""
        exact = self.get(key)
        if exact is not None or self.kind != "map":
            return exact
        lowered = key.lower()
        for k, v in self.value.items():
            if k.lower() == lowered:
                return v  # type: ignore[no-any-return]
        return None

    @property
    def type_name(self) -> str:
        """What the value is, in words, for error messages."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        if self.value is None:
            return "null"
        if isinstance(self.value, bool):
            return "a boolean"
        if isinstance(self.value, int | float):
            return "a number"
        return "a string"

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars), without places."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value


_ENV_REF = re.compile(r"\$\{(\w+)\}")


def substitute_env(text: str, environ: Mapping[str, str]) -> str:
    """Replace every ``${NAME}`` (word characters only) with ``environ[NAME]`` (or ``""``).

    This is what Tracetest's CLI does to a whole file before reading it; ``${var:X}``
    and ``${env:X}`` contain a colon and are left for the expression language.
    """
    return _ENV_REF.sub(lambda m: environ.get(m.group(1), ""), text)


def parse_document(text: str, path: str) -> Node:
    """Parse one YAML (or JSON) document into a :class:`Node` tree; errors name the line."""
    import yaml

    try:
        with gc_paused(len(text) // 64):  # (a big file is a million small objects)
            root = _compose(text)
    except _TooDeep as exc:
        raise _too_deep(path, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        if _looks_like_json(text):
            if "\t" in text:
                # JSON indented with tabs: YAML forbids tabs there, JSON strings cannot
                # hold raw tabs, so spaces keep every value (and every line) in place.
                return parse_document(text.replace("\t", " "), path)
            return _parse_json(text, path)
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        where = f"column {mark.column + 1}" if mark is not None else ""
        context_mark = exc.context_mark
        if exc.context and context_mark is not None and exc.problem:
            started = f"{exc.context} started on line {context_mark.line + 1}"
            where = f"{where}; {started}" if where else started
        where = f" ({where})" if where else ""
        raise TestFileError(f"invalid YAML: {problem}{where}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise TestFileError(
            f"invalid YAML: character {exc.character!r} is not allowed (column {column})",
            path=path, line=line,
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error is one of the above
        raise TestFileError(f"invalid YAML: {str(exc).splitlines()[0]}", path=path) from None
    if root is None:
        raise TestFileError("the file is empty", path=path, line=1)
    with gc_paused(len(text) // 64):
        return _Converter(path).convert(root, 0)


class _TooDeep(Exception):
    def __init__(self, line: int | None) -> None:
        self.line = line


def _too_deep(path: str, line: int | None) -> TestFileError:
    return TestFileError(
        f"mappings and lists nest more than {MAX_DEPTH} levels deep", path=path, line=line
    )


def _compose(text: str) -> yaml.Node | None:
    """The document's node graph.  With libyaml (PyYAML's C parser, ten times faster on a big
    file), the events are read once to bound the nesting (its composer is recursive C), then
    composed; without it, by PyYAML's Python loader, which counts its depth as it goes."""
    import yaml

    if getattr(yaml, "__with_libyaml__", False):
        depth = 0
        opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, opening):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    raise _TooDeep(event.start_mark.line + 1)
            elif isinstance(event, closing):
                depth -= 1
        loader: Any = yaml.CSafeLoader(text)
    else:  # pragma: no cover - PyYAML built without libyaml
        loader = _loader_class()(text)
    try:
        root: yaml.Node | None = loader.get_single_node()
        return root
    finally:
        loader.dispose()


@functools.cache
def _loader_class() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, counting how deeply its (recursive) composer has gone."""
    import yaml

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH + 1:
                    raise _TooDeep(self.peek_event().start_mark.line + 1)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return Loader


def _looks_like_json(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("{") or stripped.startswith("[")


class _Converter:
    """PyYAML's node graph as a :class:`Node` tree: each node converted once, aliases sharing
    it, what they add to the expanded size counted."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.done: dict[int, tuple[Node, int]] = {}  # id(yaml node) -> (Node, expanded size)
        self.merges: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self.busy: set[int] = set()
        self.expansion = 0

    def error(self, message: str, node: yaml.Node) -> TestFileError:
        return TestFileError(message, path=self.path, line=node.start_mark.line + 1)

    def grow(self, size: int, node: yaml.Node) -> None:
        self.expansion += size
        if self.expansion > MAX_EXPANSION:
            raise self.error(
                f"aliases and merges expand the document by more than {MAX_EXPANSION} values "
                "(alias bomb?)", node,
            )

    def convert(self, node: yaml.Node, depth: int) -> Node:
        return self.sized(node, depth)[0]

    def sized(self, node: yaml.Node, depth: int) -> tuple[Node, int]:
        key = id(node)
        done = self.done.get(key)
        if done is not None:  # an alias: shared, its expanded size counted again
            self.grow(done[1], node)
            return done
        if key in self.busy:
            raise self.error("an alias refers to the value that holds it", node)
        if depth > MAX_DEPTH:
            raise _too_deep(self.path, node.start_mark.line + 1)
        self.busy.add(key)
        result = self.build(node, depth)
        self.busy.discard(key)
        self.done[key] = result
        return result

    def build(self, node: yaml.Node, depth: int) -> tuple[Node, int]:
        import yaml

        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            if node.tag not in (_MAP_TAG, "tag:yaml.org,2002:omap"):
                raise self.error(f"unsupported YAML tag {node.tag}", node)
            out: dict[str, Node] = {}
            key_lines: dict[str, int] = {}
            size = 1
            for key_node, value_node in self.merged_pairs(node, depth):
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error("mapping keys must be plain strings", key_node)
                key = str(key_node.value)
                if key in out:
                    raise self.error(
                        f"duplicate key {key!r} (first written on line {out[key].line})",
                        key_node,
                    )
                out[key], grown = self.sized(value_node, depth + 1)
                size += grown
                key_lines[key] = key_node.start_mark.line + 1
            return Node("map", out, line, key_lines=key_lines), size
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                raise self.error(f"unsupported YAML tag {node.tag}", node)
            items = [self.sized(n, depth + 1) for n in node.value]
            return Node("seq", tuple(n for n, _ in items), line), 1 + sum(k for _, k in items)
        assert isinstance(node, yaml.ScalarNode)
        return Node("scalar", _scalar(node, self.path), line, text=str(node.value)), 1

    def merged_pairs(
        self, node: yaml.MappingNode, depth: int
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key/value node pairs, ``<<`` merge keys expanded: explicit keys win over merged
        ones, and of ``<<: [*a, *b]`` the first mapping holding a key wins (YAML's merge
        rule).  A mapping merged many times is expanded once; the pairs merges add count
        towards the expansion bound."""
        import yaml

        known = self.merges.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise _too_deep(self.path, node.start_mark.line + 1)
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: dict[object, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag != "tag:yaml.org,2002:merge":
                pairs.append((key_node, value_node))
                continue
            is_list = isinstance(value_node, yaml.SequenceNode)
            for src in value_node.value if is_list else [value_node]:
                if not isinstance(src, yaml.MappingNode):
                    raise self.error("a '<<' merge needs a mapping", src)
                if id(src) in self.busy:
                    raise self.error("a '<<' merge refers to the mapping that holds it", src)
                self.busy.add(id(src))
                try:
                    src_pairs = self.merged_pairs(src, depth + 1)
                finally:
                    self.busy.discard(id(src))
                self.grow(len(src_pairs), src)
                for k, v in src_pairs:
                    merged.setdefault(k.value if isinstance(k, yaml.ScalarNode) else id(k), (k, v))
        explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        out = [kv for name, kv in merged.items() if name not in explicit] + pairs
        self.merges[id(node)] = out
        return out


def _scalar(node: yaml.ScalarNode, path: str) -> Any:
    import yaml

    tag = node.tag
    raw = node.value
    if tag == _STR_TAG:
        return raw
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return raw.lower() in ("yes", "true", "on", "y")
    if tag == _INT_TAG:
        try:
            return yaml.SafeLoader.construct_yaml_int(_constructor(), node)
        except (ValueError, yaml.YAMLError):
            return raw
    if tag == _FLOAT_TAG:
        try:
            return yaml.SafeLoader.construct_yaml_float(_constructor(), node)
        except (ValueError, yaml.YAMLError):
            return raw
    # timestamps, binary, custom tags: keep the text as written, never construct objects
    return raw


@functools.cache
def _constructor() -> yaml.SafeLoader:
    """A loader whose number constructors read scalars (never used to construct anything else)."""
    import yaml

    return yaml.SafeLoader("")


def _parse_json(text: str, path: str) -> Node:
    """Read a JSON document (no line numbers inside values, but a line for syntax errors)."""
    try:
        data = json.loads(text, object_pairs_hook=_json_pairs)
    except RecursionError:
        raise _too_deep(path, None) from None
    except json.JSONDecodeError as exc:
        raise TestFileError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", path=path, line=exc.lineno
        ) from None
    except _DuplicateKey as exc:
        raise TestFileError(f"duplicate key {exc.key!r}", path=path) from None
    return _from_plain(data, path)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _from_plain(data: Any, path: str, depth: int = 0) -> Node:
    if isinstance(data, dict | list) and depth >= MAX_DEPTH:
        raise _too_deep(path, None)
    if isinstance(data, dict):
        return Node("map", {str(k): _from_plain(v, path, depth + 1) for k, v in data.items()},
                    None)
    if isinstance(data, list):
        return Node("seq", tuple(_from_plain(v, path, depth + 1) for v in data), None)
    text = "" if data is None else (json.dumps(data) if not isinstance(data, str) else data)
    return Node("scalar", data, None, text=text)
