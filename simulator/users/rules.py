"""User, license and directory role rules (E1-E14).

Users: create (the UPN on the customer's domain, unique in the tenant, a strong password), read, list
(active users; `filter` UserState=Inactive lists the deleted ones), update, restore (PATCH state
active), reset the password, delete. A deleted user is `inactive` with its `softDeletionTime` for 30
days on the simulated clock, then gone: derived from the stored deletion moment and `now`, no task
runs. Its licenses are released while it is deleted; a restore gives them back where seats are free.

Licenses (E7-E9): a SubscribedSku per license SKU the customer bought (users/skus.py). Assigning one
takes a seat: more assignments than seats is 400 60012. A subscription may be reduced below the seats
assigned (the PATCH rules of change-the-quantity-of-a-subscription.md say nothing of assignments, and
Entra ID keeps the licenses): its SKU then shows `availableUnits` below zero and refuses new assignments
until licenses are removed or seats bought.

Directory roles (E10-E14): the tenant's built-in roles (ids are Entra ID's role template ids, as the
E10 example shows them); the customer's first admin holds Company Administrator.

Sources: the user, license and role docs listed in api-integration.md 1.15, error-codes.md (60002).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from simulator import errors, ids, wire
from simulator.context import Caller, Context
from simulator.customers.records import Customer, customer_country, get_customer
from simulator.users import records, skus
from simulator.users.models import LicenseUpdateIn, PasswordProfileIn, UserIn
from simulator.users.records import User
from simulator.users.skus import Sku

RETENTION = timedelta(days=30)
ACTIVE, INACTIVE = "active", "inactive"
COMPANY_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
ROLES = {  # Entra ID's built-in role template ids and the names Partner Center gives them
    COMPANY_ADMINISTRATOR: "Company Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Account Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "f023fd81-a637-4b56-95fd-791ac0226033": "Service Support Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}
STATE_FIELDS = {"userstate", "userstatus"}  # the doc's filter says UserState, its self link UserStatus


# --- the customer's users ------------------------------------------------------------------

def admin_of(customer: Customer) -> User:
    """The customer's first admin, as created with the customer (not stored until changed)."""
    address = customer["billing"]["default_address"]
    return {"id": ids.name_guid(f"customer-admin:{ids.key(customer['id'])}"), "customer_id": customer["id"],
            "user_principal_name": f"{customer.get('user_name') or 'admin'}@{customer['company']['domain']}",
            "first_name": address.get("first_name"), "last_name": address.get("last_name"),
            "display_name": customer["company"].get("company_name") or customer["billing"].get("company_name")
            or "Administrator",
            "usage_location": customer_country(customer), "password": customer.get("password", ""),
            "force_change_password": True, "created": customer["created"], "deleted_at": None, "licenses": [],
            "roles": [COMPANY_ADMINISTRATOR], "admin": True, "version": 0}


def state(user: User, now: datetime) -> str | None:
    """`active`, `inactive` (deleted less than 30 days ago) or None (gone)."""
    deleted = user.get("deleted_at")
    if not deleted:
        return ACTIVE
    return INACTIVE if now < wire.parse_time(deleted) + RETENTION else None


def every_user(ctx: Context, tenant: str, customer: Customer, now: datetime) -> list[User]:
    """The customer's users that still exist at `now` (active and inactive), the first admin first."""
    stored = records.list_for_customer(ctx, tenant, customer["id"])
    admin = admin_of(customer)
    changed = [u for u in stored if ids.same(u["id"], admin["id"])]
    users = [*(changed or [admin]), *(u for u in stored if not ids.same(u["id"], admin["id"]))]
    return [u for u in users if state(u, now) is not None]


def find_user(ctx: Context, tenant: str, customer: Customer, user_id: str, now: datetime) -> User:
    """The user (active or inactive), or 404 60002."""
    if not ids.GUID.match(user_id):
        raise errors.UserNotFound(user_id)
    user = records.get(ctx, tenant, customer["id"], user_id)
    if user is None:
        admin = admin_of(customer)
        user = admin if ids.same(admin["id"], user_id) else None
    if user is None or state(user, now) is None:
        raise errors.UserNotFound(user_id)
    return user


def active_user(ctx: Context, tenant: str, customer: Customer, user_id: str, now: datetime) -> User:
    user = find_user(ctx, tenant, customer, user_id, now)
    if state(user, now) != ACTIVE:
        raise errors.UserDeleted(user["id"])
    return user


def get_user(ctx: Context, caller: Caller, customer_id: str, user_id: str) -> tuple[User, str]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    user = find_user(ctx, caller.tenant, customer, user_id, now)
    return user, str(state(user, now))


