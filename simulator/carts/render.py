"""The cart's wire shapes: the cart with its lines (cart-resources.md) and the checkout result
(checkout-a-cart.md), whose orders render as the order endpoints render them."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulator import wire
from simulator.context import Context
from simulator.orders.records import Order
from simulator.orders.render import order_wire

LINE_FIELDS = (("friendly_name", "friendlyName"), ("quantity", "quantity"), ("currency_code", "currencyCode"),
               ("billing_cycle", "billingCycle"), ("term_duration", "termDuration"),
               ("participants", "participants"), ("provisioning_context", "provisioningContext"),
               ("custom_term_end_date", "customTermEndDate"), ("promotion_id", "promotionId"),
               ("attestation_accepted", "attestationAccepted"), ("order_group", "orderGroup"))


def cart_line_wire(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record["id"], "catalogItemId": record["catalog_item_id"]}
    for name, key in LINE_FIELDS:
        if record.get(name) is not None:
            out[key] = record[name]
    if record.get("renews_to"):
        out["renewsTo"] = {"termDuration": record["renews_to"]}
    if record.get("addon_items"):
        out["addonItems"] = [cart_line_wire(a) for a in record["addon_items"]]
    if record.get("pricing"):
        out["pricing"] = {k: float(v) for k, v in record["pricing"].items()}
    if record.get("error"):
        out["error"] = record["error"]
    return out


def cart_wire(cart: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": cart["id"], "creationTimestamp": cart["created"],
                           "lastModifiedTimestamp": cart["modified"], "expirationTimestamp": cart["expires"],
                           "lastModifiedUser": cart["modified_user"], "status": cart["status"],
                           "lineItems": [cart_line_wire(r) for r in cart["lines"]]}
    if cart.get("attested") is not None:
        out["partnerOnRecordAttestationAccepted"] = cart["attested"]
    out["links"] = {"self": wire.link(f"/customers/{cart['customer_id']}/carts/{cart['id']}")}
    out["attributes"] = wire.attributes("Cart")
    return out


def checkout_wire(ctx: Context, placed: Sequence[Order], country: str,
                  order_errors: list[dict[str, Any]]) -> dict[str, Any]:
    """`ctx` gives the orders their status at the clock's time (no store read)."""
    return {"orders": [order_wire(ctx, dict(o), country) for o in placed], "orderErrors": order_errors,
            "attributes": wire.attributes("CartCheckoutResult")}
