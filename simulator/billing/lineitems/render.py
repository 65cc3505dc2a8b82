"""The line item resources, as the recorded examples spell them.

- OneTimeInvoiceLineItem (get-invoiceline-items.md and get-invoice-unbilled-recon-lineitems.md, the
  newest example): money, quantities and the exchange rate are strings (`"16"`, `"14.4"`), days are
  `2021-05-20T00:00:00Z`, the exchange rate date has no zone; tax is not simulated (`taxTotal` "0",
  `totalForCustomer` = `subtotal`).
- DailyRatedUsageLineItem (the consumption pages): numbers, `billingProvider` "marketplace" whatever the
  provider asked (as the examples and the SDK's model say), the charge period is [1st, next 1st).
- The legacy shapes (LicenseBasedLineItem, UsageBasedLineItem, DailyUsageLineItem; the 2017 and 2023
  examples): numbers, integer MPN ids, days without a zone, upper-case names as the old billing
  system printed them. License charge types use the legacy names of recon-file-charge-types.md, with
  the API's own mapping (get-invoiceline-items.md): Purchase is `New`, Refund is `Cancel`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote, urlencode

from simulator import ids, wire
from simulator.billing import charges
from simulator.billing.ledger import Line
from simulator.billing.lineitems.query import (
    DAILY_RATED,
    DAILY_USAGE,
    LICENSE_BASED,
    ONE_TIME_ITEM,
    USAGE_BASED,
    Query,
)
from simulator.billing.lineitems.rules import Page, Window
from simulator.catalog.data import RESERVATION
from simulator.context import Context
from simulator.customers.records import customer_country
from simulator.subscriptions.dates import OPEN_ENDED

BILLING_ITEMS, USAGE_ITEMS = "billing_line_items", "usage_line_items"
LEGACY_CHARGE_TYPES = {charges.NEW: "New", charges.RENEW: "Renew fee", charges.CYCLE: "Cycle fee",
                       charges.ADD: "Cycle instance prorate", charges.REMOVE: "Cancel fee",
                       charges.CANCEL: "Cancel", charges.SUSPEND: "Prorate fees when cancel",
                       charges.REACTIVATE: "Prorate fees when activate",
                       charges.CONVERT: "Prorate fees when convert away from current offering"}
FREQUENCIES = {"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial"}
TOKEN = "MS-ContinuationToken"  # the header a OneTime page's `next` link carries
USAGE_FEE = "ASSESS USAGE FEE FOR CURRENT CYCLE"  # recon-file-charge-types.md, as the 2017 example prints it


# --- values ---------------------------------------------------------------------------------

def text(value: Decimal) -> str:
    """A Decimal as the OneTime lines print it: `720`, `14.4`, `-18.9`."""
    return "0" if not value else format(value.normalize(), "f")


def zulu_day(day: date | None) -> str:
    return f"{day.isoformat()}T00:00:00Z" if day else OPEN_ENDED


def local_day(day: date | None) -> str:
    return f"{(day or date(9999, 12, 10)).isoformat()}T00:00:00"


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def number(name: str, seed: int, digits: int) -> int:
    """A stable made-up number (an MPN id, a billable account) for `name`."""
    return ids.stream(name, seed).randrange(10 ** (digits - 1), 10 ** digits)


def mpn_id(ctx: Context, tenant: str) -> int:
    return number(f"mpn:{tenant.lower()}", ctx.settings.seed, 7)


# --- the customer and the product a line is about -------------------------------------------

def customer_facts(customer: Mapping[str, Any]) -> tuple[str, str, str]:
    """Name, domain and country."""
    company = customer["company"]
    name = company.get("company_name") or customer["billing"].get("company_name") or ""
    return name, company["domain"], customer_country(customer)


def product_names(ctx: Context, facts: Mapping[str, Any], sub: Mapping[str, Any]) -> tuple[str, str, str]:
    """Product name, SKU name and publisher, from the catalog (the charge's own product: a renewal may
    have moved the subscription to another)."""
    sku = ctx.catalog.sku(facts["product_id"], facts["sku_id"]) if facts.get("product_id") and facts.get("sku_id") \
        else None
    if sku is not None:
        product = sku.product.wire
        return product.get("title", ""), sku.wire.get("title", ""), product.get("publisherName") or ""
    name = sub.get("offer_name") or ""
    return name, name, sub.get("publisher_name") or "Microsoft Corporation"


def term_and_cycle(ctx: Context, facts: dict[str, Any]) -> str:
    """The availability term's description (`One-Year commitment for monthly/yearly billing`)."""
    if not (facts.get("product_id") and facts.get("sku_id") and facts.get("availability_id")):
        return ""
    availability = ctx.catalog.availability(facts["product_id"], facts["sku_id"], facts["availability_id"])
    found = availability.find_terms(facts.get("term"), facts.get("cycle") or "") if availability else []
    return (found[0].get("description") or "") if found else ""


