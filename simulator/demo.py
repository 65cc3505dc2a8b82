"""Demo data: `pcsim serve --demo` and `POST /_simulator/seed`.

Customers are made up with faker (seeded from the simulator's seed, so the same seed gives the same
companies, people and purchases) and buy through the very rules the API runs: `create_customer`,
then carts and checkout (`create_cart`, `checkout_cart`), so every record is one the API could have
made. Each customer buys across product kinds: new commerce seats, an Azure plan, an Azure
reservation scoped to that plan's Azure subscription, perpetual software and a marketplace SaaS
plan; more subscriptions per customer add more new commerce, SaaS, software subscriptions and
reservations.

Seeding ignores the integration sandbox limits (75 customers, 5 subscriptions per customer, 10 Azure
plans per partner): it runs the rules with `sandbox_limits` off, so that a benchmark can load 10,000
customers. The limits still apply to later API calls when they are on: with more than 75 seeded
customers POST /v1/customers is refused, and a seeded customer that holds 5 subscriptions or more can
buy nothing more (serve with --no-sandbox-limits to lift both).

The purchases are made at the simulated clock's current time, like any API call: orders show in the
order list after their listing delay (up to 15 minutes) and subscriptions once provisioned (30 s by
default), so advance the clock to see them. `--demo` instead makes its purchases a day before the
clock's start, so that a fresh demo server shows them at once.
"""
from __future__ import annotations

import dataclasses
import random
import re
import unicodedata
from datetime import timedelta
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, carts, customers, errors, wire
from simulator import settings as settings_module
from simulator.catalog.data import (AZURE_PLAN, NCE, RESERVATION, SAAS, SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION,
                                    Availability, Catalog)
from simulator.clock import ManualClock
from simulator.context import Caller, Context
from simulator.ids import name_guid
from simulator.orders import rules as orders
from simulator.subscriptions import records as subscriptions

API_MAX_CUSTOMERS = 200      # per POST /_simulator/seed; `seed()` itself takes any number
API_MAX_SUBSCRIPTIONS = 10   # per customer, per POST /_simulator/seed
DEMO_CUSTOMERS = 10          # what `pcsim serve --demo` loads
DEMO_AGE = timedelta(days=1)  # --demo purchases are made this long before the clock's start
SEED_APP = name_guid("pcsim-seed")  # the application id the seeded carts name as their last modifier
SEAT_CAP = 25                # quantities stay within the sandbox's 25 licenses per subscription
CORE = (NCE, AZURE_PLAN, RESERVATION, SOFTWARE_PERPETUAL, SAAS)  # the first five purchases, in this order
EXTRA = (NCE, SAAS, NCE, SOFTWARE_SUBSCRIPTION, RESERVATION)     # the sixth onwards, in turn

# Markets a made-up customer lives in (weights out of 100), the faker locale for its people and
# addresses, and the billing culture it sends.
MARKETS = (("US", 50, "en_US", "en-US"), ("GB", 10, "en_GB", "en-GB"), ("DE", 8, "de_DE", "de-DE"),
           ("CA", 6, "en_CA", "en-CA"), ("AU", 6, "en_AU", "en-AU"), ("FR", 6, "fr_FR", "fr-FR"),
           ("NL", 5, "nl_NL", "nl-NL"), ("ES", 4, "es_ES", "es-ES"), ("IT", 3, "it_IT", "it-IT"),
           ("IE", 2, "en_IE", "en-IE"))


class SeedIn(wire.WireModel):
    customers: int = Field(DEMO_CUSTOMERS, ge=1, le=API_MAX_CUSTOMERS, strict=True)
    tenant: str | None = Field(None, min_length=1, max_length=256)
    subscriptions_per_customer: int | None = Field(None, ge=1, le=API_MAX_SUBSCRIPTIONS, strict=True)


# --- made-up people -------------------------------------------------------------------------

