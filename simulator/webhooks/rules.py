"""Webhook rules: the registration (W2-W4), test events (W5, W6), what the clock brings (renewals and
expiries, invoices, spending past a budget), the delivery bookkeeping and the control API's operations.

Time-driven events are found from stored pointers and the clock, never by a background task of the
rules: `catch_up` (run by the control API when the clock moves and when deliveries are flushed, and by
the delivery worker while the clock runs) reads, for each registered partner, the days the clock
passed since its last look, and only them.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulator import errors, wire
from simulator.billing import periods
from simulator.billing import rules as billing_rules
from simulator.context import Caller, Context
from simulator.customers import records as customer_records
from simulator.subscriptions import lifecycle as subscription_lifecycle
from simulator.subscriptions import records as subscription_records
from simulator.subscriptions.dates import renewal_moment
from simulator.usage import records as usage_records
from simulator.usage import rules as usage_rules
from simulator.webhooks import events, records
from simulator.webhooks.events import COMMERCE, FOLDED, MAX_ATTEMPTS
from simulator.webhooks.signing import CERTIFICATE_PATH

THROTTLE_WINDOW = timedelta(minutes=1)  # partner-center-webhooks.md: 2 test events per minute
THROTTLE_COUNT = 2
KEPT = timedelta(days=7)                # validation-event data is deleted 7 days after creation
LIVE = ("active", "suspended")
ANSWER_KEPT = 1000                      # characters of a receiver's answer kept with its attempt (W6)


def parse(text: str) -> datetime:
    return wire.parse_time(text)


# --- registration (W2-W4) -------------------------------------------------------------------------

def event_names(raw: list[str]) -> list[str]:
    """The events asked for, as W1 spells them; an unknown name is refused."""
    names = []
    for name in raw:
        known = FOLDED.get(name.strip().lower())
        if known is None:
            raise errors.InvalidRequestInput(f"WebhookEvents: {name!r} is not a Partner Center event "
                                             "(GET /webhooks/v1/registration/events lists them)")
        if known not in names:
            names.append(known)
    return names


def check_url(url: str) -> str:
    url = url.strip()
    if not (url.lower().startswith(("http://", "https://")) and len(url) > len("https://")):
        raise errors.InvalidRequestInput("WebhookUrl must be an absolute http or https URL")
    return url


def register(ctx: Context, caller: Caller, url: str, names: list[str], ms_header: bool, base: str
             ) -> dict[str, Any]:
    if records.registration(ctx, caller.tenant) is not None:
        raise errors.WebhookRegistrationExists()
    now = ctx.clock.now()
    reg = {"subscriberId": ctx.ids.request_guid(), "url": check_url(url), "events": event_names(names),
           "msHeader": ms_header, "base": base, "created": now.isoformat(), "modified": now.isoformat(),
           "scanned": now.isoformat(), "tests": [], "failNext": 0}
    records.save_registration(ctx, caller.tenant, reg)
    index(ctx, caller.tenant, reg, set())
    return reg


def get_registration(ctx: Context, caller: Caller) -> dict[str, Any]:
    reg = records.registration(ctx, caller.tenant)
    if reg is None:
        raise errors.WebhookRegistrationNotFound()
    return reg


def update_registration(ctx: Context, caller: Caller, url: str, names: list[str], ms_header: bool | None,
                        base: str) -> dict[str, Any]:
    reg = get_registration(ctx, caller)
    before = set(reg["events"])
    reg.update({"url": check_url(url), "events": event_names(names), "base": base,
                "modified": ctx.clock.now().isoformat()})
    if ms_header is not None:
        reg["msHeader"] = ms_header
    records.save_registration(ctx, caller.tenant, reg)
    index(ctx, caller.tenant, reg, before)
    return reg


def index(ctx: Context, tenant: str, reg: dict[str, Any], before: set[str]) -> None:
    """Once, when a registration starts asking for a time-driven event: the pointers the clock reads
    for what the partner already has (later writes keep them: subscriptions.records.save,
    usage.rules.update_usage_budget)."""
    now = ctx.clock.now()
    wanted = set(reg["events"]) - before
    if events.SUBSCRIPTION_UPDATED in wanted:
        for sub in subscription_records.every(ctx, tenant):
            sub = subscription_lifecycle.current(ctx, sub, now)
            moment = renewal_moment(sub)
            if moment is not None and moment > now and sub["status"] in LIVE:
                records.point(ctx, tenant, moment, sub["customer_id"], sub["id"])
    if events.THRESHOLD in wanted:
        for customer in customer_records.list_all(ctx, tenant):
            budget = usage_records.get(ctx, tenant, customer["id"])
            if budget is not None and budget.get("amount") is not None:
                records.watch(ctx, tenant, customer["id"])


# --- test events (W5, W6) -------------------------------------------------------------------------

def send_test_event(ctx: Context, caller: Caller) -> str:
    reg = get_registration(ctx, caller)
    if not events.wants(reg, events.TEST):
        raise errors.WebhookTestNotRegistered()
    now = ctx.clock.now()
    recent = [t for t in reg.get("tests", []) if parse(t) > now - THROTTLE_WINDOW]
    if len(recent) >= THROTTLE_COUNT:
        wait = parse(recent[0]) + THROTTLE_WINDOW - now
        raise errors.Throttled(max(1, math.ceil(wait.total_seconds())))
    reg["tests"] = [*recent, now.isoformat()]
    records.save_registration(ctx, caller.tenant, reg)
    correlation_id = ctx.ids.request_guid()
    events.raise_event(ctx, caller.tenant, events.TEST, f"/webhooks/v1/registration/validationEvents/{correlation_id}",
                       now, delivery_id=correlation_id)
    return correlation_id


def get_validation_event(ctx: Context, caller: Caller, correlation_id: str) -> dict[str, Any]:
    found = records.delivery(ctx, caller.tenant, correlation_id.strip().lower())
    if found is None or found["event"] != events.TEST or parse(found["created"]) + KEPT <= ctx.clock.now():
        raise errors.WebhookValidationEventNotFound(correlation_id)
    return found


# --- what the clock brings ------------------------------------------------------------------------

def catch_up(ctx: Context) -> int:
    """Raises the time-driven events that fell due since each registered partner's last look (its
    `scanned` moment) up to now; the number raised."""
    now = ctx.clock.now()
    raised = 0
    for tenant in records.registered_tenants(ctx):
        reg = records.registration(ctx, tenant)
        if reg is None:  # the partner was reset since it registered
            records.forget_tenant(ctx, tenant)
            continue
        since = parse(reg["scanned"])
        if now <= since:
            continue
        if events.wants(reg, events.SUBSCRIPTION_UPDATED):
            raised += renewals(ctx, tenant, since, now)
        if events.wants(reg, events.INVOICE_READY) and invoice_moments(since, now):
            before = records.delivery_count(ctx, tenant)
            billing_rules.invoices_of(ctx, tenant, now)  # closes the periods: ledger raises invoice-ready
            raised += records.delivery_count(ctx, tenant) - before
        if events.wants(reg, events.THRESHOLD):
            raised += thresholds(ctx, tenant, now)
        reg = records.registration(ctx, tenant) or reg
        reg["scanned"] = now.isoformat()
        records.save_registration(ctx, tenant, reg)
    return raised


def invoice_moments(since: datetime, now: datetime) -> bool:
    """Whether an invoice moment (the 2nd of a month, 00:00 UTC) lies in (since, now]."""
    period = periods.invoiced(now)
    return since < period.invoice_at <= now


def renewals(ctx: Context, tenant: str, since: datetime, now: datetime) -> int:
    """subscription-updated for every renewal or expiry moment in (since, now], from the day pointers."""
    raised = 0
    day = since.date()
    while day <= now.date():
        for pointer in records.pointers(ctx, tenant, day.isoformat()):
            moment = datetime.fromisoformat(pointer["at"])
            if moment > now:
                continue
            records.unpoint(ctx, tenant, day.isoformat(), pointer["subscription"])
            if moment <= since:
                continue
            raised += renewal(ctx, tenant, pointer["customer"], pointer["subscription"], moment)
        day += timedelta(days=1)
    return raised


def renewal(ctx: Context, tenant: str, customer_id: str, sub_id: str, moment: datetime) -> int:
    sub = subscription_records.get(ctx, tenant, customer_id, sub_id)
    if sub is None:
        return 0
    before = subscription_lifecycle.current(ctx, copy.deepcopy(sub), moment - timedelta(microseconds=1))
    after = subscription_lifecycle.current(ctx, copy.deepcopy(sub), moment)
    raised = 0
    if any(before.get(name) != after.get(name) for name in COMMERCE):
        events.subscription_changed(ctx, dict(after), moment)
        raised = 1
    following = renewal_moment(after)
    if following is not None and following > moment and after["status"] in LIVE:
        records.point(ctx, tenant, following, customer_id, sub_id)
    return raised


def thresholds(ctx: Context, tenant: str, now: datetime) -> int:
    raised = 0
    period = usage_rules.billing_period(now).key
    for watch in records.watched(ctx, tenant):
        if watch.get("notified") == period:
            continue
        customer = customer_records.get(ctx, tenant, watch["customer"])
        if customer is None:
            continue
        usage = usage_rules.customer_usage(ctx, tenant, customer, now)
        if usage.budget is not None and usage.spend.total > usage.budget:
            events.raise_event(ctx, tenant, events.THRESHOLD, "/v1/customers/usagerecords", now)
            records.save_watch(ctx, tenant, {**watch, "notified": period})
            raised += 1
    return raised


# --- deliveries -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attempt:
    """A delivery to make now: where, what, and whether the control API said it fails."""
    tenant: str
    id: str
    event: str
    url: str
    body: str
    ms_header: bool
    fail: bool
    certificate_url: str


def due(ctx: Context) -> list[Attempt]:
    """The deliveries due now (and the failures the control API asked for, counted down)."""
    now = ctx.clock.now()
    found = []
    for entry in records.queued(ctx):
        if parse(entry["due"]) > now:
            continue
        doc = records.delivery(ctx, entry["tenant"], entry["id"])
        if doc is None or doc["state"] != "pending":
            records.unqueue(ctx, entry["id"])
            continue
        reg = records.registration(ctx, entry["tenant"])
        fail = bool(reg and reg.get("failNext", 0) > 0)
        if fail and reg is not None:
            reg["failNext"] -= 1
            records.save_registration(ctx, entry["tenant"], reg)
        base = (reg or {}).get("base", "http://localhost").rstrip("/")
        found.append(Attempt(doc["tenant"], doc["id"], doc["event"], doc["url"], doc["body"], doc["msHeader"], fail,
                             base + CERTIFICATE_PATH))
    return found


def next_due(ctx: Context) -> datetime | None:
    moments = [parse(entry["due"]) for entry in records.queued(ctx)]
    return min(moments) if moments else None


def record_attempt(ctx: Context, attempt: Attempt, status: int | None, reason: str, latency_ms: float,
                   error: str | None, wall: datetime, answer: str = "") -> None:
    """One attempt's outcome: delivered on a 2xx, else retried after the interval, given up after 10."""
    doc = records.delivery(ctx, attempt.tenant, attempt.id)
    if doc is None:
        return
    now = ctx.clock.now()
    doc["attempts"].append({"at": now.isoformat(), "wallAt": wall.isoformat(), "status": status, "reason": reason,
                            "latencyMs": round(latency_ms, 3), "error": error, "injected": attempt.fail,
                            "answer": answer[:ANSWER_KEPT]})
    if status is not None and 200 <= status < 300:
        doc["state"] = "delivered"
    elif len(doc["attempts"]) >= MAX_ATTEMPTS:
        doc["state"] = "given_up"
    else:
        doc["due"] = (now + timedelta(seconds=ctx.settings.webhook_retry_interval)).isoformat()
    records.save_delivery(ctx, doc)


