"""Takes the screenshots of docs/console.md: `python docs/console/screenshots.py` from a clone with the
test extras installed (selenium) and Debian's chromium and chromedriver (`apt-get install chromium
chromium-driver`; .ci/run installs them).

It starts `pcsim serve --demo` on a free port with a manual clock at a fixed time, plays a partner's
integration for a moment (a budget, a few days of Azure usage, a request that a fault rule fails), then
opens the console's main pages in headless chromium at a laptop's width (1280 px) and a projector's
(1920 px) and writes each whole page as a PNG next to this file. tests/test_console_browser.py runs it
too, into a temporary folder, so it keeps working.
"""
from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
START = "2026-03-18T09:30:00Z"
# (file name, page, width): the pages docs/console.md shows.
SHOTS = [("partners.png", "/_simulator/console", 1280),
         ("customers.png", "/_simulator/console/partners/{tenant}", 1280),
         ("customer.png", "/_simulator/console/partners/{tenant}/customers/{customer}", 1280),
         ("customer-1920.png", "/_simulator/console/partners/{tenant}/customers/{customer}", 1920),
         ("billing.png", "/_simulator/console/partners/{tenant}/billing?then=invoice", 1280),
         ("journal.png", "/_simulator/console/journal", 1920),
         ("tools.png", "/_simulator/console/tools", 1280)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pcsim() -> Iterator[str]:
    """`pcsim serve --demo` (as `python -m simulator`, from this clone) until the block ends: its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "simulator", "serve", "--demo", "--port", str(port), "--clock", "manual",
               "--start-time", START, "--seed", "42", "--provisioning-delay", "0", "--order-list-delay", "0"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        deadline, line = time.monotonic() + 60, ""
        while "ready" not in line:
            ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            line = proc.stdout.readline() if ready else ""
            if not line:
                raise RuntimeError(f"pcsim did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--hide-scrollbars", "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def integration(base: str) -> dict[str, str]:
    """A partner's integration at work: what the pages then show. Returns the names the pages need."""
    with httpx.Client(base_url=base, headers={"Authorization": "Bearer demo"}, timeout=30) as api:
        tenant = api.get("/_simulator/console", follow_redirects=True).text
        found = re.search(r"/_simulator/console/partners/([^\"/]+)\"", tenant)
        assert found, "the default partner on the console's home page"
        customers = api.get("/v1/customers").json()["items"]
        customer = next(c["id"] for c in customers if any(
            s["offerId"].startswith("DZH318Z0BPS6") for s in api.get(f"/v1/customers/{c['id']}/subscriptions")
            .json()["items"]))  # one with an Azure plan: its page has the usage chart
        api.patch(f"/v1/customers/{customer}/usagebudget", json={"amount": 40})
        licensed_user(api, found.group(1), customer)
        api.post("/_simulator/clock/advance", json={"seconds": 9 * 86400})
        api.post("/_simulator/faults", content=json.dumps({"method": "GET", "path": "/v1/invoices*", "times": 1,
                                                           "effect": {"type": "error", "status": 503, "code": 800002}}),
                 headers={"Content-Type": "application/json"})
        for path in ("/v1/invoices", "/v1/invoices", f"/v1/customers/{customer}/subscriptions",
                     f"/v1/customers/{customer}/usagebudget"):
            api.get(path)
        api.post("/_simulator/snapshots", content=json.dumps({"name": "before-the-demo"}),
                 headers={"Content-Type": "application/json"})
        return {"tenant": found.group(1), "customer": customer}


def licensed_user(api: httpx.Client, tenant: str, customer: str) -> None:
    """A user of the customer with a license of its first SKU, as a partner user (App+User) adds them."""
    form = {"grant_type": "password", "username": "admin@partner.example", "password": "demo",
            "client_id": "11111111-2222-3333-4444-555555555555", "resource": "https://api.partnercenter.microsoft.com"}
    token = api.post(f"/{tenant}/oauth2/token", data=form).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    domain = api.get(f"/v1/customers/{customer}").json()["companyProfile"]["domain"]
    user = api.post(f"/v1/customers/{customer}/users", headers=headers, json={
        "usageLocation": "US", "userPrincipalName": f"megan@{domain}", "firstName": "Megan", "lastName": "Bowen",
        "displayName": "Megan Bowen", "passwordProfile": {"password": "Demo-pa55word!", "forceChangePassword": True},
        "attributes": {"objectType": "CustomerUser"}}).json()
    skus = api.get(f"/v1/customers/{customer}/subscribedskus", headers=headers).json()["items"]
    if skus:
        api.post(f"/v1/customers/{customer}/users/{user['id']}/licenseupdates", headers=headers, json={
            "LicensesToAssign": [{"SkuId": skus[0]["productSku"]["id"]}],
            "Attributes": {"ObjectType": "LicenseUpdate"}})


def shoot(out: Path, shots: list[tuple[str, str, int]] | None = None, driver: Any = None) -> list[Path]:
    """Every shot (all of SHOTS unless told) as a PNG in `out`; a driver given is used and left open."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    own = driver is None
    driver = driver or browser()
    try:
        with pcsim() as base:
            names = integration(base)
            for name, page, width in shots or SHOTS:
                if page.endswith("?then=invoice"):  # the month's invoice out first: the billing page shows it
                    page = page.removesuffix("?then=invoice")
                    httpx.post(f"{base}/_simulator/clock/advance", json={"until": "2026-04-02T10:00:00Z"})
                driver.set_window_size(width, 900)
                driver.get(base + page.format(**names))
                for details in driver.find_elements("css selector", "details.timeline"):
                    driver.execute_script("arguments[0].open = true", details)  # the timelines, unfolded
                    break
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(width, min(int(height) + 20, 3000))
                path = out / name
                driver.save_screenshot(str(path))
                written.append(path)
    finally:
        if own:
            driver.quit()
    return written


if __name__ == "__main__":
    for made in shoot(HERE):
        print(f"wrote {made.relative_to(ROOT)}")