def qualifiers(sub: Mapping[str, Any], facts: Mapping[str, Any]) -> list[str]:
    return [q for q, on in (("AddOn", sub.get("parent_subscription_id")), ("Trial", facts.get("trial"))) if on]


# --- the five resources ----------------------------------------------------------------------

def one_time_item(ctx: Context, line: Line, window: Window) -> dict[str, Any]:
    charge, sub, currency = line.item, line.sub, line.market.currency
    facts = charge.facts
    name, domain, country = customer_facts(line.customer)
    product, sku, publisher = product_names(ctx, facts, sub)
    return {
        "partnerId": sub["tenant"], "customerId": line.customer["id"], "customerName": name,
        "customerDomainName": domain, "customerCountry": country, "invoiceNumber": window.invoice_number,
        "mpnId": str(mpn_id(ctx, sub["tenant"])), "resellerMpnId": sub.get("partner_id") or "0",
        "orderId": sub["order_id"], "orderDate": sub["created"], "productId": facts.get("product_id") or "",
        "skuId": facts.get("sku_id") or "", "availabilityId": facts.get("availability_id") or "",
        "productName": product, "skuName": sku, "productQualifiers": qualifiers(sub, facts),
        "chargeType": charge.charge_type, "unitPrice": text(charge.unit_price),
        "effectiveUnitPrice": text(charge.effective_unit_price), "unitType": "", "quantity": str(charge.quantity),
        "subtotal": text(charge.amount), "taxTotal": "0", "totalForCustomer": text(charge.amount),
        "currency": currency, "publisherName": publisher, "publisherId": "",
        "subscriptionDescription": sub.get("friendly_name") or "", "subscriptionId": sub["id"],
        "subscriptionStartDate": zulu_day(charge.term_start), "subscriptionEndDate": zulu_day(charge.term_end),
        "chargeStartDate": zulu_day(charge.start), "chargeEndDate": zulu_day(charge.end),
        "termAndBillingCycle": term_and_cycle(ctx, facts), "alternateId": sub["order_id"],
        "referenceId": ids.name_guid(f"charge:{sub['id']}:{charge.sequence}"), "priceAdjustmentDescription": "",
        "discountDetails": "", "pricingCurrency": currency, "pcToBCExchangeRate": "1",
        "pcToBCExchangeRateDate": local_day(month_of(charge.at)), "billableQuantity": str(charge.quantity),
        "meterDescription": "", "billingFrequency": "" if facts.get("trial") else FREQUENCIES.get(
            (facts.get("cycle") or "").lower(), ""),
        "reservationOrderId": ids.name_guid(f"reservation-order:{sub['id']}") if sub["kind"] == RESERVATION else "",
        "invoiceLineItemType": BILLING_ITEMS, "billingProvider": "one_time", "promotionId": "",
        "attributes": wire.attributes(ONE_TIME_ITEM),
    }