class People:
    """One faker generator per locale, made on first use and seeded from the seed's own stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fakers: dict[str, Any] = {}

    def faker(self, locale: str) -> Any:
        if locale not in self.fakers:
            from faker import Faker  # imported here: only seeding needs it, and it is slow to import

            made = Faker(locale)
            made.seed_instance(self.rng.getrandbits(64))
            self.fakers[locale] = made
        return self.fakers[locale]


def ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", plain)


def customer_in(people: People, rng: random.Random, taken: int) -> customers.CustomerIn:
    """A made-up company in one of the markets, as a create-a-customer body."""
    country, _, locale, culture = rng.choices(MARKETS, weights=[m[1] for m in MARKETS])[0]
    fake = people.faker(locale)
    company = fake.company()[:200]
    first, last = fake.first_name()[:50], fake.last_name()[:50]
    slug = (ascii_word(company)[:24] or "contoso") + str(rng.randint(10, 9999)) + (str(taken) if taken else "")
    domain = f"{slug}.onmicrosoft.com"
    address = {"firstName": first, "lastName": last,
               "addressLine1": " ".join(fake.street_address().split())[:200], "city": fake.city()[:100],
               "postalCode": fake.postcode()[:20], "country": country, "phoneNumber": fake.phone_number()}
    if country == "US":
        address["state"] = fake.state_abbr(include_territories=False)
    elif country == "CA":
        address["state"] = fake.province_abbr()
    elif country == "AU":
        address["state"] = fake.state_abbr()
    email = f"{ascii_word(first) or 'admin'}.{ascii_word(last) or 'it'}@{slug}.example"
    return customers.CustomerIn.model_validate({
        "companyProfile": {"domain": domain, "companyName": company},
        "billingProfile": {"email": email, "culture": culture, "language": culture[:2], "companyName": company,
                           "firstName": first, "lastName": last, "defaultAddress": address}})


def new_customer(ctx: Context, caller: Caller, people: People, rng: random.Random) -> dict[str, Any]:
    for attempt in range(100):
        try:
            return customers.create_customer(ctx, caller, customer_in(people, rng, attempt), None)
        except errors.DomainTaken:
            continue  # a made-up domain someone already has: make up another company
    raise errors.DomainTaken("every made-up domain")  # not reached: the suffix makes domains unique


# --- what they buy --------------------------------------------------------------------------

def shelves(catalog: Catalog, country: str) -> dict[str, list[Availability]]:
    """Commercial items a customer of `country` can buy without anything else: no trials, add-ons,
    attestations or SKUs restricted in the market."""
    found: dict[str, list[Availability]] = {}
    for product in catalog.products.values():
        for sku in product.skus.values():
            attestation = (sku.wire.get("attestationProperties") or {}).get("enforceAttestation")
            if (sku.wire.get("isTrial") or sku.attribute("prerequisiteSkus") or attestation
                    or country in sku.sim.get("restrictedCountries", ())):
                continue
            for av in sku.availabilities.values():
                if av.segment == "commercial":
                    found.setdefault(product.kind, []).append(av)
    return found


def basket(count: int | None, rng: random.Random) -> list[str]:
    """The kinds a customer buys: the five core kinds, then the extras in turn; without a count,
    the five core kinds and up to three extras."""
    count = count if count is not None else len(CORE) + rng.randint(0, 3)
    return [CORE[i] if i < len(CORE) else EXTRA[(i - len(CORE)) % len(EXTRA)] for i in range(count)]


def line(av: Availability, rng: random.Random, **extra: Any) -> dict[str, Any]:
    """A cart line for the availability: one of its terms, a quantity within the SKU's bounds."""
    terms = [t for t in av.terms() if t.get("duration")]
    chosen = rng.choice(terms) if terms else {}
    cycles = av.sku.wire.get("supportedBillingCycles") or ["one_time"]
    cycle = (chosen.get("billingCycle") or cycles[0]).lower()
    high = min(av.sku.maximum, SEAT_CAP)
    out: dict[str, Any] = {"catalogItemId": av.wire["catalogItemId"], "billingCycle": cycle,
                           "quantity": rng.randint(max(av.sku.minimum, 1), max(high, av.sku.minimum, 1))}
    if chosen.get("duration"):
        out["termDuration"] = chosen["duration"]
    return {**out, **extra}


def pick(stock: dict[str, list[Availability]], kind: str, rng: random.Random,
         bought: set[str]) -> Availability | None:
    """An item of the kind, one the customer doesn't hold yet where there is such an item."""
    items = stock.get(kind) or []
    fresh = [av for av in items if av.wire["catalogItemId"] not in bought]
    choice = rng.choice(fresh or items) if items else None
    if choice is not None:
        bought.add(choice.wire["catalogItemId"])
    return choice


