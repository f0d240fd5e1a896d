"""Reading Tracetest resource files: every shape the reference accepts, errors with places."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracespec.errors import TestFileError, TestFileNotFoundError
from tracespec.testfiles import (
    PollingProfile,
    Test,
    TestSuite,
    VariableSet,
    load_resource,
    load_suite,
    load_test,
    load_variables,
)
from tracespec.testfiles.datastore_file import load_datastore
from tracespec.testfiles.loader import resource_kind

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(path: Path) -> TestFileError:
    with pytest.raises(TestFileError) as info:
        load_resource(path)
    return info.value


# -- Test --------------------------------------------------------------------------------------


def test_full_test_resource(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          id: abc
          name: Create an order
          description: a description
          version: 3
          skipTraceCollection: true
          trigger:
            type: http
            httpRequest:
              method: POST
              url: http://api/orders
              headers:
                - key: Content-Type
                  value: application/json
          specs:
            - selector: span[name="a"]
              name: first
              assertions:
                - attr:x = 1
                - attr:y contains "z"
            - selector: span[name="b"]
              assertions: ['attr:tracetest.selected_spans.count = 0']
          outputs:
            - name: ORDER_ID
              selector: span[name="a"]
              value: attr:order.id
        """)
    test = load_test(path)
    assert test.name == "Create an order"
    assert test.id == "abc"
    assert test.description == "a description"
    assert test.version == 3
    assert test.skip_trace_collection is True
    assert test.trigger is not None
    assert test.trigger.type == "http"
    assert test.trigger.needs_network
    assert test.trigger.settings["url"] == "http://api/orders"
    assert [s.selector for s in test.specs] == ['span[name="a"]', 'span[name="b"]']
    assert test.specs[0].name == "first"
    assert test.specs[0].assertions == ("attr:x = 1", 'attr:y contains "z"')
    assert test.specs[1].title == 'span[name="b"]'
    assert test.specs[0].title == "first"
    assert [(o.name, o.selector, o.value) for o in test.outputs] == [
        ("ORDER_ID", 'span[name="a"]', "attr:order.id")
    ]
    assert test.warnings == ()


def test_places_of_specs_and_assertions(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: span[name="a"]
              assertions:
                - attr:x = 1
                - attr:y = 2
        """)
    spec = load_test(path).specs[0]
    assert spec.place.line == 5
    assert spec.place.field == "spec.specs[0]"
    assert spec.selector_place.line == 5
    assert spec.selector_place.field == "spec.specs[0].selector"
    assert [p.line for p in spec.assertion_places] == [7, 8]
    assert spec.assertion_place(1).field == "spec.specs[0].assertions[1]"
    assert spec.assertion_place(1).file_line == f"{path}:8"


def test_empty_selector_is_all_spans_and_missing_name_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "my-test.yaml", """
        type: Test
        spec:
          specs:
            - selector: ""
              assertions: ["attr:tracetest.selected_spans.count > 0"]
            - assertions: ["attr:x = 1"]
        """)
    test = load_test(path)
    assert test.name == "my-test"
    assert [s.selector for s in test.specs] == ["", ""]
    assert test.specs[0].title == "All Spans"


def test_duplicate_selectors_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - {selector: 'span[name="a"]', assertions: ["attr:x = 1"]}
            - {selector: 'span[name="a"]', assertions: ["attr:y = 1"]}
        """)
    assert [s.assertions for s in load_test(path).specs] == [("attr:x = 1",), ("attr:y = 1",)]


def test_legacy_selector_object_and_v1_specs(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", json.dumps({
        "type": "Test",
        "spec": {
            "name": "legacy",
            "specs": [
                {"Key": {"query": 'span[name="a"]', "parsedSelector": {}},
                 "Value": {"Name": "one", "Assertions": ["attr:x = 1"]}},
                {"Key": 'span[name="b"]', "Value": {"Assertions": ["attr:y = 2"]}},
            ],
            "outputs": [{"Key": "OUT", "Value": {"selector": 'span[name="a"]',
                                                 "value": "attr:x"}}],
        },
    }, indent="\t"))
    test = load_test(path)
    assert [(s.selector, s.name, s.assertions) for s in test.specs] == [
        ('span[name="a"]', "one", ("attr:x = 1",)),
        ('span[name="b"]', "", ("attr:y = 2",)),
    ]
    assert [(o.name, o.selector, o.value) for o in test.outputs] == [
        ("OUT", 'span[name="a"]', "attr:x")
    ]


