"""Invoice wire shapes (I1, I2, I7): the Invoice resource with its `invoiceDetails` links, and the
InvoiceSummary of each currency. The PDF statement (I8) is `statement`'s."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from simulator import wire
from simulator.billing import ledger
from simulator.billing.ledger import AZURE, BILLING, OFFICE, ONE_TIME, USAGE
from simulator.billing.rules import invoice_type

PROVIDER_WORDS = {ONE_TIME: "OneTime", OFFICE: "Office", AZURE: "Azure"}  # as the examples' I4 links
LINE_TYPE_WORDS = {BILLING: "BillingLineItems", USAGE: "UsageLineItems"}


def statement_link(record: Mapping[str, Any], expires: datetime) -> str:
    return f"/invoices/{record['id']}/documents/statement{wire.query_string(expiresAt=wire.iso(expires))}"


def invoice_ref(record: Mapping[str, Any]) -> str:
    """`/invoices/OneTime-G000024135`: invoice links carry the invoice type (the examples)."""
    return f"/invoices/{invoice_type(record)}-{record['id']}"


def invoice_detail_wire(record: Mapping[str, Any], detail: Mapping[str, Any]) -> dict[str, Any]:
    provider, line_type = detail["provider"], detail["line_type"]
    uri = f"{invoice_ref(record)}/lineitems/{PROVIDER_WORDS[provider]}/{LINE_TYPE_WORDS[line_type]}"
    return {"invoiceLineItemType": line_type, "billingProvider": provider, "links": {"self": wire.link(uri)},
            "attributes": wire.attributes("InvoiceDetail")}


def views(detail: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """MS-AZR-0145P usage is billed per meter (Azure/BillingLineItems) and listed per day
    (Azure/UsageLineItems): one amount, two ways to read it, both linked."""
    if detail["provider"] == AZURE and detail["line_type"] == USAGE:
        return [{**detail, "line_type": BILLING}, detail]
    return [detail]


def amendment_wire(record: Mapping[str, Any]) -> dict[str, Any]:
    """A credit note as an invoice's `amendments` item: the I1 example's shape (no period, links or PDF)."""
    return {"id": record["id"], "invoiceDate": wire.iso(wire.parse_time(record["date"])),
            "totalCharges": Decimal(record["total"]), "paidAmount": 0, "currencyCode": record["currency"],
            "currencySymbol": record["symbol"],
            "invoiceDetails": [{"invoiceLineItemType": v["line_type"], "billingProvider": v["provider"],
                                "attributes": wire.attributes("InvoiceDetail")}
                               for d in record["details"] for v in views(d)],
            "documentType": record["document"], "amendsOf": record.get("amends"), "invoiceType": invoice_type(record),
            "attributes": wire.attributes("Invoice")}


def invoice_wire(record: Mapping[str, Any], *, pdf_link: str | None = None, listed: bool = False,
                 amendments: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The Invoice resource; `pdfDownloadLink` only when read by id, `amendments` (the credit notes that
    amend it) always where I1 shows them and, read by id, when there are any. A credit note is the same
    resource with `documentType` adjustment_note and `amendsOf`."""
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
    if listed or amendments:
        out["amendments"] = [amendment_wire(a) for a in amendments]
    out["documentType"] = record.get("document") or "invoice"
    if record.get("document"):
        out["amendsOf"] = record.get("amends")
    out.update(invoiceType=invoice_type(record), links={"self": wire.link(invoice_ref(record))},
               attributes=wire.attributes("Invoice"))
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


def invoices_page(found: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]], size: int | None,
                  offset: int, more: bool) -> dict[str, Any]:
    """A page of I1 (each invoice with its credit notes): the query it answers echoed in `self`, the next
    page's link while more follow."""
    echoed = wire.query_string(size=size, offset=offset if size is not None or offset else None)
    following = wire.link(f"/invoices{wire.query_string(size=size, offset=offset + (size or 0))}") if more else None
    return wire.collection([invoice_wire(r, listed=True, amendments=notes) for r, notes in found],
                           f"/invoices{echoed}", following)


def invoice_summaries(found: list[dict[str, Any]]) -> dict[str, Any]:
    return wire.collection([invoice_summary_wire(s) for s in found], "/invoices/summaries")
