"""Catalog records: the read-only product catalog loaded from `fixtures/catalog.json` (shared by all tenants).

The fixture holds the wire parts of products, SKUs and availabilities as Partner Center shows
them, plus internal `sim` facts (kind, target views, prices); this module turns it into lookups.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

NCE, AZURE_PLAN, RESERVATION, SAAS = "nce", "azure_plan", "reservation", "saas"
SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION = "software_perpetual", "software_subscription"
LEGACY_LICENSE, LEGACY_AZURE = "legacy_license", "legacy_azure"
NO_DECIMALS = {"JPY", "KRW"}
WHOLE, CENT = Decimal("1"), Decimal("0.01")  # what prices round to
REMEMBERED = 256  # answers derived from the (read-only) catalog kept per market or availability and question


@dataclass(frozen=True)
class Market:
    country: str
    currency: str
    symbol: str
    price_factor: Decimal
    eu_member: bool
    # price() of each amount asked for: the catalog's own amounts, so a bounded set (kept to REMEMBERED)
    _prices: dict[str | Decimal, Decimal] = field(default_factory=dict, init=False, repr=False, compare=False)

    def price(self, usd: str | Decimal) -> Decimal:
        found = self._prices.get(usd)
        if found is None:
            step = WHOLE if self.currency in NO_DECIMALS else CENT
            found = (Decimal(usd) * self.price_factor).quantize(step, rounding=ROUND_HALF_UP)
            if len(self._prices) < REMEMBERED:
                self._prices[usd] = found
        return found


@dataclass
class Availability:
    """The catalog is read-only: what is derived from an availability's terms is derived once (`terms`,
    `durations`, `find_terms`), and handed out as tuples, which no caller can change for the next."""
    wire: dict[str, Any]
    prices: dict[str, str]
    sku: Sku
    # find_terms' and price_usd's answers by (duration, cycle), REMEMBERED of each at most
    _found: dict[tuple[str, str | None], tuple[dict[str, Any], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _usd: dict[tuple[str | None, str], Decimal] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.wire["id"]

    @property
    def segment(self) -> str:
        return self.wire.get("segment", "commercial")

    @functools.cached_property
    def _terms(self) -> tuple[dict[str, Any], ...]:
        return tuple(t for t in self.wire.get("terms") or [] if t.get("duration"))

    def terms(self) -> tuple[dict[str, Any], ...]:
        """The terms it is sold with (those that name a duration)."""
        return self._terms

    @functools.cached_property
    def durations(self) -> tuple[str, ...]:
        """The durations of its terms, in upper case, sorted."""
        return tuple(sorted({t["duration"].upper() for t in self._terms}))

    def find_terms(self, duration: str | None, billing_cycle: str | None = None) -> tuple[dict[str, Any], ...]:
        """The one term lookup: the terms of `duration` (none without one) that bill in `billing_cycle`
        (any cycle when None; a term naming no cycle bills in every one), matched without regard to case."""
        if not duration:
            return ()
        key = (duration.upper(), None if billing_cycle is None else billing_cycle.lower())
        found = self._found.get(key)
        if found is None:
            found = tuple(t for t in self._terms if t["duration"].upper() == key[0] and (
                billing_cycle is None or (t.get("billingCycle") or billing_cycle).lower() == key[1]))
            if len(self._found) < REMEMBERED:
                self._found[key] = found
        return found

    def price_usd(self, duration: str | None, billing_cycle: str) -> Decimal:
        found = self._usd.get((duration, billing_cycle))
        if found is None:
            key = f"{duration or 'none'}/{billing_cycle}"
            if key in self.prices:
                found = Decimal(self.prices[key])
            else:
                same_cycle = [v for k, v in self.prices.items() if k.endswith("/" + billing_cycle)]
                found = Decimal(same_cycle[0] if same_cycle else "0")
            if len(self._usd) < REMEMBERED:
                self._usd[duration, billing_cycle] = found
        return found


@dataclass
class Sku:
    wire: dict[str, Any]
    sim: dict[str, Any]
    product: Product
    availabilities: dict[str, Availability] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.wire["id"]

    @property
    def minimum(self) -> int:
        return int(self.wire.get("minimumQuantity", 1))

    @property
    def maximum(self) -> int:
        return int(self.wire.get("maximumQuantity", 999999999))

    def attribute(self, name: str, default: Any = None) -> Any:
        return (self.wire.get("dynamicAttributes") or {}).get(name, default)


@dataclass
class Product:
    wire: dict[str, Any]
    kind: str
    target_views: tuple[str, ...]
    reservation_scopes: tuple[str, ...]
    skus: dict[str, Sku] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.wire["id"]

    def segments(self) -> set[str]:
        return {a.segment for s in self.skus.values() for a in s.availabilities.values()}


@dataclass(frozen=True)
class Offer:
    """A legacy (pre-catalog) offer, bought by its GUID or MS-AZR id; its cart group is OMS-0."""
    id: str
    name: str
    kind: str
    minimum: int
    maximum: int
    billing_cycles: tuple[str, ...]
    unit_type: str
    is_addon: bool
    addon_offer_ids: tuple[str, ...]
    prices: dict[str, str]
    description: str = ""


class Catalog:
    def __init__(self, data: dict[str, Any]) -> None:
        self.markets = {m["country"].upper(): Market(m["country"].upper(), m["currency"], m["symbol"],
                                                     Decimal(m.get("priceFactor", "1")), bool(m.get("euMember")))
                        for m in data["markets"]}
        self.products: dict[str, Product] = {}
        for entry in data["products"]:
            product = Product(entry["product"], entry["sim"]["kind"], tuple(entry["sim"].get("targetViews", ())),
                              tuple(entry["sim"].get("reservationScopes", ())))
            for sku_entry in entry["skus"]:
                sku = Sku(sku_entry["sku"], sku_entry.get("sim", {}), product)
                for av in sku_entry["availabilities"]:
                    sku.availabilities[av["availability"]["id"].upper()] = Availability(
                        av["availability"], av.get("sim", {}).get("prices", {}), sku)
                product.skus[sku.id.upper()] = sku
            self.products[product.id.upper()] = product
        self.offers = {o["id"].upper(): Offer(o["id"], o["name"], o["kind"], int(o["minimumQuantity"]),
                                              int(o["maximumQuantity"]), tuple(o["billingCycles"]),
                                              o.get("unitType", "Licenses"), bool(o.get("isAddon")),
                                              tuple(a.upper() for a in o.get("addonOfferIds", ())),
                                              dict(o.get("prices", {})), o.get("description", ""))
                       for o in data.get("offers", [])}
        self.rendered = Rendered()  # catalog answers are rendered once (the most recent ones)
        # "product:sku" of every SKU some add-on names as its prerequisite (upper case).
        self.prerequisite_skus = frozenset(x.upper() for p in self.products.values() for s in p.skus.values()
                                           for x in s.attribute("prerequisiteSkus") or [])

    def market(self, country: str | None) -> Market | None:
        return self.markets.get((country or "").upper())

    def product(self, product_id: str) -> Product | None:
        return self.products.get(product_id.upper())

    def sku(self, product_id: str, sku_id: str) -> Sku | None:
        product = self.product(product_id)
        return product.skus.get(sku_id.upper()) if product else None

    def availability(self, product_id: str, sku_id: str, availability_id: str) -> Availability | None:
        sku = self.sku(product_id, sku_id)
        return sku.availabilities.get(availability_id.upper()) if sku else None

    def item(self, catalog_item_id: str) -> Availability | Offer | None:
        """A cart line's catalogItemId: `{productId}:{skuId}:{availabilityId}` or a legacy offer id."""
        parts = catalog_item_id.split(":")
        if len(parts) == 3:
            return self.availability(*parts)
        return self.offers.get(catalog_item_id.upper()) if len(parts) == 1 else None


