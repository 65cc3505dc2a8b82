"""Credit notes (invoice `amendments`) through HTTP: a refund of a cycle whose invoice is already out is
no line of the refund's own invoice but a credit note of its own (documentType adjustment_note,
`amendsOf`, negative totals, listed, read by id, with line items and a statement) that the amended
invoice lists in `amendments`; a refund of a cycle not invoiced yet stays a negative line. The
model: simulator/billing/ledger.py (credit notes), docs/simulated.md."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from tests.helpers import (
    LEGACY_BASE,
    TENANT,
    Api,
    buy_subscription,
    invoice_summary,
    invoices,
    listed_invoice,
    nce_line,
    read,
    statement_rows,
    statement_text,
    sub_path,
    until,
    users,
)
from tests.helpers import uri_link as link

LATE_JANUARY, MARCH_2 = "2026-01-29T10:00:00Z", "2026-03-02T00:00:00Z"
UNBILLED = "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd"


def cancel(api: Api, customer: str, sub: str) -> None:
    reply = api.patch(sub_path(customer, sub), json={**read(api, customer, sub), "status": "deleted"})
    assert reply.status_code == 200, reply.text


def lines(api: Api, invoice: dict[str, Any]) -> list[dict[str, Any]]:
    reply = api.get("/v1" + invoice["invoiceDetails"][0]["links"]["self"]["uri"])
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()["items"]
    return found


def late_january_seats(api: Api, quantity: int = 5) -> tuple[str, str]:
    """On January 29th a US customer buys seats for one month, billed monthly (36.00 for 5 seats)."""
    until(api, LATE_JANUARY)
    customer = api.new_customer()
    return customer, buy_subscription(api, customer, nce_line(quantity=quantity, term="P1M"))


def credit_note(note_id: str, total: Decimal, amends: str, provider: str = "one_time", kind: str = "OneTime",
                words: str = "OneTime/BillingLineItems") -> dict[str, Any]:
    """A credit note of February as I1 lists it."""
    return {"id": note_id, "invoiceDate": "2026-03-02T00:00:00Z", "billingPeriodStartDate": "2026-02-01T00:00:00Z",
            "billingPeriodEndDate": "2026-02-28T00:00:00Z", "totalCharges": float(total), "paidAmount": 0,
            "currencyCode": "USD", "currencySymbol": "$", "taxReceipts": [],
            "invoiceDetails": [{"invoiceLineItemType": "billing_line_items", "billingProvider": provider,
                                "links": {"self": link(f"/invoices/{kind}-{note_id}/lineitems/{words}")},
                                "attributes": {"objectType": "InvoiceDetail"}}],
            "amendments": [], "documentType": "adjustment_note", "amendsOf": amends, "invoiceType": kind,
            "links": {"self": link(f"/invoices/{kind}-{note_id}")}, "attributes": {"objectType": "Invoice"}}


def amendment(note: dict[str, Any]) -> dict[str, Any]:
    """The credit note as the amended invoice's `amendments` item (the I1 example's shape)."""
    return {"id": note["id"], "invoiceDate": note["invoiceDate"], "totalCharges": note["totalCharges"],
            "paidAmount": 0, "currencyCode": note["currencyCode"], "currencySymbol": note["currencySymbol"],
            "invoiceDetails": [{k: v for k, v in d.items() if k != "links"} for d in note["invoiceDetails"]],
            "documentType": "adjustment_note", "amendsOf": note["amendsOf"], "invoiceType": note["invoiceType"],
            "attributes": {"objectType": "Invoice"}}


def test_a_refund_of_an_invoiced_cycle_is_a_credit_note_that_amends_the_invoice(make_api: Any) -> None:
    api = users(make_api(provisioning_delay=0))
    customer, sub = late_january_seats(api)
    until(api, "2026-02-03T10:00:00Z")  # January's invoice is out (Feb 2nd); the 7-day window is still open
    january = invoices(api)["items"][0]
    assert january == listed_invoice(january["id"], Decimal("36.00"))
    cancel(api, customer, sub)  # Partial: Feb 4th to 27th, 24 of the cycle's 30 days: 36.00 * 24 / 30
    unbilled = api.get(UNBILLED + "&period=current").json()["items"]  # unbilled until February closes
    assert [(i["chargeType"], i["subtotal"], i["invoiceNumber"]) for i in unbilled] == [
        ("cancelImmediate", "-28.8", "")]

    until(api, MARCH_2)
    listed = invoices(api)
    note_id = listed["items"][0]["id"]
    assert re.fullmatch(r"G\d{9}", note_id) and note_id != january["id"]
    note = credit_note(note_id, Decimal("-28.80"), january["id"])
    assert listed == {"totalCount": 2, "items": [note, {**january, "amendments": [amendment(note)]}],
                      "links": {"self": link("/invoices")}, "attributes": {"objectType": "Collection"}}
    # the credit note holds the refund, January's invoice still its charge
    (refund,) = lines(api, note)
    assert (refund["chargeType"], refund["subtotal"], refund["quantity"], refund["invoiceNumber"],
            refund["subscriptionId"], refund["chargeStartDate"]) == (
        "cancelImmediate", "-28.8", "-5", note_id, sub, "2026-02-04T00:00:00Z")
    assert [(i["chargeType"], i["subtotal"]) for i in lines(api, january)] == [("new", "36")]
    by_query = api.get(f"/v1/invoices/{note_id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems")
    assert by_query.json()["items"] == [refund]
    assert api.get(UNBILLED + "&period=previous").json()["items"] == []  # billed now, never twice

    # read by id: the credit note, and the invoice with its amendments
    got = api.get(f"/v1/invoices/{note_id}")
    assert got.status_code == 200
    expires = "2026-03-02T00:30:00Z"
    assert got.json() == {**{k: v for k, v in note.items() if k not in ("taxReceipts", "amendments")},
                          "pdfDownloadLink": f"/invoices/{note_id}/documents/statement?expiresAt={expires}",
                          "taxReceipts": [], "invoiceDetails": note["invoiceDetails"]} | {
        "documentType": "adjustment_note", "amendsOf": january["id"], "invoiceType": "OneTime",
        "links": note["links"], "attributes": note["attributes"]}
    assert api.get(f"/v1/invoices/OneTime-{january['id']}").json()["amendments"] == [amendment(note)]
    text = statement_text(api, note_id)
    assert f"Credit note of invoice {january['id']}" in text and statement_rows(text) == [Decimal("-28.80")]
    # the balance counts the credit
    in_usd = invoice_summary(Decimal("7.20"), "USD", "2026-02-02T00:00:00Z", MARCH_2)
    assert api.get("/v1/invoices/summaries").json()["items"] == [
        {**{k: v for k, v in in_usd.items() if k != "attributes"},
         "details": [{"invoiceType": "OneTime", "summary": in_usd}],
         "links": {"self": link("/invoices/summary")}, "attributes": {"objectType": "InvoiceSummary"}}]


def test_a_refund_before_the_invoice_is_out_stays_a_negative_line_of_its_own_invoice(make_api: Any) -> None:
    api = users(make_api(provisioning_delay=0))
    customer, sub = late_january_seats(api)
    until(api, "2026-02-01T10:00:00Z")  # February, but January's invoice comes out tomorrow
    cancel(api, customer, sub)  # Partial: Feb 2nd to 27th, 26 of 30 days
    until(api, MARCH_2)
    february, january = invoices(api)["items"]
    assert february == listed_invoice(february["id"], Decimal("-31.20"), month="02", last_day="28")
    assert january == listed_invoice(january["id"], Decimal("36.00"))
    assert [(i["chargeType"], i["subtotal"]) for i in lines(api, february)] == [("cancelImmediate", "-31.2")]


def test_an_invoice_of_the_period_and_a_credit_note_stand_side_by_side(make_api: Any) -> None:
    api = users(make_api(provisioning_delay=0))
    customer, sub = late_january_seats(api)
    until(api, "2026-02-03T10:00:00Z")
    reduced = api.patch(sub_path(customer, sub), json={**read(api, customer, sub), "quantity": 3})
    assert reduced.status_code == 200  # 2 seats back for Feb 4th to 27th: 14.40 * 24 / 30
    other = api.new_customer()
    fresh = buy_subscription(api, other, nce_line(quantity=2, term="P1M"))  # February's own charge...
    api.advance(3600)
    cancel(api, other, fresh)  # ...refunded in full within the day: a negative line of February's invoice
    until(api, MARCH_2)
    items = invoices(api)["items"]
    february, note, january = items
    assert [i["documentType"] for i in items] == ["invoice", "adjustment_note", "invoice"]
    # February: the first customer's renewal on the 28th (3 seats), the other's charge and its refund
    assert february == listed_invoice(february["id"], Decimal("21.60"), month="02", last_day="28")
    assert note == credit_note(note["id"], Decimal("-11.52"), january["id"])
    assert january["amendments"] == [amendment(note)]
    assert sorted((i["chargeType"], i["subtotal"]) for i in lines(api, february)) == [
        ("cancelImmediate", "-14.4"), ("new", "14.4"), ("renew", "21.6")]
    assert [(i["chargeType"], i["subtotal"], i["quantity"]) for i in lines(api, note)] == [
        ("removeQuantity", "-11.52", "-2")]


def test_a_legacy_license_credit_is_a_recurring_credit_note(make_api: Any) -> None:
    api = users(make_api(provisioning_delay=0))
    until(api, LATE_JANUARY)
    customer = api.new_customer()
    sub = buy_subscription(api, customer, {"catalogItemId": LEGACY_BASE, "quantity": 2, "billingCycle": "monthly"})
    until(api, "2026-02-03T10:00:00Z")
    suspended = api.patch(sub_path(customer, sub), json={**read(api, customer, sub), "status": "suspended"})
    assert suspended.status_code == 200, suspended.text
    until(api, MARCH_2)
    items = invoices(api)["items"]
    note = next(i for i in items if i["documentType"] == "adjustment_note")
    january = next(i for i in items if i["id"] == note["amendsOf"])
    assert re.fullmatch(r"D\d{4}[0-9A-Z]{5}", note["id"]) and january["invoiceType"] == "Recurring"
    assert note == credit_note(note["id"], Decimal(str(note["totalCharges"])), january["id"], "office",
                               "Recurring", "Office/BillingLineItems")
    assert note["totalCharges"] < 0 and january["amendments"] == [amendment(note)]


def test_the_console_shows_a_credit_note_and_the_invoice_it_amends(make_api: Any) -> None:
    api = users(make_api(provisioning_delay=0))
    customer, sub = late_january_seats(api)
    until(api, "2026-02-03T10:00:00Z")
    cancel(api, customer, sub)
    until(api, MARCH_2)
    note, january = invoices(api)["items"]
    console = f"/_simulator/console/partners/{quote(TENANT)}"  # the partner the helpers' tokens are for
    billing = api.get(f"{console}/billing", headers={"Accept": "text/html"})
    assert billing.status_code == 200 and f"credit note of {january['id']}" in billing.text
    shown = api.get(f"{console}/invoices/{note['id']}", headers={"Accept": "text/html"}).text
    assert f"<h1>Credit note {note['id']}</h1>" in shown and f">{january['id']}</a>" in shown
    amended = api.get(f"{console}/invoices/{january['id']}", headers={"Accept": "text/html"}).text
    assert f"<h1>Invoice {january['id']}</h1>" in amended and f">{note['id']}</a> (-28.80)" in amended
