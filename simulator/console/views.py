"""What each console page shows, read through the areas' rules, records and render functions.

Nothing here keeps or derives state of its own: a subscription's status, seats, term and refund window
are what the area renders for GET .../subscriptions (the console shows the wire fields), its timeline
is the record's own events, invoices and line items come from the billing rules that answer
/v1/invoices, usage from the usage rules. Reads that may roll state forward (a renewal due, a period
closed) run as one rule (`ctx.run`), as the endpoints run them.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from simulator import ids
from simulator.billing import periods
from simulator.billing import render as billing_render
from simulator.billing import rules as billing_rules
from simulator.billing.lineitems import render as lineitems_render
from simulator.billing.lineitems import rules as lineitems_rules
from simulator.billing.lineitems.query import MATRIX, Query
from simulator.context import Caller, Context
from simulator.control import journal
from simulator.customers import records as customer_records
from simulator.customers.records import Customer, customer_country
from simulator.orders import render as order_render
from simulator.orders import rules as order_rules
from simulator.subscriptions import dates
from simulator.subscriptions import render as subscription_render
from simulator.subscriptions import rules as subscription_rules
from simulator.subscriptions.records import SAAS
from simulator.usage import rules as usage_rules

CONSOLE_APP = "pcsim-console"  # the app id the console's own actions (activate) are made as
PAGE_SIZE = 25
SCAN_CHUNK = 500  # customers read at a time by a search: memory stays bounded at any partner size
LINES_SHOWN = 200
JOURNAL_SHOWN = 60


def caller(tenant: str) -> Caller:
    return Caller(tenant, CONSOLE_APP, None)


# --- partners and customers --------------------------------------------------------------------

@dataclass
class Partner:
    id: str
    name: str | None
    customers: int


PARTNERS_LOOKED_AT = 200  # the journal's newest requests whose tokens name partners (a token check each)


def partners(ctx: Context, control: Any) -> list[Partner]:
    """The default partner, then every partner the journal's newest requests had a token of."""
    default = ctx.settings.default_tenant
    seen = [default]
    for raw in list(control.journal.entries)[-PARTNERS_LOOKED_AT:][::-1]:
        tenant = journal.tenant_of(ctx, raw.headers)
        if tenant and tenant not in seen:
            seen.append(tenant)
    names = {default: None}
    return [Partner(t, names.get(t), customer_records.count(ctx, t)) for t in seen]


def partner_id(ctx: Context, name_or_id: str) -> str:
    return ids.partner_id(name_or_id, ctx.settings.default_tenant)


@dataclass
class CustomerPage:
    items: list[Customer]
    page: int
    more: bool
    total: int | None  # the partner's customer count (a search does not count its matches)


def display_name(customer: Customer) -> str:
    """The company's name (the company profile's, else the billing profile's), else its domain."""
    company = customer.get("company") or {}
    billing = customer.get("billing") or {}
    return str(company.get("company_name") or billing.get("company_name") or company.get("domain") or customer["id"])


def matches(customer: Customer, term: str) -> bool:
    company = customer.get("company") or {}
    billing = customer.get("billing") or {}
    return any(term in str(value).lower() for value in (
        company.get("company_name", ""), company.get("domain", ""), customer.get("id", ""),
        billing.get("email", ""), billing.get("company_name", "")))


def customer_page(ctx: Context, tenant: str, search: str, page: int) -> CustomerPage:
    """One page of the partner's customers, in the order they were created. Without a search only
    the page is read; a search reads the customers a chunk at a time and stops once the page (and one
    more match, to know a next page exists) is found."""
    start = page * PAGE_SIZE
    term = search.strip().lower()
    if not term:
        items = customer_records.list_page(ctx, tenant, start, PAGE_SIZE)
        total = customer_records.count(ctx, tenant)
        return CustomerPage(items, page, start + PAGE_SIZE < total, total)
    found: list[Customer] = []
    offset = 0
    while len(found) <= start + PAGE_SIZE:
        chunk = customer_records.list_page(ctx, tenant, offset, SCAN_CHUNK)
        found.extend(c for c in chunk if matches(c, term))
        if len(chunk) < SCAN_CHUNK:
            break
        offset += SCAN_CHUNK
    return CustomerPage(found[start:start + PAGE_SIZE], page, len(found) > start + PAGE_SIZE, None)


# --- a customer ------------------------------------------------------------------------------

@dataclass
class SubscriptionView:
    wire: dict[str, Any]
    record: dict[str, Any]
    events: list[dict[str, Any]]
    saas: bool
    activation_links: list[str]
    renewal: datetime | None


@dataclass
class UsageView:
    currency: str
    total: Decimal
    budget: Decimal | None
    days: list[tuple[date, Decimal]]  # every day of the period so far, with its cost
    first_day: date
    last_day: date


@dataclass
class CustomerView:
    customer: Customer
    country: str
    orders: list[dict[str, Any]]
    subscriptions: list[SubscriptionView]
    usage: UsageView | None
    panels: list[Any] = field(default_factory=list)


def customer_view(ctx: Context, tenant: str, customer_id: str) -> CustomerView:
    """Profile, orders, subscriptions (as GET .../subscriptions renders them, with their events) and
    the Azure usage of the period; one rule, so a renewal due now is applied (and kept) as the API
    would apply it on its next read."""
    customer = customer_records.get_customer(ctx, tenant, customer_id)
    country = customer_country(customer)
    orders = [order_render.order_wire(ctx, o, country)
              for o in order_rules.list_orders(ctx, tenant, customer["id"], None)]
    subs = []
    for sub in subscription_rules.list_subscriptions(ctx, tenant, customer["id"]):
        saas = sub["kind"] == SAAS
        wired = subscription_render.activation_links_wire(sub)["items"] if saas else []
        links = [item["link"]["uri"] for item in wired]
        subs.append(SubscriptionView(subscription_render.subscription_wire(ctx, sub, country), dict(sub),
                                     [dict(e) for e in sub.get("events", [])], saas, links,
                                     dates.renewal_moment(sub) if sub["status"] in ("active", "suspended") else None))
    return CustomerView(customer, country, orders, subs, usage_view(ctx, tenant, customer))


