"""Customer rules (U1-U4): create (required fields, country rules, idempotent on MS-RequestId), read,
list with a `starts_with` filter and the sandbox delete.

Sources: create-a-customer.md, get-a-list-of-customers.md / get-a-customer-by-name.md (filter),
get-a-customer-by-id.md, delete-a-customer-account-from-the-integration-sandbox.md.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simulator import errors, wire
from simulator.agreements import records as agreement_records
from simulator.carts import records as cart_records
from simulator.context import Caller, Context
from simulator.customers import records
from simulator.customers.models import CustomerIn
from simulator.customers.records import Customer, get_customer
from simulator.orders import records as order_records
from simulator.subscriptions import records as subscription_records
from simulator.subscriptions.kinds import OrderStatus
from simulator.usage import records as usage_records
from simulator.users import records as user_records
from simulator.validation import countries
from simulator.validation import records as validation_records
from simulator.validation.domains import reserved_domain
from simulator.webhooks import events as webhook_events
from simulator.webhooks import records as webhook_records

SANDBOX_CUSTOMER_LIMIT = 75
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_customer(ctx: Context, body: CustomerIn) -> None:
    """The address rules come from the country table address validation uses (validation/countries.py)."""
    address = body.billing_profile.default_address
    country = address.country.upper()
    rules = countries.rules_for(ctx.catalog, country)
    if rules is None:
        raise errors.InvalidRequestInput(f"billingProfile.defaultAddress.country '{address.country}' is not supported")
    # US addresses are validated with their state and ZIP code (create-a-customer.md sends both).
    strict = rules.iso2 == "US"
    if strict and not (address.state or address.region):
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.state is required for US addresses")
    if not (address.first_name and address.last_name):
        # The billing address names its contact (create-a-customer.md: firstName, lastName).
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.firstName and lastName are required")
    if strict and not address.postal_code:
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.postalCode is required for US addresses")
    # Creation takes any two-letter code (military and territory codes too); address validation (D2)
    # checks it against the country's list.
    if strict and address.state and len(address.state) > 2:
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.state must be a two-letter code")
    if strict and address.postal_code and not rules.postal_ok(address.postal_code):
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.postalCode is not a US ZIP code")
    if not EMAIL.match(body.billing_profile.email):
        raise errors.InvalidRequestInput("billingProfile.email is not an email address")
    if not DOMAIN.match(body.company_profile.domain):
        raise errors.InvalidRequestInput("companyProfile.domain is not a domain name")
    if reserved_domain(body.company_profile.domain):
        raise errors.DomainTaken(body.company_profile.domain.lower())
    number = body.company_profile.organization_registration_number
    if country in countries.REGISTRATION_COUNTRIES:
        if not number:
            raise errors.RegistrationNumberMissing(country)
        if not re.fullmatch(r"[A-Za-z0-9-]{4,20}", number):
            raise errors.RegistrationNumberInvalid()
        if not address.phone_number:
            raise errors.PhoneNumberMissing(country)
    elif number:
        raise errors.RegistrationNumberNotAccepted(country)


def create_customer(ctx: Context, caller: Caller, body: CustomerIn, request_id: str | None) -> Customer:
    """Idempotent on MS-RequestId: the same request id returns the customer it created."""
    if request_id:
        seen = records.created_by_request(ctx, caller.tenant, request_id)
        if seen is not None:
            return get_customer(ctx, caller.tenant, seen)
    validate_customer(ctx, body)
    address = body.billing_profile.default_address
    if not address.state and address.region:
        address.state = address.region  # `region` stands for the state where one is sent instead
    if ctx.settings.sandbox_limits and records.count(ctx, caller.tenant) >= SANDBOX_CUSTOMER_LIMIT:
        raise errors.SandboxCustomerLimit(SANDBOX_CUSTOMER_LIMIT)
    domain = body.company_profile.domain.lower()
    if records.domain_taken(ctx, domain):
        raise errors.DomainTaken(domain)
    customer = new_customer(ctx, caller, body)
    if request_id:
        customer["request_id"] = request_id
    records.save(ctx, caller.tenant, customer)
    # The reseller relationship holds from creation on in the simulation: the moment a customer "accepts" it.
    webhook_events.raise_event(ctx, caller.tenant, webhook_events.RESELLER_ACCEPTED, f"/v1/customers/{customer['id']}",
                               ctx.clock.now(), resource_name="Customer")
    return customer


def new_customer(ctx: Context, caller: Caller, body: CustomerIn) -> Customer:
    billing = body.billing_profile.model_dump()
    billing["default_address"]["country"] = billing["default_address"]["country"].upper()
    billing["culture"] = _culture(billing["culture"])
    company = body.company_profile.model_dump()
    return {
        "id": ctx.ids.guid(), "commerce_id": ctx.ids.guid(), "billing_id": ctx.ids.guid(),
        "etag": ctx.ids.digits(19), "company": company, "billing": billing,
        "enable_gdap_by_default": body.enable_gdap_by_default,
        "associated_partner_id": body.associated_partner_id,
        "user_name": "admin", "password": ctx.ids.password(),
        "created": wire.iso(ctx.clock.now()),
    }


def _culture(culture: str) -> str:
    head, _, tail = culture.partition("-")
    return f"{head.lower()}-{tail.upper()}" if tail else head.lower()


def customer_count(ctx: Context, tenant: str) -> int:
    """How many customers the partner has (the sandbox allows SANDBOX_CUSTOMER_LIMIT)."""
    return records.count(ctx, tenant)


def _field(customer: Mapping[str, Any], field: str) -> str:
    value: str | None
    if field == "associated_partner_id":
        value = customer.get("associated_partner_id")
    elif field == "company_name":
        value = customer["company"]["company_name"] or customer["billing"]["company_name"]
    else:
        value = customer["company"].get(field)
    return value or ""


def list_customers(ctx: Context, caller: Caller, wanted: tuple[str, str] | None) -> list[Customer]:
    """The partner's customers; with `wanted` (a record field and a lower-case prefix) those whose
    field starts with the prefix, in any case."""
    customers = records.list_all(ctx, caller.tenant)
    if wanted:
        field, prefix = wanted
        customers = [c for c in customers if _field(c, field).lower().startswith(prefix)]
    return customers


def customer_page(ctx: Context, caller: Caller, wanted: tuple[str, str] | None, size: int,
                  start: int) -> tuple[list[Customer], bool]:
    """`size` customers (all when 0) from `start`, and whether more follow. A plain page reads only
    its own customers, however many the partner has."""
    if wanted is None and size > 0:
        chunk = records.list_page(ctx, caller.tenant, start, size)
        return chunk, start + size < records.count(ctx, caller.tenant)
    customers = list_customers(ctx, caller, wanted)
    chunk = customers[start:start + size] if size > 0 else customers[start:]
    return chunk, size > 0 and start + size < len(customers)


def delete_customer(ctx: Context, caller: Caller, customer_id: str) -> None:
    """Sandbox only: every reserved-instance and software order must be cancelled first. Each owner
    drops what it holds for the customer."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    # Order records carry `blocks_customer_delete` (see orders/rules.py).
    if any(o.get("blocks_customer_delete") and o.get("status") != OrderStatus.CANCELLED
           for o in order_records.list_for_customer(ctx, caller.tenant, customer["id"])):
        raise errors.CustomerHasActiveOrders(customer["id"])
    for owner in (cart_records, order_records, subscription_records, usage_records, user_records, agreement_records,
                  validation_records, webhook_records, records):
        owner.drop_customer(ctx, caller.tenant, customer["id"])
