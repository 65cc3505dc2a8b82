"""Customer endpoints (U1-U4): create, get, list with `size`/`filter` (paged as the SDK pages
customers: size + seekOperation=Next + MS-ContinuationToken) and the sandbox delete."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, wire
from simulator.customers import render, rules
from simulator.customers.models import CustomerIn
from simulator.customers.records import get_customer
from simulator.wire import query, tokens

MAX_PAGE = 999_999_999
FILTER_FIELDS = {"companyname": "company_name", "domain": "domain", "indirectreseller": "associated_partner_id",
                 "indirectcloudsolutionprovider": "associated_partner_id"}


def parse_filter(raw: str | None) -> tuple[str, str] | None:
    """`filter` is URL-encoded JSON {Field, Value, Operator: starts_with} (get-a-customer-by-name.md):
    the record field it names and the lower-case prefix."""
    if raw is None or raw == "":
        return None
    data = wire.load_json_text(raw, "filter")
    if not isinstance(data, dict):
        raise errors.InvalidRequestInput("filter must be a JSON object with Field, Value and Operator")
    spec = {str(k).lower(): v for k, v in data.items()}
    field = FILTER_FIELDS.get(str(spec.get("field", "")).lower())
    if field is None:
        raise errors.InvalidRequestInput("filter Field must be one of CompanyName, Domain, IndirectReseller, "
                                         "IndirectCloudSolutionProvider")
    if str(spec.get("operator", "")).lower() != "starts_with":
        raise errors.InvalidRequestInput("filter Operator must be starts_with")
    value = spec.get("value")
    if not isinstance(value, str):
        raise errors.InvalidRequestInput("filter Value must be a string")
    return field, value.lower()


def token_scope(raw_filter: str | None) -> str:
    """The continuation token carries the next page's offset, bound to the list's filter."""
    return f"customers?filter={raw_filter or ''}"


@wire.operation(body=CustomerIn, headers=["MS-RequestId"])
async def create_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, CustomerIn)
    customer = ctx.run(rules.create_customer, caller, body, request.headers.get("ms-requestid"))
    return wire.respond(render.customer_wire(customer, created=True), 201)


async def get_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.customer_wire(get_customer(ctx, caller.tenant, request.path_params["customer_id"])))


@wire.operation(query=["size", "filter", "seekOperation"], headers=["MS-ContinuationToken"])
async def list_customers_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    size = query.integer(request, "size", default=0, high=MAX_PAGE)
    raw_filter = query.text(request, "filter")
    wanted = parse_filter(raw_filter)
    scope = token_scope(raw_filter)
    token = query.continuation(request)
    start = tokens.decode_int(scope, token) if token else 0
    chunk, more = rules.customer_page(ctx, caller, wanted, size, start)
    echoed = wire.query_string(size=size or None, filter=quote(raw_filter) if raw_filter else None)
    return wire.respond(render.customer_list_wire(chunk, echoed, tokens.encode(scope, start + size) if more else None))


async def delete_customer_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    ctx.run(rules.delete_customer, caller, request.path_params["customer_id"])
    return wire.empty(204)


routes = [
    Route("/v1/customers", list_customers_endpoint, methods=["GET"]),
    Route("/v1/customers", create_customer_endpoint, methods=["POST"]),
    Route("/v1/customers/{customer_id}", get_customer_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}", delete_customer_endpoint, methods=["DELETE"]),
]
