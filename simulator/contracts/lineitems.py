"""The checker scenario's line item steps (I3-I6), after January's invoices are out: every invoice's
lines by its `invoiceDetails` links (I4) and by the query form (I3), a second OneTime page by its
continuation token, then the estimate links (I5) and the unbilled lines of February (I6).
Runs last: it moves the clock to the 2nd of February if it is not there yet, then a week on."""
from __future__ import annotations

from typing import Any

INVOICES_OUT = "2026-02-02T00:00:00Z"  # January's invoices: a day after the period closes


async def line_items(d: Any) -> None:
    now = (await d.call(None, "GET", "/_simulator/clock"))["now"]
    if now < INVOICES_OUT:
        await d.call(None, "POST", "/_simulator/clock/advance", json={"until": INVOICES_OUT})
    for invoice in (await d.call(None, "GET", "/v1/invoices"))["items"]:
        for detail in invoice.get("invoiceDetails") or []:
            link = detail["links"]["self"]["uri"]
            await billed(d, invoice, link)
            if link.endswith("/Azure/UsageLineItems"):  # MS-AZR-0145P usage is billed as BillingLineItems too
                await billed(d, invoice, link.replace("/UsageLineItems", "/BillingLineItems"))
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": 7 * 86400})
    await d.call("I5", "GET", "/v1/invoices/estimates/links?currencycode=usd")
    for link in (await d.call(None, "GET", "/v1/invoices/estimates/links?currencycode=USD"))["items"]:
        await d.call("I6", "GET", "/v1" + link["link"]["uri"])
    unbilled = "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype={}&currencycode=usd&period=current"
    for line_type in ("billinglineitems", "usagelineitems"):
        await first_pages(d, "I6", unbilled.format(line_type) + "&size=2")


async def billed(d: Any, invoice: dict[str, Any], link: str) -> None:
    """One provider and line item type of an invoice: the whole list by its `invoiceDetails` link (I4), the
    first two pages by either form, the consumption query form with the currency and period it needs (I3)."""
    await d.call("I4", "GET", "/v1" + link)
    await first_pages(d, "I4", f"/v1{link}?size=2&offset=0")
    provider, line_type = link.split("/")[-2:]
    query = f"/v1/invoices/{invoice['id']}/lineitems?provider={provider}&invoicelineitemtype={line_type}&size=2"
    if line_type == "UsageLineItems" and provider == "OneTime":
        query += f"&currencycode={invoice['currencyCode'].lower()}&period=previous"
    await first_pages(d, "I3", query if provider == "OneTime" else query + "&offset=0")


async def first_pages(d: Any, op: str, path: str) -> None:
    """A page and the next one, by its `next` link (a token header for OneTime, an offset for the others)."""
    first = await d.call(op, "GET", path)
    follow = (first.get("links") or {}).get("next") if isinstance(first, dict) else None
    if follow:
        headers = {h["key"]: h["value"] for h in follow["headers"]}
        reply = await d.client.get("/v1" + follow["uri"], headers={"Authorization": f"Bearer {d.token}", **headers})
        d.replies.setdefault(op, []).append((reply.status_code, reply.json()))
