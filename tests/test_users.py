"""A customer's users, licenses and directory roles (E1-E14) through HTTP: create/read/list/update/
reset/delete and restore on the simulated clock, licenses from the seats the customer bought, roles
with members; shapes against the recorded examples in contracts/recorded/users--*.json."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.helpers import DAY, LEGACY_BASE, Api, buy_subscription, key_paths, nce_line, recorded_body, refused, update

LINK = {"method": "GET", "headers": []}
INACTIVE = quote('{"Field":"UserState","Value":"Inactive","Operator":"equals"}', safe="")
HELPDESK, GLOBAL_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8", "62e90394-69f5-4237-9190-012177145e10"
PASSWORD = "Renew456*x"


@pytest.fixture
def user_api(make_api: Any) -> Api:
    """An App+User token by default (every E route is App+User only); purchases as the helpers make them."""
    api: Api = make_api(provisioning_delay=0)
    api.token = api.token_for(user=True)
    return api


def body_of(alias: str, domain: str, **extra: Any) -> dict[str, Any]:
    return {"usageLocation": "US", "userPrincipalName": f"{alias}@{domain}", "firstName": alias.title(),
            "lastName": "Tsai", "displayName": f"{alias.title()} Tsai",
            "passwordProfile": {"password": PASSWORD, "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"}, **extra}


def new_user(api: Api, customer: str, alias: str, domain: str) -> dict[str, Any]:
    reply = api.post(f"/v1/customers/{customer}/users", json=body_of(alias, domain))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def customer_with_domain(api: Api, domain: str = "dtdemo.onmicrosoft.com") -> tuple[str, str]:
    return api.new_customer(domain), domain


def wire_user(user_id: str, customer: str, alias: str, domain: str, state: str = "active",
              **extra: Any) -> dict[str, Any]:
    deleted = extra.pop("deleted", None)
    return {"usageLocation": "US", "id": user_id, "userPrincipalName": f"{alias}@{domain}",
            "firstName": alias.title(), "lastName": "Tsai", "displayName": f"{alias.title()} Tsai", **extra,
            "userDomainType": "none", "state": state,
            **({"softDeletionTime": deleted} if deleted else {}),
            "links": {"self": {"uri": f"/customers/{customer}/users/{user_id}", **LINK}},
            "attributes": {"objectType": "CustomerUser"}}


# --- users -----------------------------------------------------------------------------------

def test_a_created_user_is_read_and_listed_after_the_first_admin(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    created = new_user(api, customer, "daniel", domain)
    uid = created["id"]
    assert created == {**wire_user(uid, customer, "daniel", domain), "passwordProfile": {
        "forceChangePassword": True, "password": PASSWORD}, "lastDirectorySyncTime": None, "softDeletionTime": None}
    got = api.get(f"/v1/customers/{customer}/users/{uid}")
    assert got.status_code == 200 and got.json() == wire_user(uid, customer, "daniel", domain)
    assert key_paths(recorded_body("users--get-a-user-account-by-id--2023--01.json")) <= key_paths(got.json())
    listed = api.get(f"/v1/customers/{customer}/users").json()
    admin = listed["items"][0]
    assert listed == {"totalCount": 2, "items": [admin, wire_user(uid, customer, "daniel", domain)],
                      "links": {"self": {"uri": f"/customers/{customer}/users", **LINK}},
                      "attributes": {"objectType": "Collection"}}
    assert admin == {"usageLocation": "US", "id": admin["id"], "userPrincipalName": f"admin@{domain}",
                     "firstName": "Ada", "lastName": "Lovelace", "displayName": "Contoso", "userDomainType": "none",
                     "state": "active", "links": {"self": {"uri": f"/customers/{customer}/users/{admin['id']}", **LINK}},
                     "attributes": {"objectType": "CustomerUser"}}
    example = recorded_body("users--get-a-list-of-all-user-accounts-for-a-customer--2023--01.json")
    assert key_paths(example) <= key_paths(listed)


def test_the_user_list_pages_by_size_and_continuation_token(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    for alias in ("a1", "a2", "a3"):
        new_user(api, customer, alias, domain)
    first = api.get(f"/v1/customers/{customer}/users?size=3").json()
    assert len(first["items"]) == 3 and first["links"]["next"]["uri"].endswith("?size=3&seekOperation=Next")
    token = first["links"]["next"]["headers"][0]["value"]
    second = api.get(f"/v1/customers/{customer}/users?size=3&seekOperation=Next",
                     headers={"MS-ContinuationToken": token}).json()
    assert [u["userPrincipalName"] for u in second["items"]] == [f"a3@{domain}"] and "next" not in second["links"]


def test_update_and_password_reset_change_what_is_sent(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    uid = new_user(api, customer, "daniel", domain)["id"]
    path = f"/v1/customers/{customer}/users/{uid}"
    changed = api.patch(path, json={"usageLocation": "ca", "displayName": "DT", "attributes": {
        "objectType": "CustomerUser"}})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**wire_user(uid, customer, "daniel", domain), "usageLocation": "CA", "displayName": "DT"}
    example = recorded_body("users--update-user-accounts-for-a-customer--2023--01.json")
    assert key_paths(example) <= key_paths(changed.json())
    reset = api.patch(f"{path}/resetpassword", json={"passwordProfile": {"password": "Other#Pass1",
                                                                         "forceChangePassword": True},
                                                      "attributes": {"objectType": "CustomerUser"}})
    assert reset.status_code == 200, reset.text
    assert reset.json() == {**changed.json(), "passwordProfile": {"forceChangePassword": True, "password": "Other#Pass1"},
                            "lastDirectorySyncTime": None, "softDeletionTime": None}
    example = recorded_body("users--reset-user-password-for-a-customer--2023--01.json")
    assert key_paths(example) <= key_paths(reset.json())
    renamed = api.patch(path, json={"userPrincipalName": f"dt@{domain.upper()}"}).json()
    assert renamed["userPrincipalName"] == f"dt@{domain}"


def test_a_deleted_user_is_inactive_for_30_days_can_be_restored_then_is_gone(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    uid = new_user(api, customer, "ferdinand", domain)["id"]
    path = f"/v1/customers/{customer}/users/{uid}"
    deleted_at = api.ctx.clock.now()
    assert api.delete(path).status_code == 204
    moment = deleted_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    inactive = wire_user(uid, customer, "ferdinand", domain, "inactive", deleted=moment)
    assert api.get(path).json() == inactive
    assert uid not in {u["id"] for u in api.get(f"/v1/customers/{customer}/users").json()["items"]}
    deleted = api.get(f"/v1/customers/{customer}/users?size=500&filter={INACTIVE}").json()
    assert deleted["items"] == [inactive] and deleted["totalCount"] == 1
    assert key_paths(recorded_body("users--view-a-deleted-user--2023--01.json")) <= key_paths(deleted)
    assert refused(api.patch(path, json={"displayName": "x"})) == (400, 800002)  # restore first
    assert refused(api.delete(path)) == (404, 60002)
    # The UPN stays taken while the user can come back.
    assert refused(api.post(f"/v1/customers/{customer}/users", json=body_of("ferdinand", domain))) == (400, 800002)
    api.advance(29 * DAY)
    restored = api.patch(path, json={"State": "active"})
    assert restored.status_code == 200 and restored.json() == wire_user(uid, customer, "ferdinand", domain)
    assert api.delete(path).status_code == 204
    api.advance(30 * DAY - 1)
    assert api.get(path).json()["state"] == "inactive"
    api.advance(1)
    assert refused(api.get(path)) == (404, 60002)
    assert api.get(f"/v1/customers/{customer}/users?filter={INACTIVE}").json()["items"] == []
    assert refused(api.patch(path, json={"State": "active"})) == (404, 60002)
    assert new_user(api, customer, "ferdinand", domain)["id"] != uid  # the UPN is free again


@pytest.mark.parametrize(("change", "code"), [
    ({"userPrincipalName": "daniel@other.example"}, 800002),           # not the customer's domain
    ({"userPrincipalName": "admin@dtdemo.onmicrosoft.com"}, 800002),   # the first admin's UPN
    ({"userPrincipalName": None}, 800002),
    ({"passwordProfile": {"password": "short1A"}}, 800002),
    ({"passwordProfile": {"password": "alllowercaseletters"}}, 800002),
    ({"passwordProfile": None}, 800002),
    ({"usageLocation": "U1"}, 800002),
    ({"displayName": None, "firstName": None, "lastName": None}, 800002),
])
def test_a_bad_user_is_refused(user_api: Api, change: dict[str, Any], code: int) -> None:
    customer, domain = customer_with_domain(user_api)
    body = {k: v for k, v in {**body_of("daniel", domain), **change}.items() if v is not None}
    assert refused(user_api.post(f"/v1/customers/{customer}/users", json=body)) == (400, code)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/users"), ("POST", "/users"), ("GET", "/users/{u}"), ("PATCH", "/users/{u}"), ("DELETE", "/users/{u}"),
    ("PATCH", "/users/{u}/resetpassword"), ("POST", "/users/{u}/licenseupdates"), ("GET", "/users/{u}/licenses"),
    ("GET", "/subscribedskus"), ("GET", "/users/{u}/directoryroles"), ("GET", "/directoryroles"),
    ("GET", f"/directoryroles/{HELPDESK}/usermembers"), ("POST", f"/directoryroles/{HELPDESK}/usermembers"),
    ("DELETE", f"/directoryroles/{HELPDESK}/usermembers/{{u}}"),
])
def test_every_route_is_app_plus_user_only(user_api: Api, method: str, path: str) -> None:
    customer, domain = customer_with_domain(user_api)
    uid = new_user(user_api, customer, "daniel", domain)["id"]
    reply = user_api.request(method, f"/v1/customers/{customer}" + path.replace("{u}", uid),
                             token=user_api.token_for(), json={})
    assert refused(reply) == (403, 900329)


def test_unknown_users_and_customers(user_api: Api) -> None:
    customer, _ = customer_with_domain(user_api)
    for user in ("00000000-0000-0000-0000-000000000000", "not-a-guid"):
        assert refused(user_api.get(f"/v1/customers/{customer}/users/{user}")) == (404, 60002)
    assert refused(user_api.get("/v1/customers/00000000-0000-0000-0000-000000000000/users")) == (404, 60003)
    assert refused(user_api.get(f"/v1/customers/{customer}/users?filter=%7B%7D")) == (400, 800002)


# --- licenses --------------------------------------------------------------------------------

def assign(api: Api, customer: str, user: str, *skus: str, remove: tuple[str, ...] = ()) -> Any:
    return api.post(f"/v1/customers/{customer}/users/{user}/licenseupdates", json={
        "LicensesToAssign": [{"ExcludedPlans": None, "SkuId": s} for s in skus],
        "LicensesToRemove": list(remove) or None, "LicenseWarnings": None,
        "Attributes": {"ObjectType": "LicenseUpdate"}})


def subscribed(api: Api, customer: str, query: str = "") -> dict[str, Any]:
    reply = api.get(f"/v1/customers/{customer}/subscribedskus{query}")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_licenses_come_from_the_seats_bought_and_run_out(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    sub = buy_subscription(api, customer, nce_line(quantity=2))
    daniel, ferdinand, third = (new_user(api, customer, a, domain)["id"] for a in ("daniel", "ferdinand", "third"))
    skus = subscribed(api, customer)
    sku = skus["items"][0]
    sku_id = sku["productSku"]["id"]
    plans = [{"displayName": "Exchange Foundation", "serviceName": "EXCHANGE_S_FOUNDATION",
              "id": sku["servicePlans"][0]["id"], "capabilityStatus": "Enabled", "targetType": "Tenant"},
             *({"displayName": name, "serviceName": service, "id": sku["servicePlans"][n + 1]["id"],
                "capabilityStatus": "Enabled", "targetType": "User"} for n, (name, service) in enumerate((
                 ("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD"), ("SharePoint (Plan 1)", "SHAREPOINTSTANDARD"),
                 ("Microsoft Teams", "TEAMS1"))))]
    assert skus == {"totalCount": 1, "items": [{
        "availableUnits": 2, "activeUnits": 2, "consumedUnits": 0, "suspendedUnits": 0, "totalUnits": 2,
        "warningUnits": 0, "productSku": {"id": sku_id, "name": "Microsoft 365 Business Basic",
                                          "skuPartNumber": "O365_BUSINESS_ESSENTIALS", "targetType": "User",
                                          "licenseGroupId": "group1"},
        "servicePlans": plans, "capabilityStatus": "Enabled", "attributes": {"objectType": "SubscribedSku"}}],
        "attributes": {"objectType": "Collection"}}
    assert key_paths(recorded_body("users--get-a-list-of-available-licenses--2023--01.json")) <= key_paths(skus)

    first = assign(api, customer, daniel, sku_id)
    assert first.status_code == 201, first.text
    assert first.json() == {"licensesToAssign": [{"skuId": sku_id}], "licenseWarnings": [],
                            "attributes": {"objectType": "LicenseUpdate"}}
    assert first.json() == {**recorded_body("users--assign-licenses-to-a-user--2023--01.json"),
                            "licensesToAssign": [{"skuId": sku_id}]}
    assert assign(api, customer, daniel, sku_id).status_code == 201  # already held: no second seat
    assert assign(api, customer, ferdinand, sku_id).status_code == 201
    full = assign(api, customer, third, sku_id)
    assert full.status_code == 400 and full.json() == {
        "code": 60012, "description": "We are sorry, it looks like you have run out of licenses. Buy more "
        "licenses, and then try again.", "data": [f"LicenseQuotaExceededException : Subscription with Account "
                                                  f"{customer} and SKU {sku_id} does not have any available "
                                                  f"licenses left."], "source": "PartnerFD"}
    assert subscribed(api, customer)["items"][0] == {**sku, "availableUnits": 0, "consumedUnits": 2}

    licenses = api.get(f"/v1/customers/{customer}/users/{daniel}/licenses").json()
    assert licenses == {"totalCount": 1, "items": [{
        "servicePlans": [{**p, "capabilityStatus": "Assigned"} for p in plans],
        "productSku": {"id": sku_id, "name": "Microsoft 365 Business Basic", "skuPartNumber":
                       "O365_BUSINESS_ESSENTIALS", "licenseGroupId": "group1"},
        "attributes": {"objectType": "License"}}], "attributes": {"objectType": "Collection"}}
    example = recorded_body("users--check-which-licenses-are-assigned-to-a-user--2023--01.json")
    assert key_paths(example) <= key_paths(licenses)
    empty = {"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}
    assert api.get(f"/v1/customers/{customer}/users/{daniel}/licenses?licenseGroupIds=Group2").json() == empty
    assert subscribed(api, customer, "?licenseGroupIds=Group2") == empty
    assert subscribed(api, customer, "?licenseGroupIds=Group1&licenseGroupIds=Group2")["totalCount"] == 1
    assert refused(api.get(f"/v1/customers/{customer}/subscribedskus?licenseGroupIds=Group3")) == (400, 900126)

    # Removing a license frees its seat; a deleted user's seat is free while it is deleted.
    assert assign(api, customer, ferdinand, remove=(sku_id,)).status_code == 201
    assert assign(api, customer, third, sku_id).status_code == 201
    assert api.delete(f"/v1/customers/{customer}/users/{third}").status_code == 204
    assert subscribed(api, customer)["items"][0]["consumedUnits"] == 1
    assert assign(api, customer, ferdinand, sku_id).status_code == 201
    restored = api.patch(f"/v1/customers/{customer}/users/{third}", json={"state": "active"})
    assert restored.status_code == 200  # restored without its license: no seat is free
    assert api.get(f"/v1/customers/{customer}/users/{third}/licenses").json() == empty

    # Buying seats makes room; reducing them under the assignments is accepted and shows below zero.
    assert update(api, customer, sub, quantity=3).status_code == 200
    assert assign(api, customer, third, sku_id).status_code == 201
    assert update(api, customer, sub, quantity=1).status_code == 200
    after = subscribed(api, customer)["items"][0]
    assert (after["activeUnits"], after["consumedUnits"], after["availableUnits"]) == (1, 3, -2)
    assert refused(assign(api, customer, new_user(api, customer, "late", domain)["id"], sku_id)) == (400, 60012)


def test_a_license_update_is_checked(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    buy_subscription(api, customer, nce_line(quantity=2))
    sku = subscribed(api, customer)["items"][0]
    sku_id, plan = sku["productSku"]["id"], sku["servicePlans"][1]["id"]
    daniel = new_user(api, customer, "daniel", domain)["id"]
    assert refused(assign(api, customer, daniel, "00000000-0000-0000-0000-000000000001")) == (400, 60012)
    assert refused(assign(api, customer, daniel, remove=(sku_id,))) == (400, 800002)  # not held
    assert refused(assign(api, customer, daniel)) == (400, 800002)                    # nothing asked
    excluded = api.post(f"/v1/customers/{customer}/users/{daniel}/licenseupdates", json={
        "licensesToAssign": [{"skuId": sku_id, "excludedPlans": [plan]}]})
    assert excluded.status_code == 201 and excluded.json()["licensesToAssign"] == [
        {"skuId": sku_id, "excludedPlans": [plan]}]
    held = api.get(f"/v1/customers/{customer}/users/{daniel}/licenses").json()["items"][0]["servicePlans"]
    assert plan not in {p["id"] for p in held} and len(held) == len(sku["servicePlans"]) - 1
    nowhere = api.post(f"/v1/customers/{customer}/users", json={k: v for k, v in body_of("nowhere", domain).items()
                                                                if k != "usageLocation"}).json()["id"]
    assert refused(assign(api, customer, nowhere, sku_id)) == (400, 800002)  # no usageLocation


def test_legacy_license_offers_are_subscribed_skus_too(user_api: Api) -> None:
    api = user_api
    customer, _ = customer_with_domain(api)
    buy_subscription(api, customer, {"catalogItemId": LEGACY_BASE, "quantity": 3, "billingCycle": "monthly"})
    item = subscribed(api, customer)["items"][0]
    assert (item["productSku"]["name"], item["productSku"]["skuPartNumber"], item["totalUnits"]) == (
        "Office 365 Enterprise E1", "STANDARDPACK", 3)


# --- directory roles -------------------------------------------------------------------------

def test_directory_roles_and_their_members(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    daniel = new_user(api, customer, "daniel", domain)
    roles = api.get(f"/v1/customers/{customer}/directoryroles").json()
    assert roles["totalCount"] == 10 and set(roles) == {"totalCount", "items", "attributes"}
    assert roles["items"][:2] == [
        {"name": "Company Administrator", "id": GLOBAL_ADMIN, "attributes": {"objectType": "DirectoryRole"}},
        {"name": "Helpdesk Administrator", "id": HELPDESK, "attributes": {"objectType": "DirectoryRole"}}]
    admin = api.get(f"/v1/customers/{customer}/users").json()["items"][0]["id"]
    assert api.get(f"/v1/customers/{customer}/users/{admin}/directoryroles").json()["items"] == roles["items"][:1]

    members = f"/v1/customers/{customer}/directoryroles/{HELPDESK}/usermembers"
    added = api.post(members, json={"Id": daniel["id"], "DisplayName": daniel["displayName"], "UserPrincipalName":
                                    daniel["userPrincipalName"], "Attributes": {"ObjectType": "UserMember"}})
    member = {"displayName": "Daniel Tsai", "userPrincipalName": f"daniel@{domain}", "roleId": HELPDESK,
              "id": daniel["id"], "attributes": {"objectType": "UserMember"}}
    assert added.status_code == 201 and added.json() == member
    assert refused(api.post(members, json={"Id": daniel["id"]})) == (400, 800002)  # already a member
    assert api.get(members).json() == {"totalCount": 1, "items": [member], "links": {"self": {
        "uri": f"/customers/{customer}/directoryroles/{HELPDESK}/usermembers", **LINK}},
        "attributes": {"objectType": "Collection"}}
    held = api.get(f"/v1/customers/{customer}/users/{daniel['id']}/directoryroles").json()
    assert held == {"totalCount": 1, "items": [roles["items"][1]], "attributes": {"objectType": "Collection"}}
    assert key_paths(recorded_body("users--get-user-roles-for-a-customer--2023--01.json")) <= key_paths(held)
    removed = api.delete(f"{members}/{daniel['id']}")
    assert removed.status_code == 204 and removed.content == b""
    assert refused(api.delete(f"{members}/{daniel['id']}")) == (404, 60002)
    assert api.get(members).json()["items"] == []
    unknown = f"/v1/customers/{customer}/directoryroles/00000000-0000-0000-0000-000000000000/usermembers"
    assert refused(api.get(unknown)) == (404, 1000)
    assert refused(api.post(members, json={"Id": "00000000-0000-0000-0000-000000000000"})) == (404, 60002)
    assert refused(api.post(members, json={})) == (400, 800002)


def test_role_members_page_by_size_and_continuation_token(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    people = [new_user(api, customer, alias, domain) for alias in ("a1", "a2", "a3")]
    members = f"/v1/customers/{customer}/directoryroles/{HELPDESK}/usermembers"
    for person in people:
        assert api.post(members, json={"Id": person["id"]}).status_code == 201
    wire = [{"displayName": p["displayName"], "userPrincipalName": p["userPrincipalName"], "roleId": HELPDESK,
             "id": p["id"], "attributes": {"objectType": "UserMember"}} for p in people]
    base = f"/customers/{customer}/directoryroles/{HELPDESK}/usermembers"
    first = api.get(f"{members}?size=2").json()
    token = first["links"]["next"]["headers"][0]["value"]
    assert first == {"totalCount": 2, "items": wire[:2], "links": {
        "self": {"uri": f"{base}?size=2", **LINK},
        "next": {"uri": f"{base}?size=2&seekOperation=Next", "method": "GET",
                 "headers": [{"key": "MS-ContinuationToken", "value": token}]}},
        "attributes": {"objectType": "Collection"}}
    second = api.get(f"{members}?size=2&seekOperation=Next", headers={"MS-ContinuationToken": token})
    assert second.status_code == 200 and second.json() == {
        "totalCount": 1, "items": wire[2:], "links": {"self": {"uri": f"{base}?size=2", **LINK}},
        "attributes": {"objectType": "Collection"}}
    whole = api.get(members).json()
    assert whole["items"] == wire and "next" not in whole["links"]
    # the token belongs to this role's members: another role's list, an edited token, no token, a bad size
    other = f"/v1/customers/{customer}/directoryroles/{GLOBAL_ADMIN}/usermembers?size=2&seekOperation=Next"
    assert refused(api.get(other, headers={"MS-ContinuationToken": token})) == (400, 800002)
    assert refused(api.get(f"{members}?size=2&seekOperation=Next", headers={"MS-ContinuationToken": token[:-3]})) \
        == (400, 800002)
    assert refused(api.get(f"{members}?size=2&seekOperation=Next")) == (400, 800002)
    assert refused(api.get(f"{members}?size=1000")) == (400, 800002)
    assert refused(api.get(f"{members}?size=two")) == (400, 800002)


def test_users_are_the_customers_own(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    other = api.new_customer("other.onmicrosoft.com")
    uid = new_user(api, customer, "daniel", domain)["id"]
    assert refused(api.get(f"/v1/customers/{other}/users/{uid}")) == (404, 60002)
    stranger = api.token_for("fabrikam-partner.onmicrosoft.com", user=True)
    assert refused(api.get(f"/v1/customers/{customer}/users/{uid}", token=stranger)) == (404, 60003)


def test_the_first_admin_is_changed_like_any_user_and_stays_first(user_api: Api) -> None:
    api = user_api
    customer, domain = customer_with_domain(api)
    new_user(api, customer, "daniel", domain)
    admin = api.get(f"/v1/customers/{customer}/users").json()["items"][0]
    changed = api.patch(f"/v1/customers/{customer}/users/{admin['id']}", json={"displayName": "Global Admin"})
    assert changed.status_code == 200 and changed.json() == {**admin, "displayName": "Global Admin"}
    listed = api.get(f"/v1/customers/{customer}/users").json()["items"]
    assert [u["userPrincipalName"] for u in listed] == [f"admin@{domain}", f"daniel@{domain}"]
    roles = api.get(f"/v1/customers/{customer}/directoryroles/{GLOBAL_ADMIN}/usermembers").json()["items"]
    assert [m["displayName"] for m in roles] == ["Global Admin"]
