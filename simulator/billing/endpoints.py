"""Invoice endpoints (I1, I2, I7, I8): read the request, call `rules`, answer with `render`'s shapes
or `statement`'s PDF."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from simulator import auth, errors, wire
from simulator.billing import render, rules, statement
from simulator.wire import query

MAX_PAGE = 999_999_999


def page_params(request: Request) -> tuple[int | None, int]:
    """`size` (1 or more; absent: every invoice) and the zero-based `offset`."""
    if query.text(request, "filter") is not None:
        raise errors.InvoiceFilterNotSimulated()
    return (query.integer(request, "size", low=1, high=MAX_PAGE),
            query.integer(request, "offset", default=0, high=MAX_PAGE))


@wire.operation(query=["size", "offset"])
async def get_invoices_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    size, offset = page_params(request)
    found, more = ctx.run(rules.get_invoices, caller.tenant, size, offset)
    return wire.respond(render.invoices_page(found, size, offset, more))


@wire.operation(user_only=True)
async def get_invoice_by_id_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    record, notes, expires = ctx.run(rules.get_invoice_by_id, caller.tenant, request.path_params["invoice_id"])
    return wire.respond(render.invoice_wire(record, pdf_link=render.statement_link(record, expires), amendments=notes))


@wire.operation(user_only=True)
async def get_invoice_summaries_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    found = ctx.run(rules.get_invoice_summaries, caller.tenant)
    return wire.respond(render.invoice_summaries(found))


@wire.operation(query=["expiresAt"], content="application/pdf", user_only=True)
async def get_invoice_statement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    record = ctx.run(rules.get_invoice_statement, caller.tenant, request.path_params["invoice_id"],
                     query.text(request, "expiresAt"))
    return wire.respond_document(statement.invoice_statement(record), "application/pdf",
                                 f"Invoice_{record['id']}.pdf")


routes: list[BaseRoute] = [
    Route("/v1/invoices", get_invoices_endpoint, methods=["GET"]),
    Route("/v1/invoices/summaries", get_invoice_summaries_endpoint, methods=["GET"]),  # before {invoice_id}
    Route("/v1/invoices/{invoice_id}", get_invoice_by_id_endpoint, methods=["GET"]),
    Route("/v1/invoices/{invoice_id}/documents/statement", get_invoice_statement_endpoint, methods=["GET"]),
]
