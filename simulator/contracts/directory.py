"""The checker's steps for the legacy offer catalog (L1-L6) and for a customer's users, licenses and
directory roles (E1-E14), on customer B of the scenario, which holds legacy Office 365 E1 seats and
their add-ons (simulator/contracts/scenario.py)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

E1_OFFER, LEGACY_AZURE = "91FD106F-4B2C-4938-95AC-F54F74E9A239", "MS-AZR-0145P"
INACTIVE = quote('{"Field":"UserState","Value":"Inactive","Operator":"equals"}', safe="")


async def offers(d: Any, customer: str) -> None:
    """L1-L6: a market's offers (whole, a page, one category), two by id, add-ons, categories."""
    await d.call("L1", "GET", "/v1/offers?country=US")
    await d.call("L1", "GET", "/v1/offers?country=US&offset=1&size=2")
    await d.call("L1", "GET", "/v1/offers?country=US&offer_category_id=Enterprise_Key")
    for offer in (E1_OFFER, LEGACY_AZURE):
        await d.call("L2", "GET", f"/v1/offers/{offer}?country=US")
    await d.call("L3", "GET", f"/v1/offers/{E1_OFFER}/addons?country=us")
    await d.call("L4", "GET", "/v1/offercategories?country=US")
    await d.call("L5", "GET", f"/v1/customers/{customer}/offers")
    await d.call("L5", "GET", f"/v1/customers/{customer}/offers?size=2")
    await d.call("L6", "GET", f"/v1/customers/{customer}/offercategories")


def new_user(alias: str, domain: str) -> dict[str, Any]:
    """create-user-accounts-for-a-customer.md's body."""
    return {"usageLocation": "US", "userPrincipalName": f"{alias}@{domain}", "firstName": alias.title(),
            "lastName": "Tsai", "displayName": f"{alias.title()} Tsai",
            "passwordProfile": {"password": "Renew456*x", "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"}}


async def users(d: Any, customer: str, token: str) -> None:
    """E1-E14 with an App+User token: two users, a license each, a role, a deletion and a restore."""
    base = f"/v1/customers/{customer}"
    domain = (await d.call(None, "GET", base))["companyProfile"]["domain"]
    daniel = await d.call("E2", "POST", f"{base}/users", json=new_user("daniel", domain), token=token)
    ferdinand = await d.call("E2", "POST", f"{base}/users", json=new_user("ferdinand", domain), token=token)
    await d.call("E1", "GET", f"{base}/users", token=token)
    await d.call("E1", "GET", f"{base}/users?size=2", token=token)
    await d.call("E3", "GET", f"{base}/users/{daniel['id']}", token=token)
    await d.call("E4", "PATCH", f"{base}/users/{daniel['id']}", token=token,
                 json={"usageLocation": "CA", "attributes": {"objectType": "CustomerUser"}})
    await d.call("E5", "PATCH", f"{base}/users/{daniel['id']}/resetpassword", token=token,
                 json={"passwordProfile": {"password": "Renew456*y", "forceChangePassword": True},
                       "attributes": {"objectType": "CustomerUser"}})
    skus = await d.call("E9", "GET", f"{base}/subscribedskus", token=token)
    await d.call("E9", "GET", f"{base}/subscribedskus?licenseGroupIds=Group2", token=token)
    for user, sku in ((daniel, skus["items"][0]), (ferdinand, skus["items"][-1])):
        update = {"LicensesToAssign": [{"ExcludedPlans": None, "SkuId": sku["productSku"]["id"]}],
                  "LicensesToRemove": None, "LicenseWarnings": None, "Attributes": {"ObjectType": "LicenseUpdate"}}
        await d.call("E7", "POST", f"{base}/users/{user['id']}/licenseupdates", json=update, token=token)
    await d.call("E9", "GET", f"{base}/subscribedskus?licenseGroupIds=Group1&licenseGroupIds=Group2", token=token)
    await d.call("E8", "GET", f"{base}/users/{daniel['id']}/licenses", token=token)
    await d.call("E8", "GET", f"{base}/users/{daniel['id']}/licenses?licenseGroupIds=Group2", token=token)
    roles = await d.call("E11", "GET", f"{base}/directoryroles", token=token)
    helpdesk = next(r["id"] for r in roles["items"] if r["name"] == "Helpdesk Administrator")
    member = {"Id": daniel["id"], "DisplayName": daniel["displayName"], "UserPrincipalName":
              daniel["userPrincipalName"], "Attributes": {"ObjectType": "UserMember"}}
    await d.call("E13", "POST", f"{base}/directoryroles/{helpdesk}/usermembers", json=member, token=token)
    await d.call("E12", "GET", f"{base}/directoryroles/{helpdesk}/usermembers", token=token)
    second = {**member, "Id": ferdinand["id"]}
    await d.call("E13", "POST", f"{base}/directoryroles/{helpdesk}/usermembers", json=second, token=token)
    page = await d.call("E12", "GET", f"{base}/directoryroles/{helpdesk}/usermembers?size=1", token=token)
    follow = page["links"]["next"]
    await d.call("E12", "GET", follow["uri"].replace("/customers/", "/v1/customers/", 1), token=token,
                 headers={h["key"]: h["value"] for h in follow["headers"]})
    await d.call("E10", "GET", f"{base}/users/{daniel['id']}/directoryroles", token=token)
    await d.call("E14", "DELETE", f"{base}/directoryroles/{helpdesk}/usermembers/{daniel['id']}", token=token)
    await d.call("E6", "DELETE", f"{base}/users/{ferdinand['id']}", token=token)
    await d.call("E1", "GET", f"{base}/users?size=500&filter={INACTIVE}", token=token)
    await d.call("E3", "GET", f"{base}/users/{ferdinand['id']}", token=token)
    await d.call("E4", "PATCH", f"{base}/users/{ferdinand['id']}", json={"State": "active"}, token=token)


async def directory(d: Any, customer: str, user_token: str) -> None:
    await offers(d, customer)
    await users(d, customer, user_token)
