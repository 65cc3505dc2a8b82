"""Azure subscriptions under an Azure plan, made the way the Azure side makes them.

Partner Center creates one Azure subscription (an AzureEntitlement) with a plan; more are created in
Azure, which pcsim does not simulate. This control route stands in for that, so that the entitlement
list (A1, A2), the plan's suspend rule with active and inactive ones (S5, 900115) and usage (each Azure
subscription accrues its own) can be exercised. The integration sandbox allows 3 active Azure
subscriptions per plan (create-azure-plan.md); a fourth is 400 900116 while the sandbox limits are on.
"""
from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import ids, wire
from simulator.context import Context
from simulator.subscriptions import render, rules_azure


class AzureSubscriptionIn(wire.WireModel):
    tenant: str | None = Field(None, min_length=1, max_length=256,
                               description="the partner (name or GUID); the default tenant when left out")
    friendly_name: str | None = Field(None, min_length=1, max_length=64)


ENTITLEMENT = {"type": "object", "required": ["id", "friendlyName", "status", "subscriptionId", "links"],
               "properties": {"id": {"type": "string"}, "friendlyName": {"type": "string"},
                              "status": {"type": "string", "enum": ["active", "inactive"]},
                              "subscriptionId": {"type": "string"}, "links": {"type": "object"}}}


@wire.operation(summary="create an Azure subscription (AzureEntitlement) under a customer's active Azure plan, as "
                        "the Azure side would (the sandbox allows 3 active ones per plan)",
                body=AzureSubscriptionIn, body_required=False, status=201, response=ENTITLEMENT,
                errors=[400, 401, 404])
async def create_azure_subscription_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_optional_body(request, AzureSubscriptionIn)
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else ctx.settings.default_tenant
    plan, entitlement = ctx.run(rules_azure.create_entitlement, tenant, request.path_params["customer_id"],
                                request.path_params["subscription_id"], body.friendly_name)
    return wire.respond(render.entitlement_wire(plan, entitlement, ctx.clock.now()), 201)


routes = [Route("/_simulator/customers/{customer_id}/subscriptions/{subscription_id}/azureentitlements",
                create_azure_subscription_endpoint, methods=["POST"])]
