"""Daily rated usage: what each Azure subscription consumed, day by day, priced in the customer's currency.

Nothing is stored and nothing runs in the background: the rows of a day are a pure function of the
seed, the Azure subscription (entitlement) id and the day, and of the subscription record's dates and
events, so moving the simulated clock changes what reads return.

* An Azure plan accrues per Azure subscription (entitlement) under it; a legacy MS-AZR-0145P
  subscription accrues as one Azure subscription. A day accrues when the Azure subscription was
  created on or before it and was not cancelled on or before it, and the plan (or the 0145P
  subscription) was not suspended, cancelled, expired or moved to an Azure plan on or before it; a
  reactivation resumes accrual from its day.
* Usage of day D is reported once the day is over plus a day: unbilled usage is available after
  about 24 hours (get-invoice-unbilled-consumption-lineitems.md, get-a-customer-usage-summary.md),
  so a read at `now` sees the days with D + 2 days <= now.
* Prices: the meter's USD price in the customer's market (catalog Market.price, rounded to the
  currency's step); a row's amount is quantity x unit price rounded half up to that step, so every
  total, being a sum of row amounts, adds up to the cent. `usd_amount` keeps the USD figure.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import simulator.customers.records
from simulator import wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, NO_DECIMALS, Market
from simulator.context import Context
from simulator.ids import stream
from simulator.subscriptions.kinds import EventType
from simulator.usage.meters import Meter, Resource, catalog, resources

REPORTED_AFTER = timedelta(days=2)  # from the start of the usage day: the day itself, then ~24 hours
AZURE_KINDS = (AZURE_PLAN, LEGACY_AZURE)
OFF = (EventType.SUSPEND, EventType.CANCEL, EventType.EXPIRE)
ON = (EventType.REACTIVATE,)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class UsageRow:
    day: date                 # the UTC usage date
    subscription_id: str      # the Partner Center subscription id (Azure plan or 0145P subscription)
    entitlement_id: str       # the Azure subscription (entitlement) id
    entitlement_name: str     # its friendly name
    meter: Meter
    resource_group: str
    resource_uri: str
    resource_location: str
    quantity: Decimal
    unit_price: Decimal       # in `currency`
    amount: Decimal           # in `currency`, rounded to its step
    usd_amount: Decimal
    currency: str

    @property
    def resource_name(self) -> str:
        return self.resource_uri.rsplit("/", 1)[-1]


def rated_usage(ctx: Context, sub: dict[str, Any], start: date, end: date, now: datetime) -> list[UsageRow]:
    """Rows of days start <= day <= end that are visible at `now`, in (day, entitlement, meter) order:
    entitlements as the plan lists them, meters in catalog order."""
    if sub["kind"] not in AZURE_KINDS:
        return []
    last = min(end, last_reported_day(now))
    if last < start:
        return []
    market = market_of(ctx, sub)
    meters = catalog(ctx.settings.seed)
    plan_on = on_intervals(sub)
    accruing = []
    for entitlement in azure_subscriptions(sub):
        spans = intersect(plan_on, entitlement_spans(entitlement))
        used = resources(ctx.settings.seed, meters, entitlement["id"])
        accruing.append((entitlement, spans, used))
    rows = []
    for day in days(max(start, first_day(accruing)), last):
        for entitlement, spans, used in accruing:
            if active(spans, day):
                rows.extend(day_rows(ctx.settings.seed, sub, entitlement, used, day, market))
    return rows


def last_reported_day(now: datetime) -> date:
    """The last usage day whose report is out at `now`."""
    return (now.astimezone(UTC) - REPORTED_AFTER).date()


def reported_at(day: date) -> datetime:
    return day_start(day) + REPORTED_AFTER


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# --- which days accrue --------------------------------------------------------------------

Span = tuple[date, date | None]  # [first day, stop day): a stop day accrues no more


def azure_subscriptions(sub: dict[str, Any]) -> list[dict[str, Any]]:
    """The Azure subscriptions that accrue: an Azure plan's entitlements, or the 0145P subscription itself."""
    if sub["kind"] == AZURE_PLAN:
        return list(sub.get("entitlements") or [])
    if not sub.get("entitlement_id"):
        return []
    return [{"id": sub["entitlement_id"], "friendly_name": sub.get("friendly_name") or sub.get("offer_name") or "",
             "created": sub["created"], "cancelled_at": None}]


