"""The charges that follow from a subscription's events, priced from the catalog.

Nothing is stored: `charges(ctx, sub, market, now)` replays the subscription's `events` (purchase,
renew, seats, cancel, activate, transitions, upgrades) and the billing cycles of each term up to
`now`, so moving the clock brings the next cycle's charge. Money is Decimal, every charge rounded
to the currency's step (0.01; 1 for JPY and KRW) half up, and totals are sums of charges.

Rules (new commerce, purchase-new-commerce-license-based.md, change-the-quantity-of-a-subscription.md,
cancel-an-azure-marketplace-subscription.md, the recon line item examples of get-invoiceline-items.md):
- a term is charged per billing cycle in advance: the whole term at once for `none`/`one_time`,
  otherwise at the start of every month (`monthly`), year (`annual`) or three years (`triennial`);
  the first cycle's charge is `new` (purchase) or `renew`, the next ones `cycleCharge`;
- a cycle cut short by a custom term end date (coterming) is charged for its days only;
- seats added mid-cycle are charged for the days left in the cycle (`addQuantity`, from the day of
  the change); seats removed inside the window are refunded for the days left after that day
  (`removeQuantity`);
- a cancellation refunds by the refund option in force (the availability's cancellationPolicies):
  `Full` gives back the current cycle's charges, `Partial` the days left after the cancel day; legacy
  license subscriptions are credited like `Partial`; the sandbox order cancel refunds in full;
- marketplace SaaS is billed from activation only (S8), for the days left in the cycle;
- suspending does not stop the charges of a new commerce term (it bills to the end of the term); a
  legacy license subscription stops being charged: suspending credits the days left in the cycle after
  that day ("Prorate fees when cancel"), no cycle is charged while it is suspended, and reactivating
  charges the days from then to the end of the cycle ("Prorate fees when activate";
  recon-file-charge-types.md);
- Azure plan and MS-AZR-0145P have no license charges (their consumption is `simulator.usage`).
A refund (a negative charge: cancel, seats removed, suspend, transition out) remembers when the cycle it
gives back was charged (`refunds`): the ledger puts a refund of a cycle whose invoice was already out
on a credit note of that invoice (ledger.credited_period).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from simulator import wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NO_DECIMALS, SAAS, Market
from simulator.context import Context
from simulator.subscriptions import dates
from simulator.subscriptions.dates import add_months
from simulator.subscriptions.kinds import EventType

NEW, RENEW, CYCLE, ADD, REMOVE, CANCEL, CONVERT = ("new", "renew", "cycleCharge", "addQuantity", "removeQuantity",
                                                   "cancelImmediate", "convert")
SUSPEND, REACTIVATE = "suspendProrate", "reactivateProrate"  # legacy license subscriptions only
USAGE_KINDS = (AZURE_PLAN, LEGACY_AZURE)


@dataclass(frozen=True)
class Charge:
    at: datetime             # when it is charged: it decides the billing period
    charge_type: str
    start: date              # chargeStartDate
    end: date | None         # chargeEndDate (None: perpetual software)
    quantity: int            # negative for refunds
    unit_price: Decimal      # one unit for a whole billing cycle
    amount: Decimal          # the subtotal, rounded to the currency's step
    term_start: date
    term_end: date | None
    facts: dict[str, Any]    # offer_id, product_id, sku_id, availability_id, term, cycle, trial
    sequence: int            # its place among the subscription's charges
    refunds: datetime | None = None  # a refund's (negative charge's): when the cycle it gives back was charged

    @property
    def effective_unit_price(self) -> Decimal:
        if not self.quantity:
            return Decimal(0)
        return (self.amount / self.quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()


def money(value: Decimal, currency: str) -> Decimal:
    step = Decimal("1") if currency in NO_DECIMALS else Decimal("0.01")
    return value.quantize(step, rounding=ROUND_HALF_UP)


def unit_price(ctx: Context, market: Market, facts: dict[str, Any], fallback: str | None) -> Decimal:
    item = ctx.catalog.item(facts.get("offer_id") or "")
    if item is None:
        return Decimal(fallback or "0")
    if hasattr(item, "sku"):
        return market.price(item.price_usd(facts.get("term"), facts.get("cycle") or "none"))  # type: ignore[union-attr]
    return market.price(item.prices.get(facts.get("cycle") or "", "0"))


class Term:
    """One term being replayed: its dates, price, seats, and the billing cycle it is in."""

    def __init__(self, start: datetime, facts: dict[str, Any], price: Decimal, quantity: int) -> None:
        self.moment, self.facts, self.price, self.quantity = start, facts, price, quantity
        self.start = start.date()
        self.end = wire.parse_time(facts["end"]).date() if facts.get("end") else None
        self.months = dates.CYCLE_MONTHS.get((facts.get("cycle") or "").lower())
        self.index = -1           # the cycle reached so far
        self.cycle_at = start     # when that cycle was charged
        self.cycle_total = Decimal(0)
        self.stopped = False
        self.suspended = False    # a legacy license subscription is not charged while suspended

    def cycle(self, index: int) -> tuple[date, date | None, int] | None:
        """The index-th cycle: first day, last day, and the days of a whole cycle."""
        if self.months is None:
            if index:
                return None
            days = (self.end - self.start).days + 1 if self.end else 1
            return self.start, self.end, days
        first = add_months(self.moment, index * self.months).date()
        if self.end is not None and first > self.end:
            return None
        after = add_months(self.moment, (index + 1) * self.months).date()
        last = after - timedelta(days=1)
        return first, min(last, self.end) if self.end else last, (after - first).days

    def cycle_moment(self, index: int, first: date) -> datetime:
        if index == 0:
            return self.moment
        return datetime(first.year, first.month, first.day, tzinfo=self.moment.tzinfo)


class Replay:
    def __init__(self, ctx: Context, sub: dict[str, Any], market: Market) -> None:
        self.ctx, self.sub, self.market = ctx, sub, market
        self.currency = market.currency
        self.out: list[Charge] = []
        self.term: Term | None = None
        self.active = sub["kind"] != SAAS  # marketplace SaaS bills from activation

    def add(self, at: datetime, kind: str, start: date, end: date | None, quantity: int, amount: Decimal) -> None:
        term = self.term
        assert term is not None
        amount = money(amount, self.currency)
        term.cycle_total += amount
        self.out.append(Charge(at, kind, start, end, quantity, term.price, amount, term.start, term.end,
                               term.facts, len(self.out), term.cycle_at if amount < 0 else None))

    def cycles_until(self, limit: datetime, *, inclusive: bool) -> None:
        term = self.term
        while term is not None and not term.stopped:
            span = term.cycle(term.index + 1)
            if span is None:
                return
            moment = term.cycle_moment(term.index + 1, span[0])
            if moment > limit or (moment == limit and not inclusive):
                return
            term.index += 1
            term.cycle_total = Decimal(0)
            term.cycle_at = moment
            if self.active and not term.suspended:
                first, last, days = span
                kind = CYCLE if term.index else (RENEW if term.facts.get("renewal") else NEW)
                covered = (last - first).days + 1 if last else days
                self.add(moment, kind, first, last, term.quantity,
                         term.price * term.quantity * Decimal(covered) / Decimal(days))

    def current(self) -> tuple[date, date | None, int] | None:
        term = self.term
        return None if term is None or term.index < 0 else term.cycle(term.index)

    def prorate(self, at: datetime, kind: str, change: int, *, from_day: date) -> None:
        """`change` seats for the days of the current cycle from `from_day` on."""
        span = self.current()
        if span is None or not self.active or not change:
            return
        first, last, days = span
        left = max(0, ((last or from_day) - from_day).days + 1)
        self.add(at, kind, from_day, last, change, self.term.price * change * Decimal(left) / Decimal(days))  # type: ignore[union-attr]

    def start(self, ev: dict[str, Any], at: datetime, renewal: bool) -> None:
        facts = {k: ev.get(k, self.sub.get(f)) for k, f in (
            ("offer_id", "offer_id"), ("product_id", "product_id"), ("sku_id", "sku_id"),
            ("availability_id", "availability_id"), ("term", "term_duration"), ("cycle", "billing_cycle"),
            ("end", "end"), ("trial", "is_trial"))}
        facts["renewal"] = renewal
        price = unit_price(self.ctx, self.market, facts, self.sub.get("unit_price"))
        self.term = Term(at, facts, price, int(ev.get("quantity") or self.sub["quantity"]))
        self.cycles_until(at, inclusive=True)

    def stop(self, at: datetime, refund: str | None, kind: str = CANCEL, seats: int | None = None) -> None:
        term = self.term
        if term is None or term.stopped:
            return
        span = self.current()
        seats = term.quantity if seats is None else seats
        if span is not None and self.active and refund == "Full" and seats == term.quantity:
            self.add(at, kind, span[0], span[1], -seats, -term.cycle_total)
        elif refund in ("Full", "Partial"):
            self.prorate(at, kind, -seats, from_day=at.date() + timedelta(days=1))
        term.quantity -= seats
        term.stopped = term.quantity <= 0

    def event(self, ev: dict[str, Any], at: datetime) -> None:
        kind, term = ev["type"], self.term
        if kind in (EventType.PURCHASE, EventType.RENEW):
            self.start(ev, at, renewal=kind == EventType.RENEW)
        elif term is None or term.stopped:
            return
        elif kind == EventType.SEATS:
            change = int(ev.get("change") or 0)
            if change > 0:
                self.prorate(at, ADD, change, from_day=at.date())
            elif change < 0:
                self.prorate(at, REMOVE, change, from_day=at.date() + timedelta(days=1))
            term.quantity += change
        elif kind == EventType.TRANSITION_IN and ev.get(EventType.SEATS):
            self.prorate(at, ADD, int(ev[EventType.SEATS]), from_day=at.date())
            term.quantity += int(ev[EventType.SEATS])
        elif kind == EventType.TRANSITION_OUT:
            self.stop(at, "Partial", CONVERT, seats=int(ev.get(EventType.SEATS) or term.quantity))
        elif kind == EventType.UPGRADE and int(ev.get("quantity") or 0) >= term.quantity:
            self.stop(at, "Partial", CONVERT)  # a partial upgrade is its `seats` event
        elif kind == EventType.CANCEL:
            refund = ev.get("refund") or ("Partial" if self.sub["kind"] == LEGACY_LICENSE else None)
            self.stop(at, refund)
        elif kind in (EventType.EXPIRE, EventType.TRANSITION):
            term.stopped = True
        elif kind == EventType.SUSPEND and self.sub["kind"] == LEGACY_LICENSE and not term.suspended:
            self.prorate(at, SUSPEND, -term.quantity, from_day=at.date() + timedelta(days=1))
            term.suspended = True
        elif kind == EventType.REACTIVATE and term.suspended:
            term.suspended = False
            self.prorate(at, REACTIVATE, term.quantity, from_day=at.date())
        elif kind == "activate" and not self.active:
            self.active = True
            self.prorate(at, NEW, term.quantity, from_day=at.date())

    def run(self, now: datetime) -> list[Charge]:
        for ev in sorted(self.sub["events"], key=lambda e: e["at"]):
            at = wire.parse_time(ev["at"])
            if at > now:
                break
            self.cycles_until(at, inclusive=False)
            self.event(ev, at)
        self.cycles_until(now, inclusive=True)
        return self.out


def charges(ctx: Context, sub: dict[str, Any], market: Market, now: datetime) -> list[Charge]:
    """Every charge of the subscription up to `now`, in the order they were made."""
    if sub["kind"] in USAGE_KINDS:
        return []
    return Replay(ctx, sub, market).run(now)