def test_v2_spec_with_query_selector(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: {query: 'span[name="a"]'}
              assertions: ["attr:x = 1"]
        """)
    assert load_test(path).specs[0].selector == 'span[name="a"]'


def test_outputs_as_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          outputs:
            A: {selector: 'span[name="a"]', value: attr:x}
            B: {selector: 'span[name="b"]', value: attr:y}
        """)
    assert [o.name for o in load_test(path).outputs] == ["A", "B"]


def test_traceid_trigger_shapes(tmp_path: Path) -> None:
    current = write(tmp_path, "a.yaml", """
        type: Test
        spec:
          name: t
          trigger: {type: traceid, traceid: {id: "${var:TRACE_ID}"}}
        """)
    legacy = write(tmp_path, "b.yaml", """
        type: Test
        spec:
          name: t
          trigger: {triggerType: traceid, traceId: {ID: 4bf92f3577b34da6a3ce929d0e0e4736}}
        """)
    a = load_test(current).trigger
    b = load_test(legacy).trigger
    assert a is not None and b is not None
    assert a.trace_id == "${var:TRACE_ID}"
    assert not a.needs_network
    assert b.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize("kind", ["grpc", "kafka", "graphql", "k6", "cypress", "playwright"])
def test_live_triggers_are_read(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, "t.yaml", f"""
        type: Test
        spec:
          name: t
          trigger: {{type: {kind}}}
        """)
    trigger = load_test(path).trigger
    assert trigger is not None and trigger.type == kind and trigger.needs_network


def test_unknown_fields_warn_with_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: span
              assertion:
                - attr:x = 1
        """)
    test = load_test(path)
    assert test.specs[0].assertions == ()
    assert test.warnings == (f"{path}:6: unknown field spec.specs[0].assertion (ignored)",)


def test_env_subst_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: ${NAME}
          specs:
            - selector: span
              assertions: ['attr:x = "${var:KEEP}"', 'attr:y = "${MISSING}"']
        """)
    plain = load_test(path)
    assert plain.name == "${NAME}"
    assert plain.specs[0].assertions[1] == 'attr:y = "${MISSING}"'
    subst = load_test(path, environ={"NAME": "from env"})
    assert subst.name == "from env"
    assert subst.specs[0].assertions == ('attr:x = "${var:KEEP}"', 'attr:y = ""')


def test_numbers_in_string_fields_keep_their_text(tmp_path: Path) -> None:
    path = write(tmp_path, "v.yaml", """
        type: VariableSet
        spec:
          values:
            - {key: A, value: 0200}
            - {key: B, value: 1.50}
            - {key: C, value: true}
            - {key: D}
        """)
    assert load_variables(path).as_dict() == {"A": "0200", "B": "1.50", "C": "true", "D": ""}


# -- other resources -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["VariableSet", "Environment"])
def test_variable_set_and_its_old_name(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, "v.yaml", f"""
        type: {kind}
        spec:
          id: staging
          name: Staging
          values:
            - key: URL
              value: http://x
            - key: TOKEN
              value: s3cret
              type: secret
            - key: URL
              value: http://y
        """)
    var_set = load_variables(path)
    assert isinstance(var_set, VariableSet)
    assert var_set.name == "Staging"
    assert [v.type for v in var_set.values] == ["raw", "secret", "raw"]
    assert var_set.as_dict() == {"URL": "http://y", "TOKEN": "s3cret"}
    assert resource_kind(path) == "VariableSet"


def test_polling_profile(tmp_path: Path) -> None:
    path = write(tmp_path, "pp.yaml", """
        type: PollingProfile
        spec:
          name: Custom
          default: true
          strategy: periodic
          periodic: {retryDelay: 500ms, timeout: 1m30s, selectorMatchRetries: 5}
        """)
    profile = load_resource(path)
    assert isinstance(profile, PollingProfile)
    assert (profile.retry_delay, profile.timeout, profile.selector_match_retries) == (
        "500ms", "1m30s", 5)
    assert profile.default is True


def test_polling_profile_bad_duration(tmp_path: Path) -> None:
    path = write(tmp_path, "pp.yaml", """
        type: PollingProfile
        spec:
          periodic:
            retryDelay: soon
        """)
    error = load_error(path)
    assert (error.line, error.field) == (4, "spec.periodic.retryDelay")
    assert "not a duration" in error.message


