"""What the customer bought, as the directory sees it: one SubscribedSku per new commerce license SKU
or legacy license offer the customer holds, with the seats of its subscriptions (read through the
subscriptions area's rules) and its service plans.

Sources: get-a-list-of-available-licenses.md (E9), license-resources.md. SKU and service plan ids are
made from the catalog ids (stable for a given catalog item); part numbers follow the names Microsoft
publishes for the known products, others are made from the title.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator import ids
from simulator.catalog.data import LEGACY_LICENSE, NCE
from simulator.context import Context
from simulator.subscriptions import lifecycle as subscription_lifecycle
from simulator.subscriptions import rules as subscription_rules

GROUP1, GROUP2 = "group1", "group2"   # Entra ID managed; Minecraft
COUNTED = {"active": "active", "suspended": "suspended"}  # wire status -> unit bucket

PART_NUMBERS = {
    "microsoft 365 business basic": "O365_BUSINESS_ESSENTIALS", "microsoft 365 business standard":
    "O365_BUSINESS_PREMIUM", "microsoft 365 business premium": "SPB", "office 365 e1": "STANDARDPACK",
    "office 365 enterprise e1": "STANDARDPACK", "office 365 e3": "ENTERPRISEPACK",
    "office 365 enterprise e3": "ENTERPRISEPACK", "office 365 e5": "ENTERPRISEPREMIUM",
    "microsoft 365 e3": "SPE_E3", "microsoft 365 e5": "SPE_E5", "exchange online (plan 1)": "EXCHANGESTANDARD",
    "visio plan 2": "VISIOCLIENT", "project plan 3": "PROJECTPROFESSIONAL",
    "microsoft teams audio conferencing": "MCOMEETADV", "audio conferencing": "MCOMEETADV",
    "microsoft teams phone standard": "MCOEV", "exchange online archiving": "EXCHANGEARCHIVE_ADDON",
    "exchange online archiving for exchange online": "EXCHANGEARCHIVE_ADDON",
}

# (display name, service name, target type) by a word of the SKU's title.
PLANS = {
    "exchange": ("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD", "User"),
    "sharepoint": ("SharePoint (Plan 1)", "SHAREPOINTSTANDARD", "User"),
    "teams": ("Microsoft Teams", "TEAMS1", "User"),
    "office": ("Microsoft 365 Apps for enterprise", "OFFICESUBSCRIPTION", "User"),
    "intune": ("Microsoft Intune", "INTUNE_A", "User"),
    "entra": ("Azure Active Directory Premium P1", "AAD_PREMIUM", "User"),
}
SUITE_PLANS = ("exchange", "sharepoint", "teams")          # Office 365 / Microsoft 365 suites
FOUNDATION = ("Exchange Foundation", "EXCHANGE_S_FOUNDATION", "Tenant")


@dataclass(frozen=True)
class Plan:
    display_name: str
    service_name: str
    target_type: str

    @property
    def id(self) -> str:
        return ids.name_guid(f"service-plan:{self.service_name}")


@dataclass
class Sku:
    """A SubscribedSku: the catalog item it stands for and the seats of the customer's subscriptions."""
    item: str                  # "PRODUCT:SKU" (new commerce) or a legacy offer id, upper case
    name: str
    plans: tuple[Plan, ...]
    active: int = 0
    suspended: int = 0
    warning: int = 0
    subscriptions: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return ids.name_guid(f"subscribed-sku:{self.item}")

    @property
    def part_number(self) -> str:
        return PART_NUMBERS.get(self.name.lower()) or re.sub(r"[^A-Z0-9]+", "_", self.name.upper()).strip("_")

    @property
    def group(self) -> str:
        return GROUP2 if "minecraft" in self.name.lower() else GROUP1

    @property
    def total(self) -> int:
        """totalUnits = activeUnits + warningUnits (license-resources.md)."""
        return self.active + self.warning


def plans_for(name: str) -> tuple[Plan, ...]:
    lowered = name.lower()
    if any(s in lowered for s in ("microsoft 365", "office 365")):
        words = [*SUITE_PLANS, *(("office",) if "business basic" not in lowered and "e1" not in lowered else ()),
                 *(("intune", "entra") if any(s in lowered for s in ("e3", "e5", "premium")) else ())]
    else:
        words = [w for w in PLANS if w in lowered]
    found = [Plan(*PLANS[w]) for w in dict.fromkeys(words)]
    if not found:  # a plan named after the product
        part = PART_NUMBERS.get(lowered) or re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
        found = [Plan(name, part, "User")]
    return (Plan(*FOUNDATION), *found)


def item_of(sub: dict[str, Any]) -> tuple[str, str] | None:
    """The catalog item of a license subscription and its title, or None for other kinds."""
    if sub["kind"] == NCE and sub.get("product_id") and sub.get("sku_id"):
        return f"{sub['product_id']}:{sub['sku_id']}".upper(), _title(sub)
    if sub["kind"] == LEGACY_LICENSE:
        return str(sub["offer_id"]).upper(), sub.get("offer_name") or str(sub["offer_id"])
    return None


def _title(sub: dict[str, Any]) -> str:
    return str(sub.get("offer_name") or sub.get("sku_id"))


def customer_skus(ctx: Context, tenant: str, customer_id: str) -> dict[str, Sku]:
    """Every license SKU the customer ever held, by SubscribedSku id, with the seats of its active and
    suspended subscriptions as they stand now (ended subscriptions count no seats; their SKU stays known
    so that licenses still assigned from it can be read and removed)."""
    found: dict[str, Sku] = {}
    for sub in subscription_rules.list_subscriptions(ctx, tenant, customer_id):
        item = item_of(dict(sub))
        if item is None:
            continue
        key, name = item
        sku = found.get(ids.name_guid(f"subscribed-sku:{key}"))
        if sku is None:
            catalog_sku = subscription_lifecycle.sku_of(ctx, sub)
            name = str(catalog_sku.wire.get("title", name)) if catalog_sku is not None else name
            sku = Sku(key, name, plans_for(name))
            found[sku.id] = sku
        bucket = COUNTED.get(subscription_lifecycle.status(sub))
        if bucket == "active":
            sku.active += int(sub["quantity"])
        elif bucket == "suspended":
            sku.suspended += int(sub["quantity"])
        if bucket:
            sku.subscriptions.append(sub["id"])
    return found


def in_groups(skus: Iterable[Sku], groups: set[str]) -> list[Sku]:
    return [s for s in skus if s.group in groups]
