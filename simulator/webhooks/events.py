"""The events: their names (W1), their payload (W7) and `raise_event`, which puts an event on its way
to the partner's registration. A leaf of the areas: the areas that raise events import it, it imports
no area.

Payload (partner-center-webhooks.md, "Event model"): PascalCase `EventName`, `ResourceUri`,
`ResourceName`, `AuditUri` (null: the simulator keeps no audit records), `ResourceChangeUtcDate` with 7
fractional digits and `+00:00`.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.context import Context
from simulator.webhooks import records

TEST = "test-created"
SUBSCRIPTION_UPDATED = "subscription-updated"
THRESHOLD = "usagerecords-thresholdExceeded"
INVOICE_READY = "invoice-ready"
RESELLER_ACCEPTED = "reseller-relationship-accepted-by-customer"

# Every event of the 2023 docs (W1 lists them all); the simulation raises the first five by itself, the
# others only when the control API raises them by hand (POST /_simulator/webhooks/events).
RAISED = (SUBSCRIPTION_UPDATED, TEST, THRESHOLD, INVOICE_READY, RESELLER_ACCEPTED)
BY_HAND_ONLY = (
    "referral-created", "referral-updated", "related-referral-created", "related-referral-updated",
    "granular-admin-relationship-approved", "granular-admin-relationship-activated",
    "granular-admin-relationship-terminated", "granular-admin-relationship-expired",
    "granular-admin-access-assignment-created", "granular-admin-access-assignment-activated",
    "granular-admin-access-assignment-updated", "granular-admin-access-assignment-deleted",
    "dap-admin-relationship-approved", "dap-admin-relationship-terminated",
    "dap-admin-relationship-terminated-by-microsoft", "azure-fraud-event-detected",
    "new-commerce-migration-created", "new-commerce-migration-completed", "new-commerce-migration-failed",
    "new-commerce-migration-schedule-failed",
)
EVENTS = (*RAISED, *BY_HAND_ONLY)
FOLDED = {name.lower(): name for name in EVENTS}

# ResourceName of each event, as the docs' examples write it (None: the example has no ResourceName).
RESOURCE_NAMES: dict[str, str | None] = {
    TEST: "test", SUBSCRIPTION_UPDATED: "subscription", THRESHOLD: "usagerecords", INVOICE_READY: "invoice",
    RESELLER_ACCEPTED: "customer", "azure-fraud-event-detected": None,
    **{name: "referral" for name in EVENTS if "referral" in name},
    **{name: "GranularAdminRelationship" for name in EVENTS if name.startswith("granular-admin-relationship")},
    **{name: "GranularAdminAccessAssignment" for name in EVENTS if name.startswith("granular-admin-access")},
    **{name: "PartnerCustomerDap" for name in EVENTS if name.startswith("dap-")},
    **{name: "NewCommerceMigration" for name in EVENTS if name.startswith("new-commerce-migration")},
}

MAX_ATTEMPTS = 10  # partner-center-webhooks.md: 10 attempts, then the event goes to an offline queue


def change_date(moment: datetime) -> str:
    """`2017-11-16T16:19:06.3520276+00:00`: seven fractional digits (the 7th is 0: Python keeps µs)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0+00:00"


def payload(name: str, resource_uri: str | None, resource_name: str | None, moment: datetime) -> dict[str, Any]:
    body: dict[str, Any] = {"EventName": name, "ResourceUri": resource_uri}
    if resource_name is not None:
        body["ResourceName"] = resource_name
    body.update({"AuditUri": None, "ResourceChangeUtcDate": change_date(moment)})
    return body


def wants(registration: dict[str, Any] | None, name: str) -> bool:
    return registration is not None and name.lower() in {e.lower() for e in registration["events"]}


def raise_event(ctx: Context, tenant: str, name: str, path: str | None, moment: datetime, *,
                delivery_id: str | None = None, absolute: bool = False, force: bool = False,
                resource_name: str | None = "", delay: float | None = None) -> dict[str, Any] | None:
    """Puts `name` about the resource at `path` (a path the simulator serves, or a whole URL when
    `absolute`) on its way to the tenant's registration, if it asked for that event (`force`: it is
    sent even so); None when there is no one to send it to. `moment` is the change's time; the delivery
    falls due then, or later by the registration's delay for `subscription-updated` (the docs: up to
    48 hours late)."""
    reg = records.registration(ctx, tenant)
    if reg is None or not (force or wants(reg, name)):
        return None
    uri = path if absolute or path is None else reg["base"].rstrip("/") + path
    if resource_name == "":
        resource_name = RESOURCE_NAMES.get(name, name.split("-")[0])
    now = ctx.clock.now()
    if delay is None:
        delay = ctx.settings.webhook_delay if name == SUBSCRIPTION_UPDATED else 0.0
    due = max(moment, now) + timedelta(seconds=delay or 0)
    body = json.dumps(payload(name, uri, resource_name, moment), separators=(",", ":"))
    doc = {"id": delivery_id or ctx.ids.request_guid(), "tenant": tenant, "event": name, "body": body,
           "url": reg["url"], "msHeader": bool(reg.get("msHeader")), "created": now.isoformat(),
           "due": due.isoformat(), "state": "pending", "attempts": []}
    records.save_delivery(ctx, doc)
    return doc


# --- subscription-updated ------------------------------------------------------------------------

# The fields whose change is a change "at commerce level" (license count, status, term, renewal).
COMMERCE = ("status", "quantity", "auto_renew", "term_duration", "billing_cycle", "offer_id", "end", "activated",
            "scheduled", "is_trial")


def subscription_path(sub: dict[str, Any]) -> str:
    return f"/v1/customers/{sub['customer_id']}/subscriptions/{sub['id']}"


def watching(ctx: Context, tenant: str) -> dict[str, Any] | None:
    """The tenant's registration when it asked for subscription-updated (one read per subscription write)."""
    reg = records.registration(ctx, tenant)
    return reg if wants(reg, SUBSCRIPTION_UPDATED) else None


def subscription_saved(ctx: Context, before: dict[str, Any] | None, after: dict[str, Any],
                       renewal: datetime | None) -> None:
    """A subscription written: subscription-updated if it changed at commerce level (a new one: when it
    is provisioned, its `visible_from`), and the clock's pointer to its next renewal moment."""
    tenant = after["tenant"]
    if before is None:
        moment = datetime.fromisoformat(after["visible_from"].replace("Z", "+00:00"))
        raise_event(ctx, tenant, SUBSCRIPTION_UPDATED, subscription_path(after), moment)
    elif any(before.get(name) != after.get(name) for name in COMMERCE):
        raise_event(ctx, tenant, SUBSCRIPTION_UPDATED, subscription_path(after), ctx.clock.now())
    if renewal is not None and after["status"] in ("active", "suspended"):
        records.point(ctx, tenant, renewal, after["customer_id"], after["id"])


def subscription_changed(ctx: Context, sub: dict[str, Any], moment: datetime) -> None:
    """A subscription that changed without being written (an add-on following its base, a renewal)."""
    raise_event(ctx, sub["tenant"], SUBSCRIPTION_UPDATED, subscription_path(sub), moment)


# --- usagerecords-thresholdExceeded ---------------------------------------------------------------

def watch_budget(ctx: Context, tenant: str, customer_id: str) -> None:
    """A customer's spending budget was set: the clock watches its spend (if the partner asked)."""
    if wants(records.registration(ctx, tenant), THRESHOLD):
        records.watch(ctx, tenant, customer_id)
