"""Demo data: `pcsim serve --demo` and `POST /_simulator/seed`.

Customers are made up with faker (seeded from the simulator's seed, so the same seed gives the same
companies, people and purchases) and buy through the very rules the API runs: `create_customer`,
then carts and checkout (`create_cart`, `check_out`), so every record is one the API could have
made. The customers buy across product kinds: new commerce seats, an Azure plan, an Azure
reservation scoped to that plan's Azure subscription, perpetual software and a marketplace SaaS
plan; more subscriptions per customer add more new commerce, SaaS, software subscriptions and
reservations.

Seeded data obeys the limits it is served under, since it is made by the same rules. With the
integration sandbox limits on (the default: 75 customers per partner, 5 subscriptions per customer,
25 licenses per subscription, 1 Azure plan per customer and 10 per partner) a seed leaves room to buy:
without `subscriptionsPerCustomer` each customer gets 3 subscriptions (new commerce seats, and either
an Azure plan with a reservation or perpetual software with a SaaS plan, in turn), so it can buy 2
more; seeds never take the partner's last 5 Azure plans (a customer that would have had one gets
other kinds instead). A seed that can't fit (more customers than the partner has room for, more
subscriptions per customer than the limit) is refused whole with 400, and the answer says what room
is left. With --no-sandbox-limits seeding is as large as asked: 5 to 8 subscriptions per customer by
default, up to 200 customers and 10 subscriptions each per request, any number through `seed()`, so
that a benchmark can load 10,000 customers.

The purchases are made at the simulated clock's current time, like any API call: orders show in the
order list after their listing delay (up to 15 minutes) and subscriptions once provisioned (30 s by
default), so advance the clock to see them. `--demo` instead makes its purchases a day before the
clock's start, so that a fresh demo server shows them at once.
"""
from __future__ import annotations

import dataclasses
import itertools
import random
import re
import shlex
import unicodedata
from datetime import timedelta
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import errors, ids, wire
from simulator.agreements.rules import confirm_for_seed
from simulator.carts.models import CartIn
from simulator.carts.rules import check_out, create_cart
from simulator.catalog.data import (
    AZURE_PLAN,
    NCE,
    RESERVATION,
    SAAS,
    SOFTWARE_PERPETUAL,
    SOFTWARE_SUBSCRIPTION,
    Availability,
    Catalog,
)
from simulator.clock import ManualClock
from simulator.context import Caller, Context
from simulator.customers.models import CustomerIn
from simulator.customers.records import Customer, customer_country
from simulator.customers.rules import SANDBOX_CUSTOMER_LIMIT, create_customer, customer_count
from simulator.ids import name_guid
from simulator.orders.lines import SANDBOX_SEATS, SANDBOX_SUBSCRIPTIONS
from simulator.orders.records import Order
from simulator.orders.rules import SANDBOX_PLANS_PER_PARTNER, owned_subscription_count, partner_azure_plans
from simulator.subscriptions import records as subscription_records
from simulator.subscriptions.rules import register_as_seeded

API_MAX_CUSTOMERS = 200      # per POST /_simulator/seed; `seed()` itself takes any number
API_MAX_SUBSCRIPTIONS = 10   # per customer, per POST /_simulator/seed
DEMO_CUSTOMERS = 10          # what `pcsim serve --demo` loads
DEMO_AGE = timedelta(days=1)  # --demo purchases are made this long before the clock's start
SEED_APP = name_guid("pcsim-seed")  # the application id the seeded carts name as their last modifier
SEAT_CAP = SANDBOX_SEATS  # quantities stay within the sandbox's 25 licenses per subscription
CORE = (NCE, AZURE_PLAN, RESERVATION, SOFTWARE_PERPETUAL, SAAS)  # the first five purchases, in this order
EXTRA = (NCE, SAAS, NCE, SOFTWARE_SUBSCRIPTION, RESERVATION)     # the sixth onwards, in turn
# With the sandbox limits on: what each customer buys without a count (in turn), how many of its 5
# subscriptions that leaves free, the Azure plans a seed leaves the partner, and what a customer buys
# in place of an Azure plan and its reservation once the seed may take no more plans.
LIMITED = ((NCE, AZURE_PLAN, RESERVATION), (NCE, SOFTWARE_PERPETUAL, SAAS))
SUBSCRIPTIONS_LEFT = SANDBOX_SUBSCRIPTIONS - len(LIMITED[0])
PLANS_LEFT = SANDBOX_PLANS_PER_PARTNER // 2
NO_PLAN = (SOFTWARE_SUBSCRIPTION, SAAS, NCE, SOFTWARE_PERPETUAL)

