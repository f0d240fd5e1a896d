"""Source texts the plugin's pytester runs write into their temporary projects: applications
under test and their test files (as a user would write them)."""

from __future__ import annotations

#: A Flask application instrumented with the real Flask instrumentation, on the global provider.
FLASK_APP = '''
from flask import Flask, jsonify, request
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor

tracer = trace.get_tracer("shop")
app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)


@app.post("/orders")
def place_order():
    order = request.get_json()
    with tracer.start_as_current_span("check stock") as span:
        span.set_attribute("shop.item", order["item"])
        span.set_attribute("shop.available", 3)
    status = 201 if order["quantity"] <= 3 else 409
    return jsonify(item=order["item"]), status
'''

#: The test of the issue's "Done when": three lines, no conftest.
THREE_LINES = '''
from flask_shop import app
from tracespec.testing import assert_spec


def test_an_order(trace_capture):
    app.test_client().post("/orders", json={"item": "book", "quantity": QUANTITY})
    trace = trace_capture.trace()
    assert_spec(trace, 'span[tracetest.span.type="http"]', "attr:http.status_code = 201")
'''