def test_test_polling_profile_file_is_read_relative_to_the_test(tmp_path: Path) -> None:
    write(tmp_path, "profiles/pp.yaml", """
        type: PollingProfile
        spec: {name: fast, periodic: {retryDelay: 1s}}
        """)
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          pollingProfile: ./profiles/pp.yaml
        """)
    profile = load_test(path).polling_profile
    assert isinstance(profile, PollingProfile) and profile.name == "fast"
    by_id = write(tmp_path, "u.yaml", "type: Test\nspec: {name: u, pollingProfile: my-id}\n")
    assert load_test(by_id).polling_profile == "my-id"


@pytest.mark.parametrize("kind", ["TestSuite", "Transaction"])
def test_suite_steps_relative_to_the_suite_file(tmp_path: Path, kind: str) -> None:
    write(tmp_path, "suites/steps/one.yaml", "type: Test\nspec: {name: one}\n")
    write(tmp_path, "suites/two.yaml", "type: Test\nspec: {id: two-id, name: two}\n")
    path = write(tmp_path, "suites/suite.yaml", f"""
        type: {kind}
        spec:
          name: S
          steps:
            - ./steps/one.yaml
            - ./two.yaml
        """)
    suite = load_suite(path)
    assert isinstance(suite, TestSuite)
    assert [s.name for s in suite.steps] == ["one", "two"]
    assert suite.steps[0].path.endswith("one.yaml")


def test_suite_step_by_id_needs_the_test(tmp_path: Path) -> None:
    path = write(tmp_path, "suite.yaml", """
        type: TestSuite
        spec:
          name: S
          steps: [abc]
        """)
    error = load_error(path)
    assert (error.line, error.field) == (4, "spec.steps[0]")
    known = Test(name="by id", id="abc")
    assert load_suite(path, tests={"abc": known}).steps == (known,)


def test_suite_missing_step_file_is_not_found(tmp_path: Path) -> None:
    path = write(tmp_path, "suite.yaml", """
        type: TestSuite
        spec:
          name: S
          steps:
            - ./missing.yaml
        """)
    with pytest.raises(TestFileNotFoundError) as info:
        load_resource(path)
    assert info.value.line == 5
    assert info.value.field == "spec.steps[0]"
    assert "missing.yaml" in str(info.value)


def test_examples_load() -> None:
    passing = load_test(EXAMPLES / "orders-pass.yaml")
    assert passing.name and passing.specs
    suite = load_suite(EXAMPLES / "orders-suite.yaml")
    assert [s.id for s in suite.steps] == ["create-order", "process-order"]
    assert suite.steps[0].outputs[0].name == "ORDER_ID"
    assert load_variables(EXAMPLES / "orders-vars.yaml").as_dict()["TRACE_ID"]
    for path in EXAMPLES.rglob("*.yaml"):
        if resource_kind(path) == "DataStore":  # examples/datastores/: read by load_datastore
            assert load_datastore(path).type, path
            continue
        resource = load_resource(path)
        assert not getattr(resource, "warnings", ()), path


# -- errors ------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TestFileNotFoundError) as info:
        load_test(tmp_path / "nope.yaml")
    assert isinstance(info.value, FileNotFoundError)
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - selector: span[name="a"]
              assertions: [attr:x = 1
            - selector: b
        """)
    error = load_error(path)
    assert error.path == str(path)
    assert error.line == 7
    assert error.message.startswith("invalid YAML")
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("spec: {}\n", 1, "type", "missing 'type'"),
        ("type: Tset\nspec: {}\n", 1, "type", "unknown resource type 'Tset'"),
        ("type: Test\n", 1, "spec", "missing 'spec'"),
        ("type: Test\nspec: [1]\n", 2, "spec", "expected a mapping, got a list"),
        ("type: Test\nspec:\n  name: t\n  specs: {a: 1}\n", 4, "spec.specs",
         "expected a list, got a mapping"),
        ("type: Test\nspec:\n  specs:\n    - selector: a\n      assertions: attr:x = 1\n", 5,
         "spec.specs[0].assertions", "expected a list, got a string"),
        ("type: Test\nspec:\n  specs:\n    - selector: a\n      assertions:\n        - {a: 1}\n",
         6, "spec.specs[0].assertions[0]", "an assertion must be a string, got a mapping"),
        ("type: Test\nspec:\n  specs:\n    - selector: [a]\n", 4, "spec.specs[0].selector",
         "expected a string, got a list"),
        ("type: Test\nspec:\n  trigger: {type: smtp}\n", 3, "spec.trigger.type",
         "unknown trigger type 'smtp'"),
        ("type: Test\nspec:\n  trigger: {url: x}\n", 3, "spec.trigger.type",
         "missing trigger 'type'"),
        ("type: Test\nspec:\n  outputs:\n    - {selector: a, value: attr:x}\n", 4,
         "spec.outputs[0].name", "an output needs a name"),
        ("type: Test\nspec:\n  outputs:\n    - name: X\n      selector: a\n", 4,
         "spec.outputs[0].value", "output 'X' needs a value"),
        ("type: Test\nspec:\n  skipTraceCollection: maybe\n", 3, "spec.skipTraceCollection",
         "expected true or false"),
        ("type: Test\nspec:\n  name: a\n  name: b\n", 4, None, "duplicate key 'name'"),
        ("type: VariableSet\nspec:\n  values:\n    - value: 1\n", 4, "spec.values[0].key",
         "a variable needs a key"),
        ("type: TestSuite\nspec:\n  steps: [./a.yaml, '']\n", 3, "spec.steps[1]", "empty step"),
    ],
)
def test_schema_errors_name_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, message: str
) -> None:
    path = write(tmp_path, "t.yaml", text)
    write(tmp_path, "a.yaml", "type: Test\nspec: {name: a}\n")
    error = load_error(path)
    assert error.path == str(path)
    assert error.line == line
    assert error.field == field
    assert message in error.message
    rendered = str(error)
    assert rendered.startswith(f"{path}:{line}")
    assert "\n" not in rendered


