"""The semantic-convention rename table: both directions, the words a message uses, its source."""

from __future__ import annotations

import re

import pytest

from tracespec.trace import semconv

NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_\-]+)+")


@pytest.mark.parametrize(("old", "new"), [
    ("http.status_code", "http.response.status_code"),
    ("http.method", "http.request.method"),
    ("http.url", "url.full"),
    ("http.target", "url.path"),
    ("db.statement", "db.query.text"),
    ("db.system", "db.system.name"),
    ("net.peer.name", "server.address"),
    ("messaging.operation", "messaging.operation.type"),
    ("rpc.system", "rpc.system.name"),
])
def test_the_renames_the_issue_names_are_in_the_table(old: str, new: str) -> None:
    assert any(r.old == old and r.new == new for r in semconv.RENAMES)
    # both directions: each name finds the rename
    assert [r for r in semconv.renames_of(old) if r.new == new]
    assert [r for r in semconv.renames_of(new) if r.old == old]


def test_the_table_is_well_formed() -> None:
    pairs = [(r.old, r.new) for r in semconv.RENAMES]
    assert len(pairs) == len(set(pairs))
    for rename in semconv.RENAMES:
        assert NAME.fullmatch(rename.old) and NAME.fullmatch(rename.new), rename
        assert rename.old != rename.new
        assert rename.since == "" or re.fullmatch(r"1\.\d+\.\d+", rename.since)
    # only the four families (with the network attributes the HTTP migration renamed)
    assert {r.old.split(".")[0] for r in semconv.RENAMES} == {"db", "http", "messaging",
                                                              "net", "rpc"}
    # the connection-pool metric attributes are not span attributes: left out
    assert not semconv.renames_of("state") and not semconv.renames_of("pool.name")


def test_the_version_is_cited() -> None:
    assert semconv.SEMCONV_VERSION == "1.44.0"
    doc = semconv.__doc__ or ""
    assert "v1.44.0" in doc and "registry-deprecated.yaml" in doc and "migration" in doc


def test_other_names_and_the_words_for_them() -> None:
    (status,) = semconv.renames_of("http.status_code")
    assert status.other("http.status_code") == "http.response.status_code"
    assert status.other("http.response.status_code") == "http.status_code"
    assert semconv.described(status, "http.status_code") == (
        '"http.response.status_code" (its name since semconv v1.21.0)')
    assert semconv.described(status, "http.response.status_code") == (
        '"http.status_code" (its name before semconv v1.21.0)')
    # a rename whose release the changelog does not say is cited by the table's version
    (offset,) = semconv.renames_of("messaging.kafka.message.offset")
    assert offset.since == ""
    assert semconv.described(offset, "messaging.kafka.message.offset") == (
        '"messaging.kafka.offset" (its name in semconv v1.44.0)')
    assert semconv.described(offset, "messaging.kafka.offset") == (
        '"messaging.kafka.message.offset" (its name before semconv v1.44.0)')


def test_a_split_and_a_merge_have_one_row_per_name() -> None:
    assert [r.new for r in semconv.renames_of("http.target")] == ["url.path", "url.query"]
    assert [r.old for r in semconv.renames_of("db.collection.name")] == [
        "db.cassandra.table", "db.cosmosdb.container", "db.mongodb.collection", "db.sql.table"]
    assert semconv.renames_of("http.route") == ()


def _deprecated_in_the_sdks_semconv(family: str) -> dict[str, str]:
    """old name → the note of each deprecated attribute of one family, as the OpenTelemetry
    semantic-conventions package (installed with the SDK) documents it."""
    import ast
    import importlib
    import itertools
    from pathlib import Path

    module = importlib.import_module(f"opentelemetry.semconv._incubating.attributes."
                                     f"{family}_attributes")
    body = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8")).body
    out = {}
    for node, after in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
            note = str(after.value.value).strip()
            if note.startswith("Deprecated: "):
                out[str(node.value.value)] = note.removeprefix("Deprecated: ")
    return out


@pytest.mark.recent_otel  # the package of semconv 1.44.0 is opentelemetry-semantic-conventions 0.6x
@pytest.mark.parametrize("family", ["http", "db", "messaging", "rpc", "net"])
def test_the_table_agrees_with_the_semconv_package_the_sdk_ships(family: str) -> None:
    """Every "Replaced by `X`" of the families, in the package generated from the same release
    (its newest schema is 1.44.0), is a row of the table (the metric-only pool attributes
    aside)."""
    from opentelemetry.semconv.schemas import Schemas

    newest = max((s.value.rsplit("/", 1)[1] for s in Schemas),
                 key=lambda v: tuple(map(int, v.split("."))))
    # a newer release may rename more: the table is then to be read again from it
    assert newest == "1.44.0", f"semantic-conventions package of release {newest}"
    table = {(r.old, r.new) for r in semconv.RENAMES}
    checked = 0
    for old, note in _deprecated_in_the_sdks_semconv(family).items():
        found = re.match(r"Replaced by `([^`]+)`", note)
        if found is None or found.group(1).startswith("db.client.connection."):
            continue
        assert (old, found.group(1)) in table, (old, note)
        checked += 1
    assert checked >= 5
