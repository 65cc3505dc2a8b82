"""When a subscription can have line items: an index of the months each subscription may be billed
in, kept by the writes, so that a page of a period's lines (and the close of a period) reads only the
subscriptions that may have lines in that period, not every subscription of the partner.

A subscription's `Marks` are a pure function of its record as written: rules "every `step` months from
month `first`, on day `day` or later", and the month of each stored event (purchase, renew, seats,
cancel, activate, transitions...) that no rule holds for on its day. The rules cover what is derived
on read: the billing cycles of each term (from its
purchase or renew event), the terms after the written one (from the renewal moment, while it
auto-renews), and, every month from creation, what can't be foreseen from the record: Azure usage,
new commerce add-ons (which end with their base, lifecycle.follow_base), trials and scheduled next-term
changes. `last` bounds the rules once the record says nothing more can be charged (a stopping event,
a term that ends without renewing). The marks may name months without lines (the replay finds none)
but never miss one: charges.py makes charges only at events and cycle starts.

The index is lists of pointers, one per bucket (billing/records.py files them in pages): one bucket per
line class (provider x line type) and month for the events, one per class, step, phase and day for
the rules. Every write of a subscription puts its pointers again where they changed (a pointer is
overwritten in place, at the offset the subscription's record says it has, so a bucket keeps its order
and an offset in it stays valid; nothing is ever deleted). A period's buckets
are numbered (`slot`); a subscription found in several of them is read in the first one only
(`canonical`), which its own marks decide. Rule buckets of a later day than today are not read for the
open period: a cycle of that day has not been charged yet. Cycles of a day past the 28th fall on the
month's last day, so rule days stop at 28.

A store written before the index (a `--state` file, a snapshot) has no `billing_calendar` document for
the partner: the first write or billing read indexes every subscription once (the subscription
owner's `ensure_calendar`, which holds every subscription). The pointers and the state are stored by
billing's owner (billing/records.py); the subscription owner calls `mark` with every write.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulator import wire
from simulator.billing import records
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE
from simulator.context import Context
from simulator.subscriptions import dates
from simulator.subscriptions.kinds import EventType, SubscriptionStatus

ONE_TIME, OFFICE, AZURE = "one_time", "office", "azure"
BILLING, USAGE = "billing_line_items", "usage_line_items"
CLASSES = ((ONE_TIME, BILLING), (ONE_TIME, USAGE), (OFFICE, BILLING), (AZURE, USAGE))
STEPS = (1, 12, 36)   # the months between two charges of a rule: monthly, annual, triennial
DAYS = 28             # rule days 1..28 (a later anchor day falls on the 28th or after in every month)
PER_CLASS = 1 + len(STEPS) * DAYS  # slot 0 of a class: its month bucket of events; then the rule buckets
SLOTS = len(CLASSES) * PER_CLASS
STOPS = (EventType.CANCEL, EventType.EXPIRE)
CHUNK = 200


def provider_of(sub: Mapping[str, Any]) -> str:
    return {LEGACY_LICENSE: OFFICE, LEGACY_AZURE: AZURE}.get(sub["kind"], ONE_TIME)


def line_type_of(sub: Mapping[str, Any]) -> str:
    return USAGE if sub["kind"] in (AZURE_PLAN, LEGACY_AZURE) else BILLING


def class_of(sub: Mapping[str, Any]) -> int:
    return CLASSES.index((provider_of(sub), line_type_of(sub)))


def month_of(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def month_start(month: int) -> datetime:
    return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)


# --- a subscription's marks -----------------------------------------------------------------

@dataclass(frozen=True)
class Marks:
    months: frozenset[int]                    # months with an event no rule holds for
    rules: dict[tuple[int, int, int], int]    # (step, phase, day) -> the first month it holds for
    last: int | None                          # no line after this month (None: open)

    def holds(self, step: int, phase: int, day: int, month: int) -> bool:
        first = self.rules.get((step, phase, day))
        return (first is not None and first <= month and month % step == phase
                and (self.last is None or month <= self.last))


def marks_of(sub: Mapping[str, Any]) -> Marks:
    """A month holding an event is marked only where no rule already holds on the event's day or before."""
    events = sub.get("events") or []
    created = wire.parse_time(sub["created"])
    happened = [wire.parse_time(ev["at"]) for ev in events]
    moments = [created, *happened]
    if sub.get("transition"):
        moments.append(wire.parse_time(sub["transition"]["at"]))
    renewal = dates.renewal_moment(sub)
    rules = rules_of(sub, events, happened, created, renewal)
    last = last_month(sub, events, renewal)
    months = frozenset(month_of(moment) for moment in moments if not covered(rules, last, moment))
    return Marks(months, rules, last)


