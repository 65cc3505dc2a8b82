"""Azure spending endpoints (P1-P11): parse, run the rule, render.

App+User only (403 900329 for App-only tokens): P1, P4, P5, P6, P7, P8, P11, as their pages say;
P2, P3, P9 and P10 take both kinds of token.
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from simulator import auth, errors, wire
from simulator.catalog.data import AZURE_PLAN
from simulator.usage import render, rules
from simulator.usage.rules import GRANULARITIES, MAX_SIZE, UtilizationQuery, utilization_scope
from simulator.wire import query


class SpendingBudgetIn(wire.WireModel):
    """The SDK sends PascalCase (`{"Amount": 100, "Attributes": {"ObjectType": "SpendingBudget"}}`);
    a null or absent amount means no budget (customer-usage-resources.md)."""
    amount: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"), allow_inf_nan=False)


@wire.operation(user_only=True)
async def customer_usage_summary_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    usage, period = rules.get_customer_usage_summary(ctx, caller, request.path_params["customer_id"])
    return wire.respond(render.customer_usage_summary_wire(usage, period))


async def usage_budget_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    customer, amount = rules.get_usage_budget(ctx, caller, request.path_params["customer_id"])
    return wire.respond(render.spending_budget_wire(customer["id"], amount))


@wire.operation(body=SpendingBudgetIn)
async def update_usage_budget_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, SpendingBudgetIn)
    customer, amount = ctx.run(rules.update_usage_budget, caller, request.path_params["customer_id"],
                                body.amount)
    return wire.respond(render.spending_budget_wire(customer["id"], amount))


@wire.operation(user_only=True)
async def subscription_usage_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    found = rules.get_subscription_usage_records(ctx, caller, cid)
    return wire.respond(wire.collection([render.subscription_monthly_usage_record_wire(s, spend) for s, spend in found],
                                        f"/customers/{cid}/subscriptions/usagerecords"))


@wire.operation(user_only=True)
async def customers_usage_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    found = rules.get_customers_usage_records(ctx, caller)
    return wire.respond(wire.collection([render.customer_monthly_usage_record_wire(u) for u in found],
                                        "/customers/usagerecords"))


@wire.operation(user_only=True)
async def subscription_usage_summary_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    sub, spend, period = rules.get_subscription_usage_summary(ctx, caller, *wire.subscription_ids(request))
    return wire.respond(render.subscription_usage_summary_wire(sub, spend, period))


@wire.operation(user_only=True)
async def meter_usage_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    sub, spend, groups = rules.get_meter_usage_records(ctx, caller, *wire.subscription_ids(request))
    return wire.respond(wire.collection([render.meter_usage_record_wire(sub, spend, g) for g in groups],
                                        f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}/meterusagerecords"))


@wire.operation(user_only=True)
async def resource_usage_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    sub, spend, groups = rules.get_resource_usage_records(ctx, caller, *wire.subscription_ids(request))
    return wire.respond(wire.collection([render.resource_usage_record_wire(sub, spend, g) for g in groups],
                                        f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}"
                                        f"/resourceusagerecords"))


async def monthly_usage_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    sub, spend, groups = rules.get_meter_usage_records(
        ctx, caller, *wire.subscription_ids(request), (AZURE_PLAN, errors.MonthlyUsageRecordsOnlyForLegacyAzure))
    return wire.respond(wire.collection([render.azure_resource_monthly_usage_record_wire(spend, g) for g in groups],
                                        f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}"
                                        f"/usagerecords/resources"))


@wire.operation(query=["start_time", "end_time", "granularity", "show_details", "size", "seek_operation"],
                headers=["MS-ContinuationToken"], statuses=[204])
async def utilization_records_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    page = rules.get_utilization_records(ctx, caller, *wire.subscription_ids(request), utilization_query(request))
    if page.retry_after is not None:
        return wire.empty(204, {"Retry-After": str(page.retry_after)})
    return wire.respond(render.utilization_page_wire(page))


def utilization_query(request: Request) -> UtilizationQuery:
    """The query's window and options, or those a continuation token carries (`seek_operation=Next`)."""
    token = query.continuation(request, "seek_operation")
    if token is not None:
        return UtilizationQuery.from_token(utilization_scope(*wire.subscription_ids(request)), token)
    start, end = (query.date_time(request, name) for name in ("start_time", "end_time"))
    found = UtilizationQuery(start, end, query.choice(request, "granularity", GRANULARITIES, "daily"),
                             query.boolean(request, "show_details", True),
                             query.integer(request, "size", default=MAX_SIZE, low=1, high=MAX_SIZE))
    found.check()
    return found


@wire.operation(user_only=True)
async def partner_usage_summary_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.partner_usage_summary_wire(rules.get_partner_usage_summary(ctx, caller)))


C, S = "/v1/customers/{customer_id}", "/v1/customers/{customer_id}/subscriptions/{subscription_id}"
# The literal `customers/usagerecords` and `subscriptions/usagerecords` stand where an id could (U2, S4):
# these routes are mounted ahead of the customer and subscription routes (simulator/app.py).
routes: list[BaseRoute] = [
    Route("/v1/customers/usagerecords", customers_usage_records_endpoint, methods=["GET"]),
    Route("/v1/usagesummary", partner_usage_summary_endpoint, methods=["GET"]),
    Route(C + "/usagesummary", customer_usage_summary_endpoint, methods=["GET"]),
    Route(C + "/usagebudget", usage_budget_endpoint, methods=["GET"]),
    Route(C + "/usagebudget", update_usage_budget_endpoint, methods=["PATCH"]),
    Route(C + "/subscriptions/usagerecords", subscription_usage_records_endpoint, methods=["GET"]),
    Route(S + "/usagesummary", subscription_usage_summary_endpoint, methods=["GET"]),
    Route(S + "/meterusagerecords", meter_usage_records_endpoint, methods=["GET"]),
    Route(S + "/resourceusagerecords", resource_usage_records_endpoint, methods=["GET"]),
    Route(S + "/usagerecords/resources", monthly_usage_records_endpoint, methods=["GET"]),
    Route(S + "/utilizations/azure", utilization_records_endpoint, methods=["GET"]),
]
