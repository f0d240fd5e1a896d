"""The explorer's answers (tracespec.ui.Session), called directly: selections and their parse
errors, explain, suggestions, verdicts, the test it writes (which `tracespec run` passes), a
test file's text run on a trace, and the requests it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracespec
from tests.support.htmlpage import page_data
from tests.support.live import tracespec as run_cli
from tracespec.ui import RequestError, Session

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE = EXAMPLES / "orders-trace.json"


@pytest.fixture(scope="module")
def session() -> Session:
    return Session([tracespec.load_trace(TRACE)])


def _names(session: Session, positions: list[int]) -> list[str]:
    trace = session.trace(0)
    return [trace[p].name for p in positions]


def test_a_selector_selects_the_database_spans(session: Session) -> None:
    got = session.select({"trace": 0, "selector": 'span[tracetest.span.type="database"]'})
    assert _names(session, got["positions"]) == ["SELECT users", "INSERT orders",
                                                 "UPDATE inventory"]


def test_a_selector_that_does_not_parse_gives_its_position(session: Session) -> None:
    got = session.select({"trace": 0, "selector": 'span[name="x"'})
    assert got["error"]["start"] == 13 and got["error"]["column"] == 14
    assert "expected" in got["error"]["message"]


def test_explain_counts_what_each_step_kept(session: Session) -> None:
    got = session.explain({"trace": 0, "selector": 'span[service.name="worker"]'})
    assert got["text"].startswith('selector: span[service.name="worker"]\n')
    assert got["text"].rstrip().endswith("selected: 2 spans of 9")  # the worker's two spans


def test_suggest_names_the_span(session: Session) -> None:
    trace = session.trace(0)
    update = trace.span("a1b2c3d4e5f60009")
    got = session.suggest({"trace": 0, "span": update.position})
    assert got == {"selector": 'span[name="UPDATE inventory"]'}
    with pytest.raises(RequestError):
        session.suggest({"trace": 0, "span": 99})


def test_check_gives_the_verdicts(session: Session) -> None:
    got = session.check({"trace": 0, "selector": 'span[name="UPDATE inventory"]',
                         "assertions": ["attr:db.rows_affected > 0", "attr:db.system = \"x"]})
    spec = got["spec"]
    assert spec["passed"] is False
    rows, broken = spec["assertions"]
    assert rows["results"][0][1:3] == ["0", 1]
    assert broken["error"] and not broken["results"][0][0] >= 0


def test_the_written_test_runs_unchanged_and_passes(session: Session, tmp_path: Path) -> None:
    specs = [{"name": "The inventory update goes to PostgreSQL",
              "selector": 'span[name="UPDATE inventory"]',
              "assertions": ['attr:db.system = "postgresql"', "attr:db.rows_affected = 0"]},
             {"selector": 'span[tracetest.span.type="http"]', "assertions":
              ["attr:http.status_code < 500"]}]
    got = session.test({"trace": 0, "name": "Orders: what I saw", "specs": specs})
    assert got["filename"] == "orders-what-i-saw.yaml"
    path = tmp_path / got["filename"]
    path.write_text(got["yaml"], encoding="utf-8")
    proc = run_cli("run", "-f", str(path), "--trace", str(TRACE))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "The inventory update goes to PostgreSQL" in proc.stdout


def test_a_spec_that_does_not_parse_is_refused(session: Session) -> None:
    with pytest.raises(RequestError, match="spec 1"):
        session.test({"trace": 0, "name": "t", "specs": [
            {"selector": "span[", "assertions": ["attr:a = 1"]}]})
    with pytest.raises(RequestError, match="no spec"):
        session.test({"trace": 0, "name": "t", "specs": []})


def test_a_test_file_text_runs_into_a_report(session: Session) -> None:
    text = (EXAMPLES / "orders-fail.yaml").read_text(encoding="utf-8")
    got = session.run({"trace": 0, "text": text})
    assert got["passed"] is False
    (test,) = page_data(got["html"])["tests"]
    assert [s["passed"] for s in test["specs"]] == [True, False, False]


def test_a_test_text_naming_another_file_opens_nothing(session: Session, tmp_path: Path) -> None:
    text = (EXAMPLES / "orders-pass.yaml").read_text(encoding="utf-8")
    text = text.replace("spec:\n", f"spec:\n  pollingProfile: {tmp_path / 'profile.yaml'}\n", 1)
    got = session.run({"trace": 0, "text": text})
    assert "cannot refer to other files" in got["error"]
    assert "error" in session.run({"trace": 0, "text": "type: TestSuite\nspec: {}\n"})


def test_requests_name_traces_by_number_only(session: Session) -> None:
    for bad in (1, -1, "0", str(TRACE), None, True):
        with pytest.raises(RequestError):
            session.trace(bad)
    with pytest.raises(RequestError):
        session.check({"trace": 0, "selector": "span", "assertions": "attr:a = 1"})


def test_the_listing_names_each_trace(session: Session) -> None:
    (entry,) = session.listing()
    assert entry["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert entry["n"] == 9 and entry["services"] == ["api", "payments", "worker"]
    assert entry["root"] == "POST /api/orders"
