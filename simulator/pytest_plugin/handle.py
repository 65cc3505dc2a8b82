"""What the pcsim fixtures yield: a running simulator's address and helpers that drive it over HTTP
(tokens from its Entra ID look-alike, and the /_simulator control API: clock, reset, snapshots,
faults, the request journal). Nothing here reaches into the app's state."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from simulator import ids, wire
from simulator.settings import DEFAULT_PARTNER_TENANT, Settings

PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
DEFAULT_TENANT = DEFAULT_PARTNER_TENANT  # the example partner, which is also the simulator's default partner
CLIENT_ID = "pcsim-pytest"
CONTROL = "/_simulator"
CUSTOMER_AGREEMENT_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"  # GET /v1/agreements (api-integration.md G1)


class ControlError(RuntimeError):
    """The simulator refused a helper's request; `response` is its answer."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"pcsim: {what} answered {response.status_code}: {response.text[:500]}")
        self.response = response


def iso(when: datetime | str) -> str:
    """A time as the control API takes it; a naive datetime is taken as UTC."""
    if isinstance(when, str):
        return when
    return wire.iso(when if when.tzinfo else when.replace(tzinfo=UTC)) or ""


def drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


class Clock:
    """The simulated clock. The fixtures' simulators keep it manual: it moves only when advanced, so
    tests are reproducible (`run()` makes it follow wall time, as `pcsim serve`'s does)."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def now(self) -> datetime:
        return wire.parse_time(self._sim.control("GET", "/clock")["now"])

    def state(self) -> dict[str, Any]:
        """{"now", "mode" ("running" or "manual"), "speed"}."""
        return dict(self._sim.control("GET", "/clock"))

    def run(self, speed: float | None = None) -> datetime:
        """Let the clock follow wall time (x `speed`, else the speed it has) from the time it has reached."""
        return wire.parse_time(self._sim.control("PUT", "/clock", json=drop_none({"mode": "running",
                                                                                  "speed": speed}))["now"])

    def pause(self) -> datetime:
        """Back to manual: the clock keeps the time it has reached and moves only when advanced."""
        return wire.parse_time(self._sim.control("PUT", "/clock", json={"mode": "manual"})["now"])

    def advance(self, seconds: float | timedelta | None = None, until: datetime | str | None = None) -> datetime:
        """Move forward by `seconds` (a number or a timedelta) or to `until`; returns the new time."""
        if (seconds is None) == (until is None):
            raise TypeError("clock.advance() takes seconds or until")
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        body: dict[str, Any] = {"until": iso(until)} if until is not None else {"seconds": seconds}
        return wire.parse_time(self._sim.control("POST", "/clock/advance", json=body)["now"])


class Faults:
    """Injected faults: requests matching method, path (a glob) and tenant (a partner's name or GUID)
    get `effect` instead of their answer, `times` times (default: until removed), with `probability`
    (default: always)."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def add(self, method: str = "*", path: str = "*", *, effect: str | dict[str, Any], tenant: str | None = None,
            times: int | None = None, probability: float | None = None) -> str:
        """`effect` is {"type": "throttle"|"error"|"latency"|"drop"|"accepted", ...} or just the type.
        Returns the fault's id."""
        body = drop_none({"method": method, "path": path, "tenant": tenant,
                          "effect": {"type": effect} if isinstance(effect, str) else effect,
                          "times": times, "probability": probability})
        return str(self._sim.control("POST", "/faults", json=body, expect=201)["id"])

    def list(self) -> list[dict[str, Any]]:
        return list(self._sim.control("GET", "/faults")["items"])

    def remove(self, fault_id: str) -> None:
        self._sim.control("DELETE", f"/faults/{quote(fault_id, safe='')}", expect=204)

    def clear(self) -> None:
        self._sim.control("DELETE", "/faults", expect=204)


class Journal:
    """The requests the simulator answered, newest last unless the simulator says otherwise; `tenant`
    filters by partner, given by name or GUID (entries name it by GUID)."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def list(self, path: str | None = None, tenant: str | None = None, method: str | None = None,
             limit: int | None = None) -> list[dict[str, Any]]:
        params = drop_none({"path": path, "tenant": tenant,
                            "method": method, "limit": limit})
        return list(self._sim.control("GET", "/requests", params=params)["items"])

    def clear(self) -> None:
        self._sim.control("DELETE", "/requests", expect=204)


class Webhooks:
    """The webhook deliveries (docs/webhooks.md): `flush()` sends what is due and waits for the answers."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim

    def flush(self) -> list[dict[str, Any]]:
        """Attempts every delivery due now (after what the clock brought); the deliveries attempted."""
        return list(self._sim.control("POST", "/webhooks/flush")["items"])

    def deliveries(self, tenant: str | None = None, event: str | None = None,
                   state: str | None = None) -> list[dict[str, Any]]:
        params = drop_none({"tenant": tenant, "event": event, "state": state})
        return list(self._sim.control("GET", "/webhooks/deliveries", params=params)["items"])

    def fail_next(self, count: int, tenant: str | None = None) -> None:
        """The partner's next `count` delivery attempts fail (as if its receiver failed)."""
        self._sim.control("POST", "/webhooks/failures", json=drop_none({"count": count, "tenant": tenant}))

    def raise_event(self, event: str, tenant: str | None = None, **resource: str) -> dict[str, Any]:
        """Any event by hand: resource is resourceUri=..., or customerId=/subscriptionId=/invoiceId=."""
        body = drop_none({"event": event, "tenant": tenant, **resource})
        return dict(self._sim.control("POST", "/webhooks/events", json=body, expect=201))