def parse_filter(raw: str | None) -> str:
    """E1's `filter`: URL-encoded JSON {Field: UserState, Value: Active|Inactive, Operator: equals}; the
    state to list (active without a filter)."""
    if raw is None or raw == "":
        return ACTIVE
    import json

    try:
        spec = {str(k).lower(): v for k, v in json.loads(raw).items()}
    except (ValueError, AttributeError, RecursionError):
        raise errors.InvalidRequestInput("filter must be a JSON object with Field, Value and Operator") from None
    if str(spec.get("field", "")).lower() not in STATE_FIELDS:
        raise errors.InvalidRequestInput("filter Field must be UserState")
    if str(spec.get("operator", "")).lower() != "equals":
        raise errors.InvalidRequestInput("filter Operator must be equals")
    value = str(spec.get("value", "")).lower()
    if value not in (ACTIVE, INACTIVE):
        raise errors.InvalidRequestInput("filter Value must be Active or Inactive")
    return value


def list_users(ctx: Context, caller: Caller, customer_id: str, wanted: str) -> list[tuple[User, str]]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    return [(u, wanted) for u in every_user(ctx, caller.tenant, customer, now) if state(u, now) == wanted]


def _check_password(profile: PasswordProfileIn | None, required: bool) -> None:
    password = profile.password if profile else None
    if password is None:
        if required:
            raise errors.InvalidRequestInput("passwordProfile.password is required")
        return
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if not 8 <= len(password) <= 256 or classes < 3:
        raise errors.InvalidRequestInput("passwordProfile.password must have 8 to 256 characters and three of: "
                                         "lower case, upper case, digits, symbols")


def _check_upn(ctx: Context, tenant: str, customer: Customer, upn: str, now: datetime,
               own_id: str | None = None) -> str:
    alias, _, domain = upn.partition("@")
    home = customer["company"]["domain"].lower()
    if not alias or domain.lower() != home or not re.fullmatch(r"[A-Za-z0-9._'+-]{1,64}", alias):
        raise errors.UserPrincipalNameInvalid(upn, home)
    for other in every_user(ctx, tenant, customer, now):
        if other["user_principal_name"].lower() == upn.lower() and not ids.same(other["id"], own_id):
            raise errors.UserPrincipalNameTaken(upn)
    return f"{alias}@{home}"


def _check_location(ctx: Context, location: str | None) -> str | None:
    if location is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", location):
        raise errors.InvalidRequestInput("usageLocation must be a two-letter country code")
    return location.upper()


def create_user(ctx: Context, caller: Caller, customer_id: str, body: UserIn) -> User:
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    if not body.user_principal_name:
        raise errors.InvalidRequestInput("userPrincipalName is required")
    upn = _check_upn(ctx, caller.tenant, customer, body.user_principal_name, now)
    display = body.display_name or " ".join(p for p in (body.first_name, body.last_name) if p)
    if not display:
        raise errors.InvalidRequestInput("displayName is required")
    _check_password(body.password_profile, required=True)
    assert body.password_profile is not None and body.password_profile.password is not None
    user: User = {
        "id": ctx.ids.guid(), "customer_id": customer["id"], "user_principal_name": upn,
        "first_name": body.first_name, "last_name": body.last_name, "display_name": display,
        "usage_location": _check_location(ctx, body.usage_location), "immutable_id": body.immutable_id,
        "phone_number": body.phone_number, "password": body.password_profile.password,
        "force_change_password": bool(body.password_profile.force_change_password),
        "created": wire.iso(now), "deleted_at": None, "licenses": [], "roles": [], "admin": False, "version": 1,
    }
    records.save(ctx, caller.tenant, user)
    return user


