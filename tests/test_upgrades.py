"""S14/S15 legacy license upgrades and S10/S11 legacy trial conversions, through HTTP; and the
contracts of S10, S14, S15, A5-A7 against the answers of the requests proposed for the checker."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from simulator import auth, contracts
from simulator.catalog.data import Catalog, fixture_path
from tests.helpers import LEGACY_AZURE, Api, nce_line

E1 = "91FD106F-4B2C-4938-95AC-F54F74E9A239"
E3 = "796B6B5F-613C-4E24-A17C-EBA730D49C02"
AUDIO = "C94271D8-B431-4A25-A3C5-A57737A1C909"
NCE_TRIAL = "CFQ7TTC0LCHC:000B:CFQ7TTC06GXL"
E3_DESCRIPTION = ("The best plan for businesses that need full productivity, communication and collaboration tools "
                  "with the familiar Office suite, including Office Online.")
E3_OFFER = {"id": E3, "name": "Office 365 Enterprise E3", "description": E3_DESCRIPTION, "kind": "legacy_license",
            "minimumQuantity": 1, "maximumQuantity": 10000, "billingCycles": ["monthly", "annual"], "isAddon": False,
            "addonOfferIds": [AUDIO], "prices": {"monthly": "20.00", "annual": "240.00"}, "unitType": "Licenses"}
# transition-a-subscription.md's POST body (PascalCase, numeric UpgradeType), its missing comma restored.
DOC_UPGRADE = {
    "TargetOffer": {"Id": E3, "Name": "Office 365 Enterprise E3", "Description": E3_DESCRIPTION,
                    "MinimumQuantity": 1, "MaximumQuantity": 10000000, "Rank": 61,
                    "Uri": f"/3c95518e-8c37-41e3-9627-0ca339200f53/Offers/{E3}", "Locale": "en-us", "Country": "US",
                    "PrerequisiteOffers": [], "IsAddOn": False, "IsAvailableForPurchase": True, "Billing": "license",
                    "IsAutoRenewable": True, "UnitType": "Licenses", "Attributes": {"ObjectType": "Offer"}},
    "UpgradeType": 1, "IsEligible": True, "Quantity": 3, "UpgradeErrors": [], "Attributes": {"ObjectType": "Upgrade"}}
ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "contracts" / "recorded"
OWN_CONTRACTS = ("S10", "S14", "S15", "A5", "A6", "A7")


def with_e3() -> Catalog:
    data = json.loads(fixture_path().read_text(encoding="utf-8"))
    data["offers"].append(E3_OFFER)
    return Catalog(data)


@pytest.fixture
def e3_api(make_api: Any) -> Api:
    """The fixture catalog has one base legacy license offer (E1); this one adds E3 as an upgrade target."""
    return make_api(catalog=with_e3(), provisioning_delay=0)


def e1_line(quantity: int = 3, **extra: Any) -> dict[str, Any]:
    return {"catalogItemId": E1, "quantity": quantity, "billingCycle": "monthly", **extra}


def bought(api: Api, customer: str, *lines: dict[str, Any], **kw: Any) -> list[str]:
    return [ln["subscriptionId"] for o in api.buy(customer, *lines, **kw)["orders"] for ln in o["lineItems"]]


def sub_path(customer: str, sub: str, tail: str = "") -> str:
    return f"/v1/customers/{customer}/subscriptions/{sub}{tail}"


def error(reply: Any) -> tuple[int, int]:
    return reply.status_code, reply.json()["code"]


def e3_wire(tenant: str) -> dict[str, Any]:
    """The target Offer in the shape of transition-a-subscription.md's example."""
    return {"id": E3, "name": "Office 365 Enterprise E3", "description": E3_DESCRIPTION, "minimumQuantity": 1,
            "maximumQuantity": 10000, "rank": 32, "uri": f"/{tenant}/Offers/{E3}", "locale": "en-us", "country": "US",
            "category": {"id": "Enterprise_Key", "name": "Enterprise", "rank": 20, "locale": "en-us", "country": "US",
                         "attributes": {"objectType": "OfferCategory"}},
            "prerequisiteOffers": [], "isAddOn": False, "isAvailableForPurchase": True, "billing": "license",
            "isAutoRenewable": True, "isInternal": False, "conversionTargetOffers": [],
            "partnerQualifications": ["none"],
            "product": {"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"offer-product:{E3}".lower())),
                        "name": "Office 365 Enterprise E3", "unit": "Licenses"},
            "unitType": "Licenses",
            "links": {"learnMore": {"uri": f"https://learn.pcsim.invalid/offers/{E3}", "method": "GET", "headers": []},
                      "self": {"uri": f"/offers/{E3}?country=US", "method": "GET", "headers": []}},
            "attributes": {"objectType": "Offer"}}


