"""The one owner of billing's stored kinds, all filed per partner (tenant):

* `ledger`: how far periods were invoiced ({"through": a period key}), under (tenant, "ledger");
* `invoice` and `invoice_index` (where the subscriptions with lines on an invoice are), under
  (tenant, invoice number in its canonical case);
* `billing_marks` (the calendar's pointers to subscriptions: per bucket, a list filed in pages of PAGE
  pointers under (tenant, bucket, page number)) and `billing_calendar` (its state), see
  billing/calendar.py. A pointer keeps its offset in its bucket for good (an invoice's index names
  pointers by bucket and offset); the subscription owner keeps, in each record, where its pointers are
  (`Placed`), so a write rewrites a pointer in place, and only when it changed. Version 1 of the calendar
  filed one `billing_mark` document per pointer: some 100,000 small documents at 10,000 customers, where
  the store spends far more per document than on its JSON (issue 13: RSS at scale); `convert_marks`
  turns them into pages once, each pointer at its offset.

Billing holds nothing per customer: a deleted customer's pointers stay (a bucket's offsets must stay
valid) and are read as gone, and closed invoices are history. So there is no `drop_customer` here.
"""
from __future__ import annotations

from typing import Any, NotRequired, TypedDict, cast

from simulator import ids
from simulator.context import Context

LEDGER, INVOICE, INVOICE_INDEX = "ledger", "invoice", "invoice_index"
MARK, STATE = "billing_marks", "billing_calendar"
OLD_MARK = "billing_mark"     # version 1: (tenant, bucket, subscription id) -> a pointer
PAGE = 100                    # pointers per page of a bucket
CALENDAR_VERSION = 2


class LedgerState(TypedDict):
    through: str | None       # the last period invoiced


class Invoice(TypedDict):
    id: str
    tenant: str
    period: str
    currency: str
    symbol: str
    date: str
    lines: int
    total: str
    details: list[dict[str, Any]]
    parts: NotRequired[int]           # 1: the period's refunds of invoiced cycles are on credit notes, not here
    document: NotRequired[str]        # a credit note's documentType (adjustment_note); absent: an invoice
    amends: NotRequired[str | None]   # a credit note's: the invoice it amends
    amends_period: NotRequired[str]   # a credit note's: that invoice's period (its lines credit that period)
    amendments: NotRequired[list[str]]  # an invoice's: its credit notes' numbers, oldest first


class InvoiceIndex(TypedDict, total=False):
    slots: list[list[int]]       # [calendar slot, offset in its bucket], in walk order
    positions: list[list[int]]   # indexed before the calendar: [customer offset, subscription offset]


class Mark(TypedDict, total=False):
    c: str                    # the customer id
    s: str                    # the subscription id
    f: int                    # a rule's first month
    l: int | None             # a rule's last month  # noqa: E741


class CalendarState(TypedDict, total=False):
    first: int | None         # the first month marked
    version: int              # CALENDAR_VERSION; absent: version 1 (one document per pointer)


# Where a subscription's pointers are: bucket -> [offset, first, last] (first and last as in its Mark, None
# for a month bucket's pointer), kept in the subscription's record by its owner.
Placed = dict[str, list[Any]]


# --- the ledger and invoices ---------------------------------------------------------------------

def ledger_state(ctx: Context, tenant: str) -> LedgerState:
    found = ctx.store.get(LEDGER, (tenant, "ledger"))
    return cast(LedgerState, found) if found is not None else {"through": None}


def save_ledger_state(ctx: Context, tenant: str, state: LedgerState) -> None:
    ctx.store.put(LEDGER, (tenant, "ledger"), dict(state))


def invoice_key(tenant: str, number: str) -> tuple[str, str]:
    return (tenant, ids.key(number))


def _get(ctx: Context, kind: str, tenant: str, number: str) -> Any:
    found = ctx.store.get(kind, invoice_key(tenant, number))
    if found is None and number.upper() != ids.key(number):  # filed in upper case before ids had one key
        found = ctx.store.get(kind, (tenant, number.upper()))
    return found


def get_invoice(ctx: Context, tenant: str, number: str) -> Invoice | None:
    return cast("Invoice | None", _get(ctx, INVOICE, tenant, number))


def get_invoice_index(ctx: Context, tenant: str, number: str) -> InvoiceIndex | None:
    return cast("InvoiceIndex | None", _get(ctx, INVOICE_INDEX, tenant, number))


