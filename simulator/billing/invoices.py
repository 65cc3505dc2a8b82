"""Invoices (I1, I2), invoice summaries (I7) and the PDF statement (I8).

Sources: get-a-collection-of-invoices.md, get-invoice-by-id.md, get-invoice-summaries.md,
get-invoice-statement.md, invoice-resources.md. The invoices are the ledger's (simulator/billing/
ledger.py): one per closed month and currency, made at the period's invoice moment (the 2nd,
00:00 UTC) the first time billing is read after it. Nothing is ever paid in the simulator: every
`paidAmount` is 0 and a currency's balance is the sum of its invoices.

The `pdfDownloadLink` of an invoice read by id "auto-expires in 30 minutes" (invoice-resources.md):
it carries its expiry (`expiresAt`, simulated time), and the statement refuses it once that is past.
The statement's own route (I8) without `expiresAt` serves the PDF as documented.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from simulator import auth, errors, wire
from simulator.billing import ledger
from simulator.billing.ledger import AZURE, BILLING, OFFICE, ONE_TIME, USAGE
from simulator.context import Context
from simulator.wire import query

LINK_LIFETIME = timedelta(minutes=30)  # invoice-resources.md: "This link auto-expires in 30 minutes."
ONE_TIME_INVOICE, RECURRING_INVOICE = "OneTime", "Recurring"
PROVIDER_WORDS = {ONE_TIME: "OneTime", OFFICE: "Office", AZURE: "Azure"}  # as the examples' I4 links
LINE_TYPE_WORDS = {BILLING: "BillingLineItems", USAGE: "UsageLineItems"}


# --- rules ----------------------------------------------------------------------------------

def invoices_of(ctx: Context, tenant: str, now: datetime) -> list[dict[str, Any]]:
    """The partner's invoices, newest first, once the periods closed by `now` are invoiced."""
    ledger.close_periods(ctx, tenant, now)
    return ledger.invoices(ctx, tenant)


def get_invoices(ctx: Context, tenant: str, size: int | None, offset: int) -> tuple[list[dict[str, Any]], bool]:
    """A page of the partner's invoices, and whether more follow it."""
    found = invoices_of(ctx, tenant, ctx.clock.now())
    end = len(found) if size is None else offset + size
    return found[offset:end], end < len(found)


def find_invoice(ctx: Context, tenant: str, invoice_id: str, now: datetime) -> dict[str, Any]:
    ledger.close_periods(ctx, tenant, now)
    record = ledger.invoice(ctx, tenant, invoice_id)
    if record is None:
        raise errors.InvoiceNotFound(invoice_id)
    return record


def get_invoice_by_id(ctx: Context, tenant: str, invoice_id: str) -> tuple[dict[str, Any], str]:
    """The invoice and its PDF download link, good for 30 minutes of simulated time from now."""
    now = ctx.clock.now()
    record = find_invoice(ctx, tenant, invoice_id, now)
    return record, statement_link(record, now + LINK_LIFETIME)


def get_invoice_statement(ctx: Context, tenant: str, invoice_id: str, expires_at: str | None) -> dict[str, Any]:
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
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in invoices_of(ctx, tenant, ctx.clock.now()):
        by_currency[record["currency"]].append(record)
    summaries = []
    for currency in sorted(by_currency):
        records = by_currency[currency]
        kinds = [(kind, [r for r in records if invoice_type(r) == kind])
                 for kind in (RECURRING_INVOICE, ONE_TIME_INVOICE)]
        summaries.append({**summary_of(records), "details": [(k, summary_of(rs)) for k, rs in kinds if rs]})
    return summaries


