"""Which lines a request reads, and the page of them.

A billed invoice's lines are the ledger's walk over its period, in its currency (the invoice is made
of that very walk at close, so its totals are what its lines add up to); a credit note's are the
refunds of that walk that credit the invoice it amends, and the invoice's are the others
(ledger.keep_of). Unbilled `current` is the open
period up to now; unbilled `previous` is the period before it only until its invoice is out (the 2nd of
the month: periods.INVOICE_AFTER), empty afterwards, so billed and unbilled never hold a charge twice.

A page walks from the token's cursor (or skips `offset` lines) and reads one line more than it returns,
to know whether a next page exists: its cost follows the page, not the partner's size.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby, islice
from typing import Any

from simulator import errors
from simulator.billing import ledger, periods
from simulator.billing.ledger import Cursor, Line
from simulator.billing.lineitems.query import USAGE_BASED, Query, Selection, decode_token, encode_token
from simulator.context import Context

Walked = Iterator[tuple[Cursor | None, Line]]


@dataclass(frozen=True)
class Window:
    scope: str               # what a continuation token is bound to
    period: periods.Period
    currency: str | None     # None: nothing to read (another currency than the invoice's, an invoiced period)
    invoice_number: str      # "" while unbilled
    keep: ledger.Keep | None = None  # which of the period's lines the document holds (its invoice, a credit note)


@dataclass(frozen=True)
class Page:
    window: Window
    lines: list[Line]
    token: str | None        # the next page's MS-ContinuationToken (OneTime paging)
    more: bool


@dataclass(frozen=True)
class MeterTotal:
    """A billed MS-AZR-0145P line: one meter's usage of a subscription over the period."""
    detail: int
    meter: Any
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    currency: str
    first: date
    last: date


# --- rules ----------------------------------------------------------------------------------

def get_invoice_line_items(ctx: Context, tenant: str, invoice_id: str, query: Query, *,
                           path_form: bool = False) -> Page:
    """I3/I4: the billed consumption query form needs currencycode and period
    (get-invoice-billed-consumption-lineitems.md); the path form takes the invoice's own."""
    now = ctx.clock.now()
    if query.selection.consumption and not path_form:
        required(query.currency, "currencycode")
        required(query.period, "period")
    return page(ctx, tenant, invoice_window(ctx, tenant, invoice_id, query, now), query, now)


def get_unbilled_line_items(ctx: Context, tenant: str, query: Query) -> Page:
    """I6: currencycode and period are required (get-invoice-unbilled-recon-lineitems.md)."""
    now = ctx.clock.now()
    required(query.currency, "currencycode")
    required(query.period, "period")
    return page(ctx, tenant, unbilled_window(query, now), query, now)


def required(value: str | None, name: str) -> None:
    if value is None:
        raise errors.MissingQueryParameter(name)


# --- windows --------------------------------------------------------------------------------

def invoice_window(ctx: Context, tenant: str, invoice_id: str, query: Query, now: datetime) -> Window:
    ledger.close_periods(ctx, tenant, now)
    record = ledger.invoice(ctx, tenant, invoice_id)
    if record is None:
        raise errors.InvoiceNotFound(invoice_id)
    currency = record["currency"] if query.currency in (None, record["currency"]) else None
    return Window(f"invoice:{record['id']}", ledger.period_of_invoice(record), currency, record["id"],
                  ledger.keep_of(record))


def unbilled_window(query: Query, now: datetime) -> Window:
    period = periods.period_of(now)
    if query.period == "previous":
        period = period.previous()
    still_open = query.period == "current" or now < period.invoice_at
    return Window(f"unbilled:{period.key}", period, query.currency if still_open else None, "")


# --- paging ---------------------------------------------------------------------------------

def page(ctx: Context, tenant: str, window: Window, query: Query, now: datetime) -> Page:
    scope = f"{query.selection.name}:{window.scope}"
    start = decode_token(scope, query.token) if query.token else Cursor()
    skip = 0 if query.token else query.offset
    # Nothing in the simulator earns partner earned credit, so asking for lines with it finds none.
    empty = window.currency is None or (query.earned_credit and query.selection.consumption)
    walked = iter(()) if empty else lines(ctx, tenant, window, query.selection, start, now)
    taken = list(islice(walked, skip, skip + query.size + 1))
    more = len(taken) > query.size
    taken = taken[:query.size]
    cursor = taken[-1][0] if more else None
    return Page(window, [line for _, line in taken], encode_token(scope, cursor) if cursor else None, more)


def lines(ctx: Context, tenant: str, window: Window, selection: Selection, start: Cursor, now: datetime) -> Walked:
    def wanted(sub: dict[str, Any], market: Any) -> bool:
        kind = (ledger.provider_of(sub), ledger.line_type_of(sub))
        return market.currency == window.currency and kind in selection.sources

    index = ledger.invoice_index(ctx, tenant, window.invoice_number) if window.invoice_number else None
    walked = ledger.walk(ctx, tenant, window.period, now, start, wanted, selection.sources, index, window.keep)
    return meter_totals(walked, window.period) if selection.shape == USAGE_BASED else walked


def meter_totals(walked: Walked, period: periods.Period) -> Walked:
    """0145P billing lines: each subscription's usage summed per meter, in the order meters first appear."""
    for _, group in groupby(walked, key=lambda pair: pair[1].sub["id"]):
        by_meter: dict[str, list[Line]] = {}
        for _, line in group:
            by_meter.setdefault(line.item.meter.id, []).append(line)
        for detail, same in enumerate(by_meter.values(), 1):
            rows = [line.item for line in same]
            total = MeterTotal(detail, rows[0].meter, sum((r.quantity for r in rows), Decimal(0)), rows[0].unit_price,
                               sum((r.amount for r in rows), Decimal(0)), rows[0].currency, period.first_day,
                               period.last_day)
            yield None, replace(same[0], item=total)
