"""A partner's ledger: the walk over a period's charges and usage, and the invoices made of it once
the period closes.

The walk reads the period's candidates from the billing calendar (simulator/billing/calendar.py): the
subscriptions that may have lines in it, bucket by bucket, from a cursor (slot, offset in the slot's
bucket, item), so a page of line items costs what it reads, not what the partner holds. An invoice is
made the first time billing is read after its period's invoice moment, from that period's candidates
only, and stored with its index (the slot and offset of each subscription with lines on it): a closed
period's charges never change (every event of it lies before the close), so the stored totals are what
the line items add up to.
"""
from __future__ import annotations

import bisect
import contextvars
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, cast

import simulator.customers.records
from simulator.billing import calendar, charges
from simulator.billing.calendar import AZURE, BILLING, CLASSES, OFFICE, ONE_TIME, USAGE, line_type_of, provider_of  # noqa: F401
from simulator.billing.periods import Period, credit_note_number, from_key, invoice_number, invoiced, period_of
from simulator.billing.records import (
    Invoice,
    InvoiceIndex,
    get_invoice,
    get_invoice_index,
    ledger_state,
    list_invoices,
    save_invoice,
    save_ledger_state,
    update_invoice,
)
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, Market
from simulator.context import Context
from simulator.subscriptions import dates, lifecycle, records
from simulator.usage import rated
from simulator.webhooks import events as webhook_events


@dataclass(frozen=True)
class Line:
    customer: Mapping[str, Any]
    sub: dict[str, Any]
    market: Market
    item: Any                # a charges.Charge, or a usage.rated.UsageRow
    provider: str
    line_type: str

    @property
    def amount(self) -> Decimal:
        return self.item.amount


@dataclass(frozen=True)
class Cursor:
    """Where a walk resumes: a slot of the period's calendar, an offset in its bucket, a line of that
    subscription. (An invoice indexed before the calendar names customer and subscription offsets.)"""
    place: int = 0
    offset: int = 0
    item: int = 0


def market_of(ctx: Context, customer: Mapping[str, Any]) -> Market | None:
    return ctx.catalog.market(simulator.customers.records.customer_country(customer))


def items_of(ctx: Context, sub: dict[str, Any], market: Market, start: datetime, end: datetime,
             now: datetime) -> list[Any]:
    """A subscription's charges made in [start, end), or its usage of those days visible at `now`."""
    if sub["kind"] in (AZURE_PLAN, LEGACY_AZURE):
        first = max(start.date(), dates.at(sub, "created").date())  # type: ignore[union-attr]
        last = (min(end, now) - timedelta(days=1)).date()
        return rated.rated_usage(ctx, sub, first, last, now) if first <= last else []
    return [c for c in charges.charges(ctx, sub, market, now) if start <= c.at < end]


def classes_of(sources: Any) -> set[int]:
    """The calendar classes of some (provider, line type) pairs; None: every class."""
    return {i for i, pair in enumerate(CLASSES) if sources is None or pair in sources}


