"""The console over HTTP (issue 17): who may open it, which posts it takes, what its pages show and
that its actions run the same rules as the API. tests/test_console_browser.py drives it in a browser."""
from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote

import httpx

from simulator.pytest_plugin.receiver import Receiver
from tests.helpers import DAY, PLAN_LINE, SAAS_PLAN, Api, buy_subscription, nce_line

CONSOLE = "/_simulator/console"
HTML = {"Accept": "text/html"}


def page(api: Api, path: str, status: int = 200, **kw: Any) -> str:
    reply = api.get(path, headers=HTML, **kw)
    assert reply.status_code == status, reply.text[:2000]
    if status == 200:
        assert reply.headers["content-type"].startswith("text/html")
    return reply.text


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "a form on the page"
    return found.group(1)


def act(api: Api, action: str, fields: dict[str, str], *, status: int = 303, headers: dict[str, str] | None = None,
        **kw: Any) -> httpx.Response:
    if "form_token" not in fields:
        fields = {"form_token": form_token(page(api, CONSOLE, **kw)), **fields}
    reply = api.post(f"{CONSOLE}/actions/{action}", data=fields, headers={**HTML, **(headers or {})}, **kw)
    assert reply.status_code == status, reply.text[:2000]
    return reply


def partner(api: Api) -> str:
    return quote(api.ctx.settings.default_tenant)


def test_a_browser_opening_the_root_goes_to_the_console_and_api_clients_keep_their_404(api: Api) -> None:
    opened = api.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (opened.status_code, opened.headers["location"]) == (303, CONSOLE)
    for method in ("GET", "POST"):
        reply = api.request(method, "/")
        assert (reply.status_code, reply.json()["code"]) == (404, 1000)
    assert "<h1>Partners</h1>" in page(api, CONSOLE)


def test_no_control_means_no_console(make_api: Any) -> None:
    api = make_api(no_control=True)
    reply = api.get(CONSOLE, headers=HTML)
    assert (reply.status_code, reply.json()["code"]) == (404, 1000)
    assert api.get("/", headers=HTML).status_code == 404
    assert api.post(f"{CONSOLE}/actions/advance", data={"by": "day"}).status_code == 404


def test_a_control_token_is_asked_for_once_and_kept_in_a_cookie(make_api: Any) -> None:
    api = make_api(control_token="s3cret")
    asked = api.get(f"{CONSOLE}/journal", headers=HTML, token="")
    assert (asked.status_code, asked.headers["location"]) == (303, f"{CONSOLE}/login?next={quote(CONSOLE, safe='')}"
                                                                   "%2Fjournal")
    assert 'type="password"' in page(api, f"{CONSOLE}/login", token="")
    refused = act(api, "advance", {"form_token": "x", "by": "day"}, status=401, token="")
    assert "Sign in" in refused.text
    wrong = api.post(f"{CONSOLE}/login", data={"token": "guess", "next": CONSOLE}, headers=HTML, token="")
    assert wrong.status_code == 401 and "not the control token" in wrong.text
    assert "pcsim-console" not in wrong.headers.get("set-cookie", "")
    right = api.post(f"{CONSOLE}/login", data={"token": "s3cret", "next": f"{CONSOLE}/journal"}, headers=HTML,
                     token="")
    assert (right.status_code, right.headers["location"]) == (303, f"{CONSOLE}/journal")
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "s3cret" not in cookie
    assert "Journal and faults" in page(api, f"{CONSOLE}/journal", token="")
    # The cookie opens the console, not the JSON control API, which still wants the bearer token.
    assert api.get("/_simulator/clock", token="").status_code == 401
    assert api.get("/_simulator/clock", token="s3cret").status_code == 200
    api.client.cookies.clear()
    assert "Journal and faults" in page(api, f"{CONSOLE}/journal", token="s3cret")  # a script's bearer token