def entitlement_spans(entitlement: dict[str, Any]) -> list[Span]:
    """From its creation, less the days it was cancelled: from a cancel's day to its reactivation's day
    (simulator/subscriptions/rules_azure.py keeps those as `gaps`), and from the day of a standing cancel on."""
    spans: list[Span] = []
    since = wire.parse_time(entitlement["created"]).date()
    for gap in entitlement.get("gaps") or []:
        spans.append((since, wire.parse_time(gap["from"]).date()))
        since = wire.parse_time(gap["until"]).date()
    cancelled = entitlement.get("cancelled_at")
    spans.append((since, wire.parse_time(cancelled).date() if cancelled else None))
    return spans


def on_intervals(sub: dict[str, Any]) -> list[Span]:
    """When the plan (or 0145P subscription) accrues, from its events: it stops from the day it is
    suspended, cancelled, expired or moved to an Azure plan, and resumes from the day it is reactivated."""
    spans: list[Span] = []
    since: date | None = wire.parse_time(sub["created"]).date()
    moments = [(wire.parse_time(e["at"]), e["type"], e) for e in sub.get("events") or []
               if e.get("type") in (*OFF, *ON, EventType.TRANSITION)]
    moved = sub.get("transition")
    if moved:  # a 0145P subscription moved to an Azure plan is disabled from the move (lifecycle.apply_transition)
        moments.append((wire.parse_time(moved["at"]), EventType.CANCEL, moved))
    for moment, kind, facts in sorted(moments, key=lambda m: m[0]):
        if kind == EventType.TRANSITION and "to" not in facts:
            continue  # the plan an upgrade made: its start, not a stop
        if kind in ON and since is None:
            since = moment.date()
        elif kind not in ON and since is not None:
            spans.append((since, moment.date()))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def intersect(ones: list[Span], others: list[Span]) -> list[Span]:
    found = []
    for a_from, a_to in ones:
        for b_from, b_to in others:
            low = max(a_from, b_from)
            high = min((x for x in (a_to, b_to) if x is not None), default=None)
            if high is None or low < high:
                found.append((low, high))
    return found


def active(spans: list[Span], day: date) -> bool:
    return any(first <= day and (stop is None or day < stop) for first, stop in spans)


def first_day(accruing: list[tuple[dict[str, Any], list[Span], tuple[Resource, ...]]]) -> date:
    firsts = [first for _, spans, _ in accruing for first, _ in spans]
    return min(firsts) if firsts else date.max


# --- a day's rows -------------------------------------------------------------------------

def market_of(ctx: Context, sub: dict[str, Any]) -> Market:
    """The customer's market; a customer deleted since (sandbox U4) keeps the US market's prices."""
    customer = simulator.customers.records.get(ctx, sub["tenant"], sub["customer_id"])
    market = ctx.catalog.market(simulator.customers.records.customer_country(customer)) if customer else None
    return market or ctx.catalog.market("US")  # type: ignore[return-value]


def currency_step(currency: str) -> Decimal:
    return Decimal("1") if currency in NO_DECIMALS else CENT


def day_rows(seed: int, sub: dict[str, Any], entitlement: dict[str, Any], used: tuple[Resource, ...], day: date,
             market: Market) -> list[UsageRow]:
    """A few of the Azure subscription's resources, each with a quantity, drawn from the day's own stream."""
    rng = stream(f"usage:{entitlement['id'].lower()}:{day.isoformat()}", seed)
    picked = sorted(rng.sample(range(len(used)), rng.randint(2, min(4, len(used)))))
    step = currency_step(market.currency)
    rows = []
    for index in picked:
        resource = used[index]
        low, high, scale = resource.meter.daily
        quantity = Decimal(rng.randint(low, high)).scaleb(-scale)
        unit_price = market.price(resource.meter.usd_price)
        rows.append(UsageRow(
            day=day, subscription_id=sub["id"], entitlement_id=entitlement["id"],
            entitlement_name=entitlement.get("friendly_name") or "", meter=resource.meter,
            resource_group=resource.group, resource_uri=resource.uri, resource_location=resource.location,
            quantity=quantity, unit_price=unit_price,
            amount=(quantity * unit_price).quantize(step, rounding=ROUND_HALF_UP),
            usd_amount=(quantity * resource.meter.usd_price).quantize(CENT, rounding=ROUND_HALF_UP),
            currency=market.currency))
    return rows
