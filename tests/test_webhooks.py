"""Webhooks (issue 16; api-integration.md §1.16): the registration API (W1-W6), events raised from what
happens in the simulation, signed deliveries to a real local receiver, retries, the control API."""
from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest

from simulator.pytest_plugin.receiver import Receiver, verify_signature
from simulator.settings import from_env
from simulator.webhooks.signing import CERTIFICATE_PATH
from tests.helpers import (
    BASE,
    DAY,
    PLAN_LINE,
    START,
    Api,
    build_app,
    buy_subscription,
    customer_body,
    move_to,
    nce_line,
    recorded_example,
    serve,
    updated,
)

W = "/webhooks/v1/registration"
OTHER = "fabrikam-partner.onmicrosoft.com"


@pytest.fixture
def receiver() -> Any:
    with Receiver() as made:
        yield made


def register(api: Api, url: str, *events: str, token: str | None = None, **extra: Any) -> dict[str, Any]:
    reply = api.post(W, json={"WebhookUrl": url, "WebhookEvents": list(events), **extra}, token=token)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def flush(api: Api) -> list[dict[str, Any]]:
    reply = api.post("/_simulator/webhooks/flush")
    assert reply.status_code == 200, reply.text
    return list(reply.json()["items"])


def certificate(api: Api) -> bytes:
    reply = api.get(CERTIFICATE_PATH, token="")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/pkix-cert"
    return reply.content


# --- W1-W4 -----------------------------------------------------------------------------------------

def test_the_events_list_is_a_bare_array_of_every_documented_event(api: Api) -> None:
    reply = api.get(W + "/events")
    assert reply.status_code == 200
    names = reply.json()
    assert isinstance(names, list)
    assert {"subscription-updated", "test-created", "usagerecords-thresholdExceeded", "invoice-ready",
            "referral-created", "azure-fraud-event-detected"} <= set(names)


def test_register_read_update_one_registration_per_partner(api: Api) -> None:
    assert api.get(W).status_code == 404
    made = register(api, "https://partner.example/hooks", "subscription-updated", "TEST-created")
    assert made == {"SubscriberId": made["SubscriberId"], "WebhookUrl": "https://partner.example/hooks",
                    "WebhookEvents": ["subscription-updated", "test-created"]}
    again = api.post(W, json={"WebhookUrl": "https://partner.example/two", "WebhookEvents": ["test-created"]})
    assert (again.status_code, again.json()["code"]) == (409, 800002)
    assert api.get(W).json() == made
    put = api.put(W, json={"webhookUrl": "https://partner.example/new", "webhookEvents": ["invoice-ready"],
                           "SignatureTokenToMsSignatureHeader": True})
    assert put.status_code == 200, put.text
    assert put.json() == {"SubscriberId": made["SubscriberId"], "WebhookUrl": "https://partner.example/new",
                          "WebhookEvents": ["invoice-ready"], "SignatureTokenToMsSignatureHeader": True}
    # another partner has none
    assert api.get(W, token=api.token_for(OTHER)).status_code == 404


@pytest.mark.parametrize("body", [
    {"WebhookUrl": "https://partner.example/hooks", "WebhookEvents": ["no-such-event"]},
    {"WebhookUrl": "not a url", "WebhookEvents": ["test-created"]},
    {"WebhookUrl": "https://partner.example/hooks", "WebhookEvents": []},
    {"WebhookUrl": "https://partner.example/hooks"},
    {"WebhookEvents": ["test-created"]},
    ["test-created"],
])
def test_bad_registrations_are_400(api: Api, body: Any) -> None:
    reply = api.post(W, json=body)
    assert (reply.status_code, reply.json()["code"]) == (400, 800002), reply.text


def test_update_without_registration_is_404(api: Api) -> None:
    reply = api.put(W, json={"WebhookUrl": "https://partner.example/hooks", "WebhookEvents": ["test-created"]})
    assert (reply.status_code, reply.json()["code"]) == (404, 1000)


# --- W5, W6: test events, signed and delivered ------------------------------------------------------

