"""Subscription wire shapes (api.md 1.5-1.7, 2.4): the JSON each operation answers, made from the
records and the rules' results; nothing here reads the store. Sections follow the features of
`rules*.py`: subscriptions (S1-S9, S12, S13), Azure entitlements, custom term end dates, overage,
product upgrades, new commerce transitions, legacy upgrades and conversions."""
from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from simulator import wire
from simulator.catalog.data import (
    AZURE_PLAN,
    LEGACY_AZURE,
    LEGACY_LICENSE,
    NCE,
    RESERVATION,
    SAAS,
    SOFTWARE_PERPETUAL,
    SOFTWARE_SUBSCRIPTION,
    Offer,
)
from simulator.context import Context
from simulator.ids import name_guid
from simulator.orders.rules import DUMMY_ACTIVATION
from simulator.subscriptions import dates, lifecycle, rules_productupgrades, rules_transitions, rules_upgrades

LICENSE_CHANGE_MINUTES = 15  # get-subscription-provisioning-status.md: refreshes every 15 minutes
OVERAGE_TYPE = "PhoneServices"

# --- subscriptions (S1-S9, S12, S13) --------------------------------------------------------

UNIT_TYPES = {NCE: "Licenses", LEGACY_LICENSE: "Licenses", SAAS: "Licenses", LEGACY_AZURE: "Usage-based",
              AZURE_PLAN: "Usage-based", RESERVATION: "Benefit", SOFTWARE_PERPETUAL: "Licenses",
              SOFTWARE_SUBSCRIPTION: "Licenses"}
BILLING_TYPES = {NCE: "license", LEGACY_LICENSE: "license", SAAS: "license", LEGACY_AZURE: "usage",
                 AZURE_PLAN: "usage", RESERVATION: "benefit", SOFTWARE_PERPETUAL: "none",
                 SOFTWARE_SUBSCRIPTION: "license"}


def catalog_links(sub: Mapping[str, Any], country: str) -> dict[str, Any]:
    p, s, a = sub["product_id"], sub["sku_id"], sub["availability_id"]
    return {"product": wire.link(f"/products/{p}?country={country}"),
            "sku": wire.link(f"/products/{p}/skus/{s}?country={country}"),
            "availability": wire.link(f"/products/{p}/skus/{s}/availabilities/{a}?country={country}")}


def legacy_entitlement_id(sub: Mapping[str, Any]) -> str | None:
    """A legacy license subscription's entitlement id, as the recorded legacy subscription examples carry
    one: made from the subscription id (stable, stored nowhere). An Azure subscription's (MS-AZR-0145P,
    the Azure plan's first) is its stored `entitlement_id`; new commerce, SaaS, software and reservations
    carry none, as their examples."""
    if sub["kind"] == LEGACY_LICENSE:
        return name_guid(f"legacy-entitlement:{sub['id']}")
    return sub.get("entitlement_id") or None


def entitlement_link(sub: Mapping[str, Any]) -> dict[str, Any]:
    """`/entitlements?key=…` as the legacy examples write it: an opaque key naming the customer and the
    entitlement. pcsim does not simulate the entitlements route: following the link answers 501 900127."""
    raw = f"{sub['customer_id']}:{legacy_entitlement_id(sub)}".encode()
    return wire.link(f"/entitlements?key={base64.urlsafe_b64encode(raw).decode().rstrip('=')}")


def subscription_links(sub: Mapping[str, Any], country: str) -> dict[str, Any]:
    cid = sub["customer_id"]
    links = catalog_links(sub, country) if sub.get("product_id") else {
        "offer": wire.link(f"/offers/{sub['offer_id']}?country={country}")}
    if sub["kind"] == LEGACY_LICENSE:
        links["entitlement"] = entitlement_link(sub)
    if sub.get("parent_subscription_id"):
        links["parentSubscription"] = wire.link(f"/customers/{cid}/subscriptions/{sub['parent_subscription_id']}")
    if sub["kind"] == SAAS:
        links["activationLinks"] = wire.link(f"/customers/{cid}/subscriptions/{sub['id']}/activationlinks")
    links["self"] = wire.link(f"/customers/{cid}/subscriptions/{sub['id']}")
    return links


