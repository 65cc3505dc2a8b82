"""User, license and directory role endpoints (E1-E14). Every one is App+User only (the docs say
delegated tokens only): an App-only token gets 403 900329."""
from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.users import render, rules
from simulator.users.models import LicenseUpdateIn, ResetPasswordIn, UserIn, UserMemberIn
from simulator.wire import query, tokens

MAX_PAGE = 999


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["customer_id"], request.path_params["user_id"]


def license_groups(request: Request) -> set[str]:
    values = [v for k, v in request.query_params.multi_items() if k.lower() == "licensegroupids"]
    return rules.parse_groups(values)


@wire.operation(query=["size", "filter", "seekOperation"], headers=["MS-ContinuationToken"], user_only=True)
async def list_users_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    customer_id = request.path_params["customer_id"]
    size = query.integer(request, "size", default=0, high=MAX_PAGE)
    raw_filter = query.text(request, "filter")
    wanted = rules.parse_filter(raw_filter)
    scope = f"users:{customer_id.lower()}?filter={raw_filter or ''}"
    token = query.continuation(request)
    start = tokens.decode_int(scope, token) if token else 0
    users = ctx.run(rules.list_users, caller, customer_id, wanted)
    chunk = users[start:start + size] if size else users[start:]
    more = bool(size) and start + size < len(users)
    echoed = wire.query_string(size=size or None, filter=quote(raw_filter, safe="") if raw_filter else None)
    next_link = None
    if more:
        next_link = wire.link(f"/customers/{customer_id}/users{echoed}&seekOperation=Next", headers=[
            {"key": "MS-ContinuationToken", "value": tokens.encode(scope, start + size)}])
    return wire.respond(render.users_wire(chunk, f"/customers/{customer_id}/users{echoed}", next_link))


@wire.operation(body=UserIn, user_only=True)
async def create_user_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, UserIn)
    user = ctx.run(rules.create_user, caller, request.path_params["customer_id"], body)
    return wire.respond(render.user_wire(user, rules.ACTIVE, with_password=True))


@wire.operation(user_only=True)
async def get_user_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    user, state = ctx.run(rules.get_user, caller, *_ids(request))
    return wire.respond(render.user_wire(user, state))


@wire.operation(body=UserIn, user_only=True)
async def update_user_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, UserIn)
    user = ctx.run(rules.update_user, caller, *_ids(request), body)
    return wire.respond(render.user_wire(user, rules.ACTIVE))


@wire.operation(body=ResetPasswordIn, user_only=True)
async def reset_password_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, ResetPasswordIn)
    user = ctx.run(rules.reset_password, caller, *_ids(request), body.password_profile)
    return wire.respond(render.user_wire(user, rules.ACTIVE, with_password=True))


@wire.operation(user_only=True)
async def delete_user_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    ctx.run(rules.delete_user, caller, *_ids(request))
    return wire.empty(204)


@wire.operation(body=LicenseUpdateIn, user_only=True)
async def license_update_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, LicenseUpdateIn)
    answer = ctx.run(rules.update_licenses, caller, *_ids(request), body)
    return wire.respond(render.license_update_wire(answer), 201)


@wire.operation(query=["licenseGroupIds"], user_only=True)
async def user_licenses_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    groups = license_groups(request)
    held = ctx.run(rules.user_licenses, caller, *_ids(request), groups)
    return wire.respond(render.bare([render.license_wire(sku, excluded) for sku, excluded in held]))


@wire.operation(query=["licenseGroupIds"], user_only=True)
async def subscribed_skus_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    groups = license_groups(request)
    found = ctx.run(rules.subscribed_skus, caller, request.path_params["customer_id"], groups)
    return wire.respond(render.bare([render.subscribed_sku_wire(sku, consumed) for sku, consumed in found]))


@wire.operation(user_only=True)
async def user_roles_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    roles = ctx.run(rules.roles_of, caller, *_ids(request))
    return wire.respond(render.bare([render.role_wire(rid, name) for rid, name in roles]))


@wire.operation(user_only=True)
async def roles_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    roles = ctx.run(rules.list_roles, caller, request.path_params["customer_id"])
    return wire.respond(render.bare([render.role_wire(rid, name) for rid, name in roles]))


@wire.operation(query=["size", "seekOperation"], headers=["MS-ContinuationToken"], user_only=True)
async def role_members_endpoint(request: Request) -> Response:
    """E12, paged as the SDK pages it: `size` (all members when absent), then `seekOperation=Next` with
    the `MS-ContinuationToken` of the previous page's `links.next`. The token is bound to the customer
    and the role (another role's token is a 400)."""
    ctx, caller = auth.begin(request)
    customer_id, role_id = request.path_params["customer_id"], request.path_params["role_id"]
    size = query.integer(request, "size", default=0, high=MAX_PAGE)
    token = query.continuation(request)
    rid, members = ctx.run(rules.role_members, caller, customer_id, role_id)
    scope = f"usermembers:{customer_id.lower()}:{rid}"
    start = tokens.decode_int(scope, token) if token else 0
    chunk = members[start:start + size] if size else members[start:]
    base = f"/customers/{customer_id}/directoryroles/{rid}/usermembers"
    echoed = wire.query_string(size=size or None)
    next_link = None
    if size and start + size < len(members):
        next_link = wire.link(f"{base}{echoed}&seekOperation=Next", headers=[
            {"key": "MS-ContinuationToken", "value": tokens.encode(scope, start + size)}])
    return wire.respond(render.members_wire([render.member_wire(u, rid) for u in chunk], f"{base}{echoed}",
                                            next_link))


@wire.operation(body=UserMemberIn, user_only=True)
async def add_role_member_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, UserMemberIn)
    rid, user = ctx.run(rules.add_role_member, caller, request.path_params["customer_id"],
                        request.path_params["role_id"], body.id)
    return wire.respond(render.member_wire(user, rid), 201)


@wire.operation(user_only=True)
async def remove_role_member_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    ctx.run(rules.remove_role_member, caller, request.path_params["customer_id"], request.path_params["role_id"],
            request.path_params["user_id"])
    return wire.empty(204)


U, R = "/v1/customers/{customer_id}/users", "/v1/customers/{customer_id}/directoryroles"
routes = [
    Route(U, list_users_endpoint, methods=["GET"]),
    Route(U, create_user_endpoint, methods=["POST"]),
    Route(U + "/{user_id}", get_user_endpoint, methods=["GET"]),
    Route(U + "/{user_id}", update_user_endpoint, methods=["PATCH"]),
    Route(U + "/{user_id}", delete_user_endpoint, methods=["DELETE"]),
    Route(U + "/{user_id}/resetpassword", reset_password_endpoint, methods=["PATCH"]),
    Route(U + "/{user_id}/licenseupdates", license_update_endpoint, methods=["POST"]),
    Route(U + "/{user_id}/licenses", user_licenses_endpoint, methods=["GET"]),
    Route(U + "/{user_id}/directoryroles", user_roles_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/subscribedskus", subscribed_skus_endpoint, methods=["GET"]),
    Route(R, roles_endpoint, methods=["GET"]),
    Route(R + "/{role_id}/usermembers", role_members_endpoint, methods=["GET"]),
    Route(R + "/{role_id}/usermembers", add_role_member_endpoint, methods=["POST"]),
    Route(R + "/{role_id}/usermembers/{user_id}", remove_role_member_endpoint, methods=["DELETE"]),
]
