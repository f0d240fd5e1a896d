"""A small FastAPI shop, instrumented with OpenTelemetry: the application under test of
test_shop_fastapi.py (docs/pytest.md).  It sets its own tracer provider (its service name,
an exporter of its own would go there too): the plugin adds its processor to it.  An order is
confirmed by a background task, after the response has gone: that span ends later (the test
waits for it)."""

from fastapi import BackgroundTasks, FastAPI
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel

STOCK = {"book": 3, "lamp": 2}

trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": "shop"})))
tracer = trace.get_tracer("shop")
app = FastAPI()


class Order(BaseModel):
    item: str
    quantity: int


def confirm(order: Order) -> None:
    with tracer.start_as_current_span("send confirmation") as span:
        span.set_attribute("shop.item", order.item)


@app.post("/orders")
def place_order(order: Order, tasks: BackgroundTasks) -> JSONResponse:
    with tracer.start_as_current_span("check stock") as span:
        available = STOCK.get(order.item, 0)
        span.set_attribute("shop.available", available)
    if available < order.quantity:
        return JSONResponse({"error": "out of stock"}, status_code=409)
    tasks.add_task(confirm, order)
    return JSONResponse({"item": order.item, "quantity": order.quantity}, status_code=201)


FastAPIInstrumentor.instrument_app(app)
