"""The billing calendar (simulator/billing/calendar.py): the walk over a period's candidates yields
exactly the lines of a walk over every subscription, for the open period, the one before it and
every closed period; a store written without the calendar is indexed on its first read."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.billing import calendar, ledger, periods
from simulator.billing.ledger import Cursor, Line
from simulator.billing.records import MARK, OLD_MARK, STATE, calendar_state
from tests.helpers import LEGACY_AZURE_LINE, LEGACY_E1, PLAN_LINE, SAAS_PLAN, Api, every_page, nce_line

TEAMS_PHONE_ADDON = "CFQ7TTC0LH0T:0001:CFQ7TTC09FSD"
M365_PRODUCT = {"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971"}
PURCHASES = {
    "nce monthly P1M": nce_line(2, "P1M", "monthly"),
    "nce monthly P1Y": nce_line(3, "P1Y", "monthly"),
    "nce annual P1Y": nce_line(3, "P1Y", "annual"),
    "nce annual P3Y": nce_line(1, "P3Y", "annual"),
    "nce triennial P3Y": nce_line(1, "P3Y", "triennial"),
    "trial": {"catalogItemId": "CFQ7TTC0LCHC:000B:CFQ7TTC06GXL", "quantity": 1, "billingCycle": "none",
              "termDuration": "P1M"},
    "add-on": {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"},
    "legacy license": {"catalogItemId": LEGACY_E1, "quantity": 2, "billingCycle": "monthly"},
    "azure plan": PLAN_LINE,
    "0145P": LEGACY_AZURE_LINE,
    "saas": {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"},
    "software": {"catalogItemId": "DG7GMGF0FKZV:0001:DG7GMGF0HS63", "quantity": 1, "billingCycle": "annual",
                 "termDuration": "P1Y"},
    "perpetual": {"catalogItemId": "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", "quantity": 1, "billingCycle": "one_time"},
    "reservation": {"catalogItemId": "DZH318Z0BQ3Q:0001:DZH318XZXPHL", "quantity": 1, "billingCycle": "one_time",
                    "termDuration": "P1Y"},
}
CHANGES = ("seats up", "seats down", "cancel", "auto-renew off", "suspend", "reactivate", "activate",
           "schedule annual", "co-term", "cancel order", "delete customer")
ACTIONS = st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(sorted(PURCHASES)), st.integers(0, 9)),
    st.tuples(st.sampled_from(CHANGES), st.just(""), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.just(""), st.integers(1, 80)),
)


# --- driving the simulator through HTTP ---------------------------------------------------------

class History:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.customers = [api.new_customer(), api.new_customer(country="GB")]
        self.subs: list[tuple[str, str, str]] = []  # (customer, subscription, order)

    def path(self, pick: int) -> tuple[str, str, str] | None:
        return self.subs[pick % len(self.subs)] if self.subs else None

    def buy(self, what: str, pick: int) -> None:
        """An add-on comes with its base; a reservation is scoped to the customer's Azure plan."""
        customer = self.customers[pick % len(self.customers)]
        lines = [nce_line(2, "P1M", "monthly"), PURCHASES[what]] if what == "add-on" else [PURCHASES[what]]
        if what == "reservation":
            plan = next((self.sub(c, s) for c, s, _ in self.subs if c == customer and "Azure plan" in
                         (self.sub(c, s).get("offer_name") or "")), None)
            if plan is None:
                return
            lines = [{**PURCHASES[what], "provisioningContext": {"subscriptionId": plan["entitlement_id"],
                                                                 "scope": "Shared"}}]
        cart = self.api.new_cart(customer, *lines)
        if cart.status_code == 201:
            self.checkout(customer, cart.json()["id"])

    def sub(self, customer: str, sub_id: str) -> dict[str, Any]:
        tenant = self.api.ctx.settings.default_tenant
        return self.api.ctx.store.get("subscription", (tenant, customer.lower(), sub_id.lower())) or {}

    def checkout(self, customer: str, cart_id: str) -> None:
        reply = self.api.post(f"/v1/customers/{customer}/carts/{cart_id}/checkout")
        for order in reply.json().get("orders", []) if reply.status_code == 201 else []:
            self.subs += [(customer, line["subscriptionId"], order["id"]) for line in order["lineItems"]]

    def change(self, what: str, pick: int) -> None:
        found = self.path(pick)
        if found is None:
            return
        customer, sub_id, order_id = found
        path = f"/v1/customers/{customer}/subscriptions/{sub_id}"
        sub = self.api.get(path).json()
        body = {"seats up": {"quantity": sub.get("quantity", 1) + 2},
                "seats down": {"quantity": max(1, sub.get("quantity", 1) - 1)},
                "cancel": {"status": "deleted"}, "auto-renew off": {"autoRenewEnabled": False},
                "suspend": {"status": "suspended"}, "reactivate": {"status": "active"},
                "schedule annual": {"scheduledNextTermInstructions": {
                    "product": {**M365_PRODUCT, "billingCycle": "annual", "termDuration": "P1Y"}, "quantity": 4}}}
        if what in body:
            self.api.patch(path, json={**sub, **body[what]})
        elif what == "activate":
            self.api.post(path + "/activate")
        elif what == "cancel order":
            self.api.patch(f"/v1/customers/{customer}/orders/{order_id}", json={"id": order_id, "status": "cancelled"})
        elif what == "delete customer":
            self.api.delete(f"/v1/customers/{customer}")
        elif what == "co-term":
            self.co_term(customer)

    def co_term(self, customer: str) -> None:
        dates = self.api.get(f"/v1/customers/{customer}/subscriptions/customTermEndDates?term_duration=P1Y")
        items = dates.json().get("items", []) if dates.status_code == 200 else []
        if items:
            cart = self.api.new_cart(customer, {**nce_line(2, "P1Y", "monthly"),
                                                "customTermEndDate": items[0]["allowedCustomTermEndDate"]})
            if cart.status_code == 201:
                self.checkout(customer, cart.json()["id"])