def walk(ctx: Context, tenant: str, period: Period, now: datetime, cursor: Cursor, wanted: Any = None,
         sources: Any = None, index: Mapping[str, Any] | None = None, keep: Keep | None = None
         ) -> Iterator[tuple[Cursor, Line]]:
    """Every line of the period from `cursor` on, each with the cursor of the line after it.
    `wanted(sub, market)` picks the subscriptions (provider, line type, currency) among those of the
    `sources` classes. `index`, an invoice's, names the subscriptions that have lines, so a page of a
    big invoice reads only subscriptions it shows. `keep(line)` picks the lines of one document of the
    period (its invoice or a credit note: `keep_of`)."""
    if index is not None and "slots" in index:
        records.ensure_calendar(ctx, tenant)  # a store of the calendar's version 1 has its pointers paged first
        classes = classes_of(sources)
        slots = [place for place in index["slots"] if place[0] // calendar.PER_CLASS in classes]
        yield from walk_slots(ctx, tenant, period, now, cursor, wanted, slots, keep)
        return
    if index is not None:
        yield from walk_positions(ctx, tenant, period, now, cursor, wanted, index["positions"], keep)
        return
    records.ensure_calendar(ctx, tenant)
    month = calendar.month_of(period.start)
    last_day = now.day if period.holds(now) else calendar.DAYS
    held: dict[str, Any] = {}
    for slot, offset, pointer in calendar.candidates(ctx, tenant, month, classes_of(sources), last_day,
                                                     cursor.place, cursor.offset):
        found = read(ctx, tenant, pointer, held)
        if found is None:
            continue
        customer, market, sub = found
        if calendar.canonical(calendar.marks_of(sub), calendar.class_of(sub), month, last_day) != slot:
            continue  # read in an earlier bucket of the period, or a pointer its marks no longer name
        first = cursor.item if (slot, offset) == (cursor.place, cursor.offset) else 0
        yield from sub_lines(ctx, customer, market, sub, Cursor(slot, offset, first), period.start, period.end,
                             now, wanted, keep)


def read(ctx: Context, tenant: str, pointer: Mapping[str, Any],
         held: dict[str, Any]) -> tuple[Mapping[str, Any], Market, dict[str, Any]] | None:
    """A pointer's customer (kept in `held` for the next pointers), market and subscription; None when
    the customer or subscription is gone (sandbox customer delete) or the market unknown."""
    customer_id = pointer["c"].lower()
    if held.get("id") != customer_id:
        held.clear()
        customer = simulator.customers.records.get(ctx, tenant, customer_id)
        held.update(id=customer_id, customer=customer, market=customer and market_of(ctx, customer))
    if held["customer"] is None or held["market"] is None:
        return None
    sub = records.get(ctx, tenant, customer_id, pointer["s"])
    return None if sub is None else (held["customer"], held["market"], cast("dict[str, Any]", sub))


def walk_slots(ctx: Context, tenant: str, period: Period, now: datetime, cursor: Cursor, wanted: Any,
               slots: list[list[int]], keep: Keep | None = None) -> Iterator[tuple[Cursor, Line]]:
    month = calendar.month_of(period.start)
    held: dict[str, Any] = {}
    places = slots[bisect.bisect_left(slots, [cursor.place, cursor.offset]):]
    for slot, offset, pointer in calendar.pointers_at(ctx, tenant, month, places):
        found = None if pointer is None else read(ctx, tenant, pointer, held)
        if found is not None:
            first = cursor.item if (slot, offset) == (cursor.place, cursor.offset) else 0
            yield from sub_lines(ctx, *found, Cursor(slot, offset, first), period.start, period.end, now, wanted,
                                 keep)


def walk_positions(ctx: Context, tenant: str, period: Period, now: datetime, cursor: Cursor, wanted: Any,
                   positions: list[list[int]], keep: Keep | None = None) -> Iterator[tuple[Cursor, Line]]:
    """An invoice indexed before the calendar: (customer offset, subscription offset) pairs."""
    at = bisect.bisect_left(positions, [cursor.place, cursor.offset])
    held: tuple[int, Mapping[str, Any]] | None = None
    for c_offset, s_offset in positions[at:]:
        if held is None or held[0] != c_offset:
            found = simulator.customers.records.list_page(ctx, tenant, c_offset, 1)
            if not found:
                return
            held = (c_offset, found[0])
        customer = held[1]
        market = market_of(ctx, customer)
        subs = records.list_for_customer(ctx, tenant, customer["id"], s_offset, 1)
        if market is None or not subs:
            continue
        first = cursor.item if (c_offset, s_offset) == (cursor.place, cursor.offset) else 0
        sub = cast("dict[str, Any]", subs[0])
        yield from sub_lines(ctx, customer, market, sub, Cursor(c_offset, s_offset, first), period.start,
                             period.end, now, wanted, keep)


def walk_all(ctx: Context, tenant: str, period: Period, now: datetime) -> Iterator[Line]:
    """Every line of the period from every subscription of the partner, without the calendar: what
    the calendar's walk must yield (tests compare the two)."""
    for customer in simulator.customers.records.list_all(ctx, tenant):
        market = market_of(ctx, customer)
        if market is None:
            continue
        for sub in records.list_for_customer(ctx, tenant, customer["id"]):
            plain = cast("dict[str, Any]", sub)
            for _, line in sub_lines(ctx, customer, market, plain, Cursor(), period.start, period.end, now, None):
                yield line


# While close_periods closes a run of periods, all at one `now`: each subscription's standing and
# charges at that `now`, worked out once for the whole run rather than once per period (a 100-year
# advance closes 1,200 periods, and a monthly subscription's history grows with each).
_CLOSING: contextvars.ContextVar[dict[str, tuple[dict[str, Any], Charges | None]] | None] = \
    contextvars.ContextVar("closing", default=None)


class Charges:
    """A subscription's charges up to a moment, found by period without going through all of them."""

    def __init__(self, made: list[Any]) -> None:
        self.made = made
        self.moments = [c.at for c in made]
        self.in_order = all(a <= b for a, b in zip(self.moments, self.moments[1:], strict=False))

    def within(self, start: datetime, end: datetime) -> list[Any]:
        """The charges made in [start, end), in the order they were made."""
        if not self.in_order:
            return [c for c in self.made if start <= c.at < end]
        return self.made[bisect.bisect_left(self.moments, start):bisect.bisect_left(self.moments, end)]


def standing_of(ctx: Context, sub: dict[str, Any], market: Market, now: datetime
                ) -> tuple[dict[str, Any], Charges | None]:
    """The subscription at `now` and, but for a usage kind, every charge it made up to `now`."""
    memo = _CLOSING.get()
    key = f"{sub['tenant']}/{sub['customer_id']}/{sub['id']}"
    if memo is not None and key in memo:
        return memo[key]
    standing = dict(lifecycle.current(ctx, cast(records.Subscription, sub), now))
    made = None if standing["kind"] in (AZURE_PLAN, LEGACY_AZURE) else \
        Charges(charges.charges(ctx, standing, market, now))
    if memo is not None:
        memo[key] = (standing, made)
    return standing, made


def sub_lines(ctx: Context, customer: Mapping[str, Any], market: Market, sub: dict[str, Any], here: Cursor,
              start: datetime, end: datetime, now: datetime, wanted: Any, keep: Keep | None = None
              ) -> Iterator[tuple[Cursor, Line]]:
    if not lifecycle.visible(sub, now) or (wanted is not None and not wanted(sub, market)):
        return
    standing, made = standing_of(ctx, sub, market, now)
    items = items_of(ctx, standing, market, start, end, now) if made is None else made.within(start, end)
    for i in range(here.item, len(items)):
        line = Line(customer, standing, market, items[i], provider_of(standing), line_type_of(standing))
        if keep is None or keep(line):
            yield Cursor(here.place, here.offset, i + 1), line


# --- credit notes -------------------------------------------------------------------------
#
# A refund (cancel, seats removed, suspend, transition out: a negative charge) is made when it happens,
# so it falls in the period of that moment. When the cycle it gives back was charged in an earlier
# period whose invoice was already out at the refund, the refund is no line of its own period's invoice:
# at that period's close it goes on a credit note of the earlier invoice (documentType adjustment_note,
# `amendsOf` that invoice, negative totals), one per amended invoice, and the amended invoice lists it
# in `amendments`. A refund of a cycle not yet invoiced (charged in the same period, or in the previous
# one before its invoice moment) stays a negative line of its own period's invoice. Until its period
# closes, a refund is unbilled like any line.

Keep = Callable[[Line], bool]
INVOICE_PART, ADJUSTMENT_NOTE = 1, "adjustment_note"


def credited_period(line: Line) -> Period | None:
    """The earlier, already invoiced period a refund line credits; None for every other line."""
    refunds = getattr(line.item, "refunds", None)
    if refunds is None or line.amount >= 0:
        return None
    original = period_of(refunds)
    return original if original.invoice_at <= line.item.at else None


def keep_of(record: Mapping[str, Any]) -> Keep | None:
    """Which of its period's lines a document holds: an invoice those no credit note takes, a credit
    note the refunds of its amended period; None (every line) for invoices made before credit notes."""
    if not record.get("parts"):
        return None
    amends = record.get("amends_period")
    if amends is not None:
        return lambda line: (found := credited_period(line)) is not None and found.key == amends
    return lambda line: credited_period(line) is None


def amended_invoice(ctx: Context, tenant: str, period: Period, currency: str, recurring: bool) -> Invoice | None:
    """The invoice of `period` in `currency` on the platform (what a credit note amends): found by its
    number, drawn again as at the period's close (a few draws at most: one per clash)."""
    for attempt in range(64):
        found = get_invoice(ctx, tenant, invoice_number(ctx.settings.seed, tenant, period, currency, attempt,
                                                       recurring=recurring))
        if found is None:
            return None
        if found["period"] == period.key and found["currency"] == currency and "document" not in found:
            return found
    return None


def is_credit_note(record: Mapping[str, Any]) -> bool:
    return record.get("document") == ADJUSTMENT_NOTE


# --- invoices -----------------------------------------------------------------------------

def close_periods(ctx: Context, tenant: str, now: datetime) -> None:
    """Make the invoices of every period whose invoice moment has come since the last call, each from
    its own candidates."""
    last = invoiced(now)
    state = ledger_state(ctx, tenant)
    if state["through"] is not None and state["through"] >= last.key:
        return
    first = records.ensure_calendar(ctx, tenant)["first"]
    period = from_key(state["through"]).next() if state["through"] else (
        None if first is None else period_of(calendar.month_start(first)))
    token = _CLOSING.set({})
    try:
        while period is not None and period <= last:
            close_period(ctx, tenant, period, now)
            period = period.next()
    finally:
        _CLOSING.reset(token)
    save_ledger_state(ctx, tenant, {"through": last.key})


def close_period(ctx: Context, tenant: str, period: Period, now: datetime) -> None:
    """The period's invoices, one per currency and platform, with the index of the subscriptions on each:
    the modern platform's charges (onetime provider) on a `OneTime` G-numbered invoice, the legacy
    platform's (office license charges, azure 0145P usage) on a `Recurring` D-numbered one, as the
    invoice examples keep them apart (get-a-collection-of-invoices.md, get-invoiceline-items.md)."""
    Key = tuple[str, bool, str]  # (currency, recurring, the period a credit note amends; "" for the invoice)
    totals: dict[Key, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[Key, int] = defaultdict(int)
    index: dict[Key, list[list[int]]] = defaultdict(list)
    symbols: dict[str, str] = {}
    for after, line in walk(ctx, tenant, period, now, Cursor()):
        credited = credited_period(line)
        key = (line.market.currency, line.provider != ONE_TIME, credited.key if credited else "")
        totals[key][(line.provider, line.line_type)] += line.amount
        counts[key] += 1
        if not index[key] or index[key][-1] != [after.place, after.offset]:
            index[key].append([after.place, after.offset])
        symbols[line.market.currency] = line.market.symbol
    for key, parts in sorted(totals.items(), key=lambda pair: (pair[0][2] != "", pair[0])):
        currency, recurring, amends = key
        header: dict[str, Any] = {
            "tenant": tenant, "period": period.key, "currency": currency, "symbol": symbols[currency],
            "date": period.invoice_at.isoformat(), "lines": counts[key], "total": str(sum(parts.values(), Decimal(0))),
            "details": [{"provider": p, "line_type": t, "total": str(v)} for (p, t), v in sorted(parts.items())],
            "parts": INVOICE_PART}
        if not amends:
            number = unused(ctx, tenant, partial(invoice_number, ctx.settings.seed, tenant, period, currency,
                                                 recurring=recurring))
            save_invoice(ctx, cast(Invoice, {"id": number, **header}), {"slots": index[key]})
            webhook_events.raise_event(ctx, tenant, webhook_events.INVOICE_READY, f"/v1/invoices/{number}",
                                       period.invoice_at)
            continue
        original = amended_invoice(ctx, tenant, from_key(amends), currency, recurring)
        number = unused(ctx, tenant, partial(credit_note_number, ctx.settings.seed, tenant, period, amends, currency,
                                             recurring=recurring))
        save_invoice(ctx, cast(Invoice, {"id": number, **header, "document": ADJUSTMENT_NOTE,
                                         "amends": original["id"] if original else None, "amends_period": amends}),
                     {"slots": index[key]})
        if original is not None:
            original["amendments"] = [*original.get("amendments", []), number]
            update_invoice(ctx, original)


def unused(ctx: Context, tenant: str, draw: Callable[[int], str]) -> str:
    """The first number of `draw(0)`, `draw(1)` ... that no invoice or credit note of the partner has."""
    attempt = 0
    while get_invoice(ctx, tenant, draw(attempt)) is not None:  # two currencies, one number
        attempt += 1
    return draw(attempt)


def invoices(ctx: Context, tenant: str) -> list[Invoice]:
    """The partner's invoices and credit notes, newest first, a period's invoice before its credit notes
    (call `close_periods` first)."""
    return sorted(list_invoices(ctx, tenant), key=lambda i: (i["period"], i["currency"], not is_credit_note(i)),
                  reverse=True)


def amendments_of(ctx: Context, tenant: str, record: Mapping[str, Any]) -> list[Invoice]:
    """The credit notes of an invoice, oldest first: read by their numbers (what the invoice lists)."""
    found = (get_invoice(ctx, tenant, number) for number in record.get("amendments", []))
    return [note for note in found if note is not None]


def invoice(ctx: Context, tenant: str, invoice_id: str) -> Invoice | None:
    """By its number, with or without the `Recurring-`/`OneTime-` prefix of invoice links."""
    prefix, _, number = invoice_id.rpartition("-")
    if prefix and prefix.lower() not in ("onetime", "recurring"):
        return None
    return get_invoice(ctx, tenant, number)


def invoice_index(ctx: Context, tenant: str, number: str) -> InvoiceIndex | None:
    """Where the subscriptions with lines on the invoice are, in walk order: {"slots": [[slot, offset]]}
    (or, indexed before the calendar, {"positions": [[customer offset, subscription offset]]})."""
    return get_invoice_index(ctx, tenant, number)


def period_of_invoice(record: Mapping[str, Any]) -> Period:
    return from_key(record["period"])