def usage_view(ctx: Context, tenant: str, customer: Customer) -> UsageView | None:
    """The period's Azure usage per day and the customer's budget; None without Azure subscriptions."""
    now = ctx.clock.now()
    usage = usage_rules.customer_usage(ctx, tenant, customer, now)
    if not usage.azure:
        return None
    period = usage_rules.billing_period(now)
    per_day: dict[date, Decimal] = {}
    for row in usage_rules.period_rows(ctx, usage.azure, now):
        per_day[row.day] = per_day.get(row.day, Decimal(0)) + row.amount
    last = min(now.date(), period.last_day)
    days = [(day, per_day.get(day, Decimal(0))) for day in day_range(period.first_day, last)]
    return UsageView(usage.spend.currency, usage.spend.total, usage.budget, days, period.first_day, period.last_day)


def day_range(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day = date.fromordinal(day.toordinal() + 1)


# --- billing ---------------------------------------------------------------------------------

@dataclass
class BillingView:
    invoices: list[dict[str, Any]]
    unbilled: list[dict[str, Any]]
    unbilled_more: bool
    currency: str


def partner_currency(ctx: Context) -> str:
    market = ctx.catalog.market(ctx.settings.partner_country) or ctx.catalog.market("US")
    return market.currency if market else "USD"


def all_billing(currency: str | None, period: str | None) -> Query:
    return Query(MATRIX[("all", "billinglineitems")], "all", "billinglineitems", currency, period, LINES_SHOWN, 0,
                 None, None)


def billing_view(ctx: Context, tenant: str, currency: str) -> BillingView:
    """The partner's invoices (newest first) and the open period's unbilled lines in one currency."""
    found, _ = billing_rules.get_invoices(ctx, tenant, None, 0)
    invoices = [billing_render.invoice_wire(record, listed=True, amendments=notes) for record, notes in found]
    query = all_billing(currency, "current")
    page = lineitems_rules.get_unbilled_line_items(ctx, tenant, query)
    lines = lineitems_render.items(ctx, page, query.selection.shape)
    return BillingView(invoices, lines, page.more, currency)


@dataclass
class InvoiceView:
    invoice: dict[str, Any]
    lines: list[dict[str, Any]]
    more: bool


def invoice_view(ctx: Context, tenant: str, invoice_id: str) -> InvoiceView:
    record, notes, _ = billing_rules.get_invoice_by_id(ctx, tenant, invoice_id)
    query = all_billing(None, None)
    page = lineitems_rules.get_invoice_line_items(ctx, tenant, invoice_id, query, path_form=True)
    return InvoiceView(billing_render.invoice_wire(record, amendments=notes),
                       lineitems_render.items(ctx, page, query.selection.shape), page.more)


def invoice_statement(ctx: Context, tenant: str, invoice_id: str) -> tuple[bytes, str]:
    from simulator.billing import statement

    record = billing_rules.get_invoice_statement(ctx, tenant, invoice_id, None)
    return statement.invoice_statement(record), f"Invoice_{record['id']}.pdf"


# --- the clock's targets ------------------------------------------------------------------------

def next_invoice(now: datetime) -> datetime:
    """When the next invoice comes out: the day after a period closes (billing/periods.py)."""
    period = periods.period_of(now)
    previous = period.previous()
    return previous.invoice_at if previous.invoice_at > now else period.invoice_at


def next_renewal(ctx: Context, tenant: str, customer_id: str | None) -> datetime | None:
    """The earliest renewal (or expiry) moment after now among a customer's subscriptions, or the
    partner's when no customer is named (read only when asked: the button's post)."""
    now = ctx.clock.now()
    if customer_id:
        customers = [customer_records.get_customer(ctx, tenant, customer_id)]
    else:
        customers = list(iter_customers(ctx, tenant))
    moments = []
    for customer in customers:
        for sub in subscription_rules.list_subscriptions(ctx, tenant, customer["id"]):
            moment = dates.renewal_moment(sub) if sub["status"] in ("active", "suspended") else None
            if moment is not None and moment > now:
                moments.append(moment)
    return min(moments, default=None)


def iter_customers(ctx: Context, tenant: str) -> Iterator[Customer]:
    offset = 0
    while True:
        chunk = customer_records.list_page(ctx, tenant, offset, SCAN_CHUNK)
        yield from chunk
        if len(chunk) < SCAN_CHUNK:
            return
        offset += SCAN_CHUNK


# --- the journal, faults, snapshots --------------------------------------------------------------

def journal_entries(ctx: Context, control: Any, shown: int = JOURNAL_SHOWN) -> list[dict[str, Any]]:
    """The newest requests first, rendered as GET /_simulator/requests renders them."""
    book = control.journal
    newest = list(book.entries)[-shown:]
    return [journal.render(ctx, raw, book.body_limit) for raw in reversed(newest)]


def fault_rules(control: Any) -> list[dict[str, Any]]:
    rules = control.armed()
    return [] if rules is None else [rule.wire() for rule in rules.items]


def snapshot_list(control: Any) -> list[dict[str, Any]]:
    return [snapshot.wire() for snapshot in control.snapshots.items.values()]
