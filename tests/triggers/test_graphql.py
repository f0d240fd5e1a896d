"""GraphQL triggers: a POST of the query, variables and operation name as JSON, to a real
GraphQL-like endpoint that answers what it received."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live import free_port
from tracespec.triggers import TriggerError, TriggerResult, fire, prepare

from .servers import Echo, echo_server


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    with echo_server() as server:
        yield server


def send(settings: dict[str, Any], base_dir: str | Path = ".") -> TriggerResult:
    return fire(prepare("graphql", settings, base_dir=base_dir))


def echoed(result: TriggerResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.response.body)["data"]["echo"]
    return data


def test_query_variables_and_operation_name_are_posted(echo: Echo, tmp_path: Path) -> None:
    (tmp_path / "q.graphql").write_text("query Get($id: ID!) { user(id: $id) { name } }",
                                        encoding="utf-8")
    result = send({"url": f"{echo.url}/graphql", "body": {
        "query": "./q.graphql", "variables": {"id": "7", "n": [1, 2]},
        "operationName": "Get"}}, base_dir=tmp_path)
    data = echoed(result)
    assert data["query"] == "query Get($id: ID!) { user(id: $id) { name } }"
    assert data["variables"] == {"id": "7", "n": [1, 2]}
    assert data["operationName"] == "Get"
    assert data["contentType"] == "application/json"
    traceparent = [v for k, v in data["headers"] if k.lower() == "traceparent"]
    assert traceparent == [f"00-{result.trace_id}-{result.span_id}-01"]
    assert result.response.status == 200 and result.type == "graphql"


def test_empty_variables_and_operation_name_are_left_out(echo: Echo) -> None:
    data = echoed(send({"url": f"{echo.url}/graphql", "body": {"query": "{ a }"}}))
    assert data["keys"] == ["query"]


def test_headers_and_auth_are_sent(echo: Echo) -> None:
    data = echoed(send({
        "url": f"{echo.url}/graphql", "body": {"query": "{ a }"},
        "headers": [{"key": "Content-Type", "value": "application/graphql+json"}],
        "auth": {"type": "bearer", "bearer": {"token": "gq"}}}))
    assert data["contentType"] == "application/graphql+json"  # a written one is kept
    assert [v for k, v in data["headers"] if k.lower() == "authorization"] == ["Bearer gq"]


def test_an_error_answer_is_a_response(echo: Echo) -> None:
    response = send({"url": f"{echo.url}/echo", "body": {"query": "{ a }"}}).response
    assert response.status == 200 and json.loads(response.body)["method"] == "POST"


def test_connection_refused() -> None:
    port = free_port()
    with pytest.raises(TriggerError, match=rf"POST http://127.0.0.1:{port}/graphql: cannot "
                                           r"connect: connection refused"):
        send({"url": f"http://127.0.0.1:{port}/graphql", "body": {"query": "{ a }"}})
