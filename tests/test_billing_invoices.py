from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    Api,
    invoice_summary,
    invoices,
    listed_invoice,
    nce_line,
    statement_rows,
    statement_text,
    until,
    users,
)

BEFORE_JANUARY_INVOICE = "2026-02-01T23:59:59Z"
JANUARY_INVOICE = "2026-02-02T00:00:00Z"  # the day after January closes (simulator/billing/periods.py)
FEBRUARY_INVOICE = "2026-03-02T00:00:00Z"


def buy_seats(api: Api, quantity: int = 5, country: str = "US", term: str = "P1M") -> Decimal:
    """A customer of `country` buys seats of Microsoft 365 Business Basic billed monthly; the unit price."""
    customer = api.new_customer(country=country)
    order = api.buy(customer, nce_line(quantity=quantity, term=term))["orders"][0]
    return Decimal(str(order["lineItems"][0]["pricing"]["listPrice"]))


def link(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "GET", "headers": []}


def january_invoice(api: Api) -> tuple[str, Decimal]:
    """With App+User tokens, a US customer buys 5 seats; at January's invoice moment, its
    invoice's id and the seats' unit price."""
    users(api)
    price = buy_seats(api, 5)
    until(api, JANUARY_INVOICE)
    return invoices(api)["items"][0]["id"], price


# --- I1: invoices come out at the invoice moment, one per month and currency --------------

def test_january_seats_make_one_invoice_once_its_invoice_moment_has_come(api: Api) -> None:
    price = buy_seats(api, quantity=5)
    until(api, BEFORE_JANUARY_INVOICE)
    assert invoices(api) == {"totalCount": 0, "items": [], "links": {"self": link("/invoices")},
                             "attributes": {"objectType": "Collection"}}
    until(api, JANUARY_INVOICE)
    listed = invoices(api)
    invoice_id = listed["items"][0]["id"]
    assert re.fullmatch(r"G\d{9}", invoice_id)
    assert listed == {"totalCount": 1, "items": [listed_invoice(invoice_id, 5 * price)],
                      "links": {"self": link("/invoices")}, "attributes": {"objectType": "Collection"}}
    assert Decimal(str(listed["items"][0]["totalCharges"])) == 5 * price == Decimal("36.00")


def test_a_canadian_customer_is_invoiced_apart_in_canadian_dollars(api: Api) -> None:
    usd, cad = buy_seats(api, 5, "US"), buy_seats(api, 2, "CA")
    until(api, JANUARY_INVOICE)
    items = invoices(api)["items"]
    assert [(i["currencyCode"], Decimal(str(i["totalCharges"]))) for i in items] == [("USD", 5 * usd), ("CAD", 2 * cad)]
    assert items[1] == listed_invoice(items[1]["id"], 2 * cad, "CAD")
    assert items[0]["id"] != items[1]["id"]


def test_the_next_month_brings_the_invoice_of_its_cycle_charge(api: Api) -> None:
    price = buy_seats(api, quantity=5, term="P1Y")  # billed monthly: February's cycle is charged on the 5th
    until(api, FEBRUARY_INVOICE)
    items = invoices(api)["items"]
    assert [i["billingPeriodStartDate"] for i in items] == ["2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"]
    assert items[0] == listed_invoice(items[0]["id"], 5 * price, month="02", last_day="28")
    assert Decimal(str(items[0]["totalCharges"])) == Decimal(str(items[1]["totalCharges"])) == 5 * price


def test_a_month_without_charges_has_no_invoice(api: Api) -> None:
    buy_seats(api, quantity=1, term="P1M")
    api.advance(60)  # provisioned
    customer = api.get("/v1/customers").json()["items"][0]["id"]
    sub = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"][0]
    assert api.patch(f"/v1/customers/{customer}/subscriptions/{sub['id']}",
                     json={**sub, "autoRenewEnabled": False}).status_code == 200
    until(api, FEBRUARY_INVOICE)
    assert [i["billingPeriodStartDate"] for i in invoices(api)["items"]] == ["2026-01-01T00:00:00Z"]


def test_invoices_page_with_size_and_offset(api: Api) -> None:
    buy_seats(api, 5, "US")
    buy_seats(api, 2, "CA")
    until(api, JANUARY_INVOICE)
    every = invoices(api)["items"]
    first = invoices(api, "?size=1&offset=0")
    assert first["items"] == every[:1] and first["totalCount"] == 1
    assert first["links"] == {"self": link("/invoices?size=1&offset=0"), "next": link("/invoices?size=1&offset=1")}
    second = invoices(api, "?SIZE=1&Offset=1")
    assert second["items"] == every[1:] and second["links"] == {"self": link("/invoices?size=1&offset=1")}
    assert invoices(api, "?size=5&offset=2")["items"] == []


