"""Customers (U1-U4): create, get, list with `size`/`filter`, and the sandbox delete.

Sources: create-a-customer.md (required fields, country rules, idempotent on MS-RequestId),
get-a-list-of-customers.md / get-a-customer-by-name.md (filter), get-a-customer-by-id.md,
delete-a-customer-account-from-the-integration-sandbox.md.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping
from urllib.parse import quote

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import simulator.orders.records
import simulator.usage.records
from simulator import auth, errors, wire
from simulator.carts import records as cart_records
from simulator.context import Caller, Context
from simulator.customers import records
from simulator.customers.records import Customer, get_customer
from simulator.subscriptions import records as subscription_records
from simulator.subscriptions.kinds import OrderStatus
from simulator.wire import query, tokens

SANDBOX_CUSTOMER_LIMIT = 75
# create-a-customer.md: these countries need a registration number and a phone number.
REGISTRATION_COUNTRIES = {"AM", "AZ", "BY", "HU", "IN", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"}
GUID = auth.GUID
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FILTER_FIELDS = {"companyname": "company_name", "domain": "domain", "indirectreseller": "associated_partner_id",
                 "indirectcloudsolutionprovider": "associated_partner_id"}


# --- request models -----------------------------------------------------------------------

class AddressIn(wire.WireModel):
    first_name: str | None = Field(None, max_length=50)
    last_name: str | None = Field(None, max_length=50)
    address_line1: str = Field(min_length=1, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    address_line3: str | None = Field(None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str | None = None
    postal_code: str | None = Field(None, max_length=20)
    country: str = Field(min_length=2, max_length=2)
    region: str | None = None
    phone_number: str | None = None


class CompanyProfileIn(wire.WireModel):
    domain: str
    company_name: str | None = None
    organization_registration_number: str | None = None


class BillingProfileIn(wire.WireModel):
    email: str
    culture: str
    language: str = Field(min_length=2, max_length=2)
    company_name: str = Field(min_length=1, max_length=256)
    first_name: str | None = Field(None, max_length=50)
    last_name: str | None = Field(None, max_length=50)
    default_address: AddressIn


class CustomerIn(wire.WireModel):
    # The example is the documented create-a-customer body; GET /openapi.json shows it.
    model_config = ConfigDict(**wire.WireModel.model_config, json_schema_extra={"example": {
        "companyProfile": {"domain": "contoso-example.onmicrosoft.com"},
        "billingProfile": {"culture": "EN-US", "email": "ada@contoso.example", "language": "En",
                           "companyName": "Contoso", "defaultAddress": {
                               "country": "US", "state": "WA", "city": "Redmond", "addressLine1": "One Microsoft Way",
                               "postalCode": "98052", "firstName": "Ada", "lastName": "Lovelace",
                               "phoneNumber": "4255550100"}}}})
    company_profile: CompanyProfileIn
    billing_profile: BillingProfileIn
    enable_gdap_by_default: bool | None = Field(None, alias="enableGDAPByDefault", strict=True)
    associated_partner_id: str | None = None


# --- rules --------------------------------------------------------------------------------

def validate_customer(ctx: Context, body: CustomerIn) -> None:
    address = body.billing_profile.default_address
    country = address.country.upper()
    if ctx.catalog.market(country) is None and country not in REGISTRATION_COUNTRIES:
        raise errors.InvalidRequestInput(f"billingProfile.defaultAddress.country '{address.country}' is not supported")
    if country == "US" and not (address.state or address.region):
        # US addresses are validated with their state and ZIP code (create-a-customer.md sends both).
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.state is required for US addresses")
    if not (address.first_name and address.last_name):
        # The billing address names its contact (create-a-customer.md: firstName, lastName).
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.firstName and lastName are required")
    if country == "US" and not address.postal_code:
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.postalCode is required for US addresses")
    if country == "US" and address.state and len(address.state) > 2:
        raise errors.InvalidRequestInput("billingProfile.defaultAddress.state must be a two-letter code")
    if not EMAIL.match(body.billing_profile.email):
        raise errors.InvalidRequestInput("billingProfile.email is not an email address")
    if not DOMAIN.match(body.company_profile.domain):
        raise errors.InvalidRequestInput("companyProfile.domain is not a domain name")
    number = body.company_profile.organization_registration_number
    if country in REGISTRATION_COUNTRIES:
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


def parse_filter(raw: str | None) -> tuple[str, str] | None:
    """`filter` is URL-encoded JSON {Field, Value, Operator: starts_with} (get-a-customer-by-name.md)."""
    if raw is None or raw == "":
        return None
    try:
        spec = {str(k).lower(): v for k, v in json.loads(raw).items()}
    except (ValueError, AttributeError):
        raise errors.InvalidRequestInput("filter must be a JSON object with Field, Value and Operator") from None
    field = FILTER_FIELDS.get(str(spec.get("field", "")).lower())
    if field is None:
        raise errors.InvalidRequestInput("filter Field must be one of CompanyName, Domain, IndirectReseller, "
                                         "IndirectCloudSolutionProvider")
    if str(spec.get("operator", "")).lower() != "starts_with":
        raise errors.InvalidRequestInput("filter Operator must be starts_with")
    if not isinstance(spec.get("value"), str):
        raise errors.InvalidRequestInput("filter Value must be a string")
    return field, spec["value"].lower()


def _field(customer: Mapping[str, Any], field: str) -> str:
    if field == "associated_partner_id":
        return customer.get("associated_partner_id") or ""
    if field == "company_name":
        return customer["company"]["company_name"] or customer["billing"]["company_name"]
    return customer["company"].get(field) or ""


def list_customers(ctx: Context, caller: Caller, wanted: tuple[str, str] | None) -> list[Customer]:
    customers = records.list_all(ctx, caller.tenant)
    if wanted:
        field, prefix = wanted
        customers = [c for c in customers if _field(c, field).lower().startswith(prefix)]
    return customers


def delete_customer(ctx: Context, caller: Caller, customer_id: str) -> None:
    """Sandbox only: every reserved-instance and software order must be cancelled first. Each owner
    drops what it holds for the customer."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    # Order records carry `blocks_customer_delete` (see orders/rules.py).
    if any(o.get("blocks_customer_delete") and o.get("status") != OrderStatus.CANCELLED
           for o in simulator.orders.records.list_for_customer(ctx, caller.tenant, customer["id"])):
        raise errors.CustomerHasActiveOrders(customer["id"])
    for owner in (cart_records, simulator.orders.records, subscription_records, simulator.usage.records, records):
        owner.drop_customer(ctx, caller.tenant, customer["id"])


