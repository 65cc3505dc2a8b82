"""The one owner of billing's stored kinds, all filed per partner (tenant):

* `ledger`: how far periods were invoiced ({"through": a period key}), under (tenant, "ledger");
* `invoice` and `invoice_index` (where the subscriptions with lines on an invoice are), under
  (tenant, invoice number in its canonical case);
* `billing_mark` (the calendar's pointers to subscriptions, filed per bucket under (tenant, bucket))
  and `billing_calendar` (its state), see billing/calendar.py.

Billing holds nothing per customer: a deleted customer's pointers stay (a bucket's offsets must stay
valid) and are read as gone, and closed invoices are history. So there is no `drop_customer` here.
"""
from __future__ import annotations

from typing import Any, TypedDict, cast

from simulator import ids
from simulator.context import Context

LEDGER, INVOICE, INVOICE_INDEX = "ledger", "invoice", "invoice_index"
MARK, STATE = "billing_mark", "billing_calendar"


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


class InvoiceIndex(TypedDict, total=False):
    slots: list[list[int]]       # [calendar slot, offset in its bucket], in walk order
    positions: list[list[int]]   # indexed before the calendar: [customer offset, subscription offset]


class Mark(TypedDict, total=False):
    c: str                    # the customer id
    s: str                    # the subscription id
    f: int                    # a rule's first month
    l: int | None             # a rule's last month  # noqa: E741


class CalendarState(TypedDict):
    first: int | None         # the first month marked


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


# --- the calendar's pointers and state -------------------------------------------------------------

def marks(ctx: Context, tenant: str, bucket: str, offset: int, limit: int) -> list[Mark]:
    """`limit` pointers of a bucket from `offset`, in the order they were first put."""
    return cast("list[Mark]", ctx.store.scan(MARK, (tenant, bucket), offset, limit))


def put_mark(ctx: Context, tenant: str, bucket: str, sub_id: str, mark: Mark) -> None:
    """Puts a subscription's pointer in a bucket (in place when it is there: offsets stay valid)."""
    ctx.store.put(MARK, (tenant, bucket, ids.key(sub_id)), dict(mark))


def state_key(tenant: str) -> tuple[str, str]:
    return (tenant, "calendar")


def calendar_state(ctx: Context, tenant: str) -> CalendarState | None:
    return cast("CalendarState | None", ctx.store.get(STATE, state_key(tenant)))


def save_calendar_state(ctx: Context, tenant: str, state: CalendarState) -> None:
    ctx.store.put(STATE, state_key(tenant), dict(state))