def test_posts_take_the_pages_form_token_from_the_same_origin(api: Api) -> None:
    before = api.get("/_simulator/clock").json()["now"]
    act(api, "advance", {"form_token": "stale", "by": "day"}, status=403)
    act(api, "advance", {"by": "day"}, headers={"Origin": "https://evil.example"}, status=403)
    act(api, "advance", {"by": "day"}, headers={"Sec-Fetch-Site": "cross-site"}, status=403)
    assert api.get("/_simulator/clock").json()["now"] == before
    done = act(api, "advance", {"by": "day", "back": f"{CONSOLE}/journal"},
               headers={"Origin": "https://api.partnercenter.microsoft.com", "Sec-Fetch-Site": "same-origin"})
    assert done.headers["location"] == f"{CONSOLE}/journal"
    assert api.get("/_simulator/clock").json()["now"] == "2026-01-06T10:00:00Z"
    elsewhere = act(api, "advance", {"by": "hour", "back": "https://evil.example/"})
    assert elsewhere.headers["location"] == CONSOLE


def test_bad_input_is_a_4xx_page(api: Api) -> None:
    assert act(api, "advance", {"by": "week"}, status=400).headers["content-type"].startswith("text/html")
    act(api, "fault-add", {"effect": "error", "status": "often"}, status=400)
    act(api, "fault-add", {"effect": "error", "status": "200"}, status=400)
    act(api, "clock", {"speed": "-1"}, status=400)
    act(api, "snapshot-take", {"name": "no spaces"}, status=400)
    act(api, "snapshot-restore", {"name": "missing"}, status=404)
    act(api, "fault-remove", {"id": "9"}, status=404)
    act(api, "unknown", {}, status=404)
    act(api, "activate", {"customer": "not-a-guid", "subscription": "x"}, status=400)
    page(api, f"{CONSOLE}/partners/{partner(api)}/customers/00000000-0000-0000-0000-000000000000", 404)
    page(api, f"{CONSOLE}/partners/{partner(api)}/invoices/G000", 404)
    page(api, f"{CONSOLE}/static/nothing.js", 404)
    assert act(api, "advance", {"by": "renewal"}, status=400)


