"""Invoice line items (I3, I4), unbilled line items (I6) and estimate links (I5), through HTTP."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from simulator.billing import periods
from simulator.ids import name_guid
from tests.helpers import LEGACY_AZURE, LEGACY_E1, UNBILLED, Api, every_page, move_to, nce_line, unbilled

AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
TEAMS_PHONE_ADDON_LINE = {"catalogItemId": "CFQ7TTC0LH0T:0001:CFQ7TTC09FSD", "quantity": 1, "billingCycle": "monthly",
                          "termDuration": "P1Y"}


def january_invoice(api: Api, currency: str = "USD", *, recurring: bool = False) -> str:
    """January's invoice number, which the seed and the partner decide (periods.invoice_number): the
    OneTime (G) invoice of the modern platform, or the Recurring (D) one of legacy office and azure lines."""
    ctx = api.ctx
    return periods.invoice_number(ctx.settings.seed, ctx.settings.default_tenant, periods.from_key("2026-01"), currency,
                                  recurring=recurring)


def billed(api: Api, invoice: str, query: str) -> list[dict[str, Any]]:
    reply = api.get(f"/v1/invoices/{invoice}/lineitems?{query}")
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


def subscription_of(api: Api, customer: str, order: dict[str, Any]) -> dict[str, Any]:
    sub_id = order["lineItems"][0]["subscriptionId"]
    return api.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()


def money(values: list[Any]) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))


# --- reconciliation lines tied to what happened -----------------------------------------------

def test_five_seats_bought_are_an_unbilled_new_line_of_five_times_the_unit_price(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer("fabrikam.onmicrosoft.com")
    order = api.buy(customer, nce_line(5, "P1Y", "monthly"))["orders"][0]
    sub = subscription_of(api, customer, order)
    body = api.get(UNBILLED.format("billinglineitems", "usd", "current")).json()
    line = body["items"][0]
    assert re.fullmatch(r"\d{7}", line["mpnId"])
    assert body == {"totalCount": 1, "items": [{
        "partnerId": api.ctx.settings.default_tenant, "customerId": customer, "customerName": "Contoso",
        "customerDomainName": "fabrikam.onmicrosoft.com", "customerCountry": "US", "invoiceNumber": "",
        "mpnId": line["mpnId"], "resellerMpnId": "0", "orderId": order["id"], "orderDate": "2026-01-05T10:00:00Z",
        "productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971",
        "productName": "Microsoft 365 Business Basic", "skuName": "Microsoft 365 Business Basic",
        "productQualifiers": [], "chargeType": "new", "unitPrice": "6.3", "effectiveUnitPrice": "6.3",
        "unitType": "", "quantity": "5", "subtotal": "31.5", "taxTotal": "0", "totalForCustomer": "31.5",
        "currency": "USD", "publisherName": "Microsoft Corporation", "publisherId": "",
        "subscriptionDescription": "Microsoft 365 Business Basic", "subscriptionId": sub["id"],
        "subscriptionStartDate": "2026-01-05T00:00:00Z", "subscriptionEndDate": "2027-01-04T00:00:00Z",
        "chargeStartDate": "2026-01-05T00:00:00Z", "chargeEndDate": "2026-02-04T00:00:00Z",
        "termAndBillingCycle": "One-Year commitment for monthly/yearly billing", "alternateId": order["id"],
        "referenceId": name_guid(f"charge:{sub['id']}:0"), "priceAdjustmentDescription": "", "discountDetails": "",
        "pricingCurrency": "USD", "pcToBCExchangeRate": "1", "pcToBCExchangeRateDate": "2026-01-01T00:00:00",
        "billableQuantity": "5", "meterDescription": "", "billingFrequency": "Monthly", "reservationOrderId": "",
        "invoiceLineItemType": "billing_line_items", "billingProvider": "one_time", "promotionId": "",
        "attributes": {"objectType": "OneTimeInvoiceLineItem"}}],
        "links": {"self": {"uri": "/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
                                  "&currencycode=usd&period=current&size=2000", "method": "GET", "headers": []}},
        "attributes": {"objectType": "Collection"}}


def test_seats_added_mid_cycle_are_a_prorated_add_quantity_line(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub = subscription_of(api, customer, api.buy(customer, nce_line(5, "P1Y", "monthly"))["orders"][0])
    move_to(api, "2026-01-20T09:00:00Z")
    reply = api.patch(f"/v1/customers/{customer}/subscriptions/{sub['id']}", json={**sub, "quantity": 8})
    assert reply.status_code == 200
    new, added = unbilled(api)
    assert (new["chargeType"], new["quantity"], new["subtotal"]) == ("new", "5", "31.5")
    # 3 seats x 6.30 for the 16 days from Jan 20 to Feb 4 of the 31-day cycle: 9.7548 -> 9.75
    assert {k: added[k] for k in ("chargeType", "quantity", "unitPrice", "effectiveUnitPrice", "subtotal",
                                  "totalForCustomer", "chargeStartDate", "chargeEndDate", "referenceId")} == {
        "chargeType": "addQuantity", "quantity": "3", "unitPrice": "6.3", "effectiveUnitPrice": "3.25",
        "subtotal": "9.75", "totalForCustomer": "9.75", "chargeStartDate": "2026-01-20T00:00:00Z",
        "chargeEndDate": "2026-02-04T00:00:00Z", "referenceId": name_guid(f"charge:{sub['id']}:1")}


def test_an_add_on_cancelled_with_its_base_is_refunded_and_charged_no_more(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    api.buy(customer, nce_line(2, "P1Y", "monthly"), TEAMS_PHONE_ADDON_LINE)
    subs = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    base = next(s for s in subs if not s.get("parentSubscriptionId"))
    add_on = next(s for s in subs if s.get("parentSubscriptionId"))
    reply = api.patch(f"/v1/customers/{customer}/subscriptions/{base['id']}", json={**base, "status": "deleted"})
    assert reply.status_code == 200
    assert api.get(f"/v1/customers/{customer}/subscriptions/{add_on['id']}").json()["status"] == "deleted"
    seen = {(x["subscriptionId"], x["chargeType"], x["quantity"], x["subtotal"]) for x in unbilled(api)}
    assert seen == {(base["id"], "new", "2", "12.6"), (base["id"], "cancelImmediate", "-2", "-12.6"),
                    (add_on["id"], "new", "1", "8.4"), (add_on["id"], "cancelImmediate", "-1", "-8.4")}
    move_to(api, "2026-03-20T00:00:00Z")
    assert unbilled(api) == []  # no cycle charges for either after the cancel


def test_a_suspended_legacy_license_subscription_is_credited_and_not_charged_until_reactivated(make_api: Any) -> None:
    # recon-file-charge-types.md: "Prorate fees when cancel", "Prorate fees when activate".
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    api.buy(customer, {"catalogItemId": LEGACY_E1, "quantity": 2, "billingCycle": "monthly"},
            nce_line(1, "P1M", "monthly"))  # an invoice every month, whatever the legacy subscription does
    sub = next(s for s in api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
               if s["offerId"] == LEGACY_E1)
    path = f"/v1/customers/{customer}/subscriptions/{sub['id']}"
    move_to(api, "2026-01-20T09:00:00Z")
    assert api.patch(path, json={**sub, "status": "suspended"}).status_code == 200
    move_to(api, "2026-03-10T09:00:00Z")
    assert api.patch(path, json={**api.get(path).json(), "status": "active"}).status_code == 200
    move_to(api, "2026-05-02T00:00:00Z")
    ctx = api.ctx

    def office_lines(period: str) -> list[tuple[Any, ...]]:
        number = periods.invoice_number(ctx.settings.seed, ctx.settings.default_tenant, periods.from_key(period), "USD",
                                        recurring=True)
        return [(x["chargeType"], x["quantity"], x["amount"], x["chargeStartDate"][:10], x["chargeEndDate"][:10])
                for x in billed(api, number, "provider=office&invoicelineitemtype=billinglineitems")]
    # 2 seats x 8.00 a month; the cycles start on the 5th.
    assert office_lines("2026-01") == [
        ("New", 2, 16.0, "2026-01-05", "2026-02-04"),
        ("Prorate fees when cancel", -2, -7.74, "2026-01-21", "2026-02-04")]  # 15 of 31 days: 7.7419
    # Suspended: the Feb 5 cycle is not charged, so February has no Recurring (legacy) invoice at all.
    assert api.get(f"/v1/invoices/{periods.invoice_number(ctx.settings.seed, ctx.settings.default_tenant, periods.from_key('2026-02'), 'USD', recurring=True)}").status_code == 404  # noqa: E501
    assert [i["invoiceType"] for i in api.get("/v1/invoices").json()["items"]
            if i["billingPeriodStartDate"].startswith("2026-02")] == ["OneTime"]
    assert office_lines("2026-03") == [
        ("Prorate fees when activate", 2, 13.42, "2026-03-10", "2026-04-04")]  # 26 of 31 days: 13.4194
    assert office_lines("2026-04") == [("Cycle fee", 2, 16.0, "2026-04-05", "2026-05-04")]


def test_lines_move_from_unbilled_to_the_invoice_when_it_comes_out(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    api.buy(customer, nce_line(5, "P1Y", "monthly"))
    invoice = january_invoice(api)
    january = unbilled(api)
    assert [line["chargeType"] for line in january] == ["new"] and unbilled(api, "previous") == []
    move_to(api, "2026-02-01T12:00:00Z")  # January closed, its invoice not out yet (the 2nd)
    assert unbilled(api) == [] and unbilled(api, "previous") == january
    assert api.get(f"/v1/invoices/{invoice}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
                   ).json()["code"] == 1000
    move_to(api, "2026-02-02T00:00:00Z")
    assert unbilled(api, "previous") == [] and unbilled(api) == []
    lines = billed(api, invoice, "provider=onetime&invoicelineitemtype=billinglineitems")
    assert lines == [{**line, "invoiceNumber": invoice} for line in january]
    move_to(api, "2026-02-05T10:00:00Z")  # the second monthly cycle is February's
    assert [(line["chargeType"], line["subtotal"]) for line in unbilled(api)] == [("cycleCharge", "31.5")]
    assert billed(api, invoice, "provider=onetime&invoicelineitemtype=billinglineitems") == lines


def test_billed_lines_add_up_to_the_invoice(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    first, second = api.new_customer(), api.new_customer()
    api.buy(first, nce_line(5, "P1Y", "monthly"),
            {"catalogItemId": LEGACY_E1, "quantity": 2, "billingCycle": "monthly"})
    api.buy(first, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"})
    api.buy(second, {"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"})
    move_to(api, "2026-02-03T00:00:00Z")
    listed = {i["invoiceType"]: i for i in api.get("/v1/invoices").json()["items"] if i["currencyCode"] == "USD"}
    invoice, legacy = listed["OneTime"], listed["Recurring"]  # the platforms are invoiced apart
    assert (invoice["id"], legacy["id"]) == (january_invoice(api), january_invoice(api, recurring=True))
    recon = billed(api, invoice["id"], "provider=onetime&invoicelineitemtype=billinglineitems")
    rated = billed(api, invoice["id"], "provider=onetime&invoicelineitemtype=usagelineitems&currencycode=usd"
                                       "&period=previous")
    office = billed(api, legacy["id"], "provider=office&invoicelineitemtype=billinglineitems")
    azure = billed(api, legacy["id"], "provider=azure&invoicelineitemtype=billinglineitems")
    assert rated and office and azure
    assert billed(api, invoice["id"], "provider=office&invoicelineitemtype=billinglineitems") == []
    assert billed(api, legacy["id"], "provider=onetime&invoicelineitemtype=billinglineitems") == []
    total = money([x["subtotal"] for x in recon] + [x["billingPreTaxTotal"] for x in rated])
    assert total == Decimal(str(invoice["totalCharges"]))
    assert money([x["amount"] for x in office] + [x["pretaxCharges"] for x in azure]) == Decimal(
        str(legacy["totalCharges"]))
    assert [(x["chargeType"], x["quantity"], x["amount"]) for x in office] == [("New", 2, 16.0)]
    assert {x["invoiceNumber"] for x in recon + rated} == {invoice["id"]}


def test_daily_rated_usage_is_priced_per_row_and_reported_after_a_day(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(), {"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"})
    assert unbilled(api, line_type="usagelineitems") == []
    move_to(api, "2026-01-10T00:00:00Z")
    rows = unbilled(api, line_type="usagelineitems")
    assert {row["usageDate"] for row in rows} == {f"2026-01-0{day}T00:00:00Z" for day in range(5, 9)}
    for row in rows:
        price = Decimal(str(row["unitPrice"])) * Decimal(str(row["quantity"]))
        assert Decimal(str(row["billingPreTaxTotal"])) == price.quantize(Decimal("0.01"), "ROUND_HALF_UP")
        assert (row["billingProvider"], row["attributes"]["objectType"]) == ("marketplace", "DailyRatedUsageLineItem")
        assert (row["chargeStartDate"], row["chargeEndDate"]) == ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert unbilled(api, line_type="usagelineitems", extra="&hasPartnerEarnedCredit=true") == []


def test_legacy_azure_is_billed_per_meter_and_listed_per_day(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(), {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"})
    move_to(api, "2026-02-02T00:00:00Z")
    invoice = january_invoice(api, recurring=True)
    assert re.fullmatch(r"D[0-9A-Z]{9}", invoice)
    totals = billed(api, invoice, "provider=azure&invoicelineitemtype=billinglineitems")
    days = billed(api, invoice, "provider=azure&invoicelineitemtype=usagelineitems")
    per_meter: dict[str, Decimal] = {}
    for day in days:
        per_meter[day["resourceGuid"]] = per_meter.get(day["resourceGuid"], Decimal(0)) + Decimal(
            str(day["consumedQuantity"]))
    assert {t["resourceGuid"]: Decimal(str(t["overageQuantity"])) for t in totals} == per_meter
    assert [t["detailLineItemId"] for t in totals] == list(range(1, len(totals) + 1))
    assert {(t["chargeType"], t["chargeStartDate"], t["chargeEndDate"]) for t in totals} == {
        ("ASSESS USAGE FEE FOR CURRENT CYCLE", "2026-01-01T00:00:00", "2026-01-31T00:00:00")}
    assert {d["attributes"]["objectType"] for d in days} == {"DailyUsageLineItem"}


def test_lines_are_in_the_currency_asked_for(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(country="GB"), nce_line(5, "P1Y", "monthly"))
    assert unbilled(api) == []
    [line] = unbilled(api, currency="gbp")
    assert (line["currency"], line["unitPrice"], line["subtotal"]) == ("GBP", "5.17", "25.85")
    move_to(api, "2026-02-02T00:00:00Z")
    assert billed(api, january_invoice(api, "GBP"), "provider=onetime&invoicelineitemtype=billinglineitems") == [
        {**line, "invoiceNumber": january_invoice(api, "GBP")}]
    assert api.get(f"/v1/invoices/{january_invoice(api)}/lineitems?provider=onetime"
                   "&invoicelineitemtype=billinglineitems").status_code == 404


def test_query_values_and_names_match_in_any_casing(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(), nce_line(5, "P1Y", "monthly"))
    expected = unbilled(api)
    for query in ("provider=OneTime&invoiceLineItemType=BillingLineItems&currencyCode=USD&period=Current",
                  "PROVIDER=one_time&invoicelineitemtype=billing_line_items&CurrencyCode=usd&Period=CURRENT",
                  "provider=all&invoicelineitemtype=billinglineitems&currencycode=usd&period=current"):
        reply = api.get(f"/v1/invoices/unbilled/lineitems?{query}")
        assert reply.status_code == 200 and reply.json()["items"] == expected, query


# --- paging ---------------------------------------------------------------------------------

def shop(api: Api, customers: int) -> None:
    for _ in range(customers):
        customer = api.new_customer()
        api.buy(customer, nce_line(2, "P1Y", "monthly"), nce_line(1, "P1M", "monthly"),
                {"catalogItemId": LEGACY_E1, "quantity": 1, "billingCycle": "monthly"})


def test_small_pages_return_every_unbilled_line_once_in_order(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    shop(api, 3)
    whole = unbilled(api)
    assert len(whole) == 6
    for size in (1, 2, 4):
        paged, pages = every_page(api, UNBILLED.format("billinglineitems", "usd", "current") + f"&size={size}")
        assert paged == whole and pages == -(-len(whole) // size)
    assert [x["referenceId"] for x in unbilled(api, extra="&size=2")] == [x["referenceId"] for x in whole[:2]]


def shopped_and_invoiced(make_api: Any, customers: int, query: str) -> tuple[Api, str, list[dict[str, Any]]]:
    """A partner whose customers shopped in January, once the invoice is out: its number and lines."""
    api = make_api(provisioning_delay=0)
    shop(api, customers)
    move_to(api, "2026-02-02T00:00:00Z")
    invoice = january_invoice(api, recurring="provider=onetime" not in query)
    return api, invoice, billed(api, invoice, query)


def test_small_pages_return_every_billed_line_once_in_order_on_both_forms(make_api: Any) -> None:
    api, invoice, whole = shopped_and_invoiced(make_api, 2, "provider=onetime&invoicelineitemtype=billinglineitems")
    paged, pages = every_page(api, f"/v1/invoices/{invoice}/lineitems?provider=OneTime"
                                   "&invoicelineitemtype=BillingLineItems&size=3")
    assert len(whole) == 4 and paged == whole and pages == 2
    first = api.get(f"/v1/invoices/OneTime-{invoice}/lineitems/OneTime/BillingLineItems?size=3").json()
    token = first["links"]["next"]["headers"][0]
    assert first["continuationToken"] == token["value"] and token["key"] == "MS-ContinuationToken"
    assert first["links"]["next"]["uri"] == (f"/invoices/OneTime-{invoice}/lineitems/OneTime/BillingLineItems"
                                             "?size=3&seekOperation=Next")
    rest = api.get("/v1" + first["links"]["next"]["uri"], headers={token["key"]: token["value"]}).json()
    assert first["items"] + rest["items"] == whole and "continuationToken" not in rest and "next" not in rest["links"]


def test_legacy_lines_page_by_offset(make_api: Any) -> None:
    api, invoice, whole = shopped_and_invoiced(make_api, 3, "provider=office&invoicelineitemtype=billinglineitems")
    first = api.get(f"/v1/invoices/{invoice}/lineitems/Office/BillingLineItems?size=2&offset=0").json()
    assert first["links"]["next"] == {"uri": f"/invoices/{invoice}/lineitems/Office/BillingLineItems?size=2&offset=2",
                                      "method": "GET", "headers": []}
    paged, pages = every_page(api, f"/v1/invoices/{invoice}/lineitems?provider=office"
                                   "&invoicelineitemtype=billinglineitems&size=2&offset=0")
    assert len(whole) == 3 and paged == whole and pages == 2
    assert billed(api, invoice, "provider=office&invoicelineitemtype=billinglineitems&size=2&offset=1") == whole[1:]


# --- estimate links ---------------------------------------------------------------------------

def test_estimate_links_point_at_the_unbilled_line_items(api: Api) -> None:
    def item(kind: str, title: str, description: str, period: str, query: str) -> dict[str, Any]:
        uri = f"/invoices/unbilled/lineitems?{query}&currencycode=EUR&period={period.lower()}&size=2000"
        return {"type": kind, "title": title, "description": description, "period": period,
                "link": {"uri": uri, "method": "GET", "headers": []}}

    rated = ("daily_rated_usage", "Daily rated usage unbilled",
             "This invoice line items includes unbilled consumption based data only.")
    recon = ("non_consumption", "Unbilled reconciliation line items",
             "This includes reconciliation line items for unbilled data only.")
    usage = "provider=Marketplace&invoicelineitemtype=UsageLineItems"
    billing = "provider=all&invoicelineitemtype=billinglineitems"
    assert api.get("/v1/invoices/estimates/links?currencycode=eur").json() == {
        "totalCount": 4, "items": [item(*rated, "Current", usage), item(*rated, "Previous", usage),
                                   item(*recon, "Current", billing), item(*recon, "Previous", billing)],
        "attributes": {"objectType": "Collection"}}
    for link in api.get("/v1/invoices/estimates/links?currencycode=eur").json()["items"]:
        assert api.get("/v1" + link["link"]["uri"]).status_code == 200


# --- errors -----------------------------------------------------------------------------------

BILLING = "provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=current"


@pytest.mark.parametrize(("query", "code"), [
    ("invoicelineitemtype=billinglineitems&currencycode=usd&period=current", 800002),  # no provider
    ("provider=onetime&currencycode=usd&period=current", 800002),  # no line item type
    ("provider=onetime&invoicelineitemtype=billinglineitems&period=current", 800002),  # no currency
    ("provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd", 800002),  # no period
    ("provider=msft&invoicelineitemtype=billinglineitems&currencycode=usd&period=current", 900126),
    ("provider=onetime&invoicelineitemtype=lines&currencycode=usd&period=current", 900126),
    ("provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd&period=next", 900126),
    ("provider=office&invoicelineitemtype=billinglineitems&currencycode=usd&period=current", 800002),
    ("provider=onetime&invoicelineitemtype=billinglineitems&currencycode=dollars&period=current", 800002),
    (BILLING + "&size=0", 800002), (BILLING + "&size=2001", 800002), (BILLING + "&size=ten", 800002),
    (BILLING + "&hasPartnerEarnedCredit=maybe", 800002), (BILLING + "&seekOperation=Back", 900126),
    (BILLING + "&seekOperation=Next", 800002),  # no MS-ContinuationToken
])
def test_unbilled_line_items_refuse_bad_queries(api: Api, query: str, code: int) -> None:
    reply = api.get(f"/v1/invoices/unbilled/lineitems?{query}")
    assert (reply.status_code, reply.json()["code"]) == (400, code)


@pytest.mark.parametrize("token", ["garbage!", "AQAAAA==", "b25ldGltZS51c2FnZTp1bmJpbGxlZDoyMDI2LTAxfDAuMC4x",
                                   "\u00e9t\u00e9", "b25ldGltZS5iaWxsaW5nOnVuYmlsbGVkOjIwMjYtMDF8eC55Lno="])
def test_a_token_that_is_not_this_querys_is_refused(api: Api, token: str) -> None:
    reply = api.get(f"/v1/invoices/unbilled/lineitems?{BILLING}&seekOperation=Next",
                    headers={"MS-ContinuationToken": token.encode()})  # type: ignore[dict-item]
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_a_token_only_continues_the_query_it_came_from(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    shop(api, 1)
    usage = UNBILLED.format("usagelineitems", "usd", "current")
    token = api.get(UNBILLED.format("billinglineitems", "usd", "current") + "&size=1").json()["links"]["next"]
    header = {"MS-ContinuationToken": token["headers"][0]["value"]}
    assert api.get(usage + "&seekOperation=Next", headers=header).status_code == 400
    assert api.get("/v1" + token["uri"], headers=header).status_code == 200


RATED = "/v1/invoices/{invoice}/lineitems?provider=onetime&invoicelineitemtype=usagelineitems"


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/v1/invoices/G000000000/lineitems?provider=onetime&invoicelineitemtype=billinglineitems", 404, 1000),
    ("/v1/invoices/G000000000/lineitems/OneTime/BillingLineItems", 404, 1000),
    (RATED + "&period=previous", 400, 800002),  # no currencycode
    (RATED + "&currencycode=usd", 400, 800002),  # no period
    ("/v1/invoices/{invoice}/lineitems?provider=office&invoicelineitemtype=usagelineitems", 400, 800002),
    ("/v1/invoices/{invoice}/lineitems/Azure/Lines", 400, 900126),
    ("/v1/invoices/{invoice}/lineitems/Office/BillingLineItems?offset=-1", 400, 800002),
    ("/v1/invoices/estimates/links", 400, 800002),
    ("/v1/invoices/estimates/links?currencycode=12", 400, 800002),
])
def test_billed_line_items_and_estimate_links_refuse_what_they_cannot_answer(make_api: Any, path: str, status: int,
                                                                             code: int) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(), nce_line())
    move_to(api, "2026-02-02T00:00:00Z")
    reply = api.get(path.format(invoice=january_invoice(api)))
    assert (reply.status_code, reply.json()["code"]) == (status, code)


def test_the_invoice_id_may_carry_its_type(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.buy(api.new_customer(), nce_line())
    move_to(api, "2026-02-02T00:00:00Z")
    invoice = january_invoice(api)
    plain = billed(api, invoice, "provider=onetime&invoicelineitemtype=billinglineitems")
    assert plain and billed(api, f"OneTime-{invoice}", "provider=onetime&invoicelineitemtype=billinglineitems") == plain
    assert api.get(f"/v1/invoices/Recurring-{invoice.lower()}/lineitems/one_time/billing_line_items").json()[
        "items"] == plain
