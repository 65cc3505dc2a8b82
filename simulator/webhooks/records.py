"""The one owner of the webhook kinds.

* `webhook-registration`: a partner's registration, filed under (tenant, "registration"); one per tenant.
* `webhook-registered`: the tenants with a registration, filed under ("webhook-registered", tenant), so
  the clock's scan (rules.catch_up) finds them without walking the partners.
* `webhook-delivery`: one event on its way to one registration, with every attempt, filed under
  (tenant, "deliveries", id); the test events (W5) use their correlation id as id, W6 reads them back.
* `webhook-queue`: the deliveries not settled yet, filed under ("webhook-queue", id) -> {tenant, id, due}:
  what the delivery worker reads (only the unsettled few, never the history).
* `webhook-budget-watch`: the customers whose spending budget the clock watches for
  usagerecords-thresholdExceeded, filed under (tenant, "budgets", customer id) -> {customer, notified}
  (the last period an event was raised for).
* `webhook-due`: pointers to the subscriptions of a registered partner by the day of their next renewal
  moment, filed under (tenant, "due", YYYY-MM-DD) with the subscription id as id, so that moving the
  clock over some days reads those days' pointers only. A pointer may be stale (the subscription was
  deleted, or changed its dates): the reader checks the subscription and drops it.
"""
from __future__ import annotations

import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Any

from simulator import ids
from simulator.context import Context

if TYPE_CHECKING:
    from simulator.store import Store

REGISTRATION = "webhook-registration"
REGISTERED = "webhook-registered"
DELIVERY = "webhook-delivery"
QUEUE = "webhook-queue"
DUE = "webhook-due"
WATCH = "webhook-budget-watch"

Doc = dict[str, Any]

# The stores a delivery or a registration was written to since their delivery worker last looked: the
# front (simulator/front.py) starts the worker (webhooks.delivery) after such a request. Only a hint (a write
# rolled back leaves it set; the worker then finds nothing to do).
WANTED: weakref.WeakSet[Store] = weakref.WeakSet()


# --- registrations ----------------------------------------------------------------------------

def registration(ctx: Context, tenant: str) -> Doc | None:
    return ctx.store.get(REGISTRATION, (tenant, "registration"))


def save_registration(ctx: Context, tenant: str, doc: Doc) -> None:
    ctx.store.put(REGISTRATION, (tenant, "registration"), doc)
    ctx.store.put(REGISTERED, ("webhook-registered", tenant), {"tenant": tenant})
    WANTED.add(ctx.store)


def registered_tenants(ctx: Context) -> list[str]:
    return [doc["tenant"] for doc in ctx.store.scan(REGISTERED, ("webhook-registered",))]


def forget_tenant(ctx: Context, tenant: str) -> None:
    """A stale entry of the registered list (the partner was reset since)."""
    ctx.store.delete(REGISTERED, ("webhook-registered", tenant))


# --- deliveries -------------------------------------------------------------------------------

def delivery(ctx: Context, tenant: str, delivery_id: str) -> Doc | None:
    return ctx.store.get(DELIVERY, (tenant, "deliveries", delivery_id))


def deliveries(ctx: Context, tenant: str, offset: int = 0, limit: int | None = None) -> list[Doc]:
    return ctx.store.scan(DELIVERY, (tenant, "deliveries"), offset, limit)


def delivery_count(ctx: Context, tenant: str) -> int:
    return ctx.store.count(DELIVERY, (tenant, "deliveries"))


def save_delivery(ctx: Context, doc: Doc) -> None:
    """Files the delivery, and keeps it in the queue while it is not settled."""
    ctx.store.put(DELIVERY, (doc["tenant"], "deliveries", doc["id"]), doc)
    if doc["state"] == "pending":
        WANTED.add(ctx.store)
        ctx.store.put(QUEUE, ("webhook-queue", doc["id"]), {"tenant": doc["tenant"], "id": doc["id"],
                                                            "due": doc["due"]})
    else:
        ctx.store.delete(QUEUE, ("webhook-queue", doc["id"]))


def drop_delivery(ctx: Context, tenant: str, delivery_id: str) -> None:
    ctx.store.delete(DELIVERY, (tenant, "deliveries", delivery_id))
    ctx.store.delete(QUEUE, ("webhook-queue", delivery_id))


def queued(ctx: Context) -> list[Doc]:
    """The unsettled deliveries' queue entries ({tenant, id, due}), oldest first."""
    return ctx.store.scan(QUEUE, ("webhook-queue",))


def unqueue(ctx: Context, delivery_id: str) -> None:
    ctx.store.delete(QUEUE, ("webhook-queue", delivery_id))


def has_queue(ctx: Context) -> bool:
    return ctx.store.count(QUEUE, ("webhook-queue",)) > 0


# --- the clock's pointers ---------------------------------------------------------------------

def day_of(moment: datetime) -> str:
    return moment.date().isoformat()


def point(ctx: Context, tenant: str, moment: datetime, customer_id: str, sub_id: str) -> None:
    ctx.store.put(DUE, (tenant, "due", day_of(moment), sub_id),
                  {"customer": customer_id, "subscription": sub_id, "at": moment.isoformat()})


def pointers(ctx: Context, tenant: str, day: str) -> list[Doc]:
    return ctx.store.scan(DUE, (tenant, "due", day))


def unpoint(ctx: Context, tenant: str, day: str, sub_id: str) -> None:
    ctx.store.delete(DUE, (tenant, "due", day, sub_id))


# --- budgets watched ------------------------------------------------------------------------------

def watch(ctx: Context, tenant: str, customer_id: str) -> None:
    key = (tenant, "budgets", ids.key(customer_id))
    if ctx.store.get(WATCH, key) is None:
        ctx.store.put(WATCH, key, {"customer": customer_id, "notified": None})


def watched(ctx: Context, tenant: str) -> list[Doc]:
    return ctx.store.scan(WATCH, (tenant, "budgets"))


def save_watch(ctx: Context, tenant: str, doc: Doc) -> None:
    ctx.store.put(WATCH, (tenant, "budgets", ids.key(doc["customer"])), doc)


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    """The customer's budget watch. Deliveries belong to the partner (its history of what was sent),
    and the clock's pointers to the customer's subscriptions are read as gone once the subscriptions
    are (see the module's docstring)."""
    ctx.store.delete(WATCH, (tenant, "budgets", ids.key(customer_id)))
