"""The console's routes: its pages (GET), the actions their forms post, its login and its assets.

Pages render templates/ with what views.py reads. Every form posts to /_simulator/console/actions/
{action} as an ordinary form (it works without script); the action runs the same rule the control API
or the Partner Center endpoint runs, then sends the browser back to the page it came from (303). A
refused action (bad input, a rule's refusal) answers its status with a page saying why.
static/console.js refreshes the page's live parts (`data-live`) every few seconds while it is shown,
so the clock, statuses, invoices and the journal move without a reload.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from simulator import errors, wire
from simulator.console import access, chart, panels, views
from simulator.context import Context

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
ASSETS = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}
HOUR, DAY = 3600, 86400
SPEEDS = (1, 60, 600, 3600, 86400)

templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                               autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True)


def when(value: Any) -> str:
    """A wire time (or datetime) as the console shows it: 2026-12-07 18:30 UTC."""
    if not value:
        return "—"
    moment = wire.parse_time(value) if isinstance(value, str) else value
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def day(value: Any) -> str:
    if not value:
        return "—"
    moment = wire.parse_time(value) if isinstance(value, str) else value
    return f"{moment:%Y-%m-%d}"


templates.filters.update(when=when, day=day, quote=lambda value: quote(str(value), safe=""),
                         company=views.display_name)


def speed_text(speed: float) -> str:
    for seconds, name in ((DAY, "day"), (HOUR, "hour"), (60, "minute")):
        if speed >= seconds and speed % seconds == 0:
            n = int(speed // seconds)
            return f"{n} {name}{'s' if n > 1 else ''} a second"
    return f"{speed:g}× real time"


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx: Context = request.app.state.ctx
    clock = ctx.clock
    values.setdefault("title", "That didn't work" if status >= 400 else "pcsim console")
    body = templates.get_template(template).render(
        request=request, path=request.url.path, here=here(request), now=clock.now(), mode=clock.mode,
        speed=clock.speed, speed_text=speed_text(clock.speed), speeds=SPEEDS, form_token=access.form_token(request),
        default_tenant=ctx.settings.default_tenant, **values)
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store",
                                                           "X-Frame-Options": "DENY",
                                                           "Content-Security-Policy": CSP})


# Everything the pages use is their own: no other origin, no inline script, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def here(request: Request) -> str:
    """This page's path and query, for the forms to come back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


Endpoint = Callable[[Request], Awaitable[Response]]


def console_page(handler: Endpoint) -> Endpoint:
    """A page that needs a signed-in browser (--control-token), and shows a rule's refusal (a customer
    that is not there) as a page with its status."""
    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        if not access.signed_in(request):
            return RedirectResponse(f"{access.HOME}/login?{urlencode({'next': here(request)})}", 303)
        try:
            return await handler(request)
        except errors.PartnerCenterError as exc:
            return page(request, "problem.html", exc.status, problem=exc.text, code=exc.code, back=access.HOME)
    return endpoint


# --- pages ---------------------------------------------------------------------------------------

@console_page
async def home(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    return page(request, "home.html", partners=views.partners(ctx, request.app.state.control),
                title="Partners")


@console_page
async def go(request: Request) -> Response:
    """The home page's "open another partner" form: a partner by name or tenant id."""
    ctx: Context = request.app.state.ctx
    name = request.query_params.get("partner", "").strip()[:256]
    if not name:
        return RedirectResponse(access.HOME, 303)
    return RedirectResponse(f"{access.HOME}/partners/{quote(views.partner_id(ctx, name), safe='')}", 303)


@console_page
async def customers(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = views.partner_id(ctx, request.path_params["tenant"])
    search = request.query_params.get("q", "")[:200]
    number = page_number(request.query_params.get("page"))
    found = views.customer_page(ctx, tenant, search, number)
    return page(request, "customers.html", tenant=tenant, search=search, found=found, title="Customers")


def page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or "1"), 1), 10 ** 6) - 1
    except ValueError:
        return 0