def covered(rules: dict[tuple[int, int, int], int], last: int | None, moment: datetime) -> bool:
    """Whether one of the rules holds in the moment's month, on its day or before (`Marks.holds`)."""
    month = month_of(moment)
    return any(day <= moment.day and first <= month and month % step == phase and (last is None or month <= last)
               for (step, phase, day), first in rules.items())


def rules_of(sub: Mapping[str, Any], events: list[dict[str, Any]], happened: list[datetime], created: datetime,
             renewal: datetime | None) -> dict[tuple[int, int, int], int]:
    """`happened`: the moment of each event (parsed); `renewal`: the record's renewal moment
    (dates.renewal_moment)."""
    rules: dict[tuple[int, int, int], int] = {}

    def rule(step: int, moment: datetime, day: int | None = None) -> None:
        month = month_of(moment)
        key = (step, month % step, day or min(moment.day, DAYS))
        rules[key] = min(rules.get(key, month), month)

    for ev, moment in zip(events, happened, strict=True):
        cycle = dates.CYCLE_MONTHS.get((ev.get("cycle", sub.get("billing_cycle")) or "").lower())
        if ev["type"] in (EventType.PURCHASE, EventType.RENEW) and cycle:
            rule(cycle, moment)
    if (line_type_of(sub) == USAGE or sub.get("parent_subscription_id") or sub.get("is_trial")
            or sub.get("scheduled") or sub.get("renews_to")):
        rule(1, created, day=1)
    if renewal is not None and sub["status"] == SubscriptionStatus.ACTIVE and dates.renews(sub):
        rule(next_step(sub), renewal)
    return rules


def next_step(sub: Mapping[str, Any]) -> int:
    """The months between charges of the terms after the written one: its billing cycle, or its term
    when the whole term is charged at once."""
    cycle = dates.CYCLE_MONTHS.get((sub.get("billing_cycle") or "").lower())
    term = dates.TERM_MONTHS.get((sub.get("term_duration") or ("P1Y" if sub["kind"] == LEGACY_LICENSE else ""))
                                   .upper())
    return math.gcd(cycle, term) if cycle and term else cycle or term or 1


def last_month(sub: Mapping[str, Any], events: list[dict[str, Any]], renewal: datetime | None) -> int | None:
    """The last month with a line, when the record already knows it (usage is reported a day late)."""
    latest = max(events, key=lambda ev: ev["at"]) if events else None
    if latest is not None and sub["status"] not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED) and (
            latest["type"] in STOPS or (latest["type"] == EventType.TRANSITION and "to" in latest)):
        end = month_of(wire.parse_time(latest["at"]))
    elif sub.get("transition"):  # 0145P moved to an Azure plan: disabled from the move (lifecycle.apply_transition)
        end = max(month_of(wire.parse_time(sub["transition"]["at"])),
                  month_of(wire.parse_time(latest["at"])) if latest else 0)
    elif renewal is not None and not (sub["status"] == SubscriptionStatus.ACTIVE and dates.renews(sub)):
        end = month_of(renewal)  # expires there (or, cancelled without an event, bills to its term's end)
    else:
        return None
    return end + 1 if line_type_of(sub) == USAGE else end


# --- buckets and slots ------------------------------------------------------------------------

def month_bucket(cls: int, month: int) -> str:
    return f"x{cls}:{month}"


def rule_bucket(cls: int, step: int, phase: int, day: int) -> str:
    return f"r{cls}:{step}:{phase}:{day}"


def rule_of(slot: int) -> tuple[int, int, int, int] | None:
    """The class, step, step index and day of a rule slot; None for a month slot."""
    cls, local = divmod(slot, PER_CLASS)
    if local == 0:
        return None
    index, day = divmod(local - 1, DAYS)
    return cls, STEPS[index], index, day + 1