def daily_rated(ctx: Context, line: Line, window: Window) -> dict[str, Any]:
    row, sub, period = line.item, line.sub, window.period
    meter = row.meter
    name, domain, country = customer_facts(line.customer)
    return {
        "partnerId": sub["tenant"], "partnerName": "", "customerId": line.customer["id"], "customerName": name,
        "customerDomainName": domain, "invoiceNumber": window.invoice_number,
        "productId": sub.get("product_id") or "", "skuId": sub.get("sku_id") or "",
        "availabilityId": sub.get("availability_id") or "", "skuName": meter.name, "productName": meter.category,
        "publisherName": "Microsoft", "publisherId": "", "subscriptionId": sub["id"],
        "subscriptionDescription": sub.get("friendly_name") or "", "chargeStartDate": wire.iso(period.start),
        "chargeEndDate": wire.iso(period.end), "usageDate": zulu_day(row.day), "meterType": meter.type,
        "meterCategory": meter.category, "meterId": meter.id, "meterSubCategory": meter.subcategory,
        "meterName": meter.name, "meterRegion": meter.region, "unitOfMeasure": meter.unit,
        "resourceLocation": row.resource_location, "consumedService": meter.consumed_service,
        "resourceGroup": row.resource_group, "resourceUri": row.resource_uri, "tags": "", "additionalInfo": "",
        "serviceInfo1": "", "serviceInfo2": "", "customerCountry": country,
        "mpnId": str(mpn_id(ctx, sub["tenant"])), "resellerMpnId": sub.get("partner_id") or "",
        "chargeType": "new", "unitPrice": row.unit_price, "quantity": row.quantity, "unitType": meter.unit,
        "billingPreTaxTotal": row.amount, "billingCurrency": row.currency, "pricingPreTaxTotal": row.usd_amount,
        "pricingCurrency": "USD", "entitlementId": row.entitlement_id, "entitlementDescription": row.entitlement_name,
        "pcToBCExchangeRate": line.market.price_factor, "pcToBCExchangeRateDate": wire.iso(period.start),
        "effectiveUnitPrice": row.unit_price, "rateOfPartnerEarnedCredit": 0, "hasPartnerEarnedCredit": False,
        "rateOfCredit": 0, "creditType": "Credit Not Applied", "invoiceLineItemType": USAGE_ITEMS,
        "billingProvider": "marketplace", "benefitOrderId": "", "benefitId": "", "benefitType": "Charge",
        "attributes": wire.attributes(DAILY_RATED),
    }


def legacy_partner(ctx: Context, line: Line) -> dict[str, Any]:
    sub = line.sub
    reseller = sub.get("partner_id") or ""
    return {"mpnId": mpn_id(ctx, sub["tenant"]), "tier2MpnId": int(reseller) if reseller.isdigit() else -1}


def license_based(ctx: Context, line: Line, window: Window) -> dict[str, Any]:
    charge, sub = line.item, line.sub
    name, domain, _ = customer_facts(line.customer)
    offer = (sub.get("offer_name") or "").upper()
    return {
        "partnerId": sub["tenant"], "customerId": line.customer["id"], "customerName": name.upper(),
        **legacy_partner(ctx, line), "orderId": sub["order_id"], "subscriptionId": sub["id"],
        "syndicationPartnerSubscriptionNumber": ids.name_guid(f"syndication:{sub['id']}").upper(),
        "offerId": charge.facts.get("offer_id") or sub["offer_id"],
        "durableOfferId": ids.name_guid(f"durable-offer:{sub['offer_id']}").upper(), "offerName": offer,
        "domainName": domain, "billingCycleType": (charge.facts.get("cycle") or "").upper(),
        "subscriptionName": offer, "subscriptionDescription": offer,
        "subscriptionStartDate": local_day(charge.term_start), "subscriptionEndDate": local_day(charge.term_end),
        "chargeStartDate": local_day(charge.start), "chargeEndDate": local_day(charge.end),
        "chargeType": LEGACY_CHARGE_TYPES.get(charge.charge_type, charge.charge_type),
        "unitPrice": charge.unit_price, "quantity": charge.quantity, "amount": charge.amount,
        "totalOtherDiscount": 0, "subtotal": charge.amount, "tax": 0, "totalForCustomer": charge.amount,
        "currency": line.market.currency, "invoiceLineItemType": BILLING_ITEMS, "billingProvider": "office",
        "attributes": wire.attributes(LICENSE_BASED),
    }


def azure_usage(ctx: Context, line: Line, window: Window, quantity: Decimal) -> dict[str, Any]:
    """What the 0145P billing and daily usage lines share."""
    sub, meter, seed = line.sub, line.item.meter, ctx.settings.seed
    name, domain, _ = customer_facts(line.customer)
    return {
        "partnerId": sub["tenant"], "partnerName": "",
        "partnerBillableAccountId": str(number(f"billable:{sub['tenant'].lower()}", seed, 10)),
        "customerId": line.customer["id"], "domainName": domain, "customerCompanyName": name.upper(),
        **legacy_partner(ctx, line), "invoiceNumber": window.invoice_number, "subscriptionId": sub["id"],
        "subscriptionName": (sub.get("offer_name") or "").upper(),
        "subscriptionDescription": (sub.get("friendly_name") or "").upper(), "billingCycleType": "MONTHLY",
        "orderId": sub["order_id"], "serviceName": meter.category.upper(), "serviceType": meter.subcategory.upper(),
        "resourceGuid": meter.id.upper(), "resourceName": meter.name.upper(), "region": meter.region.upper(),
        "consumedQuantity": quantity, "chargeStartDate": local_day(window.period.first_day),
        "chargeEndDate": local_day(window.period.last_day), "unit": meter.unit.upper(),
    }


