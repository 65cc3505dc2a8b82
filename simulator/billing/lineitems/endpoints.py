"""Endpoints of I3-I6 and the links of their pages.

Links repeat the caller's query as the examples do (`provider=OneTime&invoicelineitemtype=...&size=2`).
OneTime pages link `next` with `seekOperation=Next` and the token as an `MS-ContinuationToken` header
(and, on the older path form I4, also as the top-level `continuationToken`); legacy pages link the next
`offset`. The last page has no `next`.
"""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.billing.lineitems import render, rules
from simulator.billing.lineitems.query import Query, currency_code, read_query
from simulator.wire import query

ECHOED = ("provider", "invoicelineitemtype", "currencycode", "period")
LINE_ITEM_QUERY = ["provider!", "invoicelineitemtype!", "currencycode", "period", "size", "offset", "seekOperation",
                   "hasPartnerEarnedCredit"]


def query_of(request: Request, provider: str | None, line_type: str | None, *, unbilled: bool = False) -> Query:
    return read_query(request, provider, line_type, unbilled=unbilled)


def echo(request: Request) -> list[tuple[str, str]]:
    return [(name, value) for name in ECHOED if (value := query.text(request, name)) is not None]


@wire.operation(query=LINE_ITEM_QUERY, headers=[render.TOKEN])
async def get_invoice_line_items_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    asked = query_of(request, query.text(request, "provider"), query.text(request, "invoicelineitemtype"))
    invoice_id = request.path_params["invoice_id"]
    page = ctx.run(rules.get_invoice_line_items, caller.tenant, invoice_id, asked)
    return wire.respond(render.page_body(ctx, page, asked, f"/invoices/{quote(invoice_id, safe='')}/lineitems",
                                         echo(request)))


@wire.operation(query=["size", "offset", "seekOperation"], headers=[render.TOKEN])
async def get_invoice_line_items_by_path_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    params = request.path_params
    asked = query_of(request, params["billing_provider"], params["invoice_line_item_type"])
    page = ctx.run(rules.get_invoice_line_items, caller.tenant, params["invoice_id"], asked, path_form=True)
    invoice, provider, line_type = (quote(params[name], safe="") for name in (
        "invoice_id", "billing_provider", "invoice_line_item_type"))
    return wire.respond(render.page_body(ctx, page, asked, f"/invoices/{invoice}/lineitems/{provider}/{line_type}",
                                         [], top_token=True))


@wire.operation(query=["provider!", "invoicelineitemtype!", "currencycode!", "period!", "size", "seekOperation",
                       "hasPartnerEarnedCredit"], headers=[render.TOKEN])
async def get_unbilled_line_items_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    asked = query_of(request, query.text(request, "provider"), query.text(request, "invoicelineitemtype"),
                     unbilled=True)
    page = ctx.run(rules.get_unbilled_line_items, caller.tenant, asked)
    return wire.respond(render.page_body(ctx, page, asked, "/invoices/unbilled/lineitems", echo(request)))


@wire.operation(query=["currencycode!"])
async def get_invoice_estimate_links_endpoint(request: Request) -> Response:
    auth.begin(request)
    currency = currency_code(query.required(request, "currencycode"))
    return wire.respond(wire.collection(render.estimate_links(currency)))


routes = [
    Route("/v1/invoices/estimates/links", get_invoice_estimate_links_endpoint, methods=["GET"]),
    Route("/v1/invoices/unbilled/lineitems", get_unbilled_line_items_endpoint, methods=["GET"]),
    Route("/v1/invoices/{invoice_id}/lineitems", get_invoice_line_items_endpoint, methods=["GET"]),
    Route("/v1/invoices/{invoice_id}/lineitems/{billing_provider}/{invoice_line_item_type}",
          get_invoice_line_items_by_path_endpoint, methods=["GET"]),
]
