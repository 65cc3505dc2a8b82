"""Invoice rules (I1, I2, I7, I8): the partner's invoices, an invoice by id, the summaries by currency
and the invoice a statement is asked for.

Sources: get-a-collection-of-invoices.md, get-invoice-by-id.md, get-invoice-summaries.md,
get-invoice-statement.md, invoice-resources.md. The invoices are the ledger's (simulator/billing/
ledger.py): one per closed month and currency, made at the period's invoice moment (the 2nd,
00:00 UTC) the first time billing is read after it. Nothing is ever paid in the simulator: every
`paidAmount` is 0 and a currency's balance is the sum of its invoices.

Credit notes (ledger.py: a refund of a cycle whose invoice was already out) are documents of their own,
listed and read like invoices (`documentType` adjustment_note, `amendsOf`, negative totals); the
invoice they amend lists them in `amendments`. They count in the summaries' balances.

The `pdfDownloadLink` of an invoice read by id "auto-expires in 30 minutes" (invoice-resources.md):
it carries its expiry (`expiresAt`, simulated time), and the statement refuses it once that is past.
The statement's own route (I8) without `expiresAt` serves the PDF as documented. `render` makes the
wire shapes, `statement` the PDF, `endpoints` serves them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from simulator import errors, wire
from simulator.billing import ledger
from simulator.billing.ledger import ONE_TIME
from simulator.billing.records import Invoice
from simulator.context import Context

LINK_LIFETIME = timedelta(minutes=30)  # invoice-resources.md: "This link auto-expires in 30 minutes."
ONE_TIME_INVOICE, RECURRING_INVOICE = "OneTime", "Recurring"


def invoices_of(ctx: Context, tenant: str, now: datetime) -> list[Invoice]:
    """The partner's invoices, newest first, once the periods closed by `now` are invoiced."""
    ledger.close_periods(ctx, tenant, now)
    return ledger.invoices(ctx, tenant)


Listed = tuple[Invoice, list[Invoice]]  # an invoice and its credit notes (`amendments`)


def get_invoices(ctx: Context, tenant: str, size: int | None, offset: int) -> tuple[list[Listed], bool]:
    """A page of the partner's invoices and credit notes, each with the credit notes that amend it, and
    whether more follow it."""
    found = invoices_of(ctx, tenant, ctx.clock.now())
    end = len(found) if size is None else offset + size
    return [(r, ledger.amendments_of(ctx, tenant, r)) for r in found[offset:end]], end < len(found)


def find_invoice(ctx: Context, tenant: str, invoice_id: str, now: datetime) -> Invoice:
    ledger.close_periods(ctx, tenant, now)
    record = ledger.invoice(ctx, tenant, invoice_id)
    if record is None:
        raise errors.InvoiceNotFound(invoice_id)
    return record


def get_invoice_by_id(ctx: Context, tenant: str, invoice_id: str) -> tuple[Invoice, list[Invoice], datetime]:
    """The invoice (or credit note), the credit notes that amend it, and when its PDF download link
    expires: 30 minutes of simulated time from now."""
    now = ctx.clock.now()
    record = find_invoice(ctx, tenant, invoice_id, now)
    return record, ledger.amendments_of(ctx, tenant, record), now + LINK_LIFETIME


def get_invoice_statement(ctx: Context, tenant: str, invoice_id: str, expires_at: str | None) -> Invoice:
    """The invoice whose statement is asked for; a download link past its expiry is refused."""
    now = ctx.clock.now()
    record = find_invoice(ctx, tenant, invoice_id, now)
    if expires_at is not None:
        try:
            expiry = wire.parse_time(expires_at)
        except ValueError:
            raise errors.StatementLinkInvalid() from None
        if now > expiry:
            raise errors.StatementLinkExpired(record["id"], wire.iso(expiry))
    return record


def get_invoice_summaries(ctx: Context, tenant: str) -> list[dict[str, Any]]:
    """One summary per currency, each with one detail per invoice type, by currency code."""
    by_currency: dict[str, list[Invoice]] = defaultdict(list)
    for record in invoices_of(ctx, tenant, ctx.clock.now()):
        by_currency[record["currency"]].append(record)
    summaries = []
    for currency in sorted(by_currency):
        records = by_currency[currency]
        kinds = [(kind, [r for r in records if invoice_type(r) == kind])
                 for kind in (RECURRING_INVOICE, ONE_TIME_INVOICE)]
        summaries.append({**summary_of(records), "details": [(k, summary_of(rs)) for k, rs in kinds if rs]})
    return summaries


def summary_of(records: list[Invoice]) -> dict[str, Any]:
    """Balance and dates of some invoices of one currency (the balance changes only with a new invoice)."""
    dates = sorted(wire.parse_time(r["date"]) for r in records)
    return {"balance": sum((Decimal(r["total"]) for r in records), Decimal(0)), "currency": records[0]["currency"],
            "symbol": records[0]["symbol"], "first": dates[0], "latest": dates[-1]}


def invoice_type(record: Mapping[str, Any]) -> str:
    """`OneTime` for the modern platform's invoices (onetime line items), else `Recurring` (legacy)."""
    return ONE_TIME_INVOICE if any(d["provider"] == ONE_TIME for d in record["details"]) else RECURRING_INVOICE
