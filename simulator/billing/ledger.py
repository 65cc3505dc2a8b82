"""A partner's ledger: the walk over a window's charges and usage, customer by customer and
subscription by subscription, and the invoices made of it once a period closes.

The walk resumes from a cursor (customer offset, subscription offset, item offset), so a page of
line items costs the same however many customers the partner has. An invoice is made the first
time billing is read after its period's invoice moment, in one pass over the partner's
subscriptions, and stored: a closed period's charges never change (every event of it lies before
the close), so the stored totals are what the line items add up to.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Iterator

from simulator import customers
from simulator.billing import charges as billing
from simulator.billing.periods import Period, from_key, invoice_number, invoiced, period_of
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, Market
from simulator.context import Context
from simulator.subscriptions import records

ONE_TIME, OFFICE, AZURE = "one_time", "office", "azure"
BILLING, USAGE = "billing_line_items", "usage_line_items"
CHUNK = 200  # customers or subscriptions read from the store at a time


def provider_of(sub: dict[str, Any]) -> str:
    return {LEGACY_LICENSE: OFFICE, LEGACY_AZURE: AZURE}.get(sub["kind"], ONE_TIME)


def line_type_of(sub: dict[str, Any]) -> str:
    return USAGE if sub["kind"] in (AZURE_PLAN, LEGACY_AZURE) else BILLING


@dataclass(frozen=True)
class Line:
    customer: dict[str, Any]
    sub: dict[str, Any]
    market: Market
    item: Any                # a billing.Charge, or a usage.rated.UsageRow
    provider: str
    line_type: str

    @property
    def amount(self) -> Decimal:
        return self.item.amount


@dataclass(frozen=True)
class Cursor:
    customer: int = 0
    subscription: int = 0
    item: int = 0

    def token(self) -> str:
        return f"{self.customer}.{self.subscription}.{self.item}"

    @classmethod
    def parse(cls, token: str) -> "Cursor | None":
        parts = token.strip().split(".")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 10 for p in parts):
            return None
        return cls(*map(int, parts))


def market_of(ctx: Context, customer: dict[str, Any]) -> Market | None:
    return ctx.catalog.market(customers.customer_country(customer))


def items_of(ctx: Context, sub: dict[str, Any], market: Market, start: datetime, end: datetime,
             now: datetime) -> list[Any]:
    """A subscription's charges made in [start, end), or its usage of those days visible at `now`."""
    if sub["kind"] in (AZURE_PLAN, LEGACY_AZURE):
        from simulator.usage import rated

        first = max(start.date(), records.at(sub, "created").date())  # type: ignore[union-attr]
        last = (min(end, now) - timedelta(days=1)).date()
        return rated.rated_usage(ctx, sub, first, last, now) if first <= last else []
    return [c for c in billing.charges(ctx, sub, market, now) if start <= c.at < end]


def walk(ctx: Context, tenant: str, start: datetime, end: datetime, now: datetime, cursor: Cursor,
         wanted: Any = None, positions: list[list[int]] | None = None) -> Iterator[tuple[Cursor, Line]]:
    """Every line of [start, end) from `cursor` on, each with the cursor of the line after it.
    `wanted(sub, market)` picks the subscriptions (provider, line type, currency). `positions`, an
    invoice's index, names the (customer, subscription) offsets that have lines, so a page of a big
    invoice reads only subscriptions it shows."""
    if positions is not None:
        yield from walk_index(ctx, tenant, start, end, now, cursor, wanted, positions)
        return
    c_offset = cursor.customer
    s_offset, i_offset = cursor.subscription, cursor.item
    while True:
        batch = ctx.store.scan("customer", (tenant,), c_offset, CHUNK)
        if not batch:
            return
        for customer in batch:
            market = market_of(ctx, customer)
            parent = (tenant, customer["id"].lower())
            while market is not None:
                subs = ctx.store.scan("subscription", parent, s_offset, CHUNK)
                if not subs:
                    break
                for sub in subs:
                    yield from sub_lines(ctx, customer, market, sub, Cursor(c_offset, s_offset, i_offset),
                                         start, end, now, wanted)
                    s_offset, i_offset = s_offset + 1, 0
            c_offset, s_offset, i_offset = c_offset + 1, 0, 0