def refundable_quantity(sub: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    details = [{"quantity": w["quantity"], "allowedUntilDateTime": w["until"]}
               for w in sub.get("seat_windows", []) if wire.parse_time(w["until"]) >= now]
    return {"totalQuantity": sum(d["quantity"] for d in details), "details": details}


def has_addons(ctx: Context, sub: Mapping[str, Any]) -> bool:
    return f"{sub['product_id']}:{sub['sku_id']}".upper() in ctx.catalog.prerequisite_skus


def term_fields(sub: Mapping[str, Any]) -> dict[str, Any]:
    kind, out = sub["kind"], {}
    if kind in dates.OPEN_ENDED_KINDS:
        out["commitmentEndDate"] = dates.OPEN_ENDED
    elif sub.get("end"):
        out["commitmentEndDate"] = sub["end"][:10] + "T00:00:00Z"
        out["commitmentEndDateTime"] = sub["end"][:10] + "T23:59:59Z"
    if sub.get("cancellation_allowed_until"):
        out["cancellationAllowedUntilDate"] = sub["cancellation_allowed_until"]
    return out


def subscription_wire(ctx: Context, sub: Mapping[str, Any], country: str) -> dict[str, Any]:
    now, kind = ctx.clock.now(), sub["kind"]
    out: dict[str, Any] = {"id": sub["id"]}
    entitlement = legacy_entitlement_id(sub)
    if entitlement:
        out["entitlementId"] = entitlement
    out.update({"offerId": sub["offer_id"], "offerName": sub["offer_name"], "friendlyName": sub["friendly_name"]})
    if kind == NCE:
        out["productType"] = {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"}
    out.update({"quantity": sub["quantity"], "unitType": UNIT_TYPES.get(kind, "none")})
    if sub.get("parent_subscription_id"):
        out["parentSubscriptionId"] = sub["parent_subscription_id"]
    out["hasPurchasableAddons"] = kind == NCE and has_addons(ctx, sub)
    out.update({"creationDate": sub["created"], "effectiveStartDate": sub["start"], **term_fields(sub)})
    out.update({"status": lifecycle.status(sub), "autoRenewEnabled": sub["auto_renew"], "isTrial": sub["is_trial"],
                "billingType": BILLING_TYPES.get(kind, "none")})
    if sub.get("scheduled"):
        out["scheduledNextTermInstructions"] = {k: v for k, v in sub["scheduled"].items() if v is not None}
    if sub.get("billing_cycle"):
        out["billingCycle"] = sub["billing_cycle"]
    if sub.get("term_duration"):
        out["termDuration"] = sub["term_duration"]
        out["renewalTermDuration"] = sub.get("renews_to") or ""
    if kind in (NCE, SAAS):
        out["refundOptions"] = sub.get("refund_options") or []
    out.update({"isMicrosoftProduct": sub["is_microsoft_product"], "partnerId": sub["partner_id"],
                "attentionNeeded": False, "actionTaken": False,
                "contractType": "productKey" if kind == SOFTWARE_PERPETUAL else "subscription",
                "links": subscription_links(sub, country)})
    if sub.get("publisher_name"):
        out["publisherName"] = sub["publisher_name"]
    if kind == NCE:
        out["refundableQuantity"] = refundable_quantity(sub, now)
    out["orderId"] = sub["order_id"]
    out["attributes"] = wire.attributes("Subscription", lifecycle.etag(sub))
    return out


def provisioning_status_wire(sub: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """S7: `pending` for a while after the seats changed, `success` after."""
    changed = dates.at(sub, "license_changed")
    pending = changed is not None and now < changed + timedelta(minutes=LICENSE_CHANGE_MINUTES)
    return {"skuId": sub.get("sku_id") or sub["offer_id"], "status": "pending" if pending else "success",
            "quantity": sub["quantity"], "endDate": sub.get("end") or dates.OPEN_ENDED,
            "attributes": wire.attributes("SubscriptionProvisioningStatus")}


def activation_wire(sub: Mapping[str, Any]) -> dict[str, Any]:
    """S8's answer."""
    return {"subscriptionId": sub["id"], "status": "Success"}


def activation_links_wire(sub: Mapping[str, Any]) -> dict[str, Any]:
    """The sandbox gives a dummy link that can never complete setup (activate with S8 instead)."""
    items = [{"lineItemNumber": sub.get("line_item_number") or 0,
              "link": wire.link(DUMMY_ACTIVATION.format(sub["id"]))}] if sub["kind"] == SAAS else []
    return wire.collection(items, f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}/activationlinks")


def registration_status_wire(sub: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """S13: registering takes lifecycle.REGISTRATION_TAKES after S12."""
    return {"subscriptionId": sub["id"], "status": lifecycle.registration_state(sub, now),
            "attributes": wire.attributes("SubscriptionRegistrationStatus")}


# --- Azure entitlements (A1-A4) ----------------------------------------------------------------

def entitlement_wire(plan: Mapping[str, Any], entitlement: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    path = f"/customers/{plan['customer_id']}/subscriptions/{plan['id']}/azureEntitlements/{entitlement['id']}"
    return {"id": entitlement["id"], "friendlyName": entitlement["friendly_name"],
            "status": lifecycle.entitlement_status(entitlement, now), "subscriptionId": plan["id"],
            "links": {"self": wire.link(path)}}


# --- custom term end dates (N1) ----------------------------------------------------------------

def coterm_wire(moment: datetime, subs: list[str]) -> dict[str, Any]:
    if subs:
        return {"allowedCustomTermEndDateType": "subscriptionAligned", "cotermSubscriptionIds": subs,
                "allowedCustomTermEndDate": moment.strftime("%Y-%m-%dT00:00:00")}
    return {"allowedCustomTermEndDateType": "calendarMonthAligned",
            "allowedCustomTermEndDate": moment.strftime("%Y-%m-%dT00:00:00")}


# --- overage (N5, N6) --------------------------------------------------------------------------

def overage_wire(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"azureEntitlementId": record["azure_entitlement_id"], "partnerId": record["partner_id"],
            "type": OVERAGE_TYPE, "overageEnabled": record["overage_enabled"],
            "links": {"overage": wire.link(f"/customers/{record['customer_id']}/subscriptions/overage")},
            "attributes": wire.attributes("Overage")}


# --- product upgrades (A5-A7) ------------------------------------------------------------------

def upgrade_eligibility_wire(found: rules_productupgrades.Eligibility) -> dict[str, Any]:
    out: dict[str, Any] = {"customerId": found.customer_id, "isEligible": found.problem is None,
                           "productFamily": found.product_family}
    if found.earlier is not None:
        out["upgradeId"] = found.earlier["id"]
    if found.problem is not None:
        out["reason"] = found.problem.text
    return out


def upgrade_status_wire(upgrade: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    state = lifecycle.upgrade_status(upgrade, now)
    items = []
    for item in upgrade["line_items"]:
        line: dict[str, Any] = {
            "sourceProduct": {"id": item["source_id"], "name": item["source_name"]},
            "targetProduct": {"id": upgrade["target_subscription_id"], "name": upgrade["target_name"]}}
        if state == lifecycle.UPGRADE_COMPLETED:
            line["upgradedDate"] = upgrade["completes_at"]
        line["status"] = state
        items.append(line)
    return {"id": upgrade["id"], "status": state, "productFamily": upgrade["product_family"], "lineItems": items}


# --- new commerce transitions (N2-N4) -----------------------------------------------------------

def errors_wire(problems: list[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"code": code, "description": text} for code, text in problems]


def transition_eligibility_wire(found: rules_transitions.Eligibility) -> dict[str, Any]:
    source, av, targets, reasons = found.source, found.target, found.subscriptions, found.reasons
    out: dict[str, Any] = {"operationId": found.operation_id, "catalogItemId": av.wire["catalogItemId"],
                           "title": av.sku.wire.get("title"), "description": av.sku.wire.get("description"),
                           "quantity": source["quantity"]}
    if targets:
        out["subscriptionEligibilities"] = []
        for target, problems in targets:
            out["subscriptionEligibilities"].append({
                "isEligible": not problems, "subscriptionId": target["id"],
                "subscriptionFriendlyName": target["friendly_name"],
                "subscriptionTermDuration": target["term_duration"],
                "subscriptionBillingCycle": target["billing_cycle"], "errors": errors_wire(problems)})
    out["eligibilities"] = [{"isEligible": not reasons, "transitionType": kind, "errors": errors_wire(reasons)}
                            for kind in rules_transitions.TRANSITION_TYPES]
    out["attributes"] = wire.attributes("TransitionEligibility")
    return out


def transition_events(record: Mapping[str, Any], now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The events that have happened by `now`, and the transition's status."""
    start = wire.parse_time(record["created"])
    steps = [("Conversion", start, start + rules_transitions.CONVERSION_TAKES)]
    if record["transition_type"] == "transition_with_license_transfer":
        converted = start + rules_transitions.CONVERSION_TAKES
        steps.append(("LicenseReassignment", converted, converted + rules_transitions.LICENSE_REASSIGNMENT_TAKES))
    events = []
    for name, began, ends in steps:
        if began <= now:
            events.append(event_wire(name, "Started", began))
        if ends <= now:
            events.append(event_wire(name, "Completed", ends))
    return ("Completed" if steps[-1][2] <= now else "Started"), events


def event_wire(name: str, status: str, moment: datetime) -> dict[str, Any]:
    return {"name": name, "status": status, "timestamp": wire.iso(moment),
            "attributes": wire.attributes("TransitionEvent")}


def transition_wire(record: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The posted Transition echoed with what the service adds; `Events` is PascalCase as in every
    doc example (api.md 2.4)."""
    status, events = transition_events(record, now)
    return {"id": record["id"], "operationId": record["id"], "fromCatalogItemId": record["from_catalog_item_id"],
            "fromSubscriptionId": record["from_subscription_id"], "toCatalogItemId": record["to_catalog_item_id"],
            "toSubscriptionId": record["to_subscription_id"], "quantity": record["quantity"],
            "termDuration": record["term_duration"], "billingCycle": record["billing_cycle"],
            "transitionType": record["transition_type"], "status": status, "creationTime": record["created"],
            "Events": events, "attributes": wire.attributes("Transition")}


# --- legacy upgrades and trial conversions (S10, S11, S14, S15) --------------------------------

def upgrade_error_wire(problem: rules_upgrades.UpgradeProblem) -> dict[str, Any]:
    out: dict[str, Any] = {"code": problem.code, "description": problem.description}
    if problem.details is not None:
        out["additionalDetails"] = problem.details
    out["attributes"] = wire.attributes("UpgradeError")
    return out


# The legacy Offer's catalog facts that the fixture's offers don't carry (transition-a-subscription.md's
# example Offer): its category, rank, partner qualifications, product and learnMore link, derived
# from the offer so that they are stable. (When the legacy offer catalog, /v1/offers, renders
# Offers, this should become its rendering.)
OFFER_CATEGORY = {"id": "Enterprise_Key", "name": "Enterprise", "rank": 20}
OFFER_RANK_STEP = 16
LEARN_MORE = "https://learn.pcsim.invalid/offers/{0}"


def offer_wire(offer: Offer, country: str, tenant: str, rank: int = 0) -> dict[str, Any]:
    """A legacy Offer as S14 shows it (the example's shape)."""
    category = {**OFFER_CATEGORY, "locale": "en-us", "country": country,
                "attributes": wire.attributes("OfferCategory")}
    return {"id": offer.id, "name": offer.name, "description": offer.description,
            "minimumQuantity": offer.minimum, "maximumQuantity": offer.maximum, "rank": rank,
            "uri": f"/{tenant}/Offers/{offer.id}", "locale": "en-us", "country": country, "category": category,
            "prerequisiteOffers": [], "isAddOn": offer.is_addon, "isAvailableForPurchase": True,
            "billing": "license", "isAutoRenewable": True, "isInternal": False, "conversionTargetOffers": [],
            "partnerQualifications": ["none"],
            "product": {"id": name_guid(f"offer-product:{offer.id}"), "name": offer.name, "unit": offer.unit_type},
            "unitType": offer.unit_type,
            "links": {"learnMore": wire.link(LEARN_MORE.format(offer.id)),
                      "self": wire.link(f"/offers/{offer.id}?country={country}")},
            "attributes": wire.attributes("Offer")}


def offer_rank(ctx: Context, offer: Offer) -> int:
    """The offer's place in the catalog's legacy offers, spread out like the service's ranks."""
    order = list(ctx.catalog.offers)
    return (order.index(offer.id.upper()) + 1) * OFFER_RANK_STEP if offer.id.upper() in order else 0


def upgrades_wire(ctx: Context, sub: Mapping[str, Any], country: str, tenant: str,
                  targets: list[tuple[Offer, list[rules_upgrades.UpgradeProblem]]]) -> list[dict[str, Any]]:
    """S14: each target offer, eligible or with the UpgradeErrors that stop it."""
    return [{"targetOffer": offer_wire(offer, country, tenant, offer_rank(ctx, offer)), "upgradeType": "upgrade_only",
             "isEligible": not problems, "quantity": sub["quantity"],
             "upgradeErrors": [upgrade_error_wire(p) for p in problems], "attributes": wire.attributes("Upgrade")}
            for offer, problems in targets]


def upgrade_result_wire(result: rules_upgrades.UpgradeResult) -> dict[str, Any]:
    out: dict[str, Any] = {"sourceSubscriptionId": result.source_id}
    if result.target_id is not None:
        out["targetSubscriptionId"] = result.target_id
    problems = [upgrade_error_wire(p) for p in result.problems]
    return {**out, "upgradeType": result.upgrade_type, "upgradeErrors": problems, "licenseErrors": [],
            "attributes": wire.attributes("UpgradeResult")}
