"""New commerce transitions: eligibilities (N2), posting a transition (N3) and its history (N4).

Sources: transition-a-new-commerce-subscription.md, transition-resources.md,
get-transitions.md, error-codes.md (900236, 900258-900263, 900267).
"""
from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from simulator.store import SQLiteStore
from tests.helpers import M365_BASIC, Api, nce_line

DAY = 86400
STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0LGNT"   # an upgrade target of Business Basic
E1 = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K39X"         # the other one
PREMIUM = "CFQ7TTC0LCHC:0002:CFQ7TTC0067K"    # the target of the Business Premium trial
PREMIUM_TRIAL = "CFQ7TTC0LCHC:000B:CFQ7TTC06GXL"
EXCHANGE = "CFQ7TTC0LH16:0001:CFQ7TTC0BXFX"
LEGACY_E1 = "91FD106F-4B2C-4938-95AC-F54F74E9A239"


def subs_path(customer: str, sub: str = "") -> str:
    return f"/v1/customers/{customer}/subscriptions" + (f"/{sub}" if sub else "")


def buy_subscription(api: Api, customer: str, line: dict[str, Any]) -> str:
    return api.buy(customer, line)["orders"][0]["lineItems"][0]["subscriptionId"]


def read(api: Api, customer: str, sub: str) -> dict[str, Any]:
    reply = api.get(subs_path(customer, sub))
    assert reply.status_code == 200, reply.text
    return reply.json()


def eligibilities(api: Api, customer: str, sub: str, query: str = "?eligibilityType=immediate") -> httpx.Response:
    return api.get(subs_path(customer, sub) + "/transitionEligibilities" + query)


def transition(api: Api, customer: str, sub: str, **body: Any) -> httpx.Response:
    sent = {"toCatalogItemId": STANDARD, "quantity": 1, "transitionType": "transition_only", **body}
    return api.post(subs_path(customer, sub) + "/transitions", json=sent)