def list_invoices(ctx: Context, tenant: str) -> list[Invoice]:
    return cast("list[Invoice]", ctx.store.scan(INVOICE, (tenant,)))


def save_invoice(ctx: Context, invoice: Invoice, index: InvoiceIndex) -> None:
    key = invoice_key(invoice["tenant"], invoice["id"])
    ctx.store.put(INVOICE, key, dict(invoice))
    ctx.store.put(INVOICE_INDEX, key, dict(index))


def update_invoice(ctx: Context, invoice: Invoice) -> None:
    """An invoice's header again (its `amendments`), its index unchanged."""
    ctx.store.put(INVOICE, invoice_key(invoice["tenant"], invoice["id"]), dict(invoice))


# --- the calendar's pointers and state -------------------------------------------------------------

def _entry(mark: Mark) -> list[Any]:
    """A pointer as stored: [customer, subscription] or, for a rule's, [customer, subscription, first, last]."""
    return [mark["c"], mark["s"], mark["f"], mark.get("l")] if "f" in mark else [mark["c"], mark["s"]]


def _mark(entry: list[Any]) -> Mark:
    return {"c": entry[0], "s": entry[1], "f": entry[2], "l": entry[3]} if len(entry) > 2 else \
        {"c": entry[0], "s": entry[1]}


def _page(ctx: Context, tenant: str, bucket: str, number: int) -> list[list[Any]]:
    found = ctx.store.get(MARK, (tenant, bucket, str(number)))
    return list(found["m"]) if found is not None else []


def marks(ctx: Context, tenant: str, bucket: str, offset: int, limit: int) -> list[Mark]:
    """`limit` pointers of a bucket from `offset`, in the order they were first put (reading only the
    pages that hold them)."""
    found: list[list[Any]] = []
    number = offset // PAGE
    while len(found) < limit + offset % PAGE:
        page = _page(ctx, tenant, bucket, number)
        found.extend(page)
        if len(page) < PAGE:
            break
        number += 1
    return [_mark(entry) for entry in found[offset % PAGE:offset % PAGE + limit]]


def put_mark(ctx: Context, tenant: str, bucket: str, mark: Mark, at: int | None) -> int:
    """Puts a subscription's pointer in a bucket: at its offset `at` when it has one there (offsets stay
    valid), else after the last; its offset."""
    entry = _entry(mark)
    if at is not None:
        page = _page(ctx, tenant, bucket, at // PAGE)
        if at % PAGE < len(page):
            page[at % PAGE] = entry
            ctx.store.put(MARK, (tenant, bucket, str(at // PAGE)), {"m": page})
            return at
    pages = ctx.store.count(MARK, (tenant, bucket))
    last = _page(ctx, tenant, bucket, pages - 1) if pages else []
    if pages == 0 or len(last) >= PAGE:
        pages, last = pages + 1, []
    last.append(entry)
    ctx.store.put(MARK, (tenant, bucket, str(pages - 1)), {"m": last})
    return (pages - 1) * PAGE + len(last) - 1


def convert_marks(ctx: Context, tenant: str, buckets: list[str]) -> dict[str, Placed]:
    """Version 1's pointer documents of these buckets as pages, each pointer at the offset it had (the
    first-put order), the documents removed; where each subscription's pointers now are, by its id."""
    placed: dict[str, Placed] = {}
    for bucket in buckets:
        old = cast("list[Mark]", ctx.store.scan(OLD_MARK, (tenant, bucket)))
        for number in range(0, len(old), PAGE):
            ctx.store.put(MARK, (tenant, bucket, str(number // PAGE)),
                          {"m": [_entry(mark) for mark in old[number:number + PAGE]]})
        for offset, mark in enumerate(old):
            placed.setdefault(ids.key(mark["s"]), {})[bucket] = [offset, mark.get("f"), mark.get("l")]
            ctx.store.delete(OLD_MARK, (tenant, bucket, ids.key(mark["s"])))
    return placed


def state_key(tenant: str) -> tuple[str, str]:
    return (tenant, "calendar")


def calendar_state(ctx: Context, tenant: str) -> CalendarState | None:
    return cast("CalendarState | None", ctx.store.get(STATE, state_key(tenant)))


def save_calendar_state(ctx: Context, tenant: str, state: CalendarState) -> None:
    ctx.store.put(STATE, state_key(tenant), dict(state))