# --- the walks compared -----------------------------------------------------------------------

def keys(lines: list[Line]) -> list[tuple[str, str]]:
    return sorted((line.sub["id"], repr(line.item)) for line in lines)


def indexed(api: Api, period: periods.Period, cursor: Cursor = Cursor(), wanted: Any = None,
            index: dict[str, Any] | None = None, keep: Any = None) -> list[tuple[Cursor, Line]]:
    ctx, tenant, now = api.ctx, api.ctx.settings.default_tenant, api.ctx.clock.now()
    return ctx.run(lambda c: list(ledger.walk(c, tenant, period, now, cursor, wanted, None, index, keep)))


def every_line(api: Api, period: periods.Period) -> list[Line]:
    ctx, tenant, now = api.ctx, api.ctx.settings.default_tenant, api.ctx.clock.now()
    return ctx.run(lambda c: list(ledger.walk_all(c, tenant, period, now)))


def assert_open_periods_agree(api: Api, resume: bool = True) -> None:
    current = periods.period_of(api.ctx.clock.now())
    for period in (current, current.previous()):
        walked = indexed(api, period)
        assert keys([line for _, line in walked]) == keys(every_line(api, period))
        # a walk resumed at a cursor gives the rest: every third cursor, at most some eight of them a walk
        step = max(3, len(walked) // 8)
        for at in range(0, len(walked) - 1, step) if resume else ():
            rest = indexed(api, period, walked[at][0])
            assert [(ln.sub["id"], repr(ln.item)) for _, ln in rest] == [
                (ln.sub["id"], repr(ln.item)) for _, ln in walked[at + 1:]]


def assert_invoices_agree(api: Api) -> None:
    ctx, tenant = api.ctx, api.ctx.settings.default_tenant
    ctx.run(ledger.close_periods, tenant, ctx.clock.now())
    covered: dict[tuple[str, str, bool], list[Line]] = {}
    walked: dict[str, list[Line]] = {}  # each period's lines, walked once

    def every_line_of(key: str) -> list[Line]:
        if key not in walked:
            walked[key] = list(every_line(api, periods.from_key(key)))
        return walked[key]

    for invoice in ledger.invoices(ctx, tenant):
        period, currency = periods.from_key(invoice["period"]), invoice["currency"]
        index = ledger.invoice_index(ctx, tenant, invoice["id"])
        keep = ledger.keep_of(invoice)  # an invoice's lines, or a credit note's refunds
        billed = [line for _, line in indexed(api, period, Cursor(), lambda s, m: m.currency == currency, index,
                                              keep)]
        # One invoice per currency and platform: legacy office/azure lines on the Recurring (D) one.
        recurring = invoice["id"].startswith("D")
        assert keys(billed) == keys([line for line in every_line_of(invoice["period"])
                                     if line.market.currency == currency
                                     and (line.provider != ledger.ONE_TIME) == recurring
                                     and (keep is None or keep(line))])
        assert sum((line.amount for line in billed), Decimal(0)) == Decimal(invoice["total"])
        assert len(billed) == invoice["lines"]
        covered.setdefault((invoice["period"], currency, recurring), []).extend(billed)
    for (key, currency, recurring), billed in covered.items():  # each line on one document of its period
        assert sorted(keys(billed)) == sorted(keys([
            line for line in every_line_of(key)
            if line.market.currency == currency and (line.provider != ledger.ONE_TIME) == recurring]))


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(actions=st.lists(ACTIONS, min_size=6, max_size=20))
def test_the_calendar_walk_yields_every_line_of_the_full_walk(make_api: Any, actions: list[Any]) -> None:
    api = make_api(provisioning_delay=0, sandbox_limits=False)
    history = History(api)
    for what, item, number in actions:
        if what == "buy":
            history.buy(item, number)
        elif what == "advance":
            api.advance(number * 86400)
        else:
            history.change(what, number)
        assert_open_periods_agree(api)
    api.advance(400 * 86400)  # past every term: renewals, expiries and add-ons ending with their base
    assert_open_periods_agree(api)
    assert_invoices_agree(api)


def test_the_calendar_walk_agrees_day_by_day_through_renewals_and_endings(make_api: Any) -> None:
    """Each day of ten weeks, so that every cycle day is read on the day it comes: an add-on whose
    base is cancelled, a co-termed subscription (renewing on another day than it was bought), a trial,
    a scheduled change to annual billing, auto-renew off, SaaS activated later, Azure usage."""
    api = make_api(provisioning_delay=0, sandbox_limits=False)
    history = History(api)
    history.buy("add-on", 0)
    history.co_term(history.customers[0])
    for what in ("trial", "nce monthly P1M", "nce annual P1Y", "saas", "azure plan", "legacy license"):
        history.buy(what, 0)
    history.buy("0145P", 1)
    history.buy("nce monthly P1Y", 1)
    history.buy("perpetual", 1)
    assert len(history.subs) == 12
    api.advance(2 * 86400)
    history.change("activate", 6)
    history.change("cancel", 0)            # the add-on's base, inside its cancellation window
    history.change("schedule annual", 4)   # the P1M subscription renews to a year billed annually
    history.change("auto-renew off", 5)
    history.change("seats up", 10)
    for day in range(70):
        api.advance(86400)
        if day == 26:  # 3 February: seats added before the day of the month it was bought on
            history.change("seats up", 10)
        assert_open_periods_agree(api, resume=day % 10 == 0)
    assert_invoices_agree(api)


def test_the_calendar_walk_agrees_day_by_day_through_a_year_end(make_api: Any) -> None:
    """Annual terms renewing: one to monthly P1M terms (a scheduled change), one not at all (auto-renew
    off), software and a legacy license subscription rolling on."""
    api = make_api(provisioning_delay=0, sandbox_limits=False)
    history = History(api)
    for what in ("nce annual P1Y", "nce annual P1Y", "software", "legacy license", "nce triennial P3Y"):
        history.buy(what, 0)
    plan = {"product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"}, "quantity": 2}
    customer, sub_id, _ = history.subs[0]
    sub = api.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()
    reply = api.patch(f"/v1/customers/{customer}/subscriptions/{sub_id}",
                      json={**sub, "scheduledNextTermInstructions": plan})
    assert reply.status_code == 200, reply.text
    history.change("auto-renew off", 1)
    api.advance(350 * 86400)
    for day in range(50):
        api.advance(86400)
        assert_open_periods_agree(api, resume=day % 10 == 0)
    assert_invoices_agree(api)


