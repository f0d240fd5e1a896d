"""Trace-based tests of the Flask shop: no conftest, the plugin's trace_capture fixture."""

from shop_flask import app

from tracespec.testing import assert_spec


def test_an_order_checks_the_stock(trace_capture):
    app.test_client().post("/orders", json={"item": "book", "quantity": 1})
    trace = trace_capture.trace()
    assert_spec(trace, 'span[name="check stock"]', "attr:shop.available >= 1")


def test_the_response_is_on_the_trigger_span(trace_capture):
    response, trace = trace_capture.request(
        app.test_client(), "POST", "/orders", json={"item": "lamp", "quantity": 5})
    assert response.status_code == 409
    assert_spec(trace, 'span[name="Tracetest trigger"]',
                "attr:tracetest.response.status = 409",
                'attr:tracetest.response.body contains "out of stock"')
    assert_spec(trace, 'span[name="Tracetest trigger"] span[tracetest.span.type="http"]',
                'attr:kind = "server"', "attr:http.status_code = 409")