def test_customers_page_by_page_and_by_search(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    assert api.post("/_simulator/seed", json={"customers": 60, "subscriptionsPerCustomer": 1}).status_code == 201
    listed = [c["id"] for c in api.get("/v1/customers").json()["items"]]
    links = lambda html: re.findall(r'/customers/([0-9a-f-]{36})"', html)
    first = page(api, f"{CONSOLE}/partners/{partner(api)}")
    assert links(first) == listed[:25] and "60 customers" in first and 'rel="next"' in first
    last = page(api, f"{CONSOLE}/partners/{partner(api)}?page=3")
    assert links(last) == listed[50:] and 'rel="next"' not in last and 'rel="prev"' in last
    domain = api.get(f"/v1/customers/{listed[42]}").json()["companyProfile"]["domain"]
    assert links(page(api, f"{CONSOLE}/partners/{partner(api)}?q={domain.upper()}")) == [listed[42]]
    assert links(page(api, f"{CONSOLE}/partners/{partner(api)}?q=nothing-like-this")) == []
    assert links(page(api, f"{CONSOLE}/partners/{partner(api)}?page=zero")) == listed[:25]


def test_the_customer_page_shows_what_the_api_says_and_activates_saas(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, order_list_delay=0)
    customer = api.new_customer("console-page.onmicrosoft.com")
    api.buy(customer, nce_line(quantity=4, term="P1M"))
    api.buy(customer, {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"})
    subs = {s["offerId"]: s for s in api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]}
    saas = next(s for offer, s in subs.items() if offer.startswith(SAAS_PLAN.rsplit(":", 1)[0]))
    assert saas["status"] == "pending"
    html = page(api, f"{CONSOLE}/partners/{partner(api)}/customers/{customer}")
    for sub in subs.values():
        row = re.search(rf'<tr id="sub-{sub["id"]}".*?</tr>', html, re.S)
        assert row, sub["id"]
        assert f'data-status>{sub["status"]}<' in row.group(0) and f'data-seats>{sub["quantity"]}<' in row.group(0)
    orders = api.get(f"/v1/customers/{customer}/orders").json()["items"]
    assert all(f'id="order-{o["id"]}"' in html for o in orders) and len(orders) == 2
    assert "activation link" in html

    act(api, "activate", {"tenant": api.ctx.settings.default_tenant, "customer": customer, "subscription": saas["id"]})
    assert api.get(f"/v1/customers/{customer}/subscriptions/{saas['id']}").json()["status"] == "active"
    html = page(api, f"{CONSOLE}/partners/{partner(api)}/customers/{customer}")
    assert "activate</strong>" in html  # the timeline's event
    act(api, "activate", {"customer": customer, "subscription": saas["id"]}, status=400)  # AlreadyActivated, as S8


def test_the_usage_chart_draws_the_days_and_the_budget(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, order_list_delay=0, sandbox_limits=False)
    customer = api.new_customer("console-usage.onmicrosoft.com")
    api.buy(customer, PLAN_LINE)
    assert api.patch(f"/v1/customers/{customer}/usagebudget", json={"amount": 500}).status_code == 200
    api.advance(5 * DAY)
    html = page(api, f"{CONSOLE}/partners/{partner(api)}/customers/{customer}")
    chart = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert chart and 'class="budget"' in chart.group(0) and "budget 500.00 USD" in chart.group(0)
    assert chart.group(0).count('class="bar"') == 10  # January 1st to the 10th


def test_snapshots_and_seeding_from_the_console(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    act(api, "snapshot-take", {"name": "empty"})
    act(api, "seed", {"customers": "3"})
    assert len(api.get("/v1/customers").json()["items"]) == 3
    assert "<td>empty</td>" in page(api, f"{CONSOLE}/tools")
    act(api, "snapshot-restore", {"name": "empty"})
    assert api.get("/v1/customers").json()["items"] == []
    act(api, "snapshot-delete", {"name": "empty"})
    assert api.get("/_simulator/snapshots").json()["items"] == []


def test_the_clock_header_pauses_runs_and_sets_the_speed(api: Api) -> None:
    act(api, "clock", {"mode": "running"})
    act(api, "clock", {"speed": "3600"})
    assert api.get("/_simulator/clock").json()["speed"] == 3600
    html = page(api, f"{CONSOLE}/tools")
    assert 'id="clock-mode">running<' in html and "1 hour a second" in html and 'id="clock-pause"' in html
    act(api, "clock", {"mode": "manual"})
    assert api.get("/_simulator/clock").json()["mode"] == "manual"


def test_the_journal_page_shows_requests_and_fault_rules(api: Api) -> None:
    act(api, "fault-add", {"method": "GET", "path": "/v1/invoices*", "effect": "throttle", "times": "1"})
    assert api.get("/_simulator/faults").json()["items"][0]["effect"] == {"type": "throttle", "retryAfter": 60}
    assert api.get("/v1/invoices").status_code == 429
    html = page(api, f"{CONSOLE}/journal")
    assert re.search(r'<tr class="faulted.*?/v1/invoices.*?429.*?rule 1', html, re.S)
    act(api, "journal-clear", {})
    assert "No requests yet" in page(api, f"{CONSOLE}/journal")
    assert "Webhook deliveries" in html  # the panel other areas plug into (simulator/console/panels.py)


# --- the panels of the other areas (simulator/console/panels.py) ---------------------------------------

def panel(html: str, key: str) -> list[list[str]]:
    """The rows of a panel's table, each cell's text."""
    section = re.search(rf'<section [^>]*id="panel-{key}".*?</section>', html, re.S)
    assert section, key
    body = re.search(r"<tbody>(.*?)</tbody>", section.group(0), re.S)
    assert body, section.group(0)
    return [[unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_the_customer_page_shows_agreements_validation_users_and_licenses(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    domain = "console-people.onmicrosoft.com"
    customer = api.new_customer(domain)  # with the partner's confirmation of the Customer Agreement (Ada Lovelace)
    buy_subscription(api, customer, nce_line(quantity=3))
    user_token = api.token_for(api.ctx.settings.default_tenant, user=True)
    made = api.post(f"/v1/customers/{customer}/users", token=user_token, json={
        "usageLocation": "US", "userPrincipalName": f"grace@{domain}", "firstName": "Grace", "lastName": "Hopper",
        "displayName": "Grace Hopper",
        "passwordProfile": {"password": "Pa55w0rd!Pa55w0rd", "forceChangePassword": True},
        "attributes": {"objectType": "CustomerUser"}})
    assert made.status_code == 200, made.text
    [sku] = api.get(f"/v1/customers/{customer}/subscribedskus", token=user_token).json()["items"]
    assigned = api.post(f"/v1/customers/{customer}/users/{made.json()['id']}/licenseupdates", token=user_token, json={
        "LicensesToAssign": [{"ExcludedPlans": None, "SkuId": sku["productSku"]["id"]}],
        "Attributes": {"ObjectType": "LicenseUpdate"}})
    assert assigned.status_code == 201, assigned.text
    [admin, _] = api.get(f"/v1/customers/{customer}/users", token=user_token).json()["items"]
    name = sku["productSku"]["name"]

    html = page(api, f"{CONSOLE}/partners/{partner(api)}/customers/{customer}")
    assert panel(html, "agreements") == [
        ["MicrosoftCustomerAgreement", "Ada Lovelace <ada@contoso.com> (confirmed by the partner)", "2019-10-01"]]
    assert panel(html, "validation") == [["none", "—", "no account validation status: purchases are not held"]]
    assert panel(html, "users") == [
        [f"{admin['displayName']} <{admin['userPrincipalName']}>", "active", "—"],
        [f"Grace Hopper <grace@{domain}>", "active", name]]
    assert panel(html, "skus") == [[name, sku["productSku"]["skuPartNumber"], "3", "0", "1", "2"]]
    assert (sku["activeUnits"], sku["consumedUnits"], sku["availableUnits"]) == (3, 0, 3)  # before the license

    # the customer's own acceptance (G5) and an account status under review show too
    assert api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True}).status_code == 200
    assert api.put(f"/_simulator/customers/{customer}/validationStatus",
                   json={"status": "UnderReview"}).status_code == 200
    html = page(api, f"{CONSOLE}/partners/{partner(api)}/customers/{customer}")
    assert panel(html, "agreements")[1:] == [["MicrosoftCustomerAgreement", "the customer (accepted it directly)", "—"]]
    assert panel(html, "validation") == [["UnderReview", "2026-01-05 10:00 UTC", "new purchases refused"]]


def test_the_journal_page_lists_the_partners_webhook_deliveries(api: Api) -> None:
    with Receiver() as receiver:
        registered = api.post("/webhooks/v1/registration", json={"WebhookUrl": receiver.url,
                                                                 "WebhookEvents": ["test-created"]})
        assert registered.status_code == 200, registered.text
        assert api.post("/_simulator/webhooks/failures", json={"count": 1}).status_code == 200
        assert api.post("/webhooks/v1/registration/validationEvents").status_code == 200
        assert api.post("/_simulator/webhooks/flush").status_code == 200  # failed on purpose: retried in 60 s
        html = page(api, f"{CONSOLE}/journal")
        assert panel(html, "webhooks") == [["2026-01-05 10:00 UTC", "test-created", receiver.url, "pending",
                                            "1 of 10", "no answer ServiceUnavailable (failed on purpose)", "0 ms"]]
        api.advance(60)
        [delivered] = api.post("/_simulator/webhooks/flush").json()["items"]
        assert delivered["state"] == "delivered" and len(receiver.received) == 1
    html = page(api, f"{CONSOLE}/journal?partner={partner(api)}")
    [row] = panel(html, "webhooks")
    assert row[:6] == ["2026-01-05 10:00 UTC", "test-created", receiver.url, "delivered", "2 of 10", "200 OK"]
    assert re.fullmatch(r"\d+ ms", row[6])  # the receiver's wall-clock latency
    # another partner's deliveries are its own
    assert panel(page(api, f"{CONSOLE}/journal?partner=fabrikam-partner.onmicrosoft.com"), "webhooks") == [["None."]]
