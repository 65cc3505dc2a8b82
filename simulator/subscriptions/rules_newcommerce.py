"""New commerce specifics: custom term end dates (N1) and the co-term dates a cart line's
`customTermEndDate` or a scheduled change must match (400 900242 / 900246).

Source: custom-term-end-dates.md: end dates aligned to the end of a calendar month, or co-termed
with the customer's existing subscriptions, within the term of the new purchase.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from simulator import errors, wire
from simulator.catalog.data import NCE
from simulator.context import Context
from simulator.customers.records import get_customer
from simulator.ids import same
from simulator.subscriptions import dates, lifecycle, records
from simulator.subscriptions.kinds import SubscriptionStatus


def month_ends(start: datetime, last: datetime) -> list[datetime]:
    ends: list[datetime] = []
    moment = dates.midnight(start)
    while True:
        end = moment.replace(day=calendar.monthrange(moment.year, moment.month)[1])
        if end > last:
            return ends
        if end > start:
            ends.append(end)
        moment = end + timedelta(days=1)


def coterm_dates(ctx: Context, tenant: str, customer_id: str, start: datetime | None,
                 term: str | None, now: datetime) -> list[tuple[datetime, list[str]]]:
    """(date, co-termed subscription ids) pairs within the term that would start at `start` (now: None)."""
    start = start or now
    last = dates.term_end(start, term)
    if last is None:
        return []
    found: dict[datetime, list[str]] = {end: [] for end in month_ends(start, last)}
    for sub in records.live(ctx, tenant, customer_id, (NCE,)):  # an ended record never comes back
        if not lifecycle.visible(sub, now):
            continue
        sub = lifecycle.current(ctx, sub, now)
        end = dates.at(sub, "end")
        active = sub["status"] == SubscriptionStatus.ACTIVE
        if sub["kind"] == NCE and active and end is not None and start < end <= last:
            found.setdefault(dates.midnight(end), []).append(sub["id"])
    return sorted(found.items())


def custom_term_end_dates(ctx: Context, tenant: str, customer_id: str, term: str | None, start_raw: str | None,
                          target: str | None) -> list[tuple[datetime, list[str]]]:
    """N1: the allowed end dates (with the subscriptions each co-terms with), `target`'s only if given."""
    customer = get_customer(ctx, tenant, customer_id)
    if not term or term.upper() not in dates.TERM_MONTHS:
        raise errors.MissingQueryParameter("term_duration")
    now = ctx.clock.now()
    try:
        start = wire.parse_time(start_raw) if start_raw else now
    except ValueError:
        raise errors.NotADateTime("term_start_date") from None
    found = coterm_dates(ctx, tenant, customer["id"], start, term.upper(), now)
    if target:
        found = [(d, subs) for d, subs in found if any(same(target, i) for i in subs)]
    return found
