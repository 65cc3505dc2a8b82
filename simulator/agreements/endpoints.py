"""Agreement endpoints (G1-G5), the template document a G4 link leads to, and the control route that
records a customer's own acceptance of the Customer Agreement (what G5 reads)."""
from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, ids, wire
from simulator.agreements import document, render, rules
from simulator.agreements.models import AgreementIn
from simulator.context import Context
from simulator.wire import query

DIRECT = "/v1/customers/{customer_id}/directsignedmicrosoftcustomeragreementstatus"


@wire.operation(query=["agreementType"], user_only=True)
async def agreement_metadata_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    types = rules.agreement_types(query.text(request, "agreementType"))
    return wire.respond(render.metadata_wire(rules.metadata(types)))


@wire.operation(query=["agreementType"], user_only=True)
async def list_agreements_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    types = rules.agreement_types(query.text(request, "agreementType"))
    found = rules.list_confirmations(ctx, caller.tenant, request.path_params["customer_id"], types)
    return wire.respond(render.confirmations_wire(found))


@wire.operation(body=AgreementIn, user_only=True)
async def create_agreement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, AgreementIn)
    made = ctx.run(rules.confirm, caller, request.path_params["customer_id"], body)
    return wire.respond(render.created_wire(made), 201)


@wire.operation(query=["language", "country"], user_only=True)
async def template_document_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    link = ctx.run(rules.document_link, caller.tenant, request.path_params["template_id"],
                   query.text(request, "language"), query.text(request, "country"))
    base = str(request.base_url).rstrip("/")
    return wire.respond(render.document_wire(link, base, caller.tenant))


@wire.operation(user_only=True)
async def direct_signed_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.direct_signed_wire(
        rules.direct_signed(ctx, caller.tenant, request.path_params["customer_id"])))


@wire.operation(query=["view"], summary="the template document a G4 link leads to (valid 5 minutes of simulated "
                "time): a Word file, or its HTML preview with view=html", status=200, errors=[404],
                content=document.WORD)
async def agreement_document_endpoint(request: Request) -> Response:
    """Like the service's storage links, it needs no token: the link is the secret."""
    ctx: Context = request.app.state.ctx
    pp = request.path_params
    link = rules.fetch_document(ctx, ids.partner_id(pp["tenant"]), pp["document_id"], ctx.clock.now())
    if (query.text(request, "view") or "").lower() == "html":
        return Response(document.html_preview(link["language"], link["country"]), media_type="text/html")
    return wire.respond_document(document.word_document(link["language"], link["country"]), document.WORD,
                                 f"MicrosoftCustomerAgreement_{link['language']}_{link['country']}.docx")


class DirectAcceptanceIn(wire.WireModel):
    is_signed: bool = Field(strict=True)
    tenant: str | None = Field(None, min_length=1, max_length=256,
                               description="the partner, by name or GUID (default: the default partner)")


@wire.operation(summary="record whether the customer accepted the Microsoft Customer Agreement itself (G5 "
                "isSigned; an acceptance lets it buy without a partner's confirmation)", body=DirectAcceptanceIn,
                errors=[400, 401, 404], response={"type": "object", "required": ["isSigned"],
                                                  "properties": {"isSigned": {"type": "boolean"}}})
async def set_direct_signed_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, DirectAcceptanceIn)
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else ctx.settings.default_tenant
    signed = ctx.run(rules.set_direct_signed, tenant, request.path_params["customer_id"], body.is_signed)
    return wire.respond(render.direct_signed_wire(signed))


routes = [
    Route("/v1/agreements", agreement_metadata_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/agreements", list_agreements_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/agreements", create_agreement_endpoint, methods=["POST"]),
    Route("/v1/agreementtemplates/{template_id}/document", template_document_endpoint, methods=["GET"]),
    Route(DIRECT, direct_signed_endpoint, methods=["GET"]),
    Route("/agreementdocuments/{tenant}/{document_id}", agreement_document_endpoint, methods=["GET"]),
    Route("/_simulator/customers/{customer_id}/agreement", set_direct_signed_endpoint, methods=["PUT"]),
]