def walk_index(ctx: Context, tenant: str, start: datetime, end: datetime, now: datetime, cursor: Cursor,
               wanted: Any, positions: list[list[int]]) -> Iterator[tuple[Cursor, Line]]:
    at = bisect.bisect_left(positions, [cursor.customer, cursor.subscription])
    held: tuple[int, dict[str, Any]] | None = None
    for c_offset, s_offset in positions[at:]:
        if held is None or held[0] != c_offset:
            found = ctx.store.scan("customer", (tenant,), c_offset, 1)
            if not found:
                return
            held = (c_offset, found[0])
        customer = held[1]
        market = market_of(ctx, customer)
        subs = ctx.store.scan("subscription", (tenant, customer["id"].lower()), s_offset, 1)
        if market is None or not subs:
            continue
        first = cursor.item if (c_offset, s_offset) == (cursor.customer, cursor.subscription) else 0
        yield from sub_lines(ctx, customer, market, subs[0], Cursor(c_offset, s_offset, first), start, end, now,
                             wanted)


def sub_lines(ctx: Context, customer: dict[str, Any], market: Market, sub: dict[str, Any], here: Cursor,
              start: datetime, end: datetime, now: datetime, wanted: Any) -> Iterator[tuple[Cursor, Line]]:
    if not records.visible(sub, now) or (wanted is not None and not wanted(sub, market)):
        return
    sub = records.current(ctx, sub, now)
    items = items_of(ctx, sub, market, start, end, now)
    for i in range(here.item, len(items)):
        line = Line(customer, sub, market, items[i], provider_of(sub), line_type_of(sub))
        yield Cursor(here.customer, here.subscription, i + 1), line


# --- invoices -----------------------------------------------------------------------------

def billing_key(tenant: str) -> tuple[str, str]:
    return (tenant, "ledger")


def invoice_key(tenant: str, invoice_id: str) -> tuple[str, str]:
    return (tenant, invoice_id.upper())


def close_periods(ctx: Context, tenant: str, now: datetime) -> None:
    """Make the invoices of every period whose invoice moment has come since the last call."""
    last = invoiced(now)
    state = ctx.store.get("ledger", billing_key(tenant)) or {"through": None}
    if state["through"] is not None and state["through"] >= last.key:
        return
    begin = from_key(state["through"]).end if state["through"] else datetime(2000, 1, 1, tzinfo=last.start.tzinfo)
    totals: dict[tuple[str, str], dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    index: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    symbols: dict[str, str] = {}
    for after, line in walk(ctx, tenant, begin, last.end, now, Cursor()):
        at = line.item.at if hasattr(line.item, "at") else datetime(line.item.day.year, line.item.day.month, 1,
                                                                      tzinfo=last.start.tzinfo)
        key = (period_of(at).key, line.market.currency)
        totals[key][(line.provider, line.line_type)] += line.amount
        counts[key] += 1
        if not index[key] or index[key][-1] != [after.customer, after.subscription]:
            index[key].append([after.customer, after.subscription])
        symbols[line.market.currency] = line.market.symbol
    for (period_key, currency), parts in sorted(totals.items()):
        period = from_key(period_key)
        number, attempt = invoice_number(ctx.settings.seed, tenant, period, currency), 0
        while ctx.store.get("invoice", invoice_key(tenant, number)) is not None:  # two currencies, one number
            attempt += 1
            number = invoice_number(ctx.settings.seed, tenant, period, currency, attempt)
        ctx.store.put("invoice", invoice_key(tenant, number), {
            "id": number, "tenant": tenant, "period": period_key, "currency": currency,
            "symbol": symbols[currency], "date": period.invoice_at.isoformat(), "lines": counts[(period_key, currency)],
            "total": str(sum(parts.values(), Decimal(0))),
            "details": [{"provider": p, "line_type": t, "total": str(v)} for (p, t), v in sorted(parts.items())]})
        ctx.store.put("invoice_index", invoice_key(tenant, number), {"positions": index[(period_key, currency)]})
    ctx.store.put("ledger", billing_key(tenant), {"through": last.key})


def invoices(ctx: Context, tenant: str) -> list[dict[str, Any]]:
    """The partner's invoices, newest first (call `close_periods` first)."""
    return sorted(ctx.store.scan("invoice", (tenant,)), key=lambda i: (i["period"], i["currency"]), reverse=True)


def invoice(ctx: Context, tenant: str, invoice_id: str) -> dict[str, Any] | None:
    """By its number, with or without the `Recurring-`/`OneTime-` prefix of invoice links."""
    prefix, _, number = invoice_id.rpartition("-")
    if prefix and prefix.lower() not in ("onetime", "recurring"):
        return None
    return ctx.store.get("invoice", invoice_key(tenant, number))


def positions(ctx: Context, tenant: str, number: str) -> list[list[int]] | None:
    """The (customer, subscription) offsets that have lines on the invoice, in walk order."""
    found = ctx.store.get("invoice_index", invoice_key(tenant, number))
    return None if found is None else found["positions"]


def period_of_invoice(record: dict[str, Any]) -> Period:
    return from_key(record["period"])
