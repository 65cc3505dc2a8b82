"""New commerce specifics: custom term end dates (N1) and the co-term dates a cart line's
`customTermEndDate` or a scheduled change must match (400 900242 / 900246).

Source: custom-term-end-dates.md: end dates aligned to the end of a calendar month, or co-termed
with the customer's existing subscriptions, within the term of the new purchase.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, wire
from simulator.catalog.data import NCE
from simulator.context import Context
from simulator.customers.records import get_customer
from simulator.ids import same as same_id
from simulator.subscriptions import dates, records
from simulator.subscriptions.kinds import SubscriptionStatus
from simulator.wire import query


def month_ends(start: datetime, last: datetime) -> list[datetime]:
    ends, moment = [], dates.midnight(start)
    while True:
        end = moment.replace(day=calendar.monthrange(moment.year, moment.month)[1])
        if end > last:
            return ends
        if end > start:
            ends.append(end)
        moment = end + timedelta(days=1)


def coterm_dates(ctx: Context, tenant: str, customer_id: str, start: datetime | None,
                 term: str | None) -> list[tuple[datetime, list[str]]]:
    """(date, co-termed subscription ids) pairs within the term that would start at `start`."""
    start = start or ctx.clock.now()
    last = dates.term_end(start, term)
    if last is None:
        return []
    found: dict[datetime, list[str]] = {end: [] for end in month_ends(start, last)}
    now = ctx.clock.now()
    for sub in records.live(ctx, tenant, customer_id, (NCE,)):  # an ended record never comes back
        if not records.visible(sub, now):
            continue
        sub = records.current(ctx, sub, now)
        end = dates.at(sub, "end")
        active = sub["status"] == SubscriptionStatus.ACTIVE
        if sub["kind"] == NCE and active and end is not None and start < end <= last:
            found.setdefault(dates.midnight(end), []).append(sub["id"])
    return sorted(found.items())


def coterm_wire(moment: datetime, subs: list[str]) -> dict[str, Any]:
    if subs:
        return {"allowedCustomTermEndDateType": "subscriptionAligned", "cotermSubscriptionIds": subs,
                "allowedCustomTermEndDate": moment.strftime("%Y-%m-%dT00:00:00")}
    return {"allowedCustomTermEndDateType": "calendarMonthAligned",
            "allowedCustomTermEndDate": moment.strftime("%Y-%m-%dT00:00:00")}


def custom_term_end_dates(ctx: Context, tenant: str, customer_id: str, term: str | None, start_raw: str | None,
                          target: str | None) -> list[dict[str, Any]]:
    customer = get_customer(ctx, tenant, customer_id)
    if not term or term.upper() not in dates.TERM_MONTHS:
        raise errors.MissingQueryParameter("term_duration")
    try:
        start = wire.parse_time(start_raw) if start_raw else ctx.clock.now()
    except ValueError:
        raise errors.NotADateTime("term_start_date") from None
    found = coterm_dates(ctx, tenant, customer["id"], start, term.upper())
    if target:
        found = [(d, subs) for d, subs in found if any(same_id(target, i) for i in subs)]
    return [coterm_wire(d, ids) for d, ids in found]


@wire.operation(query=["term_duration!", "term_start_date", "target_coterm_subscription_id"])
async def custom_term_end_dates_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    term = query.text(request, "term_duration", "termduration")
    items = custom_term_end_dates(ctx, caller.tenant, cid, term,
                                  query.text(request, "term_start_date", "termstartdate"),
                                  query.text(request, "target_coterm_subscription_id", "targetcotermsubscriptionid"))
    echoed = f"?{request.url.query}" if request.url.query else ""
    self_uri = f"/customers/{cid}/subscriptions/customTermEndDates{echoed}"
    return wire.respond(wire.collection(items, self_uri))


routes = [
    Route("/v1/customers/{customer_id}/subscriptions/customtermenddates", custom_term_end_dates_endpoint,
          methods=["GET"]),
]
