"""A stateful model of subscription lifecycles, run against one app per example.

The machine buys new commerce, marketplace SaaS and legacy license subscriptions, changes seats,
cancels, suspends, reactivates, activates SaaS, switches auto-renew and moves the simulated clock,
predicting every answer from the documented rules:
quantity within the SKU's bounds (900275, legacy 2002) and the sandbox's 25 licenses (800067);
new commerce seats removed and subscriptions cancelled only within 7 days of purchase, renewal or
the seats' addition (800090, 900117); no change while suspended (800091, legacy 2001) or before SaaS
activation (800081; a never-activated SaaS can still be cancelled); suspended subscriptions must be
reactivated before a cancel (800091); deleted (2011) and expired (900277) subscriptions are final; renewals at 00:00 UTC
after a term's last day, expiry without auto-renew or while suspended.
After every step it checks, over HTTP, that the simulator agrees with the model and never answers 5xx.
It runs on every storage backend pcsim has (simulator.store.BACKENDS), a SQLite store in a file.
"""
from __future__ import annotations

import asyncio
import calendar
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from simulator.store import BACKENDS, Store
from tests.helpers import (
    LEGACY_BASE,
    M365_BASIC,
    SAAS_PLAN,
    START,
    agreement_body,
    customer_body,
    open_api,
    opened,
    shared_catalog,
)

