"""A reconciliation job over a simulated quarter: what the integration bought and changed, and the
invoices, line items and usage that follow, to the cent (issue 6's "done means")."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import PLAN_LINE, Api, every_page, move_to, nce_line, unbilled

ONETIME = "provider=onetime&invoicelineitemtype={}"


def cents(value: Any) -> Decimal:
    return Decimal(str(value))


def total(lines: list[dict[str, Any]], field: str) -> Decimal:
    return sum((cents(line[field]) for line in lines), Decimal(0))


def invoice_lines(api: Api, invoice: dict[str, Any], line_type: str, size: int = 3) -> list[dict[str, Any]]:
    """Every line of one kind on an invoice, read in small pages as a reconciliation job would."""
    extra = f"&currencycode={invoice['currencyCode']}&period=previous" if line_type == "usagelineitems" else ""
    lines, _ = every_page(api, f"/v1/invoices/{invoice['id']}/lineitems?{ONETIME.format(line_type)}{extra}&size={size}")
    return lines


def invoices(api: Api) -> dict[tuple[str, str], dict[str, Any]]:
    reply = api.get("/v1/invoices")
    assert reply.status_code == 200, reply.text
    return {(i["billingPeriodStartDate"][:7], i["currencyCode"]): i for i in reply.json()["items"]}


def license_lines(lines: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    return sorted((line["chargeType"], line["chargeStartDate"][:10], line["chargeEndDate"][:10], line["quantity"],
                   line["subtotal"]) for line in lines)


def subscription_id(order: dict[str, Any], number: int) -> str:
    return next(ln["subscriptionId"] for ln in order["lineItems"] if ln["lineItemNumber"] == number)


def patch(api: Api, customer: str, sub_id: str, **changes: Any) -> None:
    path = f"/v1/customers/{customer}/subscriptions/{sub_id}"
    reply = api.patch(path, json={**api.get(path).json(), **changes})
    assert reply.status_code == 200, reply.text


def test_a_quarter_reconciles_to_the_cent(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    us, ca = api.new_customer(), api.new_customer(country="CA")
    # 5 January: three new commerce subscriptions and an Azure plan for a US customer, one for a Canadian.
    yearly_monthly, monthly, yearly = (subscription_id(api.buy(us, line)["orders"][0], 0) for line in (
        nce_line(5, "P1Y", "monthly"), nce_line(2, "P1M", "monthly"), nce_line(3, "P1Y", "annual")))
    plan = api.buy(us, PLAN_LINE)["orders"][0]
    api.buy(ca, nce_line(4, "P1M", "monthly"))
    move_to(api, "2026-01-08T09:00:00Z")
    patch(api, us, yearly, status="deleted")           # inside the window, after the full-refund day
    move_to(api, "2026-01-20T12:00:00Z")
    patch(api, us, yearly_monthly, quantity=8)          # 3 seats more, 16 of the cycle's 31 days left

    # Until January's invoice is out, January is unbilled; then it is billed, and only once.
    move_to(api, "2026-02-01T12:00:00Z")
    january_unbilled = unbilled(api, "previous")
    assert license_lines(january_unbilled) == [
        ("addQuantity", "2026-01-20", "2026-02-04", "3", "9.75"),
        ("cancelImmediate", "2026-01-09", "2027-01-04", "-3", "-213.63"),   # 3 x 72.00 x 361/365 days back
        ("new", "2026-01-05", "2026-02-04", "2", "14.4"),
        ("new", "2026-01-05", "2026-02-04", "5", "31.5"),
        ("new", "2026-01-05", "2027-01-04", "3", "216"),
    ]
    move_to(api, "2026-04-02T00:00:00Z")
    assert unbilled(api, "previous") == [] and unbilled(api, "current") == []  # April's cycles start on the 5th

    found = invoices(api)
    assert sorted(found) == [(m, c) for m in ("2026-01", "2026-02", "2026-03") for c in ("CAD", "USD")]
    expected_licenses = {"2026-01": Decimal("58.02"), "2026-02": Decimal("64.80"), "2026-03": Decimal("64.80")}
    for month, licenses in expected_licenses.items():
        invoice = found[month, "USD"]
        charges = invoice_lines(api, invoice, "billinglineitems")
        usage = invoice_lines(api, invoice, "usagelineitems", size=50)
        assert total(charges, "subtotal") == licenses
        assert usage and {line["subscriptionId"] for line in usage} == {subscription_id(plan, 0)}
        assert total(charges, "subtotal") + total(usage, "billingPreTaxTotal") == cents(invoice["totalCharges"])
        assert {line["invoiceNumber"] for line in charges + usage} == {invoice["id"]}
        assert found[month, "CAD"]["totalCharges"] == 36  # 4 x CAD 9.00, every month
    # February: the 8 seats' cycle charge and the monthly term's renewal.
    february = license_lines(invoice_lines(api, found["2026-02", "USD"], "billinglineitems"))
    assert february == [("cycleCharge", "2026-02-05", "2026-03-04", "8", "50.4"),
                        ("renew", "2026-02-05", "2026-03-04", "2", "14.4")]
    # The usage billed for a month is the daily usage of every day of it, once.
    march_usage = invoice_lines(api, found["2026-03", "USD"], "usagelineitems", size=50)
    assert {line["usageDate"][:10] for line in march_usage} == {f"2026-03-{d:02d}" for d in range(1, 32)}


def test_unbilled_azure_usage_is_what_the_usage_summary_says(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.token = api.token_for(user=True)  # the usage summary is App+User only
    customer = api.new_customer()
    plan = api.buy(customer, PLAN_LINE)["orders"][0]
    move_to(api, "2026-01-25T06:00:00Z")
    rows = unbilled(api, "current", "usagelineitems")
    summary = api.get(f"/v1/customers/{customer}/subscriptions/{subscription_id(plan, 0)}/usagesummary")
    assert summary.status_code == 200, summary.text
    assert rows and total(rows, "billingPreTaxTotal") == cents(summary.json()["totalCost"])


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(days=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=5),
       seats=st.lists(st.integers(min_value=1, max_value=6), min_size=5, max_size=5))  # 25 seats at most
def test_billed_and_unbilled_never_count_a_charge_twice(make_api: Any, days: list[int], seats: list[int]) -> None:
    """Wherever the clock stops, each charge so far is on exactly one of: an invoice, the previous
    period's unbilled lines, the current period's unbilled lines."""
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    order = api.buy(customer, nce_line(seats[0], "P1M", "monthly"), nce_line(seats[1], "P1Y", "monthly"))["orders"][0]
    sub = subscription_id(order, 1)
    seen: set[tuple[str, ...]] = set()
    quantity = seats[1]
    for step, day in enumerate(days):
        api.advance(day * 86400)
        if step < len(seats) - 2:
            quantity += seats[step + 2]  # only more seats: no window needed
            patch(api, customer, sub, quantity=quantity)
        lines = unbilled(api, "current") + unbilled(api, "previous")
        for invoice in invoices(api).values():
            lines += invoice_lines(api, invoice, "billinglineitems", size=2000)
        keys = [(ln["subscriptionId"], ln["chargeType"], ln["chargeStartDate"], ln["quantity"], ln["subtotal"])
                for ln in lines]
        assert len(keys) == len(set(keys))
        assert seen <= set(keys)  # nothing charged earlier disappears
        seen = set(keys)
