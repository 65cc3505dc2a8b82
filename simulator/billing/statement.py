"""The invoice statement (I8): a PDF of the invoice's header and its totals by billing provider and
line item type, made with fpdf2.

get-invoice-statement.md shows only that the answer is a PDF (`Content-Type: application/pdf`,
`Content-Disposition: attachment; filename=Invoice_{id}.pdf`), not what it holds; the layout here is
pcsim's own and says it is simulated. The same invoice gives the same bytes: the document's creation
date is the invoice date, never wall time. Only the core PDF fonts are used (latin-1), so amounts
carry the currency code rather than a symbol those fonts may lack.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from simulator import wire
from simulator.billing import ledger
from simulator.billing.render import LINE_TYPE_WORDS, PROVIDER_WORDS
from simulator.billing.rules import invoice_type

FONT = "helvetica"


def amount(value: str, currency: str) -> str:
    return f"{Decimal(value):,} {currency}"


def header_rows(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    period = ledger.period_of_invoice(record)
    credit = [("Credit note of invoice", record.get("amends") or "-")] if ledger.is_credit_note(record) else []
    return [("Invoice number", record["id"]), *credit,
            ("Invoice date", wire.parse_time(record["date"]).date().isoformat()),
            ("Billing period", f"{period.first_day.isoformat()} to {period.last_day.isoformat()}"),
            ("Invoice type", invoice_type(record)), ("Currency", record["currency"]),
            ("Total charges", amount(record["total"], record["currency"])),
            ("Paid amount", amount(str(Decimal(0).quantize(Decimal(record["total"]))), record["currency"]))]


def detail_rows(record: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return [(PROVIDER_WORDS[d["provider"]], LINE_TYPE_WORDS[d["line_type"]], amount(d["total"], record["currency"]))
            for d in record["details"]]


def invoice_statement(record: Mapping[str, Any]) -> bytes:
    """The statement's PDF bytes."""
    from fpdf import FPDF  # imported on first use: it costs a third of a second at startup

    pdf = FPDF(format="A4")
    pdf.set_creation_date(wire.parse_time(record["date"]))
    pdf.set_title(f"Invoice {record['id']}")
    pdf.set_author("pcsim (Partner Center simulator)")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 10, f"Invoice {record['id']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for label, value in header_rows(record):
        pdf.cell(45, 7, label)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    table(pdf, ("Billing provider", "Line item type", "Amount"), detail_rows(record),
          ("Total charges", "", amount(record["total"], record["currency"])))
    pdf.ln(6)
    pdf.set_font(FONT, "I", 8)
    pdf.multi_cell(0, 5, "Simulated by pcsim, the Partner Center simulator: not a tax document.")
    return bytes(pdf.output())


def table(pdf: Any, head: tuple[str, ...], rows: Sequence[tuple[str, ...]], total: tuple[str, ...]) -> None:
    """Three columns, the amounts right-aligned: a bold head, the rows, a bold total."""
    for style, lines, border in (("B", [head], "B"), ("", rows, 0), ("B", [total], "T")):
        pdf.set_font(FONT, style, 10)
        for line in lines:
            for width, text, align in zip((50, 60, 50), line, ("L", "L", "R"), strict=True):
                pdf.cell(width, 7, text, border=border, align=align)
            pdf.ln()
