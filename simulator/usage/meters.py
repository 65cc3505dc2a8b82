"""The meter catalog and each Azure subscription's resources, made from the seed.

Meters are what Azure rates usage by (daily-rated usage line items carry meterId, meterName,
meterCategory, meterSubCategory, meterRegion, unitOfMeasure, meterType and consumedService:
get-invoice-unbilled-consumption-lineitems.md). The templates below name real Azure services;
the seed decides each meter's GUID and region. Unit prices are USD with two decimals, so that a
market's rounded price (catalog Market.price) keeps them, and small enough that an Azure
subscription spends roughly USD 1-5 a day (the sandbox caps Azure usage at USD 200 per
subscription and cycle: api.md 2.9).

Randomness comes from `ids.stream` only (never the business id stream), so usage never shifts ids.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from simulator.ids import stream


@dataclass(frozen=True)
class Meter:
    id: str
    name: str
    category: str
    subcategory: str
    region: str
    unit: str               # unitOfMeasure
    type: str               # meterType
    consumed_service: str   # the resource provider, e.g. Microsoft.Compute
    usd_price: Decimal      # per unit
    resource_type: str      # provider/type of the resource it meters, e.g. Microsoft.Compute/virtualMachines
    resource_prefix: str    # how its resources are named (vm-web-01)
    daily: tuple[int, int, int]  # a day's quantity: randint(low, high) / 10**scale


@dataclass(frozen=True)
class Resource:
    meter: Meter
    group: str
    name: str
    uri: str
    location: str

    @property
    def provider(self) -> str:
        return self.meter.consumed_service


# name, category, subcategory, unit, type, consumed service, USD price, resource type, prefix, daily quantity
TEMPLATES = (
    ("D2s v3", "Virtual Machines", "Dv3/DSv3 Series", "1 Hour", "1 Compute Hour", "Microsoft.Compute", "0.10",
     "Microsoft.Compute/virtualMachines", "vm", (400, 2400, 2)),
    ("B1s", "Virtual Machines", "BS Series", "1 Hour", "1 Compute Hour", "Microsoft.Compute", "0.01",
     "Microsoft.Compute/virtualMachines", "vm", (1200, 2400, 2)),
    ("S4 LRS Disk", "Storage", "Standard HDD Managed Disks", "1/Month", "1/Month", "Microsoft.Compute", "1.54",
     "Microsoft.Compute/disks", "disk", (32258, 32258, 6)),
    ("Hot LRS Data Stored", "Storage", "General Block Blob v2", "1 GB/Month", "1 GB/Month", "Microsoft.Storage",
     "0.02", "Microsoft.Storage/storageAccounts", "st", (500000, 9000000, 6)),
    ("Standard Data Transfer Out", "Bandwidth", "Rtn Preference: MGN", "1 GB", "1 GB", "Microsoft.Network", "0.09",
     "Microsoft.Network/publicIPAddresses", "pip", (50000, 800000, 5)),
    ("S0 DTUs", "SQL Database", "Single Standard", "1/Day", "1/Day", "Microsoft.Sql", "0.48",
     "Microsoft.Sql/servers/databases", "sqldb", (100, 100, 2)),
    ("B1 App", "Azure App Service", "Basic Plan", "1 Hour", "1 Compute Hour", "Microsoft.Web", "0.08",
     "Microsoft.Web/serverfarms", "asp", (600, 2400, 2)),
    ("100 RU/s", "Azure Cosmos DB", "Azure Cosmos DB", "100/Hour", "100/Hour", "Microsoft.DocumentDB", "0.01",
     "Microsoft.DocumentDB/databaseAccounts", "cosmos", (2400, 9600, 2)),
    ("Operations", "Key Vault", "Standard", "10K", "10K", "Microsoft.KeyVault", "0.03",
     "Microsoft.KeyVault/vaults", "kv", (1000, 300000, 5)),
    ("Pay-as-you-go Data Ingestion", "Log Analytics", "Log Analytics", "1 GB", "1 GB", "Microsoft.OperationalInsights",
     "2.30", "Microsoft.OperationalInsights/workspaces", "log", (5000, 50000, 5)),
    ("Standard IPv4 Static Public IP", "Virtual Network", "IP Addresses", "1 Hour", "1 Hour", "Microsoft.Network",
     "0.01", "Microsoft.Network/publicIPAddresses", "ip", (2400, 2400, 2)),
)
# meterRegion as rated usage spells it, and the ARM location of the resources
REGIONS = (("US East", "eastus"), ("US West 2", "westus2"), ("EU West", "westeurope"), ("EU North", "northeurope"),
           ("UK South", "uksouth"), ("AP Southeast", "southeastasia"))
GROUPS = ("rg-web", "rg-data", "rg-shared", "rg-app", "rg-prod", "rg-dev")
WORDS = ("web", "api", "data", "shop", "core", "ops", "crm", "hub")
RESOURCES_PER_SUBSCRIPTION = 5


def catalog(seed: int) -> tuple[Meter, ...]:
    """The meters of this seed, in template order: the same seed gives the same GUIDs and regions."""
    rng = stream("meters", seed)
    meters = []
    for name, category, sub, unit, kind, service, price, resource_type, prefix, daily in TEMPLATES:
        region, _ = REGIONS[rng.randrange(len(REGIONS))]
        meters.append(Meter(str(uuid.UUID(int=rng.getrandbits(128), version=4)), name, category, sub, region, unit,
                            kind, service, Decimal(price), resource_type, prefix, daily))
    return tuple(meters)


def location_of(meter: Meter) -> str:
    return dict(REGIONS)[meter.region]


def resources(seed: int, meters: tuple[Meter, ...], entitlement_id: str) -> tuple[Resource, ...]:
    """What runs in one Azure subscription: a few resources, one per meter used, in catalog order."""
    rng = stream(f"resources:{entitlement_id.lower()}", seed)
    picked = sorted(rng.sample(range(len(meters)), RESOURCES_PER_SUBSCRIPTION))
    groups = rng.sample(GROUPS, 2)
    found = []
    for index in picked:
        meter = meters[index]
        group = groups[rng.randrange(2)]
        name = f"{meter.resource_prefix}-{WORDS[rng.randrange(len(WORDS))]}-{rng.randint(1, 9):02d}"
        if meter.resource_prefix == "st":  # storage account names are lower-case letters and digits only
            name = name.replace("-", "")
        uri = resource_uri(entitlement_id, group, meter.resource_type, name)
        found.append(Resource(meter, group, name, uri, location_of(meter)))
    return tuple(found)


def resource_uri(entitlement_id: str, group: str, resource_type: str, name: str) -> str:
    provider, _, kinds = resource_type.partition("/")
    if kinds == "servers/databases":  # a database lives under its server
        return (f"/subscriptions/{entitlement_id}/resourceGroups/{group}/providers/{provider}/servers/"
                f"{name.replace('sqldb', 'sql')}/databases/{name}")
    return f"/subscriptions/{entitlement_id}/resourceGroups/{group}/providers/{provider}/{kinds}/{name}"