class Rendered:
    """Rendered catalog answers by key, bounded: at most MOST of them and LARGEST bytes together; the
    least recently used goes first. Keys hold what the answer depends on, some of it as the client
    typed it (a customer id, a `reservationScope` echoed in links), so they are not a closed set."""

    MOST, LARGEST = 1024, 32 * 1024 * 1024

    def __init__(self, most: int = MOST, largest: int = LARGEST) -> None:
        self.most, self.largest = most, largest
        self.items: dict[tuple[Any, ...], bytes] = {}
        self.size = 0

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        found = self.items.pop(key, None)
        if found is not None:
            self.items[key] = found  # now the most recent
        return found

    def put(self, key: tuple[Any, ...], payload: bytes) -> None:
        if len(payload) > self.largest:
            return
        old = self.items.pop(key, None)
        if old is not None:
            self.size -= len(old)
        while self.items and (len(self.items) >= self.most or self.size + len(payload) > self.largest):
            self.size -= len(self.items.pop(next(iter(self.items))))
        self.items[key] = payload
        self.size += len(payload)

    def clear(self) -> None:
        self.items.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self.items)


def fixture_path() -> Path:
    try:
        found = resources.files("pcsim_fixtures") / "catalog.json"
        if found.is_file():
            return Path(str(found))
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "fixtures" / "catalog.json"


def load(path: Path | None = None) -> Catalog:
    return Catalog(json.loads((path or fixture_path()).read_text(encoding="utf-8")))