def bucket(slot: int, month: int) -> str:
    rule = rule_of(slot)
    if rule is None:
        return month_bucket(slot // PER_CLASS, month)
    cls, step, _, day = rule
    return rule_bucket(cls, step, month % step, day)


def latest_month(sub: Mapping[str, Any]) -> int:
    """The month of the record's latest moment (creation, event, transition): no month bucket after it."""
    moments = [sub["created"], *(ev["at"] for ev in sub.get("events") or [])]
    if sub.get("transition"):
        moments.append(sub["transition"]["at"])
    return month_of(wire.parse_time(max(moments)))


def every_bucket(first: int | None, last: int) -> list[str]:
    """Every bucket a pointer may be in: each class's rule buckets, and its month buckets from `first` to a
    year after `last` (events are marked in their month; none is later than that)."""
    rules = [rule_bucket(cls, step, phase, day) for cls in range(len(CLASSES)) for step in STEPS
             for phase in range(step) for day in range(1, DAYS + 1)]
    months = [month_bucket(cls, month) for cls in range(len(CLASSES))
              for month in range(first if first is not None else last, last + 13)]
    return rules + months


def canonical(marks: Marks, cls: int, month: int, last_day: int) -> int | None:
    """The first slot of `month` where the subscription is a candidate, reading rule days up to `last_day`."""
    if month in marks.months:
        return cls * PER_CLASS
    found = [cls * PER_CLASS + 1 + STEPS.index(step) * DAYS + day - 1
             for step, phase, day in marks.rules if day <= last_day and marks.holds(step, phase, day, month)]
    return min(found, default=None)


def candidates(ctx: Context, tenant: str, month: int, classes: set[int], last_day: int, slot: int,
               offset: int) -> Iterator[tuple[int, int, records.Mark]]:
    """The pointers of `month`'s buckets from (slot, offset) on, each with its slot and offset; pointers
    whose rule can't hold in `month` are left out without reading their subscription."""
    for here in range(slot, SLOTS):
        rule = rule_of(here)
        if here // PER_CLASS not in classes or (rule is not None and rule[3] > last_day):
            continue
        name, at = bucket(here, month), offset if here == slot else 0
        while True:
            batch = records.marks(ctx, tenant, name, at, CHUNK)
            for pointer in batch:
                if pointer.get("f", month) <= month and month <= (pointer.get("l") or month):
                    yield here, at, pointer
                at += 1
            if len(batch) < CHUNK:
                break


def pointers_at(ctx: Context, tenant: str, month: int,
                places: list[list[int]]) -> Iterator[tuple[int, int, records.Mark | None]]:
    """The pointers at (slot, offset) places in walk order, read a chunk of a bucket at a time."""
    held: tuple[int, int, list[records.Mark]] = (-1, 0, [])
    for slot, offset in places:
        if held[0] != slot or not held[1] <= offset < held[1] + CHUNK:
            held = (slot, offset, records.marks(ctx, tenant, bucket(slot, month), offset, CHUNK))
        found = held[2]
        yield slot, offset, found[offset - held[1]] if offset - held[1] < len(found) else None


# --- writes -----------------------------------------------------------------------------------

def mark(ctx: Context, sub: Mapping[str, Any], state: records.CalendarState,
         placed: records.Placed) -> records.Placed:
    """Files the subscription's pointers (the subscription owner calls this with every write, with the
    partner's calendar state and where the record's pointers were); where they are now."""
    first, placed = put_marks(ctx, sub, placed)
    known = state.get("first")
    if known is None or first < known:
        records.save_calendar_state(ctx, sub["tenant"], {**state, "first": first})
    return placed


def put_marks(ctx: Context, sub: Mapping[str, Any], placed: records.Placed) -> tuple[int, records.Placed]:
    """Puts the pointers, each in place where `placed` says the record has one, and only when it changed;
    the first month marked and where the pointers are."""
    marks, cls, tenant = marks_of(sub), class_of(sub), sub["tenant"]
    now: records.Placed = dict(placed)
    wanted: list[tuple[str, records.Mark]] = [
        (month_bucket(cls, month), {"c": sub["customer_id"], "s": sub["id"]}) for month in sorted(marks.months)]
    wanted += [(rule_bucket(cls, step, phase, day), {"c": sub["customer_id"], "s": sub["id"], "f": first,
                                                     "l": marks.last})
               for (step, phase, day), first in marks.rules.items()]
    for name, pointer in wanted:
        was = placed.get(name)
        facts = [pointer.get("f"), pointer.get("l")]
        if was is not None and was[1:] == facts:
            continue
        now[name] = [records.put_mark(ctx, tenant, name, pointer, was[0] if was else None), *facts]
    return min([*marks.months, *marks.rules.values()]), now
