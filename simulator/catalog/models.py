"""The catalog's request body: the inventory check's (check-inventory.md). Only inventory.py imports
it, so the product routes never load pydantic."""
from __future__ import annotations

from pydantic import Field

from simulator import wire


class InventoryTarget(wire.WireModel):
    product_id: str = Field(min_length=1)
    sku_id: str | None = None


class InventoryCheckRequest(wire.WireModel):
    target_items: list[InventoryTarget] = Field(min_length=1)
    inventory_context: dict[str, str] = Field(default_factory=dict)