# --- S14 ----------------------------------------------------------------------------------

def test_a_legacy_subscription_lists_the_other_base_offers_as_upgrades(e3_api: Api) -> None:
    app = e3_api.token_for()
    customer = e3_api.new_customer(token=app)
    [e1] = bought(e3_api, customer, e1_line(), token=app)
    reply = e3_api.get(sub_path(customer, e1, "/upgrades"), token=app)
    assert reply.status_code == 200
    tenant = auth.tenant_id(e3_api.ctx, "contoso-partner.onmicrosoft.com")
    assert reply.json() == {
        "totalCount": 1,
        "items": [{"targetOffer": e3_wire(tenant), "upgradeType": "upgrade_only", "isEligible": True, "quantity": 3,
                   "upgradeErrors": [], "attributes": {"objectType": "Upgrade"}}],
        "attributes": {"objectType": "Collection"}}


def test_an_add_on_has_no_upgrades(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    _, addon = bought(e3_api, customer, e1_line(addonItems=[{"catalogItemId": AUDIO, "quantity": 1,
                                                              "billingCycle": "monthly"}]))
    assert e3_api.get(sub_path(customer, addon, "/upgrades")).json()["items"] == []


def test_a_source_with_add_ons_is_not_eligible(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    base, _ = bought(e3_api, customer, e1_line(addonItems=[{"catalogItemId": AUDIO, "quantity": 1,
                                                             "billingCycle": "monthly"}]))
    [item] = e3_api.get(sub_path(customer, base, "/upgrades")).json()["items"]
    assert (item["isEligible"], item["upgradeErrors"]) == (False, [{
        "code": 6, "description": "Upgrade cannot be performed because the source subscription has previously "
                                  "purchased add-ons.", "attributes": {"objectType": "UpgradeError"}}])
    reply = e3_api.post(sub_path(customer, base, "/upgrades"), json=DOC_UPGRADE)
    assert reply.status_code == 200
    assert "targetSubscriptionId" not in reply.json()
    assert [e["code"] for e in reply.json()["upgradeErrors"]] == [6]
    assert e3_api.get(sub_path(customer, base)).json()["status"] == "active"


def test_a_suspended_source_is_not_eligible_and_says_its_state(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    [e1] = bought(e3_api, customer, e1_line())
    assert e3_api.patch(sub_path(customer, e1), json={"status": "suspended"}).status_code == 200
    [item] = e3_api.get(sub_path(customer, e1, "/upgrades")).json()["items"]
    assert (item["isEligible"], item["upgradeErrors"]) == (False, [{
        "code": 2, "description": "Subscription cannot be upgraded because the source subscription state is not "
                                  "active.  Additional Details contains the current source subscription state.",
        "additionalDetails": "suspended", "attributes": {"objectType": "UpgradeError"}}])


def test_a_customer_that_already_has_the_target_offer_is_not_eligible(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    e1, e3 = bought(e3_api, customer, e1_line(), {"catalogItemId": E3, "quantity": 1, "billingCycle": "monthly"})
    [item] = e3_api.get(sub_path(customer, e1, "/upgrades")).json()["items"]
    assert [(e["code"], e.get("additionalDetails")) for e in item["upgradeErrors"]] == [(3, e3)]


def test_upgrades_are_for_legacy_license_subscriptions_only(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    nce, azure = bought(e3_api, customer, nce_line(), {"catalogItemId": LEGACY_AZURE, "quantity": 1,
                                                       "billingCycle": "monthly"}, )
    for sub in (nce, azure):
        assert error(e3_api.get(sub_path(customer, sub, "/upgrades"))) == (400, 800002)
        assert error(e3_api.post(sub_path(customer, sub, "/upgrades"), json=DOC_UPGRADE)) == (400, 800002)


def test_upgrades_of_an_unknown_subscription_are_not_found(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    unknown = "00000000-0000-0000-0000-000000000000"
    assert error(e3_api.get(sub_path(customer, unknown, "/upgrades"))) == (404, 20003)
    assert error(e3_api.post(sub_path(customer, unknown, "/upgrades"), json=DOC_UPGRADE)) == (404, 20003)


# --- S15 ----------------------------------------------------------------------------------

def test_an_upgrade_moves_every_seat_to_a_new_target_subscription(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    body = {"lineItems": [{"lineItemNumber": 0, "offerId": E1, "quantity": 3, "billingCycle": "annual",
                           "partnerIdOnRecord": "4847383"}]}
    order = e3_api.post(f"/v1/customers/{customer}/orders", json=body).json()
    e1 = order["lineItems"][0]["subscriptionId"]
    e3_api.advance(3600)
    reply = e3_api.post(sub_path(customer, e1, "/upgrades"), json=DOC_UPGRADE)
    assert reply.status_code == 200
    target = reply.json()["targetSubscriptionId"]
    assert reply.json() == {"sourceSubscriptionId": e1, "targetSubscriptionId": target, "upgradeType": 1,
                            "upgradeErrors": [], "licenseErrors": [], "attributes": {"objectType": "UpgradeResult"}}
    source = e3_api.get(sub_path(customer, e1)).json()
    assert (source["status"], source["quantity"]) == ("suspended", 3)
    new = e3_api.get(sub_path(customer, target)).json()
    assert {k: new[k] for k in ("offerId", "offerName", "quantity", "status", "billingCycle", "partnerId",
                                "creationDate", "commitmentEndDate")} == {
        "offerId": E3, "offerName": "Office 365 Enterprise E3", "quantity": 3, "status": "active",
        "billingCycle": "annual", "partnerId": "4847383", "creationDate": "2026-01-05T11:00:00Z",
        "commitmentEndDate": "2027-01-04T00:00:00Z"}
    listed = e3_api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    assert sorted(s["id"] for s in listed) == sorted([e1, target])


def test_a_partial_upgrade_leaves_the_rest_on_the_source(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    [e1] = bought(e3_api, customer, e1_line(3))
    reply = e3_api.post(sub_path(customer, e1, "/upgrades"),
                        json={"targetOffer": {"id": E3.lower()}, "upgradeType": "upgrade_only", "quantity": 1})
    target = reply.json()["targetSubscriptionId"]
    source = e3_api.get(sub_path(customer, e1)).json()
    assert (source["status"], source["quantity"]) == ("active", 2)
    assert e3_api.get(sub_path(customer, target)).json()["quantity"] == 1


def test_an_upgrade_can_happen_once(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    [e1] = bought(e3_api, customer, e1_line())
    assert "targetSubscriptionId" in e3_api.post(sub_path(customer, e1, "/upgrades"), json=DOC_UPGRADE).json()
    again = e3_api.post(sub_path(customer, e1, "/upgrades"), json=DOC_UPGRADE).json()
    assert [e["code"] for e in again["upgradeErrors"]] == [2, 3]


def test_an_upgrade_with_license_transfer_needs_a_user(e3_api: Api) -> None:
    app, user = e3_api.token_for(), e3_api.token_for(user=True)
    customer = e3_api.new_customer(token=app)
    [e1] = bought(e3_api, customer, e1_line(), token=app)
    body = {**DOC_UPGRADE, "UpgradeType": 2}
    reply = e3_api.post(sub_path(customer, e1, "/upgrades"), json=body, token=app).json()
    assert (reply["upgradeType"], [e["code"] for e in reply["upgradeErrors"]]) == (2, [5])
    reply = e3_api.post(sub_path(customer, e1, "/upgrades"), json={**body, "UpgradeType": "upgrade_with_license_transfer"},
                        token=user).json()
    assert (reply["upgradeType"], reply["upgradeErrors"], reply["licenseErrors"]) == (2, [], [])


def test_an_unknown_target_offer_is_not_an_upgrade_path(e3_api: Api) -> None:
    customer = e3_api.new_customer()
    [e1] = bought(e3_api, customer, e1_line())
    reply = e3_api.post(sub_path(customer, e1, "/upgrades"), json={"TargetOffer": {"Id": AUDIO}}).json()
    assert reply["upgradeErrors"] == [{"code": 8, "description": "Upgrade cannot be performed because the specified "
                                                                 "upgrade path is not an available upgrade path.",
                                       "additionalDetails": AUDIO, "attributes": {"objectType": "UpgradeError"}}]


@pytest.mark.parametrize("body, expected", [
    ({"UpgradeType": 1}, (400, 800002)),
    ({"TargetOffer": {"Id": E3}, "UpgradeType": 0}, (400, 800002)),
    ({"TargetOffer": {"Id": E3}, "UpgradeType": "sideways"}, (400, 800002)),
    ({"TargetOffer": {"Id": E3}, "Quantity": 4}, (400, 2002)),
    ({"TargetOffer": {"Id": E3}, "Quantity": 0}, (400, 2002)),
])
def test_bad_upgrade_bodies_are_refused(e3_api: Api, body: dict[str, Any], expected: tuple[int, int]) -> None:
    customer = e3_api.new_customer()
    [e1] = bought(e3_api, customer, e1_line())
    assert error(e3_api.post(sub_path(customer, e1, "/upgrades"), json=body)) == expected
    assert e3_api.get(sub_path(customer, e1)).json()["status"] == "active"


# --- S10, S11 -----------------------------------------------------------------------------

def test_a_subscription_that_is_no_legacy_trial_has_no_conversions(e3_api: Api) -> None:
    app, user = e3_api.token_for(), e3_api.token_for(user=True)
    customer = e3_api.new_customer(token=app)
    e1, nce = bought(e3_api, customer, e1_line(), nce_line(), token=app)
    for sub in (e1, nce):
        reply = e3_api.get(sub_path(customer, sub, "/conversions"), token=user)
        assert reply.status_code == 200
        assert reply.json() == {"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}
    body = {"OfferId": E1, "TargetOfferId": E3, "Quantity": 3, "BillingCycle": "monthly",
            "Attributes": {"ObjectType": "Conversion"}}
    reply = e3_api.post(sub_path(customer, e1, "/conversions"), json=body, token=user)
    assert reply.json() == {"code": 800002, "description": f"Invalid request input: subscription {e1} isn't a legacy "
                                                           f"trial and has no conversion offers. Only trial "
                                                           f"subscriptions convert to paid.",
                            "data": [], "source": "PartnerFD"}
    assert reply.status_code == 400


def test_a_new_commerce_trial_converts_through_transitions(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    user = api.token_for(user=True)
    customer = api.new_customer(token=user)
    trial = {"catalogItemId": NCE_TRIAL, "quantity": 1, "billingCycle": "none", "termDuration": "P1M"}
    [sub] = bought(api, customer, trial, token=user)
    assert api.get(sub_path(customer, sub), token=user).json()["isTrial"] is True
    assert api.get(sub_path(customer, sub, "/conversions"), token=user).json()["items"] == []
    reply = api.post(sub_path(customer, sub, "/conversions"), json={"TargetOfferId": "x"}, token=user)
    assert error(reply) == (400, 800002)
    assert reply.json()["description"].endswith("New commerce trials convert through transitions.")


def test_conversions_need_app_plus_user(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    app = api.token_for()
    customer = api.new_customer(token=app)
    [e1] = bought(api, customer, e1_line(), token=app)
    assert error(api.get(sub_path(customer, e1, "/conversions"), token=app)) == (403, 900329)
    assert error(api.post(sub_path(customer, e1, "/conversions"), json={}, token=app)) == (403, 900329)


# --- contracts ----------------------------------------------------------------------------

def proposed_requests(api: Api) -> dict[str, list[tuple[int, Any]]]:
    """The requests proposed for the checker's scenario, in a fresh app with the fixture catalog:
    customer A holds MS-AZR-0145P, customer B holds E1 (bought through a cart with add-ons and by order)."""
    app, user = api.token_for(), api.token_for(user=True)
    replies: dict[str, list[tuple[int, Any]]] = {}

    def keep(op: str, reply: Any) -> Any:
        replies.setdefault(op, []).append((reply.status_code, reply.json() if reply.content else None))
        return reply

    a, b = api.new_customer(token=app), api.new_customer(token=app)
    bought(api, a, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"}, token=app)
    e1 = bought(api, b, e1_line(addonItems=[{"catalogItemId": AUDIO, "quantity": 2, "billingCycle": "monthly"}]),
                token=app)[0]
    request = {"customerId": a, "productFamily": "azure"}
    keep("A5", api.post("/v1/productupgrades/eligibility", json=request, token=user))
    created = keep("A6", api.post("/v1/productupgrades", json={"customerId": a, "productFamily": "Azure"},
                                  token=user))
    upgrade_id = created.headers["Location"].split("/")[1]
    keep("A7", api.post(f"/v1/productupgrades/{upgrade_id}/status", json=request, token=user))
    api.advance(600)
    keep("A7", api.post(f"/v1/productupgrades/{upgrade_id}/status", json=request, token=user))
    keep("A5", api.post("/v1/productupgrades/eligibility", json=request, token=user))
    keep("S14", api.get(sub_path(b, e1, "/upgrades"), token=app))
    keep("S15", api.post(sub_path(b, e1, "/upgrades"), json=DOC_UPGRADE, token=app))
    keep("S10", api.get(sub_path(b, e1, "/conversions"), token=user))
    return replies


def test_own_contracts_hold_for_the_proposed_requests(make_api: Any) -> None:
    replies = proposed_requests(make_api(order_list_delay=0))
    found, examples = contracts.load([ROOT / "contracts", RECORDED])
    assert examples, f"no recorded examples in {RECORDED}"
    own = {c["id"]: c for c in found if c["id"] in OWN_CONTRACTS}
    assert set(own) == set(OWN_CONTRACTS)
    for op, contract in own.items():
        matched = [(n, e) for n, e in examples if contracts.usable(e) and contracts.matches(contract, e)]
        result = contracts.evaluate(contract, replies[op], matched)
        assert not result.problems, (op, result.problems, result.recalls)
