"""A small Flask shop, instrumented with OpenTelemetry: the application under test of
test_shop_flask.py (docs/pytest.md)."""

from flask import Flask, jsonify, request
from opentelemetry import trace
from opentelemetry.instrumentation.flask import FlaskInstrumentor

STOCK = {"book": 3, "lamp": 2}

tracer = trace.get_tracer("shop")
app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)


@app.post("/orders")
def place_order():
    order = request.get_json()
    with tracer.start_as_current_span("check stock") as span:
        span.set_attribute("shop.item", order["item"])
        available = STOCK.get(order["item"], 0)
        span.set_attribute("shop.available", available)
    if available < order["quantity"]:
        return jsonify(error="out of stock"), 409
    return jsonify(item=order["item"], quantity=order["quantity"]), 201