# Markets a made-up customer lives in (weights out of 100), the faker locale for its people and
# addresses, and the billing culture it sends.
MARKETS = (("US", 50, "en_US", "en-US"), ("GB", 10, "en_GB", "en-GB"), ("DE", 8, "de_DE", "de-DE"),
           ("CA", 6, "en_CA", "en-CA"), ("AU", 6, "en_AU", "en-AU"), ("FR", 6, "fr_FR", "fr-FR"),
           ("NL", 5, "nl_NL", "nl-NL"), ("ES", 4, "es_ES", "es-ES"), ("IT", 3, "it_IT", "it-IT"),
           ("IE", 2, "en_IE", "en-IE"))


class SeedIn(wire.WireModel):
    customers: int = Field(DEMO_CUSTOMERS, ge=1, le=API_MAX_CUSTOMERS, strict=True)
    tenant: str | None = Field(None, min_length=1, max_length=256,
                               description="the partner, by name or GUID (default: the default partner)")
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


def customer_in(people: People, rng: random.Random, taken: int) -> CustomerIn:
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
    return CustomerIn.model_validate({
        "companyProfile": {"domain": domain, "companyName": company},
        "billingProfile": {"email": email, "culture": culture, "language": culture[:2], "companyName": company,
                           "firstName": first, "lastName": last, "defaultAddress": address}})


def new_customer(ctx: Context, caller: Caller, people: People, rng: random.Random) -> Customer:
    for attempt in range(100):
        try:
            return create_customer(ctx, caller, customer_in(people, rng, attempt), None)
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


def basket(count: int | None, rng: random.Random, *, limited: bool = False, turn: int = 0,
           plan: bool = True) -> list[str]:
    """The kinds a customer buys: the five core kinds, then the extras in turn. Without a count, the
    five core kinds and up to three extras, or with the sandbox limits on, the `turn`th basket of
    LIMITED in turn. Without `plan`, other kinds stand in for the Azure plan and its reservation."""
    if count is None and limited:
        kinds = list(LIMITED[turn % len(LIMITED)])
    else:
        count = count if count is not None else len(CORE) + rng.randint(0, 3)
        kinds = [CORE[i] if i < len(CORE) else EXTRA[(i - len(CORE)) % len(EXTRA)] for i in range(count)]
    if not plan:
        spare = itertools.cycle(NO_PLAN)
        kinds = [next(spare) if kind in (AZURE_PLAN, RESERVATION) else kind for kind in kinds]
    return kinds


def line(av: Availability, rng: random.Random, **extra: Any) -> dict[str, Any]:
    """A cart line for the availability: one of its terms, a quantity within the SKU's bounds."""
    terms = av.terms()
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


def checkout(ctx: Context, caller: Caller, customer_id: str, lines: list[dict[str, Any]]) -> list[Order]:
    """A cart with the lines, checked out: the orders placed (seed data never breaks a rule, so an
    order error is a bug and fails the seed)."""
    body = CartIn.model_validate({"lineItems": [{"id": n, **ln} for n, ln in enumerate(lines)]})
    cart = create_cart(ctx, caller, customer_id, body)
    result = check_out(ctx, caller, customer_id, cart["id"])
    if result.checkout["order_errors"]:
        raise errors.InvalidRequestInput(f"seeding failed: {result.checkout['order_errors']}")
    return result.orders