class Simulator:
    """A running simulator. `base_url` is where its Partner Center API answers; `client` is an
    httpx.Client on it (no token: pass `headers=sim.headers(...)`)."""

    def __init__(self, app: Any, settings: Settings, base_url: str, client: httpx.Client) -> None:
        self.app, self.settings, self.base_url, self.client = app, settings, base_url, client
        self.control_token: str | None = getattr(settings, "control_token", None)
        self.clock = Clock(self)
        self.faults = Faults(self)
        self.journal = Journal(self)
        self.webhooks = Webhooks(self)

    def __repr__(self) -> str:
        return f"<pcsim {self.base_url} seed={self.settings.seed}>"

    # --- tokens ----------------------------------------------------------------------------
    def token(self, tenant: str = DEFAULT_TENANT, user: bool = False, *, username: str | None = None) -> str:
        """An access token from the simulator's token endpoint for the partner `tenant` (its name or
        its GUID: the same partner either way; by default contoso.onmicrosoft.com, the simulator's
        default partner): App-only (client credentials) or, with user=True, App+User (password grant)."""
        form = {"client_id": CLIENT_ID, "resource": PARTNER_CENTER}
        if user:
            form.update(grant_type="password", username=username or f"admin@{tenant}", password="pcsim")
        else:
            form.update(grant_type="client_credentials", client_secret="pcsim")
        reply = self.client.post(f"/{tenant}/oauth2/token", data=form)
        if reply.status_code != 200:
            raise ControlError(f"POST /{tenant}/oauth2/token", reply)
        return str(reply.json()["access_token"])

    def headers(self, tenant: str = DEFAULT_TENANT, user: bool = False, *,
                username: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(tenant, user, username=username)}"}

    def tenant_id(self, tenant: str = DEFAULT_TENANT) -> str:
        """The GUID the simulator files a partner's data under, given its name or GUID (what its tokens
        carry as `tid`, and what journal entries and fault rules show)."""
        return ids.partner_id(tenant, ids.partner_id(self.settings.default_tenant))

    # --- Partner Center steps ----------------------------------------------------------------
    def confirm_agreement(self, customer_id: str, tenant: str = DEFAULT_TENANT, *, first_name: str = "Ada",
                          last_name: str = "Lovelace", email: str = "admin@example.com",
                          agreed: datetime | str = "2019-10-01T00:00:00Z") -> dict[str, Any]:
        """A partner user of `tenant` confirms that the customer accepted the Microsoft Customer Agreement
        (POST /v1/customers/{id}/agreements with an App+User token), which every new purchase needs: without
        it carts, checkouts and orders are refused with 403 13605. Returns the confirmation."""
        body = {"primaryContact": {"firstName": first_name, "lastName": last_name, "email": email},
                "templateId": CUSTOMER_AGREEMENT_TEMPLATE, "type": "MicrosoftCustomerAgreement",
                "dateAgreed": iso(agreed)}
        reply = self.client.post(f"/v1/customers/{quote(customer_id, safe='')}/agreements", json=body,
                                 headers=self.headers(tenant, user=True))
        if reply.status_code != 201:
            raise ControlError(f"POST /v1/customers/{customer_id}/agreements", reply)
        return dict(reply.json())

    # --- the control API -------------------------------------------------------------------
    def control(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                expect: int = 200) -> Any:
        """One request to /_simulator{path}; its JSON (None for 204), or ControlError."""
        headers = {"Authorization": f"Bearer {self.control_token}"} if self.control_token else {}
        reply = self.client.request(method, CONTROL + path, json=json, params=params, headers=headers)
        if reply.status_code != expect:
            raise ControlError(f"{method} {CONTROL}{path}", reply)
        return reply.json() if reply.content else None

    def reset(self, tenant: str | None = None, seed: int | None = None) -> dict[str, Any]:
        """Empty all state (or one partner's, by name or GUID) and reseed the ids; the clock stays where
        it is."""
        body = drop_none({"tenant": tenant, "seed": seed})
        return dict(self.control("POST", "/reset", json=body))

    def snapshot(self, name: str) -> dict[str, Any]:
        """Keep the whole state (and the clock) under `name`; returns {"name", "now", "takenAt"}."""
        return dict(self.control("POST", "/snapshots", json={"name": name}, expect=201))

    def restore(self, name: str) -> dict[str, Any]:
        """Go back to snapshot `name`, clock included; returns {"name", "now"}."""
        return dict(self.control("POST", f"/snapshots/{quote(name, safe='')}/restore"))

    def snapshots(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "/snapshots")["items"])

    def delete_snapshot(self, name: str) -> None:
        self.control("DELETE", f"/snapshots/{quote(name, safe='')}", expect=204)

    def clean(self, snapshot: str | None = None) -> None:
        """A clean slate for the next test on a shared simulator: no fault rules, an empty journal,
        and the state reset (the clock stays where it is) or, given a name, that snapshot restored
        (clock and id streams included). Reset and restore alone keep faults and the journal."""
        self.faults.clear()
        if snapshot is None:
            self.reset()
        else:
            self.restore(snapshot)
        self.journal.clear()


class AsgiSimulator(Simulator):
    """The simulator without a server: `transport` (httpx.ASGITransport) for async code,
    `sync_transport` for synchronous code, `client`/`async_client` on them. `base_url` is Partner
    Center's own, which the transports ignore."""

    def __init__(self, app: Any, settings: Settings, transport: httpx.ASGITransport,
                 sync_transport: httpx.BaseTransport) -> None:
        super().__init__(app, settings, PARTNER_CENTER, httpx.Client(transport=sync_transport, base_url=PARTNER_CENTER))
        self.transport, self.sync_transport = transport, sync_transport
        self.async_client = httpx.AsyncClient(transport=transport, base_url=PARTNER_CENTER)
