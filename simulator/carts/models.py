"""The cart's request body (create-a-cart.md, update-a-cart.md); its lines are checked by `orders.lines`."""
from __future__ import annotations

from pydantic import Field

from simulator import wire
from simulator.orders.lines import PurchaseLineIn


class CartIn(wire.WireModel):
    line_items: list[PurchaseLineIn] = Field(default_factory=list)
    partner_on_record_attestation_accepted: bool | None = None