# --- control ---------------------------------------------------------------------------------------

def list_deliveries(ctx: Context, tenant: str | None, event: str | None, state: str | None) -> list[dict[str, Any]]:
    tenants = [tenant] if tenant is not None else records.registered_tenants(ctx)
    found = [d for t in tenants for d in records.deliveries(ctx, t)
             if (event is None or d["event"].lower() == event.lower()) and (state is None or d["state"] == state)]
    return sorted(found, key=lambda d: d["created"])


def get_delivery(ctx: Context, tenant: str | None, delivery_id: str) -> dict[str, Any]:
    tenants = [tenant] if tenant is not None else records.registered_tenants(ctx)
    found = next((d for t in tenants if (d := records.delivery(ctx, t, delivery_id.strip().lower()))), None)
    if found is None:
        raise errors.WebhookDeliveryNotFound(delivery_id)
    return found


def fail_next(ctx: Context, tenant: str, count: int) -> dict[str, Any]:
    reg = records.registration(ctx, tenant)
    if reg is None:
        raise errors.WebhookRegistrationNotFound()
    reg["failNext"] = count
    records.save_registration(ctx, tenant, reg)
    return reg


def resource_of(name: str, given: dict[str, str | None]) -> tuple[str | None, bool]:
    """The ResourceUri of an event raised by hand: the one given (a path of the simulator or a URL),
    else made from the ids given; (uri, whether it is a whole URL)."""
    uri = given.get("resourceUri")
    if uri:
        return uri, uri.lower().startswith(("http://", "https://"))
    customer, sub, invoice = given.get("customerId"), given.get("subscriptionId"), given.get("invoiceId")
    if name == events.SUBSCRIPTION_UPDATED and customer and sub:
        return f"/v1/customers/{customer}/subscriptions/{sub}", False
    if name == events.INVOICE_READY and invoice:
        return f"/v1/invoices/{invoice}", False
    if name == events.RESELLER_ACCEPTED and customer:
        return f"/v1/customers/{customer}", False
    if name == events.THRESHOLD:
        return "/v1/customers/usagerecords", False
    if name.startswith("dap-"):
        return None, False
    raise errors.InvalidRequestInput(f"give resourceUri (or the ids it is made of) for {name}")


def raise_by_hand(ctx: Context, tenant: str, name: str, given: dict[str, str | None]) -> dict[str, Any]:
    """Any event of W1, for a resource, to the tenant's registration (whether or not it asked for it)."""
    known = FOLDED.get(name.strip().lower())
    if known is None:
        raise errors.InvalidRequestInput(f"event: {name!r} is not a Partner Center event")
    if records.registration(ctx, tenant) is None:
        raise errors.WebhookRegistrationNotFound()
    delivery_id = ctx.ids.request_guid()
    uri: str | None
    if known == events.TEST and not given.get("resourceUri"):
        uri, absolute = f"/webhooks/v1/registration/validationEvents/{delivery_id}", False
    else:
        uri, absolute = resource_of(known, given)
    doc = events.raise_event(ctx, tenant, known, uri, ctx.clock.now(), delivery_id=delivery_id, absolute=absolute,
                             force=True, delay=0)
    assert doc is not None
    return doc