def test_closing_three_periods_at_once_invoices_each_from_its_candidates(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    history = History(api)
    for what in ("nce monthly P1Y", "nce annual P1Y", "azure plan", "saas"):
        history.buy(what, 0)
    history.change("activate", 3)
    api.advance(95 * 86400)
    assert {i["billingPeriodStartDate"][:7] for i in api.get("/v1/invoices").json()["items"]} == {
        "2026-01", "2026-02", "2026-03"}
    assert_invoices_agree(api)


# --- a store written before the calendar ------------------------------------------------------

def answers(api: Api) -> list[Any]:
    """Every invoice, and every line of every invoice and of the open periods, paged by 2 (in any order:
    an invoice indexed before the calendar lists its lines customer by customer)."""
    invoices = api.get("/v1/invoices").json()["items"]
    found: list[Any] = [invoices]
    for invoice in invoices:
        for line_type in ("billinglineitems", "usagelineitems"):
            extra = f"&currencycode={invoice['currencyCode']}&period=previous" if line_type == "usagelineitems" else ""
            found.append(sorted(json.dumps(line, sort_keys=True) for line in every_page(
                api, f"/v1/invoices/{invoice['id']}/lineitems?provider=onetime&invoicelineitemtype={line_type}"
                     f"{extra}&size=2")[0]))
    for period in ("current", "previous"):
        for currency in ("USD", "GBP"):
            found.append(sorted(json.dumps(line, sort_keys=True) for line in every_page(
                api, f"/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
                     f"&currencycode={currency}&period={period}&size=2")[0]))
    return found


def without_calendar(api: Api, *, old_indexes: bool) -> None:
    """The store as a pcsim before the calendar left it: no pointers, no calendar state, and (with
    `old_indexes`) invoice indexes of customer and subscription offsets."""
    store, tenant = api.ctx.store, api.ctx.settings.default_tenant
    dumped = json.loads(store.dump())
    kept = []
    for kind, parent, id_, raw in dumped["docs"]:
        if kind in (MARK, STATE):
            continue
        if kind == "invoice_index" and old_indexes:
            raw = json.dumps({"positions": offsets(api, tenant, id_, json.loads(raw)["slots"])})
        kept.append([kind, parent, id_, raw])
    with store.transaction():
        store.load(json.dumps({**dumped, "docs": kept}).encode())


def offsets(api: Api, tenant: str, number: str, slots: list[list[int]]) -> list[list[int]]:
    store = api.ctx.store
    record = store.get("invoice", (tenant, number))
    month = calendar.month_of(periods.from_key(record["period"]).start)
    places = {}
    for c_offset, customer in enumerate(store.scan("customer", (tenant,))):
        for s_offset, sub in enumerate(store.scan("subscription", (tenant, customer["id"].lower()))):
            places[sub["id"]] = [c_offset, s_offset]
    return sorted(places[pointer["s"]] for _, _, pointer in calendar.pointers_at(api.ctx, tenant, month, slots))


def history_of_a_quarter(api: Api) -> None:
    history = History(api)
    for what in ("nce monthly P1M", "nce annual P1Y", "azure plan", "legacy license", "add-on"):
        history.buy(what, 0)
    history.buy("nce monthly P1Y", 1)
    api.advance(40 * 86400)
    history.change("seats up", 5)
    api.advance(50 * 86400)


def test_a_store_without_the_calendar_is_indexed_on_its_first_read(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    history_of_a_quarter(api)
    before = answers(api)
    without_calendar(api, old_indexes=True)
    assert calendar_state(api.ctx, api.ctx.settings.default_tenant) is None
    assert answers(api) == before
    assert calendar_state(api.ctx, api.ctx.settings.default_tenant) is not None


def test_a_store_without_the_calendar_is_indexed_by_its_first_write(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    history_of_a_quarter(api)
    without_calendar(api, old_indexes=False)
    api.advance(5 * 86400)  # the next period is invoiced from the calendar the purchase builds
    api.buy(api.new_customer(), nce_line(1, "P1M", "monthly"))
    assert calendar_state(api.ctx, api.ctx.settings.default_tenant) is not None
    assert_open_periods_agree(api)
    assert_invoices_agree(api)


def as_version_1(api: Api) -> None:
    """The store as the calendar's version 1 left it: one pointer document per subscription and bucket
    under (tenant, bucket, subscription id), in the order first put, no `marks` in the records, and a
    calendar state without a version."""
    store, tenant = api.ctx.store, api.ctx.settings.default_tenant
    dumped = json.loads(store.dump())
    kept, pointers = [], []
    for kind, parent, id_, raw in dumped["docs"]:
        doc = json.loads(raw)
        if kind == MARK:
            pointers.append((parent[1], int(id_), doc["m"]))
            continue
        if kind == "subscription":
            doc.pop("marks")
        if kind == STATE:
            doc.pop("version")
        kept.append([kind, parent, id_, json.dumps(doc)])
    for bucket, _, entries in sorted(pointers):
        for entry in entries:
            mark = dict(zip(("c", "s", "f", "l"), entry, strict=False))
            kept.append([OLD_MARK, [tenant, bucket], entry[1].lower(), json.dumps(mark)])
    with store.transaction():
        store.load(json.dumps({**dumped, "docs": kept}).encode())


def test_a_store_of_the_first_calendar_reads_the_same_after_its_pointers_become_pages(make_api: Any) -> None:
    """A --state file or snapshot of version 1 (a document per pointer): invoices indexed by bucket and
    offset list the same lines once the pointers are pages, each at its offset, and writes go on."""
    api = make_api(provisioning_delay=0)
    history_of_a_quarter(api)
    before = answers(api)
    as_version_1(api)
    tenant = api.ctx.settings.default_tenant
    assert "version" not in (calendar_state(api.ctx, tenant) or {"version": None})
    assert any(kind == "invoice_index" for kind, *_ in json.loads(api.ctx.store.dump())["docs"])
    assert answers(api) == before
    assert calendar_state(api.ctx, tenant)["version"] == 2
    assert [kind for kind, *_ in json.loads(api.ctx.store.dump())["docs"] if kind == OLD_MARK] == []
    api.advance(5 * 86400)
    api.buy(api.new_customer(), nce_line(1, "P1M", "monthly"))
    assert_open_periods_agree(api)
    assert_invoices_agree(api)


def test_a_deleted_customer_leaves_no_lines_and_breaks_no_page(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    history = History(api)
    history.buy("nce monthly P1M", 0)
    history.buy("nce monthly P1M", 1)
    assert api.delete(f"/v1/customers/{history.customers[0]}").status_code == 204
    api.advance(40 * 86400)
    lines, _ = every_page(api, "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
                               "&currencycode=GBP&period=current&size=1")
    assert [line["customerId"] for line in lines] == [history.customers[1]]
    assert_open_periods_agree(api)
    assert_invoices_agree(api)
