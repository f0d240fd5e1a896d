"""A live run from Python with a data store: ``LiveRun(None, profiles, datastore=...)`` given to
``run_test``; the reference's default polling profile; a ``traceid`` trigger read from the
store; a trace that never comes whole."""

from __future__ import annotations

from pathlib import Path

from tests.datastores import backends as b
from tracespec import LiveRun, load_test, run_test
from tracespec.datastores import read_config
from tracespec.testfiles import PollingProfile, load_resource
from tracespec.testfiles.polling import Waiting

TEST = """\
type: Test
spec:
  name: by id
  trigger:
    type: traceid
    traceid:
      id: {trace_id}
  specs:
    - selector: span[name="GET /orders"]
      assertions:
        - attr:http.method = "GET"
        - attr:tracetest.selected_spans.count = 1
    - selector: span[name="child-3"]
      assertions:
        - attr:item.index = 3
"""

POLLING = """\
type: PollingProfile
spec:
  name: quick
  default: true
  strategy: periodic
  periodic:
    retryDelay: 50ms
    timeout: {timeout}
"""


def _test(tmp_path: Path, *, trace_id: str = b.TRACE_ID) -> Path:
    path = tmp_path / "test.yaml"
    path.write_text(TEST.format(trace_id=trace_id), encoding="utf-8")
    return path


def _live(url: str, tmp_path: Path, timeout: str = "20s") -> LiveRun:
    """A live run on the Tempo at ``url`` with a quick default profile."""
    profile = tmp_path / "polling.yaml"
    profile.write_text(POLLING.format(timeout=timeout), encoding="utf-8")
    loaded = load_resource(profile)
    assert isinstance(loaded, PollingProfile)
    return LiveRun(None, (loaded,), datastore=read_config(_tempo(url)))


def _tempo(url: str) -> dict[str, object]:
    return {"type": "tempo", "tempo": {"type": "http", "http": {"url": url}}}


def test_the_reference_default_profile_applies_to_a_data_store(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("type: Test\nspec:\n  name: t\n  trigger:\n    type: traceid\n"
                    "    traceid:\n      id: abc\n", encoding="utf-8")
    test = load_test(path)
    store = read_config(_tempo("http://127.0.0.1:9"))
    assert LiveRun(None, (), datastore=store).waiting(test) == Waiting(5.0, 60.0, 3)
    push = read_config({"type": "otlp"})
    assert LiveRun(None, (), datastore=push).waiting(test) == Waiting(1.0, 60.0, 3)


def test_a_traceid_test_runs_on_the_trace_the_store_holds(tmp_path: Path) -> None:
    data = b.make_trace(5)
    plan = b.Plan([None, b.part(data, 2), data])
    with b.backend(b.tempo_routes, plan) as url:
        result = run_test(_test(tmp_path), _live(url, tmp_path))
    assert result.error is None and result.incomplete is None
    assert result.passed and result.trace_id == b.TRACE_ID


def test_a_selector_that_never_matches_is_given_up_after_the_retries(tmp_path: Path) -> None:
    data = b.make_trace(5)
    plan = b.Plan([b.part(data, 2)])
    with b.backend(b.tempo_routes, plan) as url:
        result = run_test(_test(tmp_path), _live(url, tmp_path, "20s"))
    assert not result.passed and result.error is None and result.incomplete is None
    # the first poll, then a stable count over 1 + selectorMatchRetries (3) more polls
    assert 4 <= plan.asked <= 6  # not polled on until the 20 s timeout


def test_a_trace_still_arriving_at_the_timeout_says_what_was_seen(tmp_path: Path) -> None:
    data = b.make_trace(40)
    plan = b.Plan([b.part(data, n) for n in range(1, 41)])
    with b.backend(b.tempo_routes, plan) as url:
        result = run_test(_test(tmp_path), _live(url, tmp_path, "400ms"))
    assert not result.passed and result.incomplete is not None
    assert "still incomplete after 0.4s" in result.incomplete
    assert "received from shop" in result.incomplete


def test_nothing_in_the_store_names_it(tmp_path: Path) -> None:
    with b.backend(b.tempo_routes, b.Plan([None])) as url:
        result = run_test(_test(tmp_path), _live(url, tmp_path, "300ms"))
    assert result.error is not None
    assert f"the tempo data store at {url}" in result.error


def test_a_prefix_is_no_id_for_a_store(tmp_path: Path) -> None:
    result = run_test(_test(tmp_path, trace_id="0af76519"), _live("http://127.0.0.1:9", tmp_path))
    assert result.error is not None and "whole trace id" in result.error