def test_a_test_event_is_delivered_signed_and_reported(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created")
    sent = api.post(W + "/validationEvents")
    assert sent.status_code == 200, sent.text
    correlation = sent.json()["correlationId"]
    assert flush(api)[0]["state"] == "delivered"
    [got] = receiver.received
    assert got.body == {"EventName": "test-created",
                        "ResourceUri": f"{BASE}/webhooks/v1/registration/validationEvents/{correlation}",
                        "ResourceName": "test", "AuditUri": None,
                        "ResourceChangeUtcDate": "2026-01-05T10:00:00.0000000+00:00"}
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-ms-signature-algorithm"] == "rsa-sha256"
    assert got.headers["x-ms-certificate-url"] == BASE + CERTIFICATE_PATH
    assert got.headers["authorization"].startswith("Signature ")
    verify_signature(certificate(api), got.raw, got.signature())
    report = api.get(f"{W}/validationEvents/{correlation}")
    assert report.status_code == 200
    assert report.json() == {
        "correlationId": correlation, "partnerId": api.ctx.settings.default_tenant,
        "status": "completed", "callbackUrl": receiver.url,
        "results": [{"responseCode": "OK", "responseMessage": "200 OK", "systemError": False,
                     "dateTimeUtc": "2026-01-05T10:00:00.0000000"}]}
    # kept 7 days
    api.advance(7 * DAY)
    assert api.get(f"{W}/validationEvents/{correlation}").status_code == 404


def test_a_tampered_body_fails_verification(api: Api, receiver: Receiver) -> None:
    from cryptography.exceptions import InvalidSignature

    register(api, receiver.url, "test-created")
    api.post(W + "/validationEvents")
    flush(api)
    got = receiver.received[0]
    with pytest.raises(InvalidSignature):
        verify_signature(certificate(api), got.raw.replace(b"test", b"tost"), got.signature())


def test_test_events_need_test_created_and_are_throttled_to_two_a_minute(api: Api, receiver: Receiver) -> None:
    assert api.post(W + "/validationEvents").status_code == 404
    register(api, receiver.url, "subscription-updated")
    refused = api.post(W + "/validationEvents")
    assert (refused.status_code, refused.json()["code"]) == (400, 800002)
    api.put(W, json={"WebhookUrl": receiver.url, "WebhookEvents": ["test-created"]})
    assert api.post(W + "/validationEvents").status_code == 200
    assert api.post(W + "/validationEvents").status_code == 200
    third = api.post(W + "/validationEvents")
    assert third.status_code == 429
    assert third.json() == {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 60 seconds."}
    assert third.headers["Retry-After"] == "60"
    api.advance(60)
    assert api.post(W + "/validationEvents").status_code == 200


def test_the_ms_signature_header_variant(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created", SignatureTokenToMsSignatureHeader=True)
    api.post(W + "/validationEvents")
    flush(api)
    got = receiver.received[0]
    assert "authorization" not in got.headers
    assert got.headers["x-ms-signature"].startswith("Signature ")
    verify_signature(certificate(api), got.raw, got.signature())


def test_unknown_validation_event_is_404(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created")
    reply = api.get(f"{W}/validationEvents/3ef0202b-9d00-4f75-9cff-15420f7612b3")
    assert (reply.status_code, reply.json()["code"]) == (404, 1000)


# --- retries ---------------------------------------------------------------------------------------

def test_failures_are_retried_after_the_interval_and_shown_in_w6_and_the_control_api(
        api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created")
    assert api.post("/_simulator/webhooks/failures", json={"count": 1}).json()["failNext"] == 1
    receiver.answer(503)
    correlation = api.post(W + "/validationEvents").json()["correlationId"]
    assert [d["state"] for d in flush(api)] == ["pending"]   # failed on purpose: nothing was sent
    assert receiver.received == []
    assert flush(api) == []                                   # the retry is due in 60 s
    api.advance(60)
    flush(api)                                                # the receiver answers 503
    assert len(receiver.received) == 1
    api.advance(60)
    [done] = flush(api)
    assert done["state"] == "delivered" and len(receiver.received) == 2
    assert [(a["status"], a["responseCode"], a["injected"]) for a in done["attempts"]] == [
        (None, "ServiceUnavailable", True), (503, "ServiceUnavailable", False), (200, "OK", False)]
    report = api.get(f"{W}/validationEvents/{correlation}").json()
    assert [(r["responseCode"], r["systemError"]) for r in report["results"]] == [
        ("ServiceUnavailable", True), ("ServiceUnavailable", False), ("OK", False)]
    listed = api.get("/_simulator/webhooks/deliveries").json()["items"]
    assert [d["id"] for d in listed] == [correlation]
    assert listed[0]["target"] == receiver.url and listed[0]["event"] == "test-created"
    assert all(a["latencyMs"] >= 0 for a in listed[0]["attempts"])
    one = api.get(f"/_simulator/webhooks/deliveries/{correlation}")
    assert one.status_code == 200 and one.json() == listed[0]


def test_ten_attempts_then_the_event_is_given_up(make_api: Any, receiver: Receiver) -> None:
    api = make_api(webhook_retry_interval=0)
    register(api, receiver.url, "test-created")
    receiver.answer(500, times=20)
    api.post(W + "/validationEvents")
    [given_up] = [d for d in flush(api)]
    assert given_up["state"] == "given_up" and len(given_up["attempts"]) == 10
    assert len(receiver.received) == 10
    api.advance(3600)
    assert flush(api) == [] and len(receiver.received) == 10


def test_a_dead_receiver_is_retried(make_api: Any) -> None:
    api = make_api(webhook_retry_interval=0, webhook_timeout=2)
    with Receiver() as gone:
        url = gone.url
    register(api, url, "test-created")
    api.post(W + "/validationEvents")
    [done] = flush(api)
    assert done["state"] == "given_up"
    assert {a["status"] for a in done["attempts"]} == {None}
    assert all(a["error"] for a in done["attempts"])


def test_outgoing_deliveries_are_in_the_journal(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created")
    api.post(W + "/validationEvents")
    flush(api)
    entries = api.get("/_simulator/requests").json()["items"]
    [out] = [e for e in entries if e.get("direction") == "outgoing"]
    assert (out["method"], out["path"], out["status"]) == ("POST", receiver.url, 200)
    assert out["requestHeaders"]["authorization"] == "Signature [redacted]"
    assert json.loads(out["requestBody"])["EventName"] == "test-created"
    assert out["tenant"] == api.ctx.settings.default_tenant


# --- events from the simulation ---------------------------------------------------------------------

def events_of(receiver: Receiver, name: str) -> list[dict[str, Any]]:
    return [e for e in receiver.events if e["EventName"] == name]


def test_subscription_updated_on_provisioning_patch_renewal_and_expiry(make_api: Any, receiver: Receiver) -> None:
    api = make_api()
    register(api, receiver.url, "subscription-updated")
    customer = api.new_customer()
    api.buy(customer, nce_line(quantity=3, term="P1M", cycle="monthly"))
    assert flush(api) == []                    # not provisioned yet: the event falls due then
    api.advance(3600)
    flush(api)
    [provisioned] = events_of(receiver, "subscription-updated")
    sub = provisioned["ResourceUri"].rsplit("/", 1)[1]
    assert provisioned["ResourceUri"] == f"{BASE}/v1/customers/{customer}/subscriptions/{sub}"
    assert provisioned["ResourceName"] == "subscription"
    assert api.get(provisioned["ResourceUri"].removeprefix(BASE)).status_code == 200
    updated(api, customer, sub, quantity=5)
    flush(api)
    assert len(events_of(receiver, "subscription-updated")) == 2
    # the monthly term renews on the clock (auto-renew is on)
    move_to(api, "2026-02-06T00:00:00Z")
    flush(api)
    renewed = events_of(receiver, "subscription-updated")
    assert len(renewed) == 3 and renewed[2]["ResourceChangeUtcDate"] == "2026-02-05T00:00:00.0000000+00:00"
    # auto-renew off: the next term end expires it
    updated(api, customer, sub, autoRenewEnabled=False)
    move_to(api, "2026-03-10T00:00:00Z")
    flush(api)
    last = events_of(receiver, "subscription-updated")
    assert len(last) == 5
    assert api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()["status"] == "expired"


def test_cancellation_raises_subscription_updated(make_api: Any, receiver: Receiver) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub = buy_subscription(api, customer, nce_line())
    register(api, receiver.url, "subscription-updated")   # after the purchase: the registration indexes it
    updated(api, customer, sub, status="deleted")
    flush(api)
    assert len(events_of(receiver, "subscription-updated")) == 1


def test_delivery_delay_setting(make_api: Any, receiver: Receiver) -> None:
    api = make_api(provisioning_delay=0, webhook_delay=2 * 3600)
    register(api, receiver.url, "subscription-updated", "test-created")
    customer = api.new_customer()
    buy_subscription(api, customer, nce_line())
    api.post(W + "/validationEvents")
    flush(api)
    assert [e["EventName"] for e in receiver.events] == ["test-created"]   # only subscription-updated waits
    api.advance(2 * 3600)
    flush(api)
    assert [e["EventName"] for e in receiver.events] == ["test-created", "subscription-updated"]


def test_invoice_ready_when_the_period_closes(make_api: Any, receiver: Receiver) -> None:
    api = make_api(provisioning_delay=0)
    register(api, receiver.url, "invoice-ready")
    customer = api.new_customer()
    buy_subscription(api, customer, nce_line())
    move_to(api, "2026-02-02T01:00:00Z")
    flush(api)
    [ready] = events_of(receiver, "invoice-ready")
    assert ready["ResourceName"] == "invoice"
    assert ready["ResourceChangeUtcDate"] == "2026-02-02T00:00:00.0000000+00:00"
    invoice = api.get(ready["ResourceUri"].removeprefix(BASE))
    assert invoice.status_code == 200, invoice.text


def test_usage_past_the_budget_raises_threshold_exceeded(make_api: Any, receiver: Receiver) -> None:
    api = make_api(provisioning_delay=0)
    register(api, receiver.url, "usagerecords-thresholdExceeded")
    customer = api.new_customer()
    buy_subscription(api, customer, PLAN_LINE)
    assert api.patch(f"/v1/customers/{customer}/usagebudget", json={"amount": 0.01}).status_code == 200
    api.advance(3 * DAY)
    flush(api)
    [over] = events_of(receiver, "usagerecords-thresholdExceeded")
    assert over["ResourceUri"] == f"{BASE}/v1/customers/usagerecords"
    assert over["ResourceName"] == "usagerecords"
    api.advance(DAY)
    flush(api)
    assert len(events_of(receiver, "usagerecords-thresholdExceeded")) == 1   # once per period


def test_reseller_relationship_accepted_on_customer_creation(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "reseller-relationship-accepted-by-customer")
    customer = api.new_customer()
    flush(api)
    assert receiver.events == [{
        "EventName": "reseller-relationship-accepted-by-customer", "ResourceUri": f"{BASE}/v1/customers/{customer}",
        "ResourceName": "Customer", "AuditUri": None, "ResourceChangeUtcDate": "2026-01-05T10:00:00.0000000+00:00"}]


def test_any_event_by_hand(api: Api, receiver: Receiver) -> None:
    register(api, receiver.url, "test-created")
    made = api.post("/_simulator/webhooks/events", json={
        "event": "granular-admin-relationship-approved",
        "resourceUri": "https://partner.microsoft.com/granularAdminRelationships/abc"})
    assert made.status_code == 201, made.text
    fraud = api.post("/_simulator/webhooks/events", json={"event": "dap-admin-relationship-terminated"})
    assert fraud.status_code == 201
    assert api.post("/_simulator/webhooks/events", json={"event": "nope"}).status_code == 400
    assert api.post("/_simulator/webhooks/events", json={"event": "invoice-ready"}).status_code == 400
    flush(api)
    assert receiver.events == [
        {"EventName": "granular-admin-relationship-approved",
         "ResourceUri": "https://partner.microsoft.com/granularAdminRelationships/abc",
         "ResourceName": "GranularAdminRelationship", "AuditUri": None,
         "ResourceChangeUtcDate": "2026-01-05T10:00:00.0000000+00:00"},
        {"EventName": "dap-admin-relationship-terminated", "ResourceUri": None, "ResourceName": "PartnerCustomerDap",
         "AuditUri": None, "ResourceChangeUtcDate": "2026-01-05T10:00:00.0000000+00:00"}]


def test_partners_never_receive_each_others_events(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    mine, theirs = api.token_for(), api.token_for(OTHER)
    with Receiver() as first, Receiver() as second:
        register(api, first.url, "subscription-updated", "test-created", token=mine)
        register(api, second.url, "subscription-updated", "test-created", token=theirs)
        customer = api.new_customer(token=theirs)
        buy_subscription(api, customer, nce_line(), token=theirs)
        correlation = api.post(W + "/validationEvents", token=mine).json()["correlationId"]
        flush(api)
        assert [e["EventName"] for e in first.events] == ["test-created"]
        assert [e["EventName"] for e in second.events] == ["subscription-updated"]
        assert api.get(f"{W}/validationEvents/{correlation}", token=theirs).status_code == 404


# --- the whole path on a real server ---------------------------------------------------------------

def test_done_a_real_receiver_verifies_with_the_certificate_from_the_url(tmp_path: Any) -> None:
    """The issue's done test: a real local receiver, events through the API and the clock, signatures
    checked with the certificate fetched from X-MS-Certificate-Url, retries seen in W6 and the control API."""
    app = build_app(wall="real", provisioning_delay=0, state=str(tmp_path / "state.db"))
    with serve(app) as live, Receiver() as receiver, httpx.Client(base_url=live.base_url) as client:
        def call(method: str, path: str, **kw: Any) -> httpx.Response:
            return client.request(method, path, headers={"Authorization": "Bearer x"}, **kw)

        reg = call("POST", W, json={"WebhookUrl": receiver.url, "WebhookEvents": [
            "test-created", "subscription-updated", "invoice-ready"]})
        assert reg.status_code == 200, reg.text
        client.post("/_simulator/webhooks/failures", json={"count": 1})
        correlation = call("POST", W + "/validationEvents").json()["correlationId"]
        client.post("/_simulator/webhooks/flush")                         # the first attempt fails
        client.post("/_simulator/clock/advance", json={"seconds": 60})   # the retry falls due
        client.post("/_simulator/webhooks/flush")
        receiver.wait(1)
        report = call("GET", f"{W}/validationEvents/{correlation}").json()
        assert [r["responseCode"] for r in report["results"]] == ["ServiceUnavailable", "OK"]
        listed = client.get("/_simulator/webhooks/deliveries", params={"event": "test-created"}).json()["items"]
        assert [len(d["attempts"]) for d in listed] == [2]
        # through the API, then the clock
        customer = call("POST", "/v1/customers", json=customer_body("done.onmicrosoft.com")).json()["id"]
        signed = client.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True})
        assert signed.status_code == 200, signed.text  # the Customer Agreement, which a purchase needs (13605)
        cart = call("POST", f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **nce_line()}]}).json()
        call("POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
        client.post("/_simulator/clock/advance", json={"until": "2026-02-02T01:00:00Z"})
        client.post("/_simulator/webhooks/flush")
        names = sorted(e["EventName"] for e in receiver.wait(3))
        assert names == ["invoice-ready", "subscription-updated", "test-created"]
        for got in receiver.received:
            assert got.headers["x-ms-certificate-url"] == live.base_url + CERTIFICATE_PATH
            receiver.verify(got)


def test_a_slow_receiver_never_slows_an_api_call() -> None:
    """Running clock on a real server: the worker delivers on its own, and an API call made while the
    receiver takes its time answers at once."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    got: list[bytes] = []
    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            release.wait(5)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = build_app(from_env({}, clock="running", start_time=START), wall="real")
    try:
        with serve(app) as live, httpx.Client(base_url=live.base_url, headers={"Authorization": "Bearer x"}) as c:
            url = f"http://127.0.0.1:{server.server_address[1]}/hook"
            assert c.post(W, json={"WebhookUrl": url, "WebhookEvents": ["test-created"]}).status_code == 200
            assert c.post(W + "/validationEvents").status_code == 200
            deadline = time.monotonic() + 5
            while not got and time.monotonic() < deadline:   # the worker delivers without a flush
                time.sleep(0.02)
            assert got
            started = time.monotonic()
            assert c.get("/v1/customers").status_code == 200
            assert time.monotonic() - started < 1.0
            release.set()
    finally:
        release.set()
        server.shutdown()
        server.server_close()


# --- against the recorded documentation examples -------------------------------------------------------


def test_events_are_shaped_as_the_recorded_examples(api: Api, receiver: Receiver) -> None:
    examples = [recorded_example(n)["request"]["body"] for n in (
        "webhooks--partner-center-webhooks--2023--01.json", "webhooks--partner-center-webhooks--2023--02.json",
        "webhooks--partner-center-webhook-events--2023--01.json")]
    listed = api.get(W + "/events").json()
    assert set(recorded_example("webhooks--partner-center-webhooks--2023--03.json")["response"]["body"]) <= set(listed)
    register(api, receiver.url, "test-created")
    api.advance(0.352027)
    api.post(W + "/validationEvents")
    flush(api)
    [got] = receiver.received
    date = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$")
    for example in examples:
        assert list(got.body) == list(example)
        assert got.body["EventName"] == example["EventName"] and got.body["ResourceName"] == example["ResourceName"]
        assert date.match(example["ResourceChangeUtcDate"]) and date.match(got.body["ResourceChangeUtcDate"])
    for example in examples[1:]:  # the first example's ResourceUri is an artefact of the doc's local setup
        assert got.body["ResourceUri"].rsplit("/", 1)[0] == example["ResourceUri"].rsplit("/", 1)[0].replace(
            "http://", "https://")
    assert got.body["ResourceChangeUtcDate"] == "2026-01-05T10:00:00.3520270+00:00"
    # the delivery's headers are those of the recorded callback (values aside)
    callback = recorded_example("webhooks--partner-center-webhooks--2023--01.json")["request"]["headers"]
    wanted = {k.lower() for k in callback} - {"host", "content-length"}
    assert wanted <= set(got.headers)


def test_the_registration_deliveries_and_signing_key_survive_a_restart_on_a_state_file(
        loop: Any, tmp_path: Any, receiver: Receiver) -> None:
    from tests.helpers import close_api, open_api

    state = str(tmp_path / "pcsim.db")
    first = open_api(loop, state=state)
    register(first, receiver.url, "test-created")
    first.post("/_simulator/webhooks/failures", json={"count": 1})
    correlation = first.post(W + "/validationEvents").json()["correlationId"]
    flush(first)                                   # fails on purpose: a retry is due in 60 s
    cert = certificate(first)
    close_api(first, clean=True)
    second = open_api(loop, state=state)
    try:
        assert second.get(W).json()["WebhookUrl"] == receiver.url
        assert certificate(second) == cert
        second.advance(60)
        [done] = flush(second)
        assert done["id"] == correlation and done["state"] == "delivered"
        verify_signature(cert, receiver.received[0].raw, receiver.received[0].signature())
    finally:
        close_api(second)


def test_saas_activation_and_add_ons_following_their_base(make_api: Any, receiver: Receiver) -> None:
    from tests.helpers import SAAS_PLAN, TEAMS_PHONE_ADDON

    api = make_api(provisioning_delay=0)
    register(api, receiver.url, "subscription-updated")
    customer = api.new_customer()
    saas = buy_subscription(api, customer, {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly",
                                            "termDuration": "P1M"})
    flush(api)
    receiver.clear()
    assert api.post(f"/v1/customers/{customer}/subscriptions/{saas}/activate").status_code == 200
    flush(api)
    assert [e["ResourceUri"] for e in receiver.events] == [f"{BASE}/v1/customers/{customer}/subscriptions/{saas}"]
    receiver.clear()
    addon = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    lines = api.buy(customer, nce_line(), addon)["orders"][0]["lineItems"]
    base, child = lines[0]["subscriptionId"], lines[1]["subscriptionId"]
    flush(api)
    receiver.clear()
    updated(api, customer, base, status="deleted")
    flush(api)
    assert sorted(e["ResourceUri"].rsplit("/", 1)[1] for e in receiver.events) == sorted([base, child])