def daily_usage(ctx: Context, line: Line, window: Window) -> dict[str, Any]:
    row = line.item
    account = number(f"billable:{line.customer['id'].lower()}", ctx.settings.seed, 10)
    return {"customerBillableAccount": str(account), "usageDate": local_day(row.day),
            "invoiceLineItemType": USAGE_ITEMS, **azure_usage(ctx, line, window, row.quantity),
            "billingProvider": "azure", "attributes": wire.attributes(DAILY_USAGE)}


def usage_based(ctx: Context, line: Line, window: Window) -> dict[str, Any]:
    total = line.item
    rate = (total.amount / total.quantity).quantize(Decimal("0.000001"), ROUND_HALF_UP) if total.quantity else 0
    return {"detailLineItemId": total.detail, "sku": total.meter.id.upper(), "includedQuantity": 0,
            "overageQuantity": total.quantity, "listPrice": total.unit_price, "currency": total.currency,
            "pretaxCharges": total.amount, "taxAmount": 0, "postTaxTotal": total.amount, "pretaxEffectiveRate": rate,
            "postTaxEffectiveRate": rate, "chargeType": USAGE_FEE, "invoiceLineItemType": BILLING_ITEMS,
            **azure_usage(ctx, line, window, total.quantity), "billingProvider": "azure",
            "attributes": wire.attributes(USAGE_BASED)}


RENDERERS: dict[str, Callable[[Context, Line, Window], dict[str, Any]]] = {
    ONE_TIME_ITEM: one_time_item, DAILY_RATED: daily_rated, LICENSE_BASED: license_based,
    USAGE_BASED: usage_based, DAILY_USAGE: daily_usage}


def items(ctx: Context, page: Page, shape: str) -> list[dict[str, Any]]:
    render = RENDERERS[shape]
    return [render(ctx, line, page.window) for line in page.lines]


# --- estimate links (I5) -------------------------------------------------------------------

ESTIMATES = (
    ("daily_rated_usage", "Daily rated usage unbilled",
     "This invoice line items includes unbilled consumption based data only.", "Marketplace", "UsageLineItems"),
    ("non_consumption", "Unbilled reconciliation line items",
     "This includes reconciliation line items for unbilled data only.", "all", "billinglineitems"),
)


def estimate_links(currency: str) -> list[dict[str, Any]]:
    """get-invoice-estimate-links.md: consumption then reconciliation, each for the current and the
    previous period, pointing at the unbilled line items (I6)."""
    return [{"type": kind, "title": title, "description": description, "period": period.title(),
             "link": wire.link(f"/invoices/unbilled/lineitems?provider={provider}&invoicelineitemtype={line_type}"
                               f"&currencycode={currency}&period={period}&size=2000")}
            for kind, title, description, provider, line_type in ESTIMATES for period in ("current", "previous")]


def page_body(ctx: Context, page: Page, asked: Query, base: str, echoed: list[tuple[str, str]], *,
              top_token: bool = False) -> dict[str, Any]:
    """The collection, its `self` and `next` links, and I4's top-level token."""
    seek = asked.selection.seek
    pairs = [*echoed, ("size", str(asked.size))]
    if not seek:
        pairs.append(("offset", str(asked.offset)))
    self_uri = f"{base}?{urlencode(pairs, quote_via=quote)}"
    next_link = None
    if page.more and seek and page.token:
        next_link = wire.link(f"{self_uri}&seekOperation=Next", headers=[{"key": TOKEN, "value": page.token}])
    elif page.more and not seek:
        pairs[-1] = ("offset", str(asked.offset + asked.size))
        next_link = wire.link(f"{base}?{urlencode(pairs, quote_via=quote)}")
    body = wire.collection(items(ctx, page, asked.selection.shape), self_uri, next_link)
    if top_token and seek and next_link is not None:
        body = {"continuationToken": page.token, **body}
    return body