def test_wrong_kind_for_the_loader(tmp_path: Path) -> None:
    path = write(tmp_path, "v.yaml", "type: VariableSet\nspec: {values: []}\n")
    with pytest.raises(TestFileError, match="expected a Test, found a VariableSet"):
        load_test(path)
    with pytest.raises(TestFileError, match="expected a TestSuite"):
        load_suite(path)
    test = write(tmp_path, "t.yaml", "type: Test\nspec: {name: t}\n")
    with pytest.raises(TestFileError, match="expected a VariableSet, found a Test"):
        load_variables(test)


def test_empty_and_non_utf8_files(tmp_path: Path) -> None:
    empty = write(tmp_path, "e.yaml", "")
    assert "empty" in load_error(empty).message
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"type: Test\nspec:\n  name: \xff\xfe\n")
    error = load_error(binary)
    assert (error.line, error.message) == (3, "not UTF-8 text")
    directory = tmp_path / "dir.yaml"
    directory.mkdir()
    assert "directory" in load_error(directory).message


def test_unsafe_tags_construct_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: !!python/object/apply:os.system ["echo pwned"]
        """)
    error = load_error(path)
    assert error.line == 3
    assert "python/object" in error.message


def test_alias_bomb_is_capped(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("type: Test")
    lines.append("spec: {name: *a8}")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "more than" in load_error(path).message


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
        type: Test
        spec:
          name: t
          specs:
            - &base
              selector: span[name="a"]
              assertions: ["attr:x = 1"]
            - <<: *base
              name: copy
        """)
    specs = load_test(path).specs
    assert specs[1].selector == 'span[name="a"]' and specs[1].name == "copy"
    assert specs[1].assertions == specs[0].assertions


# -- fuzz: mutated files fail only with TestFileError, naming the file -----------------------

_SEEDS = sorted(p for p in EXAMPLES.rglob("*.yaml"))


@settings(deadline=None)
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.integers(min_value=0, max_value=8),
            st.sampled_from(["", ":", "-", "[", "]", "{", "}", "\t", "\n", "'", '"', "&a", "*a",
                             "!!python/object ", "<<: ", "  ", "#", "\x00", "\u00e9", "?"]),
        ),
        min_size=1, max_size=4,
    ),
)
def test_mutated_files_raise_only_test_file_errors(
    tmp_path_factory: pytest.TempPathFactory, seed: Path, edits: list[tuple[float, int, str]]
) -> None:
    text = seed.read_text(encoding="utf-8")
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    path = tmp_path_factory.mktemp("fuzz") / seed.name
    path.write_text(text, encoding="utf-8")
    (path.parent / "suite").mkdir()
    for step in (EXAMPLES / "suite").glob("*.yaml"):
        (path.parent / "suite" / step.name).write_text(step.read_text())
    try:
        load_resource(path)
    except TestFileError as exc:
        assert exc.path is not None and exc.path.startswith(str(path.parent))
        assert "\n" not in str(exc)