def azure_subscription(ctx: Context, caller: Caller, customer_id: str, placed: list[Order]) -> str | None:
    """The Azure subscription (entitlement) the customer's new Azure plan came with, registered for
    reservation purchases (register-a-subscription.md) as a partner does before buying them."""
    for order in placed:
        for ln in order["lines"]:
            if ln["kind"] == AZURE_PLAN:
                sub = subscription_records.get(ctx, caller.tenant, customer_id, ln["subscription_id"])
                if sub is None:
                    return None
                register_as_seeded(ctx, caller.tenant, customer_id, sub["id"])
                return sub.get("entitlement_id")
    return None


def buy(ctx: Context, caller: Caller, customer: Customer, rng: random.Random,
        stock: dict[str, list[Availability]], kinds: list[str]) -> list[Order]:
    """The customer's purchases: one cart with everything but reservations, then one with the
    reservations, scoped to the Azure subscription of the plan bought in the first (the basket
    always has the plan before any reservation)."""
    first: list[dict[str, Any]] = []
    later: list[Availability] = []
    bought: set[str] = set()
    for kind in kinds:
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

def check_room(ctx: Context, tenant: str, count: int, per_customer: int | None) -> None:
    """With the sandbox limits on, a seed that can't fit is refused before anything is made."""
    most = SANDBOX_SUBSCRIPTIONS
    if per_customer is not None and per_customer > most:
        raise errors.InvalidRequestInput(
            f"subscriptionsPerCustomer is {per_customer}, but the integration sandbox allows {most} subscriptions "
            f"per customer (serve with --no-sandbox-limits to seed more)")
    have = customer_count(ctx, tenant)
    left = max(SANDBOX_CUSTOMER_LIMIT - have, 0)
    if count > left:
        raise errors.InvalidRequestInput(
            f"customers is {count}, but the integration sandbox allows {SANDBOX_CUSTOMER_LIMIT} customers "
            f"per partner and partner {tenant} has {have}: room for {left} more (serve with --no-sandbox-limits "
            f"to seed more)")


def room(ctx: Context, tenant: str, made: list[Customer]) -> dict[str, int]:
    """What the sandbox limits leave: customers and Azure plans for the partner, and subscriptions
    for the customers just made (the fewest any of them has left)."""
    most = SANDBOX_SUBSCRIPTIONS
    return {"customers": max(SANDBOX_CUSTOMER_LIMIT - customer_count(ctx, tenant), 0),
            "subscriptionsPerCustomer": min((max(most - owned_subscription_count(ctx, tenant, c), 0)
                                             for c in made), default=most),
            "azurePlans": max(SANDBOX_PLANS_PER_PARTNER - partner_azure_plans(ctx, tenant), 0)}


def seed(ctx: Context, tenant: str, count: int, per_customer: int | None = None) -> dict[str, Any]:
    """`count` made-up customers of the partner `tenant` (its id), each with its purchases: the totals
    made and, with the sandbox limits on, the room they leave (`room`). Purchases go through the
    rules under the settings served, so they keep to the limits when those are on."""
    limited = ctx.settings.sandbox_limits
    if limited:
        check_room(ctx, tenant, count, per_customer)
    rng = ctx.ids.fork()
    caller = Caller(tenant, SEED_APP, None)
    people = People(rng)
    stock: dict[str, dict[str, list[Availability]]] = {}  # per market
    made: dict[str, Any] = {"customers": 0, "orders": 0, "subscriptions": 0}
    plans = SANDBOX_PLANS_PER_PARTNER - partner_azure_plans(ctx, tenant) if limited else 0
    seeded: list[Customer] = []
    for turn in range(count):
        customer = new_customer(ctx, caller, people, rng)
        # Made-up customers come with the Customer Agreement confirmed, so that they can buy (13605).
        confirm_for_seed(ctx, tenant, dict(customer), name_guid(f"{tenant}:seed-admin"))
        country = customer_country(customer)
        if country not in stock:
            stock[country] = shelves(ctx.catalog, country)
        kinds = basket(per_customer, rng, limited=limited, turn=turn, plan=not limited or plans > PLANS_LEFT)
        placed = buy(ctx, caller, customer, rng, stock[country], kinds)
        plans -= sum(1 for order in placed for ln in order["lines"] if ln["kind"] == AZURE_PLAN)
        seeded.append(customer)
        made["customers"] += 1
        made["orders"] += len(placed)
        made["subscriptions"] += sum(len(order["lines"]) for order in placed)
    if limited:
        made["room"] = room(ctx, tenant, seeded)
    return made