# --- wire ---------------------------------------------------------------------------------

def _address(address: dict[str, Any], *, phone: bool = True) -> dict[str, Any]:
    out = {k: v for k, v in address.items() if v is not None}
    if phone:
        out.setdefault("phone_number", "")
    return {_camel(k): v for k, v in out.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def company_profile_wire(customer: Mapping[str, Any], *, full: bool, created: bool = False) -> dict[str, Any]:
    """The 201 of create-a-customer.md echoes only what was sent; reads fill the company name in."""
    company, cid = customer["company"], customer["id"]
    out: dict[str, Any] = {"tenantId": cid, "domain": company["domain"]}
    name = company["company_name"] if created else company["company_name"] or customer["billing"]["company_name"]
    if name:
        out["companyName"] = name
    if company.get("organization_registration_number"):
        out["organizationRegistrationNumber"] = company["organization_registration_number"]
    if full:
        address = dict(customer["billing"]["default_address"])
        address.pop("first_name", None), address.pop("last_name", None)
        # get-a-customer-by-id.md: the company profile's address names the state `region`.
        state = address.pop("state", None)
        address["region"] = address.get("region") or state
        out["address"] = _address(address)
        out["email"] = customer["billing"]["email"]
        out["links"] = {"self": wire.link(f"/customers/{cid}/profiles/company")}
    out["attributes"] = wire.attributes("CustomerCompanyProfile")
    return out


def billing_profile_wire(customer: Mapping[str, Any], *, created: bool = False) -> dict[str, Any]:
    billing, cid = customer["billing"], customer["id"]
    out: dict[str, Any] = {"id": customer["billing_id"]}
    for name in ("first_name", "last_name", "email", "culture", "language", "company_name"):
        if billing.get(name) is not None:
            out[_camel(name)] = billing[name]
    out["defaultAddress"] = _address(billing["default_address"])
    if not created:
        out["links"] = {"self": wire.link(f"/customers/{cid}/profiles/billing")}
    out["attributes"] = wire.attributes("CustomerBillingProfile", customer["etag"])
    return out


def customer_wire(customer: Mapping[str, Any], *, created: bool = False) -> dict[str, Any]:
    cid = customer["id"]
    out: dict[str, Any] = {"id": cid, "commerceId": customer["commerce_id"],
                           "companyProfile": company_profile_wire(customer, full=not created, created=created),
                           "billingProfile": billing_profile_wire(customer, created=created)}
    if customer.get("enable_gdap_by_default") is not None:
        out["enableGDAPByDefault"] = customer["enable_gdap_by_default"]
    if customer.get("associated_partner_id"):
        out["associatedPartnerId"] = customer["associated_partner_id"]
    # create-a-customer.md shows relationshipToPartner "none" in the 201 answer; reads say "reseller".
    out["relationshipToPartner"] = "none" if created else "reseller"
    if created:
        out["userCredentials"] = {"userName": customer["user_name"], "password": customer["password"]}
    else:
        out["allowDelegatedAccess"] = True
        out["customDomains"] = [customer["company"]["domain"]]
        out["links"] = {"self": wire.link(f"/customers/{cid}")}
    out["attributes"] = wire.attributes("Customer")
    return out


def customer_list_item(customer: Mapping[str, Any]) -> dict[str, Any]:
    cid = customer["id"]
    return {"id": cid, "companyProfile": company_profile_wire(customer, full=False),
            "relationshipToPartner": "reseller", "links": {"self": wire.link(f"/customers/{cid}")},
            "attributes": wire.attributes("Customer")}


# --- paging (size + seekOperation=Next + MS-ContinuationToken, as the SDK pages customers) --
# The token carries the next page's offset, bound to the list's filter (simulator/wire/tokens.py).

MAX_PAGE = 999_999_999


def token_scope(raw_filter: str | None) -> str:
    return f"customers?filter={raw_filter or ''}"


def page_start(scope: str, token: str | None) -> int:
    return 0 if not token else tokens.decode_int(scope, token)


def page(items: list[Any], size: int, start: int, scope: str) -> tuple[list[Any], str | None]:
    chunk = items[start:start + size] if size > 0 else items[start:]
    more = size > 0 and start + size < len(items)
    return chunk, tokens.encode(scope, start + size) if more else None


# --- endpoints ----------------------------------------------------------------------------

@wire.operation(body=CustomerIn, headers=["MS-RequestId"])
async def create_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, CustomerIn)
    customer = ctx.run(create_customer, caller, body, request.headers.get("ms-requestid"))
    return wire.respond(customer_wire(customer, created=True), 201)