def update_user(ctx: Context, caller: Caller, customer_id: str, user_id: str, body: UserIn) -> User:
    """E4: the fields sent change; `state: active` restores a deleted user (restore-a-user-for-a-customer.md)."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    user = find_user(ctx, caller.tenant, customer, user_id, now)
    wanted = body.state.lower() if body.state is not None else None
    if wanted not in (None, ACTIVE):
        raise errors.InvalidRequestInput("state can only be set to active (a restore); DELETE deletes a user")
    if state(user, now) == INACTIVE:
        if wanted != ACTIVE:
            raise errors.UserDeleted(user["id"])
        restore(ctx, caller.tenant, customer, user, now)
    elif wanted == ACTIVE and body.model_fields_set <= {"state", "attributes"}:
        raise errors.UserNotDeleted(user["id"])
    if body.user_principal_name is not None:
        user["user_principal_name"] = _check_upn(ctx, caller.tenant, customer, body.user_principal_name, now,
                                                 own_id=user["id"])
    for name in ("first_name", "last_name", "display_name", "immutable_id", "phone_number"):
        value = getattr(body, name)
        if value is not None:
            user[name] = value
    if body.usage_location is not None:
        user["usage_location"] = _check_location(ctx, body.usage_location)
    if body.password_profile is not None:
        _set_password(user, body.password_profile)
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)
    return user


def _set_password(user: User, profile: PasswordProfileIn) -> None:
    _check_password(profile, required=True)
    assert profile.password is not None
    user["password"] = profile.password
    user["force_change_password"] = bool(profile.force_change_password)


def reset_password(ctx: Context, caller: Caller, customer_id: str, user_id: str,
                   profile: PasswordProfileIn) -> User:
    customer = get_customer(ctx, caller.tenant, customer_id)
    user = active_user(ctx, caller.tenant, customer, user_id, ctx.clock.now())
    _set_password(user, profile)
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)
    return user


def restore(ctx: Context, tenant: str, customer: Customer, user: User, now: datetime) -> None:
    """Back to active; the licenses it held come back where their SKU has a seat free."""
    held = user.get("licenses", [])
    user["deleted_at"] = None
    user["licenses"] = []
    bought = skus.customer_skus(ctx, tenant, customer["id"])
    consumed = consumption(ctx, tenant, customer, now)
    kept = []
    for assignment in held:
        sku = bought.get(assignment["sku_id"])
        if sku is not None and sku.total - consumed.get(sku.id, 0) > 0:
            kept.append(assignment)
            consumed[sku.id] = consumed.get(sku.id, 0) + 1
    user["licenses"] = kept


def delete_user(ctx: Context, caller: Caller, customer_id: str, user_id: str) -> None:
    """Soft deletion: inactive for 30 days (a deleted user is not found by a second delete)."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    user = find_user(ctx, caller.tenant, customer, user_id, now)
    if state(user, now) != ACTIVE:
        raise errors.UserNotFound(user_id)
    user["deleted_at"] = wire.iso(now)
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)


# --- licenses ------------------------------------------------------------------------------

def consumption(ctx: Context, tenant: str, customer: Customer, now: datetime) -> dict[str, int]:
    """Seats taken per SubscribedSku id: one per active user holding it."""
    taken: dict[str, int] = {}
    for user in every_user(ctx, tenant, customer, now):
        if state(user, now) == ACTIVE:
            for assignment in user.get("licenses", []):
                taken[assignment["sku_id"]] = taken.get(assignment["sku_id"], 0) + 1
    return taken


def parse_groups(values: list[str]) -> set[str]:
    """`licenseGroupIds` (repeatable, Group1/Group2 in any case); group1 when absent."""
    from simulator.wire import query

    if not values:
        return {skus.GROUP1}
    return {query.enum_value(v, "licenseGroupIds", {"group1": skus.GROUP1, "group2": skus.GROUP2}) for v in values}


def subscribed_skus(ctx: Context, caller: Caller, customer_id: str, groups: set[str]
                    ) -> list[tuple[Sku, int]]:
    """E9: the customer's SKUs of the groups with their consumed units; a SKU with no seats left
    (subscriptions ended) is listed while licenses of it are still assigned."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    consumed = consumption(ctx, caller.tenant, customer, ctx.clock.now())
    return [(s, consumed.get(s.id, 0)) for s in skus.in_groups(skus.customer_skus(ctx, caller.tenant,
                                                                                  customer["id"]).values(), groups)
            if s.subscriptions or consumed.get(s.id, 0)]


def user_licenses(ctx: Context, caller: Caller, customer_id: str, user_id: str, groups: set[str]
                  ) -> list[tuple[Sku, list[str]]]:
    """E8: the user's licenses of the groups, each with the plans excluded."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    user = find_user(ctx, caller.tenant, customer, user_id, ctx.clock.now())
    bought = skus.customer_skus(ctx, caller.tenant, customer["id"])
    return [(bought[a["sku_id"]], a["excluded_plans"]) for a in user.get("licenses", [])
            if a["sku_id"] in bought and bought[a["sku_id"]].group in groups]


