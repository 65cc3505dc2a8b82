"""Order wire rendering and endpoints (O1-O7)."""
from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, wire
from simulator.catalog.data import SAAS
from simulator.context import Context
from simulator.customers.records import country_of
from simulator.orders import lines as purchase
from simulator.orders import rules
from simulator.wire import query


class OrderIn(wire.WireModel):
    id: str | None = None
    reference_customer_id: str | None = None
    billing_cycle: str | None = None
    currency_code: str | None = None
    status: str | None = None
    line_items: list[purchase.PurchaseLineIn] = Field(default_factory=list)


class OrderPatchLineIn(wire.WireModel):
    line_item_number: int
    offer_id: str | None = None


class OrderPatchIn(wire.WireModel):
    id: str | None = None
    status: str | None = None
    billing_cycle: str | None = None
    line_items: list[OrderPatchLineIn] | None = None


# --- wire ---------------------------------------------------------------------------------

def line_wire(ctx: Context, order: dict[str, Any], line: dict[str, Any], country: str, done: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"lineItemNumber": line["line_item_number"], "offerId": line["catalog_item_id"]}
    if done:
        out["subscriptionId"] = line["subscription_id"]
    if line.get("parent_subscription_id"):
        out["parentSubscriptionId"] = line["parent_subscription_id"]
    if line.get("term_duration"):
        out["termDuration"] = line["term_duration"]
    out.update({"transactionType": line["transaction_type"], "friendlyName": line.get("friendly_name") or "",
                "quantity": 0 if line["cancelled"] else line["quantity"]})
    if line.get("partner_id_on_record"):
        out["partnerIdOnRecord"] = line["partner_id_on_record"]
    if line.get("provisioning_context"):
        out["provisioningContext"] = line["provisioning_context"]
    if line.get("renews_to"):
        out["renewsTo"] = {"termDuration": line["renews_to"]}
    if line.get("pricing"):
        out["pricing"] = {k: float(v) for k, v in line["pricing"].items()}
    out["links"] = line_links(order, line, country, done)
    return out


def line_links(order: dict[str, Any], line: dict[str, Any], country: str, done: bool) -> dict[str, Any]:
    cid, links = order["customer_id"], {}
    if line.get("product_id"):
        p, s, a = line["product_id"], line["sku_id"], line["availability_id"]
        links = {"product": wire.link(f"/products/{p}?country={country}"),
                 "sku": wire.link(f"/products/{p}/skus/{s}?country={country}"),
                 "availability": wire.link(f"/products/{p}/skus/{s}/availabilities/{a}?country={country}")}
    if done:
        sub = f"/customers/{cid}/subscriptions/{line['subscription_id']}"
        links["subscription"] = wire.link(sub)
        links["provisioningStatus"] = wire.link(f"{sub}/provisioningstatus")
        if line["kind"] == SAAS:
            links["activationLinks"] = wire.link(
                f"/customers/{cid}/orders/{order['id']}/lineitems/{line['line_item_number']}/activationlinks")
    return links


def order_wire(ctx: Context, order: dict[str, Any], country: str) -> dict[str, Any]:
    now = ctx.clock.now()
    done = rules.provisioned(order, now)
    base = f"/customers/{order['customer_id']}/orders/{order['id']}"
    out: dict[str, Any] = {
        "id": order["id"], "alternateId": order["alternate_id"], "referenceCustomerId": order["customer_id"],
        "billingCycle": order["billing_cycle"], "currencyCode": order["currency_code"],
        "currencySymbol": order["currency_symbol"],
        "lineItems": [line_wire(ctx, order, ln, country, done) for ln in order["lines"]],
        "creationDate": order["created"], "status": rules.order_status(order, now),
        "transactionType": order["transaction_type"],
    }
    if any(ln.get("pricing") for ln in order["lines"]):
        out["totalPrice"] = float(order["total_price"])
    out["links"] = {"provisioningStatus": wire.link(f"{base}/provisioningstatus"), "self": wire.link(base),
                    "patchOperation": wire.link(base, "PATCH")}
    out["attributes"] = wire.attributes("Order", wire.etag(order["id"], order.get("version", 1)))
    return out


# --- endpoints ----------------------------------------------------------------------------

@wire.operation(body=OrderIn)
async def create_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    body = await wire.parse_body(request, OrderIn)
    order = ctx.run(rules.create_order, caller.tenant, cid, body.line_items, body.billing_cycle)
    return wire.respond(order_wire(ctx, order, country_of(ctx, caller.tenant, cid)), 201)


@wire.operation(query=["billingType"])
async def list_orders_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, billing_type = request.path_params["customer_id"], query.text(request, "billingType")
    orders = rules.list_orders(ctx, caller.tenant, cid, billing_type)
    country = country_of(ctx, caller.tenant, cid)
    return wire.respond(wire.collection([order_wire(ctx, o, country) for o in orders],
                                        f"/customers/{cid}/orders" + wire.query_string(billingType=billing_type)))


async def get_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    order = rules.get_order(ctx, caller.tenant, cid, oid)
    return wire.respond(order_wire(ctx, order, country_of(ctx, caller.tenant, cid)))


@wire.operation(body=OrderPatchIn, partial=True)
async def patch_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    body = await wire.parse_body(request, OrderPatchIn)
    if (body.status or "").lower() != "cancelled":
        rules.get_order(ctx, caller.tenant, cid, oid)
        raise errors.NotSimulated("order PATCH other than the sandbox cancel (add-on purchase, billing cycle "
                                  "change) is not simulated yet")
    numbers = [ln.line_item_number for ln in body.line_items] if body.line_items else None
    order = ctx.run(rules.cancel_order, caller.tenant, cid, oid, numbers)
    return wire.respond(order_wire(ctx, order, country_of(ctx, caller.tenant, cid)))


@wire.operation(user_only=True)
async def order_provisioning_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    order = rules.get_order(ctx, caller.tenant, cid, oid)
    return wire.respond(wire.collection(rules.provisioning_status(ctx, order)))


def _line_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise errors.OrderLineItemNotFound(raw) from None


async def line_activation_links_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    order = rules.get_order(ctx, caller.tenant, pp["customer_id"], pp["order_id"])
    number = _line_number(pp["line_item_number"])
    items = rules.activation_links(order, ctx.clock.now(), number)
    return wire.respond(wire.collection(items, f"/customers/{order['customer_id']}/orders/{order['id']}"
                                               f"/lineitems/{number}/activationlinks"))


async def order_activation_links_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    order = rules.get_order(ctx, caller.tenant, pp["customer_id"], pp["order_id"])
    items = rules.activation_links(order, ctx.clock.now())
    return wire.respond(wire.collection(items, f"/customers/{order['customer_id']}/orders/{order['id']}/activationlinks"))


ORDER = "/v1/customers/{customer_id}/orders/{order_id}"
routes = [
    Route("/v1/customers/{customer_id}/orders", create_order_endpoint, methods=["POST"]),
    Route("/v1/customers/{customer_id}/orders", list_orders_endpoint, methods=["GET"]),
    Route(ORDER, get_order_endpoint, methods=["GET"]),
    Route(ORDER, patch_order_endpoint, methods=["PATCH"]),
    Route(ORDER + "/provisioningstatus", order_provisioning_status_endpoint, methods=["GET"]),
    Route(ORDER + "/lineitems/{line_item_number}/activationlinks", line_activation_links_endpoint, methods=["GET"]),
    Route(ORDER + "/activationlinks", order_activation_links_endpoint, methods=["GET"]),
]
