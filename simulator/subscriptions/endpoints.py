"""Subscription endpoints (api.md 1.5-1.7): each parses the request (wire.query, the rules' wire
models), calls the rule and renders. One `routes` list for the area, in the order they are tried:
the literal-segment routes under /subscriptions (customTermEndDates, overage) before the id routes."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from simulator import auth, wire
from simulator.customers.records import country_of
from simulator.subscriptions import (
    render,
    rules,
    rules_azure,
    rules_newcommerce,
    rules_overage,
    rules_productupgrades,
    rules_transitions,
    rules_upgrades,
)
from simulator.wire import query

# --- subscriptions (S1-S9, S12, S13) --------------------------------------------------------


@wire.operation(query=["order_id", "mpn_id"])
async def list_subscriptions_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    order_id, mpn_id = query.text(request, "order_id"), query.text(request, "mpn_id")
    subs = rules.list_subscriptions(ctx, caller.tenant, cid, order_id=order_id, mpn_id=mpn_id)
    country = country_of(ctx, caller.tenant, cid)
    query_string = wire.query_string(order_id=order_id, mpn_id=mpn_id)
    return wire.respond(wire.collection([render.subscription_wire(ctx, s, country) for s in subs],
                                        f"/customers/{cid}/subscriptions{query_string}"))


async def get_subscription_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    sub = rules.load(ctx, caller.tenant, cid, sid)
    return wire.respond(render.subscription_wire(ctx, sub, country_of(ctx, caller.tenant, cid)))


@wire.operation(body=rules.SubscriptionPatchIn, headers=["If-Match"], statuses=[202])
async def update_subscription_endpoint(request: Request) -> Response:
    """200 with the subscription; with --slow-patch the documented 202 + Location answer."""
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    body = await wire.parse_body(request, rules.SubscriptionPatchIn)
    sub = ctx.run(rules.update_subscription, caller, cid, sid, body, request.headers.get("if-match"))
    answer = render.subscription_wire(ctx, sub, country_of(ctx, caller.tenant, cid))
    if ctx.settings.slow_patch:
        return wire.respond(answer, 202, {"Location": f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}"})
    return wire.respond(answer)


async def list_addons_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    country = country_of(ctx, caller.tenant, cid)
    return wire.respond(wire.collection([render.subscription_wire(ctx, s, country)
                                         for s in rules.list_addons(ctx, caller.tenant, cid, sid)]))


@wire.operation(user_only=True)
async def provisioning_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    now = ctx.clock.now()
    sub = rules.load(ctx, caller.tenant, cid, sid, now)
    return wire.respond(render.provisioning_status_wire(sub, now))


async def activate_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    await wire.read_json(request, allow_empty=True)
    return wire.respond(render.activation_wire(ctx.run(rules.activate_subscription, caller, cid, sid)))


async def activation_links_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    return wire.respond(render.activation_links_wire(rules.load(ctx, caller.tenant, cid, sid)))


async def register_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    await wire.read_json(request, allow_empty=True)
    sub = ctx.run(rules.register_subscription, caller, cid, sid)
    location = f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}/registrationstatus"
    return wire.empty(202, {"Location": location})


async def registration_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    now = ctx.clock.now()
    sub = rules.load(ctx, caller.tenant, cid, sid, now)
    return wire.respond(render.registration_status_wire(sub, now))


# --- Azure entitlements (A1-A4) ----------------------------------------------------------------

async def list_entitlements_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    plan = rules_azure.load_plan(ctx, caller, pp["customer_id"], pp["subscription_id"])
    now = ctx.clock.now()
    return wire.respond(wire.collection([render.entitlement_wire(plan, e, now) for e in plan.get("entitlements", [])]))


async def get_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    plan = rules_azure.load_plan(ctx, caller, pp["customer_id"], pp["subscription_id"])
    entitlement = rules_azure.find_entitlement(plan, pp["entitlement_id"])
    return wire.respond(render.entitlement_wire(plan, entitlement, ctx.clock.now()))


@wire.operation(body=rules_azure.CancelEntitlementIn)
async def cancel_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    body = await wire.parse_body(request, rules_azure.CancelEntitlementIn)
    plan, entitlement = ctx.run(rules_azure.cancel_entitlement, caller, pp["customer_id"], pp["subscription_id"],
                                pp["entitlement_id"], body.cancellation_reason)
    return wire.respond(render.entitlement_wire(plan, entitlement, ctx.clock.now()))


async def reactivate_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    ctx.run(rules_azure.reactivate_entitlement, caller, pp["customer_id"], pp["subscription_id"],
            pp["entitlement_id"])
    return wire.empty(202)


# --- custom term end dates (N1) ----------------------------------------------------------------

@wire.operation(query=["term_duration!", "term_start_date", "target_coterm_subscription_id"])
async def custom_term_end_dates_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    term = query.text(request, "term_duration", "termduration")
    found = rules_newcommerce.custom_term_end_dates(
        ctx, caller.tenant, cid, term, query.text(request, "term_start_date", "termstartdate"),
        query.text(request, "target_coterm_subscription_id", "targetcotermsubscriptionid"))
    echoed = f"?{request.url.query}" if request.url.query else ""
    self_uri = f"/customers/{cid}/subscriptions/customTermEndDates{echoed}"
    return wire.respond(wire.collection([render.coterm_wire(d, subs) for d, subs in found], self_uri))


# --- overage (N5, N6) --------------------------------------------------------------------------

async def get_overage_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    found = rules_overage.get_overage(ctx, caller, request.path_params["customer_id"])
    return wire.respond(wire.collection([render.overage_wire(r) for r in found]))


@wire.operation(body=rules_overage.OverageIn)
async def update_overage_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_overage.OverageIn)
    record = ctx.run(rules_overage.update_overage, caller, request.path_params["customer_id"], body)
    return wire.respond(render.overage_wire(record))


# --- product upgrades (A5-A7) ------------------------------------------------------------------

@wire.operation(body=rules_productupgrades.ProductUpgradeIn, user_only=True)
async def eligibility_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_productupgrades.ProductUpgradeIn)
    return wire.respond(render.upgrade_eligibility_wire(ctx.run(rules_productupgrades.check_eligibility, caller,
                                                                body)))


@wire.operation(body=rules_productupgrades.ProductUpgradeIn, user_only=True)
async def create_upgrade_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_productupgrades.ProductUpgradeIn)
    upgrade = ctx.run(rules_productupgrades.create_upgrade, caller, body)
    return Response(b"", status_code=202, headers={"Location": f"productUpgrades/{upgrade['id']}"},
                    media_type=wire.JSON)


@wire.operation(body=rules_productupgrades.ProductUpgradeIn, user_only=True)
async def upgrade_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_productupgrades.ProductUpgradeIn)
    upgrade = ctx.run(rules_productupgrades.upgrade_status_of, caller, request.path_params["upgrade_id"], body)
    return wire.respond(render.upgrade_status_wire(upgrade, ctx.clock.now()))


# --- new commerce transitions (N2-N4) ----------------------------------------------------------

@wire.operation(query=["eligibilityType"])
async def transition_eligibilities_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    found = rules_transitions.transition_eligibilities(ctx, caller, cid, sid, query.text(request, "eligibilityType"))
    return wire.respond(wire.collection([render.transition_eligibility_wire(e) for e in found]))


@wire.operation(body=rules_transitions.TransitionIn)
async def post_transition_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    body = await wire.parse_body(request, rules_transitions.TransitionIn)
    record = ctx.run(rules_transitions.transition_subscription, caller, cid, sid, body)
    return wire.respond(render.transition_wire(record, ctx.clock.now()))


@wire.operation(query=["operationId"])
async def list_transitions_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    now = ctx.clock.now()
    found = rules_transitions.list_transitions(ctx, caller, cid, sid, query.text(request, "operationId"))
    return wire.respond({"transition": [render.transition_wire(t, now) for t in found],
                         "attributes": wire.attributes("Collection")})


# --- legacy upgrades and trial conversions (S10, S11, S14, S15) --------------------------------

async def list_upgrades_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    sub, country, targets = rules_upgrades.list_upgrades(ctx, caller, *wire.subscription_ids(request))
    return wire.respond(wire.collection(render.upgrades_wire(ctx, sub, country, caller.tenant, targets)))


@wire.operation(body=rules_upgrades.UpgradeIn)
async def upgrade_subscription_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_upgrades.UpgradeIn)
    result = ctx.run(rules_upgrades.upgrade_subscription, caller, *wire.subscription_ids(request), body)
    return wire.respond(render.upgrade_result_wire(result))


@wire.operation(user_only=True)
async def list_conversions_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(wire.collection(rules_upgrades.list_conversions(ctx, caller,
                                                                        *wire.subscription_ids(request))))


@wire.operation(body=rules_upgrades.ConversionIn, user_only=True)
async def convert_trial_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, rules_upgrades.ConversionIn)
    return wire.respond(ctx.run(rules_upgrades.convert_trial, caller, *wire.subscription_ids(request), body))


CUSTOMER_SUBS = "/v1/customers/{customer_id}/subscriptions"
SUB = CUSTOMER_SUBS + "/{subscription_id}"
ENTITLEMENT = SUB + "/azureentitlements"
routes: list[BaseRoute] = [
    # literal segments under /subscriptions first
    Route(CUSTOMER_SUBS + "/customtermenddates", custom_term_end_dates_endpoint, methods=["GET"]),
    Route(CUSTOMER_SUBS + "/overage", get_overage_endpoint, methods=["GET"]),
    Route(CUSTOMER_SUBS + "/overage", update_overage_endpoint, methods=["PUT"]),
    Route(SUB + "/transitioneligibilities", transition_eligibilities_endpoint, methods=["GET"]),
    Route(SUB + "/transitions", post_transition_endpoint, methods=["POST"]),
    Route(SUB + "/transitions", list_transitions_endpoint, methods=["GET"]),
    Route(CUSTOMER_SUBS, list_subscriptions_endpoint, methods=["GET"]),
    Route(SUB, get_subscription_endpoint, methods=["GET"]),
    Route(SUB, update_subscription_endpoint, methods=["PATCH"]),
    Route(SUB + "/addons", list_addons_endpoint, methods=["GET"]),
    Route(SUB + "/provisioningstatus", provisioning_status_endpoint, methods=["GET"]),
    Route(SUB + "/activate", activate_endpoint, methods=["POST"]),
    Route(SUB + "/activationlinks", activation_links_endpoint, methods=["GET"]),
    Route(SUB + "/registrations", register_endpoint, methods=["POST"]),
    Route(SUB + "/registrationstatus", registration_status_endpoint, methods=["GET"]),
    Route(ENTITLEMENT, list_entitlements_endpoint, methods=["GET"]),
    Route(ENTITLEMENT + "/{entitlement_id}", get_entitlement_endpoint, methods=["GET"]),
    Route(ENTITLEMENT + "/{entitlement_id}/cancel", cancel_entitlement_endpoint, methods=["POST"]),
    Route(ENTITLEMENT + "/{entitlement_id}/reactivate", reactivate_entitlement_endpoint, methods=["POST"]),
    Route(SUB + "/upgrades", list_upgrades_endpoint, methods=["GET"]),
    Route(SUB + "/upgrades", upgrade_subscription_endpoint, methods=["POST"]),
    Route(SUB + "/conversions", list_conversions_endpoint, methods=["GET"]),
    Route(SUB + "/conversions", convert_trial_endpoint, methods=["POST"]),
    Route("/v1/productupgrades/eligibility", eligibility_endpoint, methods=["POST"]),
    Route("/v1/productupgrades", create_upgrade_endpoint, methods=["POST"]),
    Route("/v1/productupgrades/{upgrade_id}/status", upgrade_status_endpoint, methods=["POST"]),
]
