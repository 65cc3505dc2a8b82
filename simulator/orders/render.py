"""Order wire shapes (O1-O7): the Order resource with its line items and links, an order's
provisioning status and activation links."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from simulator import wire
from simulator.catalog.data import SAAS
from simulator.context import Context
from simulator.orders import rules


def line_wire(order: Mapping[str, Any], line: Mapping[str, Any], country: str, done: bool) -> dict[str, Any]:
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


def line_links(order: Mapping[str, Any], line: Mapping[str, Any], country: str, done: bool) -> dict[str, Any]:
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


def order_wire(ctx: Context, order: Mapping[str, Any], country: str) -> dict[str, Any]:
    now = ctx.clock.now()
    done = rules.provisioned(order, now)
    base = f"/customers/{order['customer_id']}/orders/{order['id']}"
    out: dict[str, Any] = {
        "id": order["id"], "alternateId": order["alternate_id"], "referenceCustomerId": order["customer_id"],
        "billingCycle": order["billing_cycle"], "currencyCode": order["currency_code"],
        "currencySymbol": order["currency_symbol"],
        "lineItems": [line_wire(order, ln, country, done) for ln in order["lines"]],
        "creationDate": order["created"], "status": rules.order_status(order, now),
        "transactionType": order["transaction_type"],
    }
    if any(ln.get("pricing") for ln in order["lines"]):
        out["totalPrice"] = float(order["total_price"])
    out["links"] = {"provisioningStatus": wire.link(f"{base}/provisioningstatus"), "self": wire.link(base),
                    "patchOperation": wire.link(base, "PATCH")}
    out["attributes"] = wire.attributes("Order", wire.etag(order["id"], order.get("version", 1)))
    return out


def provisioning_status_wire(order: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    done = rules.provisioned(order, now)
    state = "fulfilled" if done else "unfulfilled"
    return [{"lineItemNumber": ln["line_item_number"], "orderLineItemId": f"{order['id']}:{ln['line_item_number']}",
             "status": state, "quantityProvisioningInformation": [
                 {"quantity": ln["quantity"], "status": "fulfilled" if done else "pending"}],
             "attributes": wire.attributes("OrderLineItemProvisioningStatus")} for ln in order["lines"]]


def activation_links_wire(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"lineItemNumber": ln["line_item_number"],
             "link": wire.link(rules.DUMMY_ACTIVATION.format(ln["subscription_id"]))} for ln in lines]
