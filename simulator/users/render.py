"""The wire shapes of users, licenses and directory roles (user-resources.md, license-resources.md and
the examples of the E docs): camelCase, null properties left out except where the examples show them."""
from __future__ import annotations

from typing import Any

from simulator import wire
from simulator.users.records import User
from simulator.users.skus import Sku


def user_wire(user: User, state: str, *, with_password: bool = False) -> dict[str, Any]:
    """E3's shape; the create and password-reset answers add `passwordProfile`, `lastDirectorySyncTime`
    and `softDeletionTime` (null) as their examples do; a deleted user carries its `softDeletionTime`."""
    body: dict[str, Any] = {}
    if user.get("usage_location"):
        body["usageLocation"] = user["usage_location"]
    body.update({"id": user["id"], "userPrincipalName": user["user_principal_name"]})
    for key, name in (("firstName", "first_name"), ("lastName", "last_name")):
        if user.get(name) is not None:
            body[key] = user.get(name)
    body["displayName"] = user["display_name"]
    if user.get("immutable_id"):
        body["immutableId"] = user["immutable_id"]
    if user.get("phone_number"):
        body["phoneNumber"] = user["phone_number"]
    if with_password:
        body["passwordProfile"] = {"forceChangePassword": bool(user.get("force_change_password")),
                                   "password": user["password"]}
        body["lastDirectorySyncTime"] = None
    body.update({"userDomainType": "none", "state": state})
    if with_password or user.get("deleted_at"):
        body["softDeletionTime"] = user.get("deleted_at") if state == "inactive" else None
    body["links"] = {"self": wire.link(f"/customers/{user['customer_id']}/users/{user['id']}")}
    body["attributes"] = wire.attributes("CustomerUser")
    return body


def users_wire(users: list[tuple[User, str]], self_uri: str, next_link: dict[str, Any] | None) -> dict[str, Any]:
    return wire.collection([user_wire(u, s) for u, s in users], self_uri, next_link)


def bare(items: list[dict[str, Any]]) -> dict[str, Any]:
    """E8-E12's collections have no links."""
    return {"totalCount": len(items), "items": items, "attributes": wire.attributes("Collection")}


def product_sku(sku: Sku, *, target: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"id": sku.id, "name": sku.name, "skuPartNumber": sku.part_number}
    if target:
        body["targetType"] = "User"
    body["licenseGroupId"] = sku.group
    return body


def subscribed_sku_wire(sku: Sku, consumed: int) -> dict[str, Any]:
    capability = "Enabled" if sku.active else ("Suspended" if sku.suspended else "Deleted")
    return {"availableUnits": sku.total - consumed, "activeUnits": sku.active, "consumedUnits": consumed,
            "suspendedUnits": sku.suspended, "totalUnits": sku.total, "warningUnits": sku.warning,
            "productSku": product_sku(sku, target=True),
            "servicePlans": [{"displayName": p.display_name, "serviceName": p.service_name, "id": p.id,
                              "capabilityStatus": "Enabled", "targetType": p.target_type} for p in sku.plans],
            "capabilityStatus": capability, "attributes": wire.attributes("SubscribedSku")}


def license_wire(sku: Sku, excluded: list[str]) -> dict[str, Any]:
    plans = [p for p in sku.plans if p.id not in excluded]
    return {"servicePlans": [{"displayName": p.display_name, "serviceName": p.service_name, "id": p.id,
                              "capabilityStatus": "Assigned", "targetType": p.target_type} for p in plans],
            "productSku": product_sku(sku, target=False), "attributes": wire.attributes("License")}


def license_update_wire(answer: dict[str, Any]) -> dict[str, Any]:
    return {**answer, "attributes": wire.attributes("LicenseUpdate")}


def role_wire(role_id: str, name: str) -> dict[str, Any]:
    return {"name": name, "id": role_id, "attributes": wire.attributes("DirectoryRole")}


def members_wire(items: list[dict[str, Any]], self_uri: str, next_link: dict[str, Any] | None
                 ) -> dict[str, Any]:
    """E12's page: the UserMember items with the collection's `links.self` (and `links.next` while more
    members follow), as the other paged lists answer."""
    return wire.collection(items, self_uri, next_link)


def member_wire(user: User, role_id: str) -> dict[str, Any]:
    return {"displayName": user["display_name"], "userPrincipalName": user["user_principal_name"],
            "roleId": role_id, "id": user["id"], "attributes": wire.attributes("UserMember")}
