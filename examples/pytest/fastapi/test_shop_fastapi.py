"""Trace-based tests of the FastAPI shop, through Starlette's TestClient."""

from fastapi.testclient import TestClient
from shop_fastapi import app

from tracespec.testing import assert_spec

client = TestClient(app)


def test_an_order_is_confirmed_after_the_response(trace_capture):
    response, _ = trace_capture.request(client, "POST", "/orders",
                                        json={"item": "book", "quantity": 1})
    assert response.status_code == 201
    trace = trace_capture.wait_for('span[name="send confirmation"]', timeout=5)
    assert_spec(trace, 'span[name="Tracetest trigger"]', "attr:tracetest.response.status = 201")
    assert_spec(trace, 'span[kind="server"] span[name="send confirmation"]',
                'attr:shop.item = "book"')


def test_too_many_lamps(trace_capture):
    response, trace = trace_capture.request(client, "POST", "/orders",
                                            json={"item": "lamp", "quantity": 5})
    assert response.json() == {"error": "out of stock"}
    assert_spec(trace, 'span[name="check stock"]', "attr:shop.available = 2")
    assert_spec(trace, 'span[service.name="shop" kind="server"]',
                "attr:http.status_code = 409")