def summary_of(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Balance and dates of some invoices of one currency (the balance changes only with a new invoice)."""
    dates = sorted(wire.parse_time(r["date"]) for r in records)
    return {"balance": sum((Decimal(r["total"]) for r in records), Decimal(0)), "currency": records[0]["currency"],
            "symbol": records[0]["symbol"], "first": dates[0], "latest": dates[-1]}


def invoice_type(record: dict[str, Any]) -> str:
    """`OneTime` for the modern platform's invoices (onetime line items), else `Recurring` (legacy)."""
    return ONE_TIME_INVOICE if any(d["provider"] == ONE_TIME for d in record["details"]) else RECURRING_INVOICE


def statement_link(record: dict[str, Any], expires: datetime) -> str:
    return f"/invoices/{record['id']}/documents/statement{wire.query_string(expiresAt=wire.iso(expires))}"


# --- wire -----------------------------------------------------------------------------------

def invoice_ref(record: dict[str, Any]) -> str:
    """`/invoices/OneTime-G000024135`: invoice links carry the invoice type (the examples)."""
    return f"/invoices/{invoice_type(record)}-{record['id']}"


def invoice_detail_wire(record: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    provider, line_type = detail["provider"], detail["line_type"]
    uri = f"{invoice_ref(record)}/lineitems/{PROVIDER_WORDS[provider]}/{LINE_TYPE_WORDS[line_type]}"
    return {"invoiceLineItemType": line_type, "billingProvider": provider, "links": {"self": wire.link(uri)},
            "attributes": wire.attributes("InvoiceDetail")}


def views(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """MS-AZR-0145P usage is billed per meter (Azure/BillingLineItems) and listed per day
    (Azure/UsageLineItems): one amount, two ways to read it, both linked."""
    if detail["provider"] == AZURE and detail["line_type"] == USAGE:
        return [{**detail, "line_type": BILLING}, detail]
    return [detail]


def invoice_wire(record: dict[str, Any], *, pdf_link: str | None = None, listed: bool = False) -> dict[str, Any]:
    """The Invoice resource; `pdfDownloadLink` only when read by id, `amendments` where I1 shows them."""
    period = ledger.period_of_invoice(record)
    out: dict[str, Any] = {
        "id": record["id"], "invoiceDate": wire.iso(wire.parse_time(record["date"])),
        "billingPeriodStartDate": wire.iso(period.start),
        "billingPeriodEndDate": wire.iso(datetime.combine(period.last_day, time(), period.start.tzinfo)),
        "totalCharges": Decimal(record["total"]), "paidAmount": 0,
        "currencyCode": record["currency"], "currencySymbol": record["symbol"]}
    if pdf_link is not None:
        out["pdfDownloadLink"] = pdf_link
    out["taxReceipts"] = []
    out["invoiceDetails"] = [invoice_detail_wire(record, v) for d in record["details"] for v in views(d)]
    if listed:
        out["amendments"] = []
    out.update(documentType="invoice", invoiceType=invoice_type(record),
               links={"self": wire.link(invoice_ref(record))}, attributes=wire.attributes("Invoice"))
    return out


def summary_wire(summary: dict[str, Any]) -> dict[str, Any]:
    return {"balanceAmount": summary["balance"], "currencyCode": summary["currency"],
            "currencySymbol": summary["symbol"], "accountingDate": wire.iso(summary["latest"]),
            "firstInvoiceCreationDate": wire.iso(summary["first"]), "lastPaymentDate": wire.NO_DATE,
            "lastPaymentAmount": 0, "latestInvoiceDate": wire.iso(summary["latest"]),
            "attributes": wire.attributes("InvoiceSummary")}


def invoice_summary_wire(summary: dict[str, Any]) -> dict[str, Any]:
    """An InvoiceSummary of I7; its links say `/invoices/summary`, as the example's do."""
    out = summary_wire(summary)
    attributes = out.pop("attributes")
    out["details"] = [{"invoiceType": kind, "summary": summary_wire(part)} for kind, part in summary["details"]]
    out.update(links={"self": wire.link("/invoices/summary")}, attributes=attributes)
    return out


MAX_PAGE = 999_999_999


def page_params(request: Request) -> tuple[int | None, int]:
    """`size` (1 or more; absent: every invoice) and the zero-based `offset`."""
    if query.text(request, "filter") is not None:
        raise errors.InvoiceFilterNotSimulated()
    return (query.integer(request, "size", low=1, high=MAX_PAGE),
            query.integer(request, "offset", default=0, high=MAX_PAGE))


# --- endpoints ------------------------------------------------------------------------------

@wire.operation(query=["size", "offset"])
async def get_invoices_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    size, offset = page_params(request)
    found, more = ctx.run(get_invoices, caller.tenant, size, offset)
    echoed = wire.query_string(size=size, offset=offset if size is not None or offset else None)
    following = wire.link(f"/invoices{wire.query_string(size=size, offset=offset + (size or 0))}") if more else None
    return wire.respond(wire.collection([invoice_wire(r, listed=True) for r in found], f"/invoices{echoed}", following))


@wire.operation(user_only=True)
async def get_invoice_by_id_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    record, link = ctx.run(get_invoice_by_id, caller.tenant, request.path_params["invoice_id"])
    return wire.respond(invoice_wire(record, pdf_link=link))


@wire.operation(user_only=True)
async def get_invoice_summaries_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    found = ctx.run(get_invoice_summaries, caller.tenant)
    return wire.respond(wire.collection([invoice_summary_wire(s) for s in found], "/invoices/summaries"))


@wire.operation(query=["expiresAt"], content="application/pdf", user_only=True)
async def get_invoice_statement_endpoint(request: Request) -> Response:
    from simulator.billing import statement  # it builds on this module (and loads fpdf2 on first use)

    ctx, caller = auth.begin(request)
    record = ctx.run(get_invoice_statement, caller.tenant, request.path_params["invoice_id"],
                     query.text(request, "expiresAt"))
    return wire.respond_document(statement.invoice_statement(record), "application/pdf", f"Invoice_{record['id']}.pdf")


routes: list[BaseRoute] = [
    Route("/v1/invoices", get_invoices_endpoint, methods=["GET"]),
    Route("/v1/invoices/summaries", get_invoice_summaries_endpoint, methods=["GET"]),  # before {invoice_id}
    Route("/v1/invoices/{invoice_id}", get_invoice_by_id_endpoint, methods=["GET"]),
    Route("/v1/invoices/{invoice_id}/documents/statement", get_invoice_statement_endpoint, methods=["GET"]),
]