def checkout(ctx: Context, caller: Caller, customer_id: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A cart with the lines, checked out: the orders placed (seed data never breaks a rule, so an
    order error is a bug and fails the seed)."""
    body = carts.CartIn.model_validate({"lineItems": [{"id": n, **ln} for n, ln in enumerate(lines)]})
    cart = carts.create_cart(ctx, caller, customer_id, body)
    result = carts.checkout_cart(ctx, caller, customer_id, cart["id"])
    if result["order_errors"]:
        raise errors.InvalidRequestInput(f"seeding failed: {result['order_errors']}")
    return [orders.get_order(ctx, caller.tenant, customer_id, oid) for oid in result["order_ids"]]


def azure_subscription(ctx: Context, caller: Caller, customer_id: str, placed: list[dict[str, Any]]) -> str | None:
    """The Azure subscription (entitlement) the customer's new Azure plan came with."""
    for order in placed:
        for ln in order["lines"]:
            if ln["kind"] == AZURE_PLAN:
                key = subscriptions.subscription_key(caller.tenant, customer_id, ln["subscription_id"])
                return (ctx.store.get("subscription", key) or {}).get("entitlement_id")
    return None


def buy(ctx: Context, caller: Caller, customer: dict[str, Any], rng: random.Random,
        stock: dict[str, list[Availability]], count: int | None) -> list[dict[str, Any]]:
    """The customer's purchases: one cart with everything but reservations, then one with the
    reservations, scoped to the Azure subscription of the plan bought in the first (the basket
    always has the plan before any reservation)."""
    first: list[dict[str, Any]] = []
    later: list[Availability] = []
    bought: set[str] = set()
    for kind in basket(count, rng):
        av = pick(stock, kind, rng, bought)
        if av is not None and kind == RESERVATION:
            later.append(av)
        elif av is not None:
            first.append(line(av, rng))
    placed = checkout(ctx, caller, customer["id"], first) if first else []
    scope = azure_subscription(ctx, caller, customer["id"], placed)
    if later and scope:
        placed += checkout(ctx, caller, customer["id"], [
            line(av, rng, provisioningContext={"subscriptionId": scope, "scope": rng.choice(["Shared", "Single"])})
            for av in later])
    return placed


# --- the rule -------------------------------------------------------------------------------

def seed(ctx: Context, tenant: str, count: int, per_customer: int | None = None) -> dict[str, int]:
    """`count` made-up customers of the partner `tenant`, each with its purchases; the totals made."""
    rng = ctx.ids.fork()
    unlimited = dataclasses.replace(ctx, settings=settings_module.replace(ctx.settings, sandbox_limits=False))
    caller = Caller(tenant, SEED_APP, None)
    people = People(rng)
    stock: dict[str, dict[str, list[Availability]]] = {}  # per market
    made = {"customers": 0, "orders": 0, "subscriptions": 0}
    for _ in range(count):
        customer = new_customer(unlimited, caller, people, rng)
        country = customers.customer_country(customer)
        if country not in stock:
            stock[country] = shelves(ctx.catalog, country)
        placed = buy(unlimited, caller, customer, rng, stock[country], per_customer)
        made["customers"] += 1
        made["orders"] += len(placed)
        made["subscriptions"] += sum(len(order["lines"]) for order in placed)
    return made


def load_demo(ctx: Context, customers_count: int = DEMO_CUSTOMERS) -> dict[str, int] | None:
    """`--demo`: demo customers for the default partner, bought a day before the clock's start so
    they show at once; nothing when the partner already has customers (a kept --state store)."""
    tenant = ctx.settings.default_tenant
    if ctx.store.count("customer", (tenant,)):
        return None
    earlier = ManualClock(ctx.clock.now() - DEMO_AGE, wall=ctx.clock.wall)
    return dataclasses.replace(ctx, clock=earlier).run(seed, tenant, customers_count)


# --- endpoint -------------------------------------------------------------------------------

COUNTS = {"type": "object", "required": ["customers", "orders", "subscriptions"],
          "properties": {name: {"type": "integer", "minimum": 0} for name in ("customers", "orders", "subscriptions")}}


@wire.operation(summary="made-up customers with purchases across product kinds (deterministic per seed)",
                body=SeedIn, body_required=False, status=201, response=COUNTS)
async def seed_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_optional_body(request, SeedIn)
    tenant = auth.tenant_id(ctx, body.tenant) if body.tenant else ctx.settings.default_tenant
    made = ctx.run(seed, tenant, body.customers, body.subscriptions_per_customer)
    return wire.respond(made, 201)


routes = [Route("/_simulator/seed", seed_endpoint, methods=["POST"])]


def describe(ctx: Context, made: dict[str, int] | None) -> str:
    """What `pcsim serve --demo` prints."""
    tenant = ctx.settings.default_tenant
    if made is None:
        return f"pcsim: --demo: partner {tenant} already has customers; no demo data added"
    return (f"pcsim: --demo: {made['customers']} customers, {made['orders']} orders and {made['subscriptions']} "
            f"subscriptions for partner {tenant} (any bearer token that pcsim did not issue speaks for it)")
