"""The checker scenario's invoice steps (I1, I2, I7, I8). A partner of its own (so that its invoices
hold only what these steps bought) has a US and a Canadian customer buy new commerce seats (two
currencies); the clock moves to the 2nd of February, when January's invoices come out; then every
read. Runs last: it moves the clock by weeks. `credit_notes`, after the line items, moves it on to April."""
from __future__ import annotations

from typing import Any

from simulator.contracts.integration import agree

PARTNER = "contoso-billing.onmicrosoft.com"
NCE_ITEM = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
INVOICE_MOMENT = "2026-02-02T00:00:00Z"  # January's invoices: a day after the period closes
ADDRESSES = {"US": {"AddressLine1": "One Microsoft Way", "City": "Redmond", "State": "WA", "PostalCode": "98052"},
             "CA": {"AddressLine1": "1 Bay Street", "City": "Toronto", "State": "ON", "PostalCode": "M5J 2R8"}}


def customer_body(country: str) -> dict[str, Any]:
    address = {"FirstName": "Ada", "LastName": "Lovelace", "Country": country, **ADDRESSES[country]}
    return {"CompanyProfile": {"Domain": f"contoso-billing-{country.lower()}.onmicrosoft.com"},
            "BillingProfile": {"Culture": f"EN-{country}", "Email": "ada@contoso.com", "Language": "en",
                               "CompanyName": f"Contoso {country}", "DefaultAddress": address}}


async def buy_seats(d: Any, token: str, user: str, country: str, quantity: int, domain: str = "") -> tuple[str, str]:
    """A new customer of `country` buys seats for a month; the customer and its order's id."""
    body = customer_body(country)
    if domain:
        body["CompanyProfile"]["Domain"] = domain
    customer = (await d.call(None, "POST", "/v1/customers", json=body, token=token))["id"]
    await agree(d, customer, user)
    line = {"id": 0, "catalogItemId": NCE_ITEM, "quantity": quantity, "billingCycle": "monthly", "termDuration": "P1M"}
    cart = await d.call(None, "POST", f"/v1/customers/{customer}/carts", json={"lineItems": [line]}, token=token)
    done = await d.call(None, "POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout", token=token)
    return customer, done["orders"][0]["id"]


async def tokens(d: Any, app_form: dict[str, str], user_form: dict[str, str]) -> list[str]:
    return [(await d.call(None, "POST", f"/{PARTNER}/oauth2/token", data=form, token=""))["access_token"]
            for form in (app_form, user_form)]


async def invoices(d: Any, app_form: dict[str, str], user_form: dict[str, str]) -> list[dict[str, Any]]:
    """Returns the invoices as read by id (I2), for steps that read their line items."""
    app, user = await tokens(d, app_form, user_form)
    await buy_seats(d, app, user, "US", 5)
    await buy_seats(d, app, user, "CA", 2)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"until": INVOICE_MOMENT})
    listed = (await d.call("I1", "GET", "/v1/invoices", token=app))["items"]
    await d.call("I1", "GET", "/v1/invoices?size=1&offset=0", token=app)
    read = [await d.call("I2", "GET", f"/v1/invoices/{invoice['id']}", token=user) for invoice in listed]
    await d.call("I2", "GET", "/v1" + listed[0]["links"]["self"]["uri"], token=user)  # /invoices/OneTime-G…
    await d.call("I7", "GET", "/v1/invoices/summaries", token=user)
    await d.call("I8", "GET", f"/v1/invoices/{listed[0]['id']}/documents/statement", token=user)
    await d.call("I8", "GET", "/v1" + read[0]["pdfDownloadLink"], token=user)
    return read


async def credit_notes(d: Any, app_form: dict[str, str], user_form: dict[str, str]) -> None:
    """A refund of an invoiced cycle makes a credit note (billing/ledger.py): a US customer buys seats on
    February 27th, February's invoice comes out on March 2nd, the seats are cancelled that day (inside the
    7-day window), and at April 2nd March's close puts the refund on a credit note of February's invoice.
    Then the invoices with their `amendments` (I1), the credit note and the amended invoice by id (I2), the
    credit note's lines (I3, I4) and statement (I8). Runs last: it moves the clock to April."""
    app, user = await tokens(d, app_form, user_form)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"until": "2026-02-27T10:00:00Z"})
    customer, order = await buy_seats(d, app, user, "US", 3, "contoso-billing-refund.onmicrosoft.com")
    await d.call(None, "POST", "/_simulator/clock/advance", json={"until": "2026-03-02T10:00:00Z"})
    path = f"/v1/customers/{customer}/subscriptions"
    sub = (await d.call(None, "GET", f"{path}?order_id={order}", token=app))["items"][0]
    await d.call(None, "PATCH", f"{path}/{sub['id']}", json={**sub, "status": "deleted"}, token=app)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"until": "2026-04-02T00:00:00Z"})
    listed = (await d.call("I1", "GET", "/v1/invoices", token=app))["items"]
    note = next(i for i in listed if i["documentType"] == "adjustment_note")
    await d.call("I2", "GET", f"/v1/invoices/{note['id']}", token=user)
    await d.call("I2", "GET", f"/v1/invoices/{note['amendsOf']}", token=user)
    lines = note["invoiceDetails"][0]["links"]["self"]["uri"]
    await d.call("I4", "GET", "/v1" + lines, token=app)
    await d.call("I3", "GET", f"/v1/invoices/{note['id']}/lineitems?provider=OneTime"
                              "&invoicelineitemtype=BillingLineItems&size=2", token=app)
    await d.call("I8", "GET", f"/v1/invoices/{note['id']}/documents/statement", token=user)