@console_page
async def customer(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = views.partner_id(ctx, request.path_params["tenant"])
    view = ctx.run(views.customer_view, tenant, request.path_params["customer_id"])
    extra = panels.show(panels.CUSTOMER_PANELS, ctx, tenant, view.customer["id"])
    svg = Markup(chart.usage_chart(view.usage)) if view.usage else None  # chart.py escapes every text it puts in
    return page(request, "customer.html", tenant=tenant, view=view, panels=extra, chart=svg,
                clock_customer=view.customer["id"], title=views.display_name(view.customer))


@console_page
async def billing(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = views.partner_id(ctx, request.path_params["tenant"])
    currency = (request.query_params.get("currency") or views.partner_currency(ctx)).strip().upper()[:3]
    view = ctx.run(views.billing_view, tenant, currency)
    return page(request, "billing.html", tenant=tenant, view=view, title="Billing")


@console_page
async def invoice(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = views.partner_id(ctx, request.path_params["tenant"])
    view = ctx.run(views.invoice_view, tenant, request.path_params["invoice_id"])
    return page(request, "invoice.html", tenant=tenant, view=view, title=f"Invoice {view.invoice['id']}")


@console_page
async def statement(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = views.partner_id(ctx, request.path_params["tenant"])
    pdf, name = ctx.run(views.invoice_statement, tenant, request.path_params["invoice_id"])
    return wire.respond_document(pdf, "application/pdf", name)


@console_page
async def journal(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    control = request.app.state.control
    shown = views.partner_id(ctx, request.query_params.get("partner", "").strip()[:256] or ctx.settings.default_tenant)
    extra = panels.show(panels.CONTROL_PANELS, ctx, shown)
    return page(request, "journal.html", entries=views.journal_entries(ctx, control),
                faults=views.fault_rules(control), panels=extra, panel_partner=shown, title="Journal and faults")


@console_page
async def tools(request: Request) -> Response:
    return page(request, "tools.html", snapshots=views.snapshot_list(request.app.state.control),
                title="Snapshots and demo data")


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        raise errors.RouteNotFound(request.url.path)
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


# --- login ---------------------------------------------------------------------------------------

async def login_form(request: Request) -> Response:
    target = access.local_target(request.query_params.get("next"))
    if not access.control_token(request) or access.signed_in(request):
        return RedirectResponse(target, 303)
    return page(request, "login.html", target=target, failed=False, title="Sign in")


async def login(request: Request) -> Response:
    form = await read_form(request)
    target = access.local_target(form.get("next"))
    if not access.same_origin(request):
        return page(request, "problem.html", 403, problem="The console takes posts from its own pages only.",
                    code=403, back=access.HOME)
    if not access.control_token(request):
        return RedirectResponse(target, 303)
    if not access.token_matches(request, form.get("token", "")):
        return page(request, "login.html", 401, target=target, failed=True, title="Sign in")
    response = RedirectResponse(target, 303)
    response.set_cookie(access.COOKIE, access.login_cookie(request), httponly=True, samesite="strict",
                        path="/_simulator/console", secure=request.url.scheme == "https")
    return response


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form (the only kind the console's forms send), the last value of each field."""
    raw = (await request.body())[:64 * 1024].decode("utf-8", "replace")
    return dict(parse_qsl(raw, keep_blank_values=True))


# --- actions -------------------------------------------------------------------------------------

Action = Callable[[Request, Context, dict[str, str]], None]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(handler: Action) -> Action:
        ACTIONS[name] = handler
        return handler
    return register


async def act(request: Request) -> Response:
    if not access.signed_in(request):
        return page(request, "problem.html", 401, problem="Sign in to the console first.", code=401,
                    back=f"{access.HOME}/login")
    form = await read_form(request)
    if not access.post_allowed(request, form):
        return page(request, "problem.html", 403, problem="The console takes posts from its own pages only "
                    "(this form's token is stale or missing: reload the page).", code=403, back=access.HOME)
    handler = ACTIONS.get(request.path_params["action"])
    target = access.local_target(form.get("back"))
    if handler is None:
        return page(request, "problem.html", 404, problem="No such console action.", code=404, back=target)
    ctx: Context = request.app.state.ctx
    try:
        handler(request, ctx, form)
    except errors.PartnerCenterError as exc:
        return page(request, "problem.html", exc.status, problem=exc.text, code=exc.code, back=target)
    return RedirectResponse(target, 303)


def number(form: dict[str, str], name: str, default: int | None = None) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.InvalidRequestInput(f"{name} must be a whole number") from None


@action("advance")
def advance(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import basics

    by = form.get("by", "")
    now = ctx.clock.now()
    tenant = views.partner_id(ctx, form.get("tenant") or ctx.settings.default_tenant)
    body: dict[str, Any]
    if by in ("hour", "day"):
        body = {"seconds": float(HOUR if by == "hour" else DAY)}
    elif by == "invoice":
        body = {"until": wire.iso(views.next_invoice(now))}
    elif by == "renewal":
        moment = ctx.run(views.next_renewal, tenant, form.get("customer") or None)
        if moment is None:
            raise errors.InvalidRequestInput("no subscription here renews or ends later: nothing to advance to")
        body = {"until": wire.iso(moment)}
    else:
        raise errors.InvalidRequestInput("advance by hour, day, renewal or invoice")
    basics.advance_clock(ctx, wire.parse_model(basics.AdvanceIn, body))


@action("clock")
def configure(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import basics

    body: dict[str, Any] = {}
    if form.get("mode"):
        body["mode"] = form["mode"]
    if form.get("speed"):
        try:
            body["speed"] = float(form["speed"])
        except ValueError:
            raise errors.InvalidRequestInput("speed must be a number") from None
    basics.configure_clock(ctx, wire.parse_model(basics.ClockIn, body))


@action("fault-add")
def add_fault(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import faults

    kind = form.get("effect", "error")
    effect: dict[str, Any] = {"type": kind}
    if kind == "error":
        effect.update(status=number(form, "status", 500), code=number(form, "code", 800002))
        if form.get("description"):
            effect["description"] = form["description"]
    elif kind == "throttle":
        effect["retryAfter"] = number(form, "retry_after", 60)
    elif kind == "latency":
        effect["seconds"] = float(number(form, "seconds", 2) or 0)
    body: dict[str, Any] = {"method": form.get("method") or "*", "path": form.get("path") or "*", "effect": effect}
    if form.get("times"):
        body["times"] = number(form, "times")
    faults.add(ctx, request.app.state.control.faults, wire.parse_model(faults.FaultIn, body))


@action("fault-remove")
def remove_fault(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import faults

    faults.remove(request.app.state.control.faults, form.get("id", ""))


@action("journal-clear")
def clear_journal(request: Request, ctx: Context, form: dict[str, str]) -> None:
    request.app.state.control.journal.entries.clear()


@action("snapshot-take")
def take_snapshot(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import snapshots

    body = wire.parse_model(snapshots.SnapshotIn, {"name": form.get("name", "")})
    snapshots.take(ctx, request.app.state.control.snapshots, body.name)


@action("snapshot-restore")
def restore_snapshot(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import snapshots

    snapshots.restore(ctx, request.app.state.control.snapshots, form.get("name", ""))


@action("snapshot-delete")
def delete_snapshot(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.control import snapshots

    snapshots.delete(request.app.state.control.snapshots, form.get("name", ""))


@action("seed")
def seed(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator import demo

    body: dict[str, Any] = {"customers": number(form, "customers", demo.DEMO_CUSTOMERS)}
    if form.get("tenant"):
        body["tenant"] = form["tenant"]
    parsed = wire.parse_model(demo.SeedIn, body)
    tenant = views.partner_id(ctx, parsed.tenant) if parsed.tenant else ctx.settings.default_tenant
    ctx.run(demo.seed, tenant, parsed.customers, parsed.subscriptions_per_customer)


@action("activate")
def activate(request: Request, ctx: Context, form: dict[str, str]) -> None:
    from simulator.subscriptions import rules

    tenant = views.partner_id(ctx, form.get("tenant") or ctx.settings.default_tenant)
    ctx.run(rules.activate_subscription, views.caller(tenant), form.get("customer", ""),
            form.get("subscription", ""))


# The console is no Partner Center resource: its routes stay out of the OpenAPI document.
routes = [
    Route("/_simulator/console", home, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/login", login_form, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/login", login, methods=["POST"], include_in_schema=False),
    Route("/_simulator/console/static/{name}", asset, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/go", go, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/journal", journal, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/tools", tools, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/actions/{action}", act, methods=["POST"], include_in_schema=False),
    Route("/_simulator/console/partners/{tenant}", customers, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/partners/{tenant}/billing", billing, methods=["GET"], include_in_schema=False),
    Route("/_simulator/console/partners/{tenant}/customers/{customer_id}", customer, methods=["GET"],
          include_in_schema=False),
    Route("/_simulator/console/partners/{tenant}/invoices/{invoice_id}", invoice, methods=["GET"],
          include_in_schema=False),
    Route("/_simulator/console/partners/{tenant}/invoices/{invoice_id}/statement", statement, methods=["GET"],
          include_in_schema=False),
]
