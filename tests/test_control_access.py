"""Who may use /_simulator: everyone by default; with --control-token only holders of that token;
with --no-control no one (the routes are unknown). /_simulator/health always answers."""
from __future__ import annotations

from typing import Any

import pytest

from simulator.settings import from_env
from tests.helpers import Api

CONTROL_CALLS = [("GET", "/_simulator/clock", None), ("POST", "/_simulator/clock/advance", {"seconds": 1}),
                 ("POST", "/_simulator/reset", None), ("GET", "/_simulator/snapshots", None),
                 ("POST", "/_simulator/snapshots", {"name": "s"}), ("GET", "/_simulator/faults", None),
                 ("DELETE", "/_simulator/faults", None), ("GET", "/_simulator/requests", None),
                 ("DELETE", "/_simulator/requests", None), ("POST", "/_simulator/snapshots/s/restore", None)]


def call(api: Api, method: str, path: str, body: Any, token: str | None = None) -> Any:
    return api.request(method, path, json=body, token=token)


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CALLS)
def test_with_a_control_token_every_control_route_needs_it(make_api: Any, method: str, path: str, body: Any) -> None:
    api = make_api(control_token="s3cret")
    for token in ("", "wrong", "s3cret-and-more"):
        reply = call(api, method, path, body, token=token)
        assert reply.status_code == 401
        assert reply.json() == {"code": 800001, "description": "The simulator's control API needs its token "
                                "(--control-token) as Authorization: Bearer.", "data": [], "source": "PartnerFD"}
        assert reply.headers["WWW-Authenticate"] == 'Bearer realm="pcsim-control"'
    if path.endswith("/restore"):
        call(api, "POST", "/_simulator/snapshots", {"name": "s"}, token="s3cret")
    assert call(api, method, path, body, token="s3cret").status_code in (200, 201, 204)


def test_with_a_control_token_health_and_partner_center_need_no_control_token(make_api: Any) -> None:
    api = make_api(control_token="s3cret")
    assert api.get("/_simulator/health", token="").json() == {"status": "ok"}
    assert api.get("/v1/customers").status_code == 200  # a Partner Center token, as ever
    assert api.get("/_SIMULATOR/Clock/", token="").status_code == 401  # whatever the spelling
    assert api.get("/_simulator/clock", headers={"Authorization": "bearer s3cret"}).status_code == 200


def test_without_a_control_token_the_control_api_is_open(api: Api) -> None:
    assert api.get("/_simulator/clock", token="").status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CALLS)
def test_with_no_control_every_control_route_is_unknown(make_api: Any, method: str, path: str, body: Any) -> None:
    api = make_api(no_control=True, control_token="s3cret")
    reply = call(api, method, path, body, token="s3cret")
    assert reply.status_code == 404
    assert reply.json() == {"code": 1000, "description": f"The requested resource {path} was not found.",
                            "data": [], "source": "PartnerFD"}
    unknown = api.get("/v1/no-such-route")
    assert (unknown.status_code, set(unknown.json())) == (404, set(reply.json()))


def test_with_no_control_health_answers_and_the_document_leaves_the_rest_out(make_api: Any) -> None:
    api = make_api(no_control=True)
    assert api.get("/_simulator/health").json() == {"status": "ok"}
    paths = set(api.get("/openapi.json").json()["paths"])
    assert {p for p in paths if p.startswith("/_simulator")} == {"/_simulator/health"}
    assert api.get("/v1/customers").status_code == 200


def test_the_settings_have_environment_variables() -> None:
    settings = from_env({"PCSIM_CONTROL_TOKEN": "t", "PCSIM_NO_CONTROL": "1", "PCSIM_JOURNAL_SIZE": "5",
                         "PCSIM_JOURNAL_BODY_LIMIT": "7", "PCSIM_MAX_SNAPSHOTS": "3"})
    assert (settings.control_token, settings.no_control, settings.journal_size, settings.journal_body_limit,
            settings.max_snapshots) == ("t", True, 5, 7, 3)
    defaults = from_env({})
    assert (defaults.control_token, defaults.no_control, defaults.journal_size, defaults.journal_body_limit,
            defaults.max_snapshots) == (None, False, 1000, 4096, 100)


def test_the_document_names_every_status_of_the_control_api(api: Api) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    statuses = {(method.upper(), path): sorted(op["responses"]) for path, ops in paths.items()
                if path.startswith("/_simulator") and path != "/_simulator/seed" for method, op in ops.items()}
    assert statuses == {
        ("GET", "/_simulator/health"): ["200"],
        ("GET", "/_simulator/clock"): ["200", "401"],
        ("POST", "/_simulator/clock/advance"): ["200", "400", "401"],
        ("POST", "/_simulator/reset"): ["200", "400", "401"],
        ("PUT", "/_simulator/clock"): ["200", "400", "401"],
        ("POST", "/_simulator/snapshots"): ["201", "400", "401", "409"],
        ("GET", "/_simulator/snapshots"): ["200", "401"],
        ("POST", "/_simulator/snapshots/{name}/restore"): ["200", "401", "404"],
        ("DELETE", "/_simulator/snapshots/{name}"): ["204", "401", "404"],
        ("POST", "/_simulator/faults"): ["201", "400", "401", "409"],
        ("GET", "/_simulator/faults"): ["200", "401"],
        ("DELETE", "/_simulator/faults"): ["204", "401"],
        ("DELETE", "/_simulator/faults/{id}"): ["204", "401", "404"],
        ("GET", "/_simulator/requests"): ["200", "400", "401"],
        ("DELETE", "/_simulator/requests"): ["204", "401"],
        ("PUT", "/_simulator/customers/{customer-id}/agreement"): ["200", "400", "401", "404"],
        ("PUT", "/_simulator/customers/{customer-id}/validationStatus"): ["200", "400", "401", "404"],
        ("GET", "/_simulator/webhooks/deliveries"): ["200", "400", "401"],
        ("GET", "/_simulator/webhooks/deliveries/{delivery-id}"): ["200", "401", "404"],
        ("POST", "/_simulator/webhooks/flush"): ["200", "401"],
        ("POST", "/_simulator/webhooks/events"): ["201", "400", "401", "404"],
        ("POST", "/_simulator/webhooks/failures"): ["200", "400", "401", "404"],
        ("POST", "/_simulator/customers/{customer-id}/subscriptions/{subscription-id}/azureEntitlements"):
            ["201", "400", "401", "404"],
    }
    rule = paths["/_simulator/faults"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert rule == {"$ref": "#/components/schemas/FaultIn"}