def posted(api: Api, customer: str, sub: str, **body: Any) -> dict[str, Any]:
    reply = transition(api, customer, sub, **body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def history(api: Api, customer: str, sub: str, query: str = "") -> dict[str, Any]:
    reply = api.get(subs_path(customer, sub) + "/transitions" + query)
    assert reply.status_code == 200, reply.text
    return reply.json()


def refused(reply: httpx.Response) -> tuple[int, int]:
    return reply.status_code, reply.json()["code"]


def sku_text(api: Api, item: str) -> tuple[str, str]:
    product, sku, _ = item.split(":")
    body = api.get(f"/v1/products/{product}/skus/{sku}?country=US").json()
    return body["title"], body["description"]


def suspend(api: Api, customer: str, sub: str) -> None:
    reply = api.patch(subs_path(customer, sub), json={**read(api, customer, sub), "status": "suspended"})
    assert reply.status_code == 200, reply.text


def event(name: str, status: str, at: str) -> dict[str, Any]:
    return {"name": name, "status": status, "timestamp": at, "attributes": {"objectType": "TransitionEvent"}}


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


# --- N2 -----------------------------------------------------------------------------------

def test_eligibilities_list_the_upgrade_targets_and_the_subscriptions_seats_can_join(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    yearly = buy_subscription(quick, customer, nce_line(quantity=2, item=STANDARD))
    monthly = buy_subscription(quick, customer, nce_line(quantity=1, item=STANDARD, term="P1M"))
    quick.advance(8 * DAY)  # past the targets' cancellation windows
    reply = eligibilities(quick, customer, source)
    assert reply.status_code == 200
    body = reply.json()
    operation = body["items"][0]["operationId"]
    both_types = [{"isEligible": True, "transitionType": t, "errors": []}
                  for t in ("transition_only", "transition_with_license_transfer")]
    (standard_title, standard_text), (e1_title, e1_text) = sku_text(quick, STANDARD), sku_text(quick, E1)
    assert body == {"totalCount": 2, "items": [
        {"operationId": operation, "catalogItemId": STANDARD, "title": standard_title, "description": standard_text,
         "quantity": 5,
         "subscriptionEligibilities": [
             {"isEligible": True, "subscriptionId": yearly,
              "subscriptionFriendlyName": "Microsoft 365 Business Standard", "subscriptionTermDuration": "P1Y",
              "subscriptionBillingCycle": "monthly", "errors": []},
             {"isEligible": False, "subscriptionId": monthly,
              "subscriptionFriendlyName": "Microsoft 365 Business Standard", "subscriptionTermDuration": "P1M",
              "subscriptionBillingCycle": "monthly", "errors": [
                  {"code": 3, "description": "The subscription's term duration is shorter than the source "
                                             "subscription's term duration."},
                  {"code": 4, "description": "Subscription term end date is before the source subscription's term "
                                             "end date."}]}],
         "eligibilities": both_types, "attributes": {"objectType": "TransitionEligibility"}},
        {"operationId": operation, "catalogItemId": E1, "title": e1_title, "description": e1_text, "quantity": 5,
         "eligibilities": both_types, "attributes": {"objectType": "TransitionEligibility"}}],
        "attributes": {"objectType": "Collection"}}


def test_a_target_inside_its_cancellation_window_or_suspended_is_not_eligible(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line())
    target = buy_subscription(quick, customer, nce_line(item=STANDARD))

    def target_errors() -> list[int]:
        item = eligibilities(quick, customer, source).json()["items"][0]
        return [e["code"] for e in item["subscriptionEligibilities"][0]["errors"]]

    assert target_errors() == [2]
    quick.advance(7 * DAY + 1)
    assert target_errors() == []
    suspend(quick, customer, target)
    assert target_errors() == [1]


def test_eligibility_type_defaults_to_immediate_and_scheduled_lists_nothing(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line())
    assert eligibilities(quick, customer, source, "").json()["totalCount"] == 2
    assert eligibilities(quick, customer, source, "?EligibilityType=Immediate").json()["totalCount"] == 2
    assert eligibilities(quick, customer, source, "?eligibilityType=scheduled").json() == {
        "totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}
    assert refused(eligibilities(quick, customer, source, "?eligibilityType=later")) == (400, 800002)


def test_a_trial_source_lists_nothing(quick: Api) -> None:
    customer = quick.new_customer()
    trial = buy_subscription(quick, customer, nce_line(quantity=10, term="P1M", cycle="none", item=PREMIUM_TRIAL))
    assert eligibilities(quick, customer, trial).json()["items"] == []


def test_an_inactive_source_is_not_eligible_for_either_transition_type(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line())
    suspend(quick, customer, source)
    item = eligibilities(quick, customer, source).json()["items"][0]
    reason = {"code": 1, "description": "Subscription can't be Transitioned - source subscription isn't active."}
    assert item["eligibilities"] == [
        {"isEligible": False, "transitionType": "transition_only", "errors": [reason]},
        {"isEligible": False, "transitionType": "transition_with_license_transfer", "errors": [reason]}]


def test_a_sku_without_upgrade_targets_lists_nothing(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(item="CFQ7TTC0LFLZ:0002:CFQ7TTC0LK59"))  # Microsoft 365 E5
    assert eligibilities(quick, customer, source).json()["items"] == []


def test_legacy_subscriptions_are_refused(api: Api) -> None:
    customer = api.new_customer()
    legacy = buy_subscription(api, customer, {"catalogItemId": LEGACY_E1, "quantity": 2, "billingCycle": "monthly"})
    assert refused(eligibilities(api, customer, legacy)) == (403, 900263)
    assert refused(transition(api, customer, legacy)) == (403, 900263)
    assert refused(api.get(subs_path(customer, legacy) + "/transitions")) == (403, 900263)


def test_unknown_subscriptions_are_not_found(api: Api) -> None:
    customer = api.new_customer()
    unknown = "00000000-0000-0000-0000-000000000000"
    assert refused(eligibilities(api, customer, unknown)) == (404, 20003)
    assert refused(transition(api, customer, unknown)) == (404, 20003)
    assert refused(api.get(subs_path(customer, unknown) + "/transitions")) == (404, 20003)


# --- N3 -----------------------------------------------------------------------------------

def test_a_whole_transition_makes_a_new_subscription_and_ends_the_source(quick: Api) -> None:
    customer = quick.new_customer()
    order = quick.buy(customer, nce_line(quantity=3))["orders"][0]
    source = order["lineItems"][0]["subscriptionId"]
    quick.advance(3600)
    sent = {"fromCatalogItemId": M365_BASIC, "fromSubscriptionId": source, "toCatalogItemId": STANDARD,
            "quantity": 3, "termDuration": "P1Y", "billingCycle": "Annual", "transitionType": "transition_only"}
    reply = quick.post(subs_path(customer, source) + "/transitions", json=sent)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    new = body["toSubscriptionId"]
    assert body == {
        "id": body["id"], "operationId": body["id"], "fromCatalogItemId": M365_BASIC, "fromSubscriptionId": source,
        "toCatalogItemId": STANDARD, "toSubscriptionId": new, "quantity": 3, "termDuration": "P1Y",
        "billingCycle": "annual", "transitionType": "transition_only", "status": "Started",
        "creationTime": "2026-01-05T11:00:00Z", "Events": [event("Conversion", "Started", "2026-01-05T11:00:00Z")],
        "attributes": {"objectType": "Transition"}}
    assert read(quick, customer, source)["status"] == "deleted"
    created = read(quick, customer, new)
    assert {k: created[k] for k in ("offerId", "offerName", "quantity", "status", "termDuration", "billingCycle",
                                    "effectiveStartDate", "commitmentEndDate", "autoRenewEnabled", "isTrial",
                                    "orderId")} == {
        "offerId": STANDARD, "offerName": "Microsoft 365 Business Standard", "quantity": 3, "status": "active",
        "termDuration": "P1Y", "billingCycle": "annual", "effectiveStartDate": "2026-01-05T11:00:00Z",
        "commitmentEndDate": "2027-01-04T00:00:00Z", "autoRenewEnabled": True, "isTrial": False,
        "orderId": order["id"]}


def test_a_new_target_keeps_the_sources_term_and_cycle_when_none_are_given(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=2, term="P1M"))
    body = posted(quick, customer, source, quantity=2)
    assert (body["termDuration"], body["billingCycle"]) == ("P1M", "monthly")
    assert read(quick, customer, body["toSubscriptionId"])["termDuration"] == "P1M"


def test_a_partial_transition_moves_seats_into_an_existing_subscription(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    target = buy_subscription(quick, customer, nce_line(quantity=2, item=STANDARD))
    quick.advance(8 * DAY)
    body = posted(quick, customer, source, toSubscriptionId=target.upper(), quantity=2,
                  transitionType="Transition_With_License_Transfer")
    assert (body["toSubscriptionId"], body["transitionType"]) == (target, "transition_with_license_transfer")
    assert (body["termDuration"], body["billingCycle"]) == ("P1Y", "monthly")
    assert [(s["id"], s["quantity"], s["status"]) for s in
            sorted(quick.get(subs_path(customer)).json()["items"], key=lambda s: s["id"] != source)] == [
        (source, 3, "active"), (target, 4, "active")]
    assert read(quick, customer, target)["refundableQuantity"] == {"totalQuantity": 2, "details": [
        {"quantity": 2, "allowedUntilDateTime": "2026-01-20T10:00:00Z"}]}


def test_moving_the_last_seats_into_an_existing_subscription_ends_the_source(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=2))
    target = buy_subscription(quick, customer, nce_line(quantity=1, item=STANDARD))
    quick.advance(8 * DAY)
    posted(quick, customer, source, toSubscriptionId=target, quantity=2)
    assert (read(quick, customer, source)["status"], read(quick, customer, target)["quantity"]) == ("deleted", 3)
    assert refused(transition(quick, customer, source)) == (400, 800002)  # the source isn't active any more


def test_refundable_seats_of_the_source_never_outnumber_its_seats(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    posted(quick, customer, source, quantity=3, toCatalogItemId=E1)
    assert read(quick, customer, source)["refundableQuantity"] == {"totalQuantity": 2, "details": [
        {"quantity": 2, "allowedUntilDateTime": "2026-01-12T10:00:00Z"}]}


def test_a_new_commerce_trial_converts_to_paid(quick: Api) -> None:
    customer = quick.new_customer()
    trial = buy_subscription(quick, customer, nce_line(quantity=10, term="P1M", cycle="none", item=PREMIUM_TRIAL))
    body = posted(quick, customer, trial, toCatalogItemId=PREMIUM, quantity=10)
    assert (body["fromCatalogItemId"], body["termDuration"], body["billingCycle"]) == (PREMIUM_TRIAL, "P1M", "monthly")
    paid = read(quick, customer, body["toSubscriptionId"])
    assert (paid["offerId"], paid["isTrial"], paid["quantity"], paid["status"]) == (PREMIUM, False, 10, "active")
    assert read(quick, customer, trial)["status"] == "deleted"
    yearly = posted(quick, customer, buy_subscription(quick, customer, nce_line(
        quantity=5, term="P1M", cycle="none", item=PREMIUM_TRIAL)), toCatalogItemId=PREMIUM, quantity=5,
        termDuration="P1Y", billingCycle="annual")
    assert (yearly["termDuration"], yearly["billingCycle"]) == ("P1Y", "annual")


def test_posting_reads_the_body_in_any_key_casing(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=2))
    reply = quick.post(subs_path(customer, source) + "/transitions",
                       json={"ToCatalogItemId": E1, "Quantity": 1, "TransitionType": "transition_only"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["toCatalogItemId"] == E1


@pytest.mark.parametrize(("body", "code"), [
    ({"toCatalogItemId": None}, 800002), ({"quantity": None}, 800002), ({"transitionType": None}, 800002),
    ({"transitionType": "upgrade_only"}, 800002), ({"toCatalogItemId": EXCHANGE}, 800002),
    ({"toCatalogItemId": "CFQ7TTC0LDPB:0001"}, 800002), ({"quantity": 0}, 800002), ({"quantity": 4}, 800002),
    ({"quantity": "many"}, 800002), ({"fromSubscriptionId": "00000000-0000-0000-0000-000000000000"}, 800002),
    ({"fromCatalogItemId": STANDARD}, 800002), ({"termDuration": "P2Y"}, 900268), ({"billingCycle": "weekly"}, 900269),
])
def test_bad_transition_requests_are_refused(quick: Api, body: dict[str, Any], code: int) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=3))
    sent = {"toCatalogItemId": STANDARD, "quantity": 1, "transitionType": "transition_only", **body}
    sent = {k: v for k, v in sent.items() if v is not None}
    reply = quick.post(subs_path(customer, source) + "/transitions", json=sent)
    assert refused(reply) == (400, code)
    assert read(quick, customer, source)["quantity"] == 3
    assert history(quick, customer, source)["transition"] == []


def test_a_body_that_is_not_json_is_invalid_input(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line())
    reply = quick.post(subs_path(customer, source) + "/transitions", content=b"{not json")
    assert refused(reply) == (400, 800002)


def test_an_inactive_source_cannot_transition(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line())
    suspend(quick, customer, source)
    assert refused(transition(quick, customer, source)) == (400, 800002)


def test_the_target_term_cannot_be_shorter_than_the_sources(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=3))
    assert refused(transition(quick, customer, source, termDuration="P1M", billingCycle="monthly")) == (400, 900267)
    monthly = buy_subscription(quick, customer, nce_line(quantity=1, item=STANDARD, term="P1M"))
    quick.advance(8 * DAY)
    assert refused(transition(quick, customer, source, toSubscriptionId=monthly)) == (400, 900267)


def test_the_target_subscription_rules(quick: Api) -> None:
    customer = quick.new_customer()
    early = buy_subscription(quick, customer, nce_line(quantity=1, item=STANDARD))  # ends before the source
    quick.advance(DAY)
    source = buy_subscription(quick, customer, nce_line(quantity=3))
    fresh = buy_subscription(quick, customer, nce_line(quantity=1, item=STANDARD))
    other = buy_subscription(quick, customer, nce_line(quantity=1, item=E1))
    assert refused(transition(quick, customer, source, toSubscriptionId=source)) == (400, 900259)
    assert refused(transition(quick, customer, source, toSubscriptionId=other)) == (400, 900260)
    assert refused(transition(quick, customer, source, toSubscriptionId=fresh)) == (400, 900261)
    assert refused(transition(quick, customer, source, toSubscriptionId=early)) == (400, 900261)
    quick.advance(8 * DAY)
    assert refused(transition(quick, customer, source, toSubscriptionId=early)) == (400, 900236)
    suspend(quick, customer, fresh)
    assert refused(transition(quick, customer, source, toSubscriptionId=fresh)) == (400, 900258)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert refused(transition(quick, customer, source, toSubscriptionId=unknown)) == (404, 20003)
    assert read(quick, customer, source)["quantity"] == 3
    assert history(quick, customer, source)["transition"] == []


def test_the_sandbox_seat_limit_applies_to_the_target(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    target = buy_subscription(quick, customer, nce_line(quantity=24, item=STANDARD))
    quick.advance(8 * DAY)
    assert refused(transition(quick, customer, source, toSubscriptionId=target, quantity=2)) == (403, 800067)


# --- N4 -----------------------------------------------------------------------------------

def test_transitions_complete_over_simulated_time(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    first = posted(quick, customer, source, quantity=1)
    second = posted(quick, customer, source, quantity=1, toCatalogItemId=E1,
                    transitionType="transition_with_license_transfer")
    listed = history(quick, customer, source)
    assert listed == {"transition": [first, second], "attributes": {"objectType": "Collection"}}
    quick.advance(5 * 60)
    done = history(quick, customer, source)["transition"]
    converted = [event("Conversion", "Started", "2026-01-05T10:00:00Z"),
                 event("Conversion", "Completed", "2026-01-05T10:05:00Z")]
    assert (done[0]["status"], done[0]["Events"]) == ("Completed", converted)
    assert (done[1]["status"], done[1]["Events"][2:]) == ("Started", [
        event("LicenseReassignment", "Started", "2026-01-05T10:05:00Z")])
    quick.advance(5 * 60)
    done = history(quick, customer, source)["transition"]
    assert done[1] == {**second, "status": "Completed", "Events": [
        *converted, event("LicenseReassignment", "Started", "2026-01-05T10:05:00Z"),
        event("LicenseReassignment", "Completed", "2026-01-05T10:10:00Z")]}


def test_transitions_filter_by_operation_id(quick: Api) -> None:
    customer = quick.new_customer()
    source = buy_subscription(quick, customer, nce_line(quantity=5))
    first = posted(quick, customer, source, quantity=1)
    posted(quick, customer, source, quantity=1)
    picked = history(quick, customer, source, f"?operationId={first['operationId'].upper()}")["transition"]
    assert [t["id"] for t in picked] == [first["id"]]
    assert history(quick, customer, source, "?operationId=00000000-0000-0000-0000-000000000000")["transition"] == []
    assert history(quick, customer, first["toSubscriptionId"])["transition"] == []  # listed under the source


def test_add_ons_move_to_the_new_base_when_it_is_one_of_their_prerequisites(quick: Api) -> None:
    customer = quick.new_customer()
    phone = {"catalogItemId": "CFQ7TTC0LH0T:0001:CFQ7TTC09FSD", "quantity": 1, "billingCycle": "monthly",
             "termDuration": "P1Y"}
    archiving = {**phone, "catalogItemId": "CFQ7TTC0LHWP:0001:CFQ7TTC02J6W"}  # not an add-on of Office 365 E1
    lines = quick.buy(customer, nce_line(quantity=2), phone, archiving)["orders"][0]["lineItems"]
    source, phone_sub, archiving_sub = (ln["subscriptionId"] for ln in lines)
    new = posted(quick, customer, source, toCatalogItemId=E1, quantity=2)["toSubscriptionId"]
    moved, ended = read(quick, customer, phone_sub), read(quick, customer, archiving_sub)
    assert (moved["parentSubscriptionId"], moved["status"]) == (new, "active")
    assert (ended["parentSubscriptionId"], ended["status"]) == (source, "deleted")
    addons = quick.get(subs_path(customer, new) + "/addons").json()["items"]
    assert [s["id"] for s in addons] == [phone_sub]


def test_deleting_a_customer_leaves_none_of_its_records_behind(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub = api.buy(customer, nce_line())["orders"][0]["lineItems"][0]["subscriptionId"]
    body = {"toCatalogItemId": "CFQ7TTC0LF8Q:0001:CFQ7TTC0K39X", "quantity": 1, "transitionType": "transition_only"}
    assert api.post(f"/v1/customers/{customer}/subscriptions/{sub}/transitions", json=body).status_code == 200
    assert api.delete(f"/v1/customers/{customer}").status_code == 204
    assert not [parent for parent in parents_with_documents(api.ctx.store) if customer in parent]


def parents_with_documents(store: Any) -> list[tuple[str, ...]]:
    """White-box, on each backend: the parent keys under which the store holds any document."""
    if isinstance(store, SQLiteStore):
        return [tuple(json.loads(parent)) for parent, in store._db.execute("SELECT DISTINCT parent FROM docs")]
    return [key for kind in store._data.values() for key, docs in kind.items() if docs]
