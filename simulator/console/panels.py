"""Extra panels: the areas the console shows without a template of their own.

A panel is a title and a table (columns, rows of plain values) that `show` puts on a customer's page
(CUSTOMER_PANELS: agreements, account validation, users and licenses, subscribed SKUs) or on the journal
page (CONTROL_PANELS: webhook deliveries). Each panel's `read` reads through its area's rules, records
and render functions (never the store: tests/test_owners.py), so it shows what the API would answer.

A panel's `read` gets the context, the partner id and (for a customer panel) the customer id, and
returns the rows; it may raise a PartnerCenterError (shown as the panel's message). `module` names
the module the panel needs: while it can't be imported (a build without the area) the panel says so.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator import errors, wire
from simulator.context import Context

Reader = Callable[..., list[list[Any]]]


@dataclass(frozen=True)
class Panel:
    key: str                 # the panel's id in the page (an HTML id)
    title: str
    module: str              # the area module it reads through
    columns: tuple[str, ...]
    read: Reader | None      # None: the area exists in no build yet (a placeholder)


@dataclass
class Shown:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[Any]]
    message: str | None      # instead of rows: not available, or the area's refusal


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


SHOWN_DELIVERIES = 50  # the newest webhook deliveries the journal page lists


def _day(text: str | None) -> str:
    return wire.parse_time(text).strftime("%Y-%m-%d") if text else "—"


def _when(text: str | None) -> str:
    return wire.parse_time(text).strftime("%Y-%m-%d %H:%M UTC") if text else "—"


def agreement_rows(ctx: Context, tenant: str, customer_id: str) -> list[list[Any]]:
    """The partner's confirmations of the customer's acceptance (G2, oldest first), then the customer's
    own acceptance of the Customer Agreement (G5) when it has one."""
    from simulator.agreements import rules
    from simulator.agreements.rules import CUSTOMER_AGREEMENT, TEMPLATES

    rows: list[list[Any]] = []
    for c in rules.list_confirmations(ctx, tenant, customer_id, list(TEMPLATES)):
        contact = c["contact"]
        name = " ".join(str(contact[k]) for k in ("first_name", "last_name") if contact.get(k))
        rows.append([c["type"], f"{name} <{contact.get('email', '')}> (confirmed by the partner)",
                     _day(c["date_agreed"])])
    if rules.direct_signed(ctx, tenant, customer_id):
        rows.append([CUSTOMER_AGREEMENT, "the customer (accepted it directly)", "—"])
    return rows


def validation_rows(ctx: Context, tenant: str, customer_id: str) -> list[list[Any]]:
    """The customer's account validation status (D5), or that it has none (purchases are not held)."""
    from simulator.customers.records import get_customer
    from simulator.validation import records

    customer = get_customer(ctx, tenant, customer_id)
    status = records.get(ctx, tenant, customer["id"])
    if status is None:
        return [["none", "—", "no account validation status: purchases are not held"]]
    from simulator.validation.rules import BLOCKING

    effect = "new purchases refused" if status["status"] in BLOCKING else "purchases allowed"
    return [[status["status"], _when(status["updated"]), effect]]


def user_rows(ctx: Context, tenant: str, customer_id: str) -> list[list[Any]]:
    """Every user of the customer that still exists (the first admin first), its state and licenses."""
    from simulator.customers.records import get_customer
    from simulator.users import rules, skus

    customer = get_customer(ctx, tenant, customer_id)
    now = ctx.clock.now()
    bought = skus.customer_skus(ctx, tenant, customer["id"])
    rows: list[list[Any]] = []
    for user in rules.every_user(ctx, tenant, customer, now):
        names = [bought[a["sku_id"]].name if a["sku_id"] in bought else a["sku_id"] for a in user.get("licenses", [])]
        rows.append([f"{user.get('display_name') or ''} <{user['user_principal_name']}>", rules.state(user, now),
                     ", ".join(names) or "—"])
    return rows


def sku_rows(ctx: Context, tenant: str, customer_id: str) -> list[list[Any]]:
    """The customer's SubscribedSkus (E9, both license groups) with their units."""
    from simulator.customers.records import get_customer
    from simulator.users import rules, skus

    customer = get_customer(ctx, tenant, customer_id)
    consumed = rules.consumption(ctx, tenant, customer, ctx.clock.now())
    rows: list[list[Any]] = []
    for sku in skus.customer_skus(ctx, tenant, customer["id"]).values():
        used = consumed.get(sku.id, 0)
        if sku.subscriptions or used:
            rows.append([sku.name, sku.part_number, sku.active, sku.suspended, used, sku.total - used])
    return rows


def delivery_rows(ctx: Context, tenant: str) -> list[list[Any]]:
    """The partner's newest webhook deliveries first, as the control API renders them."""
    from simulator.webhooks import render, rules

    found = rules.list_deliveries(ctx, tenant, None, None)[-SHOWN_DELIVERIES:][::-1]
    rows: list[list[Any]] = []
    for doc in found:
        shown = render.delivery_wire(doc)
        attempts = shown["attempts"]
        last = attempts[-1] if attempts else None
        if last is None:
            status, latency = "—", "—"
        else:
            code = "no answer" if last["status"] is None else str(last["status"])
            status = f"{code} {last['responseCode']}" + (" (failed on purpose)" if last["injected"] else "")
            latency = f"{last['latencyMs']:.0f} ms"
        rows.append([_when(shown["created"]), shown["event"], shown["target"], shown["state"].replace("_", " "),
                     f"{len(attempts)} of {shown['maxAttempts']}", status, latency])
    return rows


CUSTOMER_PANELS: list[Panel] = [
    Panel("agreements", "Agreements", "simulator.agreements", ("Type", "Signed by", "Date agreed"), agreement_rows),
    Panel("validation", "Account validation", "simulator.validation", ("Status", "Updated", "Effect"),
          validation_rows),
    Panel("users", "Users and licenses", "simulator.users", ("User", "State", "Licenses"), user_rows),
    Panel("skus", "Licenses bought (subscribed SKUs)", "simulator.users",
          ("SKU", "Part number", "Active units", "Suspended units", "Consumed units", "Available units"), sku_rows),
]
CONTROL_PANELS: list[Panel] = [
    Panel("webhooks", "Webhook deliveries", "simulator.webhooks",
          ("When", "Event", "Target URL", "State", "Attempts", "Last status", "Last latency"), delivery_rows),
]


def show(panels: list[Panel], ctx: Context, *args: Any) -> list[Shown]:
    out = []
    for panel in panels:
        if panel.read is None or not available(panel.module):
            out.append(Shown(panel.key, panel.title, panel.columns, [], "Not in this build of pcsim."))
            continue
        try:
            out.append(Shown(panel.key, panel.title, panel.columns, panel.read(ctx, *args), None))
        except errors.PartnerCenterError as exc:
            out.append(Shown(panel.key, panel.title, panel.columns, [], str(exc)))
    return out
