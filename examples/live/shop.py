"""A small shop of two web services, for live tracespec runs (examples/live/README.md).

``orders`` takes orders (``POST /orders`` with ``{"sku": ..., "qty": ...}``, ``GET
/orders/<id>``) and asks ``inventory`` (``GET /stock/<sku>``, ``POST /stock/<sku>/reserve``)
whether the items are there.  Nothing here knows about OpenTelemetry: the services are
instrumented from outside by the ``opentelemetry-instrument`` agent, as the OpenTelemetry
documentation shows (``start.py`` starts both that way).

    python shop.py orders|inventory      (ports from ORDERS_PORT / INVENTORY_PORT)
"""

from __future__ import annotations

import itertools
import os
import sys
import threading

import requests
from flask import Flask, abort, jsonify, request

ORDERS_PORT = int(os.environ.get("ORDERS_PORT", "8080"))
INVENTORY_PORT = int(os.environ.get("INVENTORY_PORT", "8081"))
INVENTORY_URL = os.environ.get("INVENTORY_URL", f"http://127.0.0.1:{INVENTORY_PORT}")


def orders_app() -> Flask:
    """The orders service: it places an order when inventory can reserve its items."""
    app = Flask("orders")
    orders: dict[int, dict[str, object]] = {}
    numbers = itertools.count(1)
    lock = threading.Lock()

    @app.post("/orders")
    def place_order():  # type: ignore[no-untyped-def]
        body = request.get_json(silent=True) or {}
        sku, qty = str(body.get("sku", "")), int(body.get("qty", 1))
        stock = requests.get(f"{INVENTORY_URL}/stock/{sku}", timeout=5)
        if stock.status_code == 404:
            return jsonify(error=f"unknown item {sku}"), 404
        reserved = requests.post(f"{INVENTORY_URL}/stock/{sku}/reserve", json={"qty": qty},
                                 timeout=5)
        if reserved.status_code != 200:
            return jsonify(error="out of stock", sku=sku), 409
        with lock:
            number = next(numbers)
            orders[number] = {"id": number, "sku": sku, "qty": qty, "status": "created"}
        return jsonify(orders[number]), 201

    @app.get("/orders/<int:number>")
    def get_order(number: int):  # type: ignore[no-untyped-def]
        if number not in orders:
            abort(404)
        return jsonify(orders[number])

    return app


def inventory_app() -> Flask:
    """The inventory service: a few items, and their stock."""
    app = Flask("inventory")
    stock = {"A-1": 10, "B-2": 0}
    lock = threading.Lock()

    @app.get("/stock/<sku>")
    def get_stock(sku: str):  # type: ignore[no-untyped-def]
        if sku not in stock:
            abort(404)
        return jsonify(sku=sku, available=stock[sku])

    @app.post("/stock/<sku>/reserve")
    def reserve(sku: str):  # type: ignore[no-untyped-def]
        qty = int((request.get_json(silent=True) or {}).get("qty", 1))
        with lock:
            if stock.get(sku, 0) < qty:
                return jsonify(error="not enough", available=stock.get(sku, 0)), 409
            stock[sku] -= qty
            return jsonify(sku=sku, reserved=qty, available=stock[sku])

    return app


def main(argv: list[str]) -> int:
    """Serve one of the services on 127.0.0.1 until interrupted."""
    if len(argv) != 2 or argv[1] not in ("orders", "inventory"):
        print("usage: python shop.py orders|inventory", file=sys.stderr)
        return 2
    if argv[1] == "orders":
        orders_app().run(host="127.0.0.1", port=ORDERS_PORT, threaded=True)
    else:
        inventory_app().run(host="127.0.0.1", port=INVENTORY_PORT, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