def update_licenses(ctx: Context, caller: Caller, customer_id: str, user_id: str, body: LicenseUpdateIn
                    ) -> dict[str, Any]:
    """E7: assign and remove licenses in one group; a seat per new assignment (400 60012 when none is
    left); the answer echoes what was asked."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    user = active_user(ctx, caller.tenant, customer, user_id, now)
    to_assign, to_remove = body.licenses_to_assign or [], body.licenses_to_remove or []
    if not to_assign and not to_remove:
        raise errors.InvalidRequestInput("licensesToAssign or licensesToRemove must name a SKU")
    bought = skus.customer_skus(ctx, caller.tenant, customer["id"])
    touched = [a.sku_id for a in to_assign] + list(to_remove)
    for sku_id in touched:
        if ids.key(sku_id) not in {ids.key(k) for k in bought}:
            raise errors.SkuNotSubscribed(customer["id"], sku_id)
    by_key = {ids.key(k): s for k, s in bought.items()}
    if len({by_key[ids.key(s)].group for s in touched}) > 1:
        raise errors.LicenseGroupsMixed()
    held = {a["sku_id"]: a for a in user.get("licenses", [])}
    for sku_id in to_remove:
        sku = by_key[ids.key(sku_id)]
        if sku.id not in held:
            raise errors.InvalidRequestInput(f"the user holds no license of SKU {sku_id}")
        del held[sku.id]
    if to_assign and not user.get("usage_location"):
        raise errors.InvalidRequestInput("the user needs a usageLocation before licenses can be assigned")
    consumed = consumption(ctx, caller.tenant, customer, now)
    for assignment in to_assign:
        sku = by_key[ids.key(assignment.sku_id)]
        plans = {p.id for p in sku.plans}
        excluded = [p.lower() for p in assignment.excluded_plans or []]
        unknown = [p for p in excluded if p not in plans]
        if unknown:
            raise errors.InvalidRequestInput(f"excludedPlans {unknown[0]} is no service plan of SKU {sku.id}")
        if sku.id not in held:
            if sku.total - consumed.get(sku.id, 0) <= 0:
                raise errors.LicensesExhausted(customer["id"], sku.id)
            consumed[sku.id] = consumed.get(sku.id, 0) + 1
        held[sku.id] = {"sku_id": sku.id, "excluded_plans": excluded}
    user["licenses"] = list(held.values())
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)
    answer: dict[str, Any] = {"licensesToAssign": [{"skuId": a.sku_id, **(
        {"excludedPlans": a.excluded_plans} if a.excluded_plans else {})} for a in to_assign]}
    if to_remove:
        answer["licensesToRemove"] = list(to_remove)
    answer["licenseWarnings"] = []
    return answer


# --- directory roles -----------------------------------------------------------------------

def get_role(role_id: str) -> tuple[str, str]:
    for rid, name in ROLES.items():
        if ids.same(rid, role_id):
            return rid, name
    raise errors.DirectoryRoleNotFound(role_id)


def list_roles(ctx: Context, caller: Caller, customer_id: str) -> list[tuple[str, str]]:
    get_customer(ctx, caller.tenant, customer_id)
    return list(ROLES.items())


def roles_of(ctx: Context, caller: Caller, customer_id: str, user_id: str) -> list[tuple[str, str]]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    user = find_user(ctx, caller.tenant, customer, user_id, ctx.clock.now())
    return [get_role(r) for r in user.get("roles", [])]


def role_members(ctx: Context, caller: Caller, customer_id: str, role_id: str) -> tuple[str, list[User]]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    rid, _ = get_role(role_id)
    now = ctx.clock.now()
    return rid, [u for u in every_user(ctx, caller.tenant, customer, now)
                 if state(u, now) == ACTIVE and rid in u.get("roles", [])]


def add_role_member(ctx: Context, caller: Caller, customer_id: str, role_id: str, user_id: str
                    ) -> tuple[str, User]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    rid, name = get_role(role_id)
    now = ctx.clock.now()
    user = find_user(ctx, caller.tenant, customer, user_id, now)
    if state(user, now) != ACTIVE:
        raise errors.UserNotFound(user_id)
    if rid in user.get("roles", []):
        raise errors.RoleMemberExists(user["id"], name)
    user["roles"] = [*user.get("roles", []), rid]
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)
    return rid, user


def remove_role_member(ctx: Context, caller: Caller, customer_id: str, role_id: str, user_id: str) -> None:
    customer = get_customer(ctx, caller.tenant, customer_id)
    rid, name = get_role(role_id)
    now = ctx.clock.now()
    user = find_user(ctx, caller.tenant, customer, user_id.strip(), now)
    if state(user, now) != ACTIVE or rid not in user.get("roles", []):
        raise errors.RoleMemberNotFound(user_id, name)
    user["roles"] = [r for r in user.get("roles", []) if r != rid]
    user["version"] = user.get("version", 0) + 1
    records.save(ctx, caller.tenant, user)