def test_bad_paging_values_are_refused_and_the_sdk_filter_is_not_simulated(api: Api) -> None:
    for query in ("size=0", "size=-1", "size=two", "size=1.5", "offset=-1", "offset=x", "size=", "size=9999999999"):
        reply = api.get(f"/v1/invoices?{query}")
        assert (reply.status_code, reply.json()["code"]) == (400, 800002), query
    filtered = api.get('/v1/invoices?filter={"Field":"InvoiceDate","Value":"2026-01","Operator":"equals"}')
    assert (filtered.status_code, filtered.json()["code"]) == (501, 900127)


# --- I2: one invoice, with a PDF link that expires ----------------------------------------

def test_an_invoice_read_by_id_has_the_documented_shape_and_a_statement_link(api: Api) -> None:
    invoice_id, price = january_invoice(api)
    api.advance(3600)
    reply = api.get(f"/v1/invoices/{invoice_id}")
    assert reply.status_code == 200
    expected = {k: v for k, v in listed_invoice(invoice_id, 5 * price).items() if k != "amendments"}
    expected["pdfDownloadLink"] = f"/invoices/{invoice_id}/documents/statement?expiresAt=2026-02-02T01:30:00Z"
    assert reply.json() == expected
    assert list(reply.json()) == ["id", "invoiceDate", "billingPeriodStartDate", "billingPeriodEndDate",
                                  "totalCharges", "paidAmount", "currencyCode", "currencySymbol", "pdfDownloadLink",
                                  "taxReceipts", "invoiceDetails", "documentType", "invoiceType", "links",
                                  "attributes"]


def test_an_invoice_is_found_by_the_typed_id_of_its_links_in_any_case(api: Api) -> None:
    invoice_id, _ = january_invoice(api)
    for form in (f"OneTime-{invoice_id}", invoice_id.lower()):
        assert api.get(f"/v1/invoices/{form}").json()["id"] == invoice_id


def test_an_unknown_invoice_is_not_found(api: Api) -> None:
    january_invoice(api)
    for path in ("/v1/invoices/G000000000", "/v1/invoices/G000000000/documents/statement"):
        reply = api.get(path)
        assert (reply.status_code, reply.json()["code"]) == (404, 1000), path


def test_invoices_of_another_partner_are_not_found(api: Api) -> None:
    invoice_id, _ = january_invoice(api)
    other = api.token_for("fabrikam-partner.onmicrosoft.com", user=True)
    assert api.get("/v1/invoices", token=other).json()["items"] == []
    assert api.get(f"/v1/invoices/{invoice_id}", token=other).status_code == 404


def test_invoice_by_id_summaries_and_statement_need_app_and_user(api: Api) -> None:
    invoice_id, _ = january_invoice(api)
    app_only = api.app_token  # type: ignore[attr-defined]
    assert api.get("/v1/invoices", token=app_only).status_code == 200  # I1 takes both
    for path in (f"/v1/invoices/{invoice_id}", "/v1/invoices/summaries", f"/v1/invoices/{invoice_id}/documents/statement"):
        reply = api.get(path, token=app_only)
        assert (reply.status_code, reply.json()["code"]) == (403, 900329), path


def test_the_pdf_link_expires_after_thirty_minutes_of_simulated_time(api: Api) -> None:
    invoice_id, _ = january_invoice(api)
    pdf_link = api.get(f"/v1/invoices/{invoice_id}").json()["pdfDownloadLink"]
    api.advance(30 * 60)
    assert api.get(f"/v1{pdf_link}").status_code == 200
    api.advance(1)
    late = api.get(f"/v1{pdf_link}")
    assert (late.status_code, late.json()["code"]) == (403, 2032)
    fresh_link = api.get(f"/v1/invoices/{invoice_id}").json()["pdfDownloadLink"]
    assert fresh_link != pdf_link and api.get(f"/v1{fresh_link}").status_code == 200
    assert api.get(f"/v1/invoices/{invoice_id}/documents/statement").status_code == 200  # I8 itself never expires
    garbled = api.get(f"/v1/invoices/{invoice_id}/documents/statement?expiresAt=soon")
    assert (garbled.status_code, garbled.json()["code"]) == (400, 800002)


# --- I8: the statement ----------------------------------------------------------------------

def test_the_statement_is_a_pdf_of_the_invoice_and_the_same_state_gives_the_same_bytes(make_api: Any) -> None:
    statements = []
    for api in (make_api(), make_api()):
        invoice_id, price = january_invoice(api)
        reply = api.get(f"/v1/invoices/OneTime-{invoice_id}/documents/statement")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/pdf"
        assert reply.headers["content-disposition"] == f"attachment; filename=Invoice_{invoice_id}.pdf"
        assert reply.content.startswith(b"%PDF-")
        api.advance(86400)  # wall time and simulated time move on: the bytes don't
        assert api.get(f"/v1/invoices/{invoice_id}/documents/statement").content == reply.content
        statements.append(reply.content)
        text = statement_text(api, invoice_id)
        assert f"Invoice number {invoice_id}" in text and f"Total charges {5 * price:.2f} USD" in text
        assert "Billing period 2026-01-01 to 2026-01-31" in text
        assert statement_rows(text) == [5 * price]
    assert statements[0] == statements[1]