async def get_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(customer_wire(get_customer(ctx, caller.tenant, request.path_params["customer_id"])))


@wire.operation(query=["size", "filter", "seekOperation"], headers=["MS-ContinuationToken"])
async def list_customers_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    size = query.integer(request, "size", default=0, high=MAX_PAGE)
    raw_filter = query.text(request, "filter")
    wanted = parse_filter(raw_filter)
    scope = token_scope(raw_filter)
    start = page_start(scope, query.continuation(request))
    if wanted is None and size > 0:  # a plain page: read only its customers, whatever the partner has
        chunk = records.list_page(ctx, caller.tenant, start, size)
        following = start + size < records.count(ctx, caller.tenant)
        more = tokens.encode(scope, start + size) if following else None
    else:
        chunk, more = page(list_customers(ctx, caller, wanted), size, start, scope)
    echoed = wire.query_string(size=size or None, filter=quote(raw_filter) if raw_filter else None)
    nxt = wire.link(f"/customers{echoed}&seekOperation=Next", headers=[
        {"key": "MS-ContinuationToken", "value": more}]) if more else None
    return wire.respond(wire.collection([customer_list_item(c) for c in chunk], f"/customers{echoed}", nxt))


async def delete_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    ctx.run(delete_customer, caller, request.path_params["customer_id"])
    return wire.empty(204)


routes = [
    Route("/v1/customers", list_customers_endpoint, methods=["GET"]),
    Route("/v1/customers", create_customer_endpoint, methods=["POST"]),
    Route("/v1/customers/{customer_id}", get_customer_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}", delete_customer_endpoint, methods=["DELETE"]),
]