SEAT_SAAS = "DZH318Z0C1PM:0001:DZH318Z04MB5"
NCE_TERMS = [("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "annual"), ("P3Y", "triennial")]
SAAS_TERMS = [("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual")]
MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
WINDOW = timedelta(days=7)
SAAS_REFUND = timedelta(days=1)  # the catalog's SaaS availabilities: a Full refund within P1D
SANDBOX_SEATS, SANDBOX_SUBSCRIPTIONS = 25, 5
EDGES = {("active", "suspended"), ("suspended", "active"), ("active", "deleted"), ("active", "expired"),
         ("suspended", "expired"), ("pending", "active"), ("pending", "deleted")}
OK = (200, None)
INDEXES = st.integers(0, 63)
QUANTITIES = st.one_of(st.sampled_from([1, 2, 5, 24, 25]), st.integers(1, SANDBOX_SEATS))
CHANGES = st.one_of(st.sampled_from([-3, -2, -1, 1, 2, 4]), st.integers(-30, 30))
HOUR, DAY = 3600, 86400
# hours to 40 days; round values land on window and term boundaries, the others between them
PERIODS = st.one_of(st.sampled_from([HOUR, 6 * HOUR, DAY, 3 * DAY, 7 * DAY, 8 * DAY, 15 * DAY, 31 * DAY, 40 * DAY]),
                    st.integers(HOUR, 40 * DAY))


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def last_day(start: datetime, term: str) -> datetime:
    """The term's last day: the day before the same date `term` later (a P1Y term from 2021-01-14 ends 2022-01-13)."""
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    month = start.month - 1 + MONTHS[term]
    year, month = start.year + month // 12, month % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])) - \
        timedelta(days=1)


@dataclass
class Sub:
    id: str
    customer: str
    order: str
    kind: str  # nce, saas, legacy
    maximum: int
    quantity: int
    term: str
    status: str
    auto_renew: bool
    end: datetime
    cancel_until: datetime | None = None
    windows: list[list[Any]] = field(default_factory=list)  # [quantity, until] for new commerce seats

    def renewal(self) -> datetime:
        return self.end + timedelta(days=1)

    def start_term(self, start: datetime) -> None:
        self.end = last_day(start, self.term)
        if self.kind == "nce":
            self.cancel_until = start + WINDOW
            self.windows = [[self.quantity, start + WINDOW]]
        elif self.kind == "saas":  # the availability's Full refund for P1D, from activation or renewal
            self.cancel_until = None if self.status == "pending" else start + SAAS_REFUND


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.api = open_api(self.loop, store=store, catalog=shared_catalog(), wall="real", provisioning_delay=0,
                            order_list_delay=0)
        self.now = parse(START)
        self.subs: list[Sub] = []
        self.seen: dict[str, str] = {}  # status last read over HTTP
        self.customers: list[str] = []

    def teardown(self) -> None:
        self.loop.run_until_complete(self.api.client.aclose())
        self.loop.close()
        self.api.ctx.store.close()

    # --- HTTP ---------------------------------------------------------------------------------
    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        reply = self.api.request(method, path, **kw)
        assert reply.status_code < 500, f"{method} {path} -> {reply.status_code} {reply.text}"
        return reply

    def path(self, sub: Sub) -> str:
        return f"/v1/customers/{sub.customer}/subscriptions/{sub.id}"

    def read(self, sub: Sub) -> dict[str, Any]:
        reply = self.call("GET", self.path(sub))
        assert reply.status_code == 200, reply.text
        return reply.json()

    def patch(self, sub: Sub, **changes: Any) -> tuple[int, int | None]:
        reply = self.call("PATCH", self.path(sub), json={**self.read(sub), **changes})
        outcome = reply.status_code, reply.json().get("code") if reply.status_code >= 400 else None
        event(f"PATCH {'/'.join(changes)} of {sub.kind} -> {outcome[1] or outcome[0]}")
        return outcome

    def customer(self) -> str:
        """A customer with room for one more subscription (the sandbox allows five)."""
        for customer in self.customers:
            if sum(1 for s in self.subs if s.customer == customer and s.status != "deleted") < SANDBOX_SUBSCRIPTIONS:
                return customer
        reply = self.call("POST", "/v1/customers", json=customer_body(f"m{len(self.customers)}.onmicrosoft.com"))
        assert reply.status_code == 201, reply.text
        agreed = self.call("POST", f"/v1/customers/{reply.json()['id']}/agreements", json=agreement_body())
        assert agreed.status_code == 201, agreed.text  # without it nothing is bought (13605)
        self.customers.append(reply.json()["id"])
        return self.customers[-1]

    def buy(self, kind: str, line: dict[str, Any], maximum: int) -> None:
        customer = self.customer()
        cart = self.call("POST", f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **line}]})
        assert cart.status_code == 201, cart.text
        checkout = self.call("POST", f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")
        assert checkout.status_code == 201, checkout.text
        order = checkout.json()["orders"][0]
        sub = Sub(id=order["lineItems"][0]["subscriptionId"], customer=customer, order=order["id"], kind=kind,
                  maximum=maximum, quantity=line["quantity"], term=line.get("termDuration") or "P1Y",
                  status="pending" if kind == "saas" else "active", auto_renew=kind != "legacy", end=self.now)
        sub.start_term(self.now)
        self.subs.append(sub)

    def pick(self, index: int) -> Sub:
        return self.subs[index % len(self.subs)]

    def final(self, sub: Sub) -> tuple[int, int] | None:
        """The refusal every update gets in a state that allows none."""
        if sub.status == "deleted":
            return 400, 2011
        if sub.status == "expired":
            return 400, 900277
        if sub.status == "pending":
            return 400, 800081
        return None

    # --- rules ----------------------------------------------------------------------------------
    @initialize(nce=st.tuples(QUANTITIES, st.sampled_from(NCE_TERMS[:1] * 3 + NCE_TERMS)), renews=st.booleans(),
                saas=st.tuples(QUANTITIES, st.sampled_from(SAAS_TERMS)), seats=st.booleans(), activate=st.booleans(),
                legacy=QUANTITIES)
    def start_with_one_of_each_kind(self, nce: tuple[int, tuple[str, str]], renews: bool,
                                    saas: tuple[int, tuple[str, str]], seats: bool, activate: bool,
                                    legacy: int) -> None:
        """Monthly new commerce terms are drawn more often: they renew within the 40 days one step may pass."""
        self.buy_one("nce", *nce)
        self.buy_one("saas-seats" if seats else "saas", *saas)
        self.buy_one("legacy", legacy, ("P1Y", "monthly"))
        if not renews:
            self.set_auto_renew(0, False)
        if activate:
            self.activate(1)

    @rule(kind=st.sampled_from(["nce", "saas", "saas-seats", "legacy"]), quantity=QUANTITIES,
          term=st.sampled_from(NCE_TERMS))
    def buy_one(self, kind: str, quantity: int, term: tuple[str, str]) -> None:
        if kind == "nce":
            self.buy("nce", {"catalogItemId": M365_BASIC, "quantity": quantity, "termDuration": term[0],
                             "billingCycle": term[1]}, 300)
        elif kind == "legacy":
            self.buy("legacy", {"catalogItemId": LEGACY_BASE, "quantity": quantity, "billingCycle": "monthly"}, 10000)
        else:
            term = term if term in SAAS_TERMS else SAAS_TERMS[0]
            item, quantity, maximum = (SEAT_SAAS, quantity, 5000) if kind == "saas-seats" else (SAAS_PLAN, 1, 1)
            self.buy("saas", {"catalogItemId": item, "quantity": quantity, "termDuration": term[0],
                              "billingCycle": term[1]}, maximum)

    @rule(index=INDEXES, change=CHANGES)
    def change_quantity(self, index: int, change: int) -> None:
        sub = self.pick(index)
        wanted = sub.quantity + change
        expected = self.quantity_outcome(sub, wanted)
        assert self.patch(sub, quantity=wanted) == expected, (sub, wanted, self.now)
        if expected == OK and wanted != sub.quantity:
            if sub.kind == "nce":
                self.move_windows(sub, wanted - sub.quantity)
            sub.quantity = wanted

    def open_windows(self, sub: Sub) -> list[list[Any]]:
        """Seat windows still open: like cancellationAllowedUntilDate, allowedUntilDateTime is the last instant."""
        return [w for w in sub.windows if w[1] >= self.now and w[0] > 0]

    def quantity_outcome(self, sub: Sub, wanted: int) -> tuple[int, int | None]:
        if self.final(sub):
            return self.final(sub)  # type: ignore[return-value]
        if wanted == sub.quantity:
            return OK
        if sub.status == "suspended":
            return 400, 2001 if sub.kind == "legacy" else 800091
        if not 1 <= wanted <= sub.maximum:
            return 400, 2002 if sub.kind == "legacy" else 900275
        if wanted > SANDBOX_SEATS and wanted > sub.quantity:
            return 403, 800067
        if sub.kind == "nce" and sub.quantity - wanted > sum(q for q, _ in self.open_windows(sub)):
            return 400, 800090
        return OK

    def move_windows(self, sub: Sub, change: int) -> None:
        sub.windows = self.open_windows(sub)
        if change > 0:
            sub.windows.append([change, self.now + WINDOW])
            return
        remove = -change
        for window in reversed(sub.windows):  # the newest seats go first
            taken = min(window[0], remove)
            window[0] -= taken
            remove -= taken
        sub.windows = [w for w in sub.windows if w[0] > 0]

    @rule(index=INDEXES, status=st.sampled_from(["suspended", "active", "deleted"]))
    def change_status(self, index: int, status: str) -> None:
        sub = self.pick(index)
        if status == "deleted" and sub.status == "pending":
            expected = OK  # a SaaS subscription that was never activated can still be cancelled
        else:
            expected = self.final(sub) or self.status_outcome(sub, status)
        assert self.patch(sub, status=status) == expected, (sub, status, self.now)
        if expected == OK:
            sub.status = status

    def status_outcome(self, sub: Sub, status: str) -> tuple[int, int | None]:
        if sub.status == "suspended" and status == "deleted":  # reactivate first, like any other change
            return 400, 2001 if sub.kind == "legacy" else 800091
        if status == "suspended" and sub.kind == "saas" or status == "deleted" and sub.kind == "legacy":
            return 400, 800096
        if status == "deleted" and sub.kind == "nce" and self.now > sub.cancel_until:  # type: ignore[operator]
            return 400, 900117
        if status == "deleted" and sub.kind == "saas" and sub.cancel_until is not None and self.now > sub.cancel_until:
            return 400, 900117
        return OK

    @rule(index=INDEXES)
    def activate(self, index: int) -> None:
        sub = self.pick(index)
        reply = self.call("POST", self.path(sub) + "/activate")
        if sub.kind != "saas":
            assert (reply.status_code, reply.json()["code"]) == (400, 800002)
        elif sub.status == "deleted":
            assert (reply.status_code, reply.json()["code"]) == (400, 2011)
        elif sub.status != "pending":
            assert (reply.status_code, reply.json()["code"]) == (400, 800041)
        else:
            assert reply.status_code == 200 and reply.json() == {"subscriptionId": sub.id, "status": "Success"}
            sub.status = "active"
            sub.cancel_until = self.now + SAAS_REFUND

    @rule(index=INDEXES, enabled=st.booleans())
    def set_auto_renew(self, index: int, enabled: bool) -> None:
        sub = self.pick(index)
        expected = self.final(sub) or (
            OK if enabled == sub.auto_renew else
            (400, 2001 if sub.kind == "legacy" else 800091) if sub.status == "suspended" else
            (400, 800093) if sub.kind == "legacy" else OK)
        assert self.patch(sub, autoRenewEnabled=enabled) == expected, sub
        if expected == OK:
            sub.auto_renew = enabled

    @rule(seconds=PERIODS)
    def advance(self, seconds: int) -> None:
        self.api.advance(seconds)
        self.now += timedelta(seconds=seconds)
        self.roll_terms()

    @rule(index=INDEXES, offset=st.sampled_from([-1, 0, 1]))
    def advance_to_a_boundary(self, index: int, offset: int) -> None:
        """Moves to a second around a coming renewal or the end of a cancellation or seat window."""
        live = [s for s in self.subs if s.status in ("active", "suspended", "pending")]
        moments = sorted({m for s in live for m in (s.renewal(), s.cancel_until, *(w[1] for w in s.windows))
                          if m is not None and m + timedelta(seconds=offset) > self.now})
        if moments:
            self.advance(int((moments[index % len(moments)] + timedelta(seconds=offset) - self.now).total_seconds()))

    def roll_terms(self) -> None:
        for sub in self.subs:
            while sub.status in ("active", "suspended", "pending") and sub.renewal() <= self.now:
                if sub.status == "suspended" or not (sub.auto_renew or sub.kind == "legacy"):
                    sub.status, sub.auto_renew = "expired", False
                    event(f"{sub.kind} expired")
                    break
                sub.start_term(sub.renewal())
                event(f"{sub.kind} renewed")

    # --- invariants ---------------------------------------------------------------------------
    @invariant()
    def the_simulator_agrees_with_the_model(self) -> None:
        for customer in self.customers:
            listed = self.call("GET", f"/v1/customers/{customer}/subscriptions").json()
            assert sorted(s["id"] for s in listed["items"]) == sorted(s.id for s in self.subs
                                                                      if s.customer == customer)
        for sub in self.subs:
            body = self.read(sub)
            assert 1 <= body["quantity"] <= sub.maximum
            assert (body["status"], body["quantity"], body["autoRenewEnabled"]) == (
                sub.status, sub.quantity, sub.auto_renew), (sub, self.now)
            assert body["commitmentEndDate"] == sub.end.strftime("%Y-%m-%dT00:00:00Z"), (sub, self.now)
            before = self.seen.get(sub.id, body["status"])
            assert before == body["status"] or (before, body["status"]) in EDGES, (sub.id, before, body["status"])
            self.seen[sub.id] = body["status"]
            if sub.kind == "nce":
                self.check_refundable(sub, body)
            order = self.call("GET", f"/v1/customers/{sub.customer}/orders/{body['orderId']}")
            assert order.status_code == 200 and order.json()["id"] == sub.order

    def check_refundable(self, sub: Sub, body: dict[str, Any]) -> None:
        refundable = body["refundableQuantity"]
        assert refundable["totalQuantity"] <= body["quantity"]
        assert refundable["totalQuantity"] == sum(d["quantity"] for d in refundable["details"])
        shown = [[d["quantity"], parse(d["allowedUntilDateTime"])] for d in refundable["details"]]
        if sub.status in ("active", "suspended"):
            assert shown == self.open_windows(sub), (sub, shown, self.now)
        assert body["cancellationAllowedUntilDate"] == sub.cancel_until.astimezone(  # type: ignore[union-attr]
            UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# 20 examples on each backend (25 when there was one) keep this file near 15 s on two busy cores
SETTINGS = settings(max_examples=20, stateful_step_count=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("backend", BACKENDS)
def test_subscription_lifecycles_follow_the_documented_rules(backend: str, tmp_path: Path) -> None:
    """One fresh store per example; a backend that keeps a file gets a new one in tmp_path."""
    folders = (tmp_path / f"example-{n}" for n in itertools.count())

    def machine() -> LifecycleMachine:
        folder = next(folders)
        folder.mkdir()
        return LifecycleMachine(opened(backend, folder))

    run_state_machine_as_test(machine, settings=SETTINGS)