# --- I7: summaries --------------------------------------------------------------------------

def test_summaries_give_each_currency_its_unpaid_balance(api: Api) -> None:
    users(api)
    assert api.get("/v1/invoices/summaries").json() == {
        "totalCount": 0, "items": [], "links": {"self": link("/invoices/summaries")},
        "attributes": {"objectType": "Collection"}}
    usd, cad = buy_seats(api, 5, "US", term="P1Y"), buy_seats(api, 2, "CA", term="P1Y")
    until(api, FEBRUARY_INVOICE)
    january, february = "2026-02-02T00:00:00Z", "2026-03-02T00:00:00Z"
    in_cad = invoice_summary(4 * cad, "CAD", january, february)
    in_usd = invoice_summary(10 * usd, "USD", january, february)
    body = api.get("/v1/invoices/summaries").json()
    assert body == {"totalCount": 2, "items": [
        {**{k: v for k, v in in_cad.items() if k != "attributes"},
         "details": [{"invoiceType": "OneTime", "summary": in_cad}],
         "links": {"self": link("/invoices/summary")}, "attributes": {"objectType": "InvoiceSummary"}},
        {**{k: v for k, v in in_usd.items() if k != "attributes"},
         "details": [{"invoiceType": "OneTime", "summary": in_usd}],
         "links": {"self": link("/invoices/summary")}, "attributes": {"objectType": "InvoiceSummary"}}],
        "links": {"self": link("/invoices/summaries")}, "attributes": {"objectType": "Collection"}}


# --- properties -----------------------------------------------------------------------------

PURCHASES = st.lists(st.tuples(st.sampled_from(["US", "CA"]), st.integers(1, 25), st.sampled_from(["P1M", "P1Y"]),
                               st.integers(0, 6 * 86400)), min_size=1, max_size=4)


def line_item_subtotals(api: Api, invoice: dict[str, Any]) -> list[Decimal] | None:
    """The subtotals of the invoice's line items (I4, each detail's link), or None while I4 answers 501."""
    found: list[Decimal] = []
    for detail in invoice["invoiceDetails"]:
        reply = api.get("/v1" + detail["links"]["self"]["uri"])
        if reply.status_code == 501:
            return None
        assert reply.status_code == 200, reply.text
        found += [Decimal(str(item["subtotal"])) for item in reply.json()["items"]]
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(purchases=PURCHASES, months=st.integers(1, 3))
def test_an_invoice_totals_its_details_and_its_line_items(make_api: Any, purchases: list[Any], months: int) -> None:
    api = users(make_api())
    expected: dict[str, Decimal] = {}
    for country, quantity, term, wait in purchases:
        api.advance(wait)  # still January: the first purchase is on the 5th, the waits add up to 24 days at most
        price = buy_seats(api, quantity, country, term)
        currency = "USD" if country == "US" else "CAD"
        expected[currency] = expected.get(currency, Decimal(0)) + quantity * price
    until(api, f"2026-{1 + months:02d}-02T00:00:00Z")
    listed = invoices(api)["items"]
    january = {i["currencyCode"]: Decimal(str(i["totalCharges"])) for i in listed
               if i["billingPeriodStartDate"].startswith("2026-01")}
    assert january == expected  # every January purchase charges its first month in full
    for invoice in listed:
        total = Decimal(str(invoice["totalCharges"]))
        assert sum(statement_rows(statement_text(api, invoice["id"]))) == total
        subtotals = line_item_subtotals(api, invoice)
        if subtotals is not None:
            assert sum(subtotals) == total


def test_the_openapi_document_says_the_statement_is_a_pdf_and_lists_the_paging_parameters(api: Api) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    statement = paths["/v1/invoices/{invoice-id}/documents/statement"]["get"]
    assert statement["operationId"] == "I8"
    assert statement["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    assert "Content-Disposition" in statement["responses"]["200"]["headers"]
    assert statement["x-pcsim-app-user-only"] is True and "App+User" in statement["responses"]["403"]["description"]
    listing = paths["/v1/invoices"]["get"]
    assert "x-pcsim-app-user-only" not in listing
    assert [p["name"] for p in listing["parameters"]] == ["size", "offset"]
    assert {paths["/v1/invoices/summaries"]["get"]["operationId"], paths["/v1/invoices/{invoice-id}"]["get"]["operationId"]} \
        == {"I7", "I2"}