def load_demo(ctx: Context, customers_count: int = DEMO_CUSTOMERS) -> dict[str, Any] | None:
    """`--demo`: demo customers for the default partner, bought a day before the clock's start so
    they show at once; nothing when the partner already has customers (a kept --state store)."""
    tenant = ctx.settings.default_tenant
    if customer_count(ctx, tenant):
        return None
    earlier = ManualClock(ctx.clock.now() - DEMO_AGE, wall=ctx.clock.wall)
    return dataclasses.replace(ctx, clock=earlier).run(seed, tenant, customers_count)


# --- endpoint -------------------------------------------------------------------------------

COUNT = {"type": "integer", "minimum": 0}
MADE = {"type": "object", "required": ["customers", "orders", "subscriptions"],
        "properties": {**{name: COUNT for name in ("customers", "orders", "subscriptions")},
                       "room": {"type": "object", "required": ["customers", "subscriptionsPerCustomer", "azurePlans"],
                                "properties": {name: COUNT for name in
                                               ("customers", "subscriptionsPerCustomer", "azurePlans")}}}}


@wire.operation(summary="made-up customers with purchases across product kinds (deterministic per seed), within "
                        "the sandbox limits when they are on, and the room those leave",
                body=SeedIn, body_required=False, status=201, response=MADE)
async def seed_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_optional_body(request, SeedIn)
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else ctx.settings.default_tenant
    made = ctx.run(seed, tenant, body.customers, body.subscriptions_per_customer)
    return wire.respond(made, 201)


routes = [Route("/_simulator/seed", seed_endpoint, methods=["POST"])]


def base_url(ctx: Context) -> str:
    """Where a client on this machine reaches `pcsim serve` (a wildcard bind address on loopback)."""
    settings = ctx.settings
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if settings.tls else 'http'}://{host}:{settings.port}"


def describe(ctx: Context, made: dict[str, Any] | None, name: str | None = None) -> str:
    """What `pcsim serve --demo` prints: whose demo it is (the partner's name, as --default-tenant
    gave it, and its GUID), what was made and the room left, and a line to paste for a token."""
    partner = ctx.settings.default_tenant
    name = (name or partner).strip().lower()
    who = f"partner {name} (GUID {partner})" if name != partner else f"partner {partner}"
    if made is None:
        said = f"pcsim: --demo: {who} already has customers; no demo data added"
    else:
        said = (f"pcsim: --demo: {made['customers']} customers, {made['orders']} orders and {made['subscriptions']} "
                f"subscriptions for {who}")
        left = made.get("room")
        said += ("; sandbox limits on, room left: {customers} customers, {subscriptionsPerCustomer} subscriptions "
                 "per demo customer, {azurePlans} Azure plans".format(**left) if left else "; no sandbox limits")
    base = base_url(ctx)
    curl = "curl -s"
    if ctx.settings.tls:
        curl += f" --cacert {shlex.quote(str(ctx.settings.tls_folder() / 'ca.pem'))}"
    form = "-d grant_type=client_credentials -d client_id=pcsim-demo -d client_secret=demo " \
           "-d resource=https://api.partnercenter.microsoft.com"
    token_url = shlex.quote(f"{base}/{name}/oauth2/token")
    extract = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
    said += (f"\npcsim: --demo: a token for it: TOKEN=$({curl} {form} {token_url} | {extract})"
             f"\npcsim: --demo: its customers: {curl} -H \"Authorization: Bearer $TOKEN\" "
             f"{shlex.quote(base + '/v1/customers')}")
    if not ctx.settings.strict_auth:
        said += "  (any bearer token pcsim did not issue speaks for it too)"
    return said
