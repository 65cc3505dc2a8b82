"""The console in a real browser (issue 17): Debian's chromium, driven through its chromedriver by
selenium, against pcsim on a real socket while the tests play a partner's integration over HTTP.

One browser and one server for the module. The clock is manual, so only the console's buttons (and the
API's own advance) move it. Each test makes its own customer, so they do not depend on each other's
order. Without chromium (a machine where .ci/run never ran) they skip, saying what to install; CI installs
it (.ci/run) and runs them.
"""
from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ROOT, build_app, chromium, chromium_missing, customer_body, nce_line, serve

MISSING = chromium_missing()
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"the console's browser tests need chromium in CI: {MISSING}")  # .ci/run installs it
pytestmark = [pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
              pytest.mark.xdist_group("console-browser")]  # one browser and one server for the module

WAIT = 15  # seconds: live updates come every 2 s


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    app = build_app(wall="real", provisioning_delay=0, order_list_delay=0, start_time="2026-03-10T12:00:00Z")
    with serve(app) as live:
        yield live.base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def api(site: str) -> Iterator[httpx.Client]:
    """The partner's integration: plain HTTP with a bearer token (any token speaks for the default partner)."""
    with httpx.Client(base_url=site, headers={"Authorization": "Bearer integration", "Accept": "application/json"},
                      timeout=30) as client:
        yield client


def new_customer(api: httpx.Client, domain: str) -> str:
    reply = api.post("/v1/customers", json=customer_body(domain))
    assert reply.status_code == 201, reply.text
    customer = str(reply.json()["id"])
    # the customer accepted the Microsoft Customer Agreement itself, which every new purchase needs (13605)
    signed = api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True})
    assert signed.status_code == 200, signed.text
    return customer


def buy(api: httpx.Client, customer: str, line: dict[str, Any]) -> None:
    cart = api.post(f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **line}]})
    assert cart.status_code == 201, cart.text
    order = api.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")
    assert order.status_code == 201, order.text


def wait_for(browser: Any, check: Any, what: str) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # A live update may swap a part of the page out while it is read: that reading is tried again.
    return WebDriverWait(browser, WAIT, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]
                         ).until(lambda _: check(), message=what)


def css(browser: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(browser.find_elements(By.CSS_SELECTOR, selector))


def click(browser: Any, selector: str) -> None:
    """Clicks and waits for the page it leads to (a form post answers 303 back to a page)."""
    old = css(browser, "html")[0]
    css(browser, selector)[0].click()
    wait_for(browser, lambda: is_stale(old), f"a new page after clicking {selector}")


def is_stale(element: Any) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


def open_customer(browser: Any, site: str, domain: str) -> None:
    """From `/` as a browser opens it: the console, the default partner, a search, the customer."""
    browser.get(site + "/")
    assert browser.current_url == site + "/_simulator/console"
    click(browser, "#partners a")
    field = css(browser, "#q")[0]
    field.send_keys(domain)
    click(browser, "form[role=search] button")
    click(browser, "#customers tbody a")
    assert css(browser, "h1")[0].text == "Contoso"


def rows(browser: Any) -> list[dict[str, str]]:
    """The subscriptions table, read again if a live update swaps it out meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(5):
        try:
            return read_rows(browser)
        except StaleElementReferenceException:
            continue
    return read_rows(browser)


def read_rows(browser: Any) -> list[dict[str, str]]:
    found = []
    for row in css(browser, "#subscriptions tr[data-subscription]"):
        cells = {name: row.find_element("css selector", f"[data-{name}]").text
                 for name in ("status", "seats", "renews")}
        found.append({"id": row.get_attribute("data-subscription"), **cells})
    return found


def test_a_purchase_by_the_api_shows_on_the_customer_page_without_a_reload(browser: Any, site: str,
                                                                           api: httpx.Client) -> None:
    customer = new_customer(api, "browser-purchase.onmicrosoft.com")
    open_customer(browser, site, "browser-purchase")
    assert rows(browser) == []
    browser.execute_script("window.stayed = true")  # gone if the page reloads

    buy(api, customer, nce_line(quantity=3, term="P1M"))

    wait_for(browser, lambda: len(rows(browser)) == 1, "the new subscription on the page")
    (row,) = rows(browser)
    assert (row["status"], row["seats"]) == ("active", "3")
    subscription = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"][0]
    assert row["id"] == subscription["id"]
    assert browser.execute_script("return window.stayed") is True
    assert "purchase" in css(browser, "details.timeline")[0].get_attribute("textContent")
    # the panels of the other areas move too: the seats bought are the customer's licenses
    wait_for(browser, lambda: [c.text for c in css(browser, "#panel-skus tbody td")][2:5] == ["3", "0", "0"],
             "the licenses bought, on the page")
    assert [c.text for c in css(browser, "#panel-agreements tbody td")] == [
        "MicrosoftCustomerAgreement", "the customer (accepted it directly)", "—"]


def test_advancing_the_clock_from_the_page_renews_the_subscription_and_brings_an_invoice(
        browser: Any, site: str, api: httpx.Client) -> None:
    customer = new_customer(api, "browser-renewal.onmicrosoft.com")
    buy(api, customer, nce_line(quantity=2, term="P1M"))
    open_customer(browser, site, "browser-renewal")
    (before,) = rows(browser)
    clock_before = css(browser, "#clock-now")[0].text

    click(browser, "#advance-renewal")

    (after,) = rows(browser)
    assert after["status"] == "active"
    assert after["renews"] > before["renews"]  # the next term's renewal: YYYY-MM-DD HH:MM sorts as text
    assert css(browser, "#clock-now")[0].text > clock_before
    events = css(browser, "details.timeline")[0].get_attribute("textContent")
    assert "renew" in events

    click(browser, "nav a[href$='/billing']")
    earlier = len(css(browser, "#invoices tbody tr[id^=invoice-]"))
    click(browser, "#advance-invoice")
    invoices = css(browser, "#invoices tbody tr[id^=invoice-]")
    assert len(invoices) == earlier + 1, "the invoice of the period that just closed"
    listed = api.get("/v1/invoices").json()["items"]
    assert {row.get_attribute("id") for row in invoices} == {f"invoice-{item['id']}" for item in listed}
    statement = invoices[0].find_element("css selector", "a[href$='/statement']").get_attribute("href")
    pdf = httpx.get(statement, timeout=30)
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")


def test_a_fault_added_on_the_page_fires_and_shows_in_the_journal(browser: Any, site: str,
                                                                  api: httpx.Client) -> None:
    browser.get(site + "/_simulator/console/journal")
    path = css(browser, "#fault-path")[0]
    path.clear()
    path.send_keys("/v1/invoices*")
    status = css(browser, "#fault-status")[0]
    status.clear()
    status.send_keys("503")
    click(browser, "#fault-add")
    (rule,) = css(browser, "#faults tr[id^=fault-]")
    rule_id = rule.get_attribute("id").removeprefix("fault-")
    browser.execute_script("window.stayed = true")

    failed = api.get("/v1/invoices")
    assert (failed.status_code, failed.json()["code"]) == (503, 800002)

    def shown() -> bool:
        journal = css(browser, "#journal tbody tr.faulted")
        return bool(journal) and f"rule {rule_id}" in journal[0].text and "503" in journal[0].text
    wait_for(browser, shown, "the faulted request in the journal")
    wait_for(browser, lambda: css(browser, f"#fault-{rule_id} [data-fired]")[0].text == "1", "the rule's count")
    assert browser.execute_script("return window.stayed") is True

    click(browser, f"#fault-{rule_id} button")
    assert css(browser, "#faults tr[id^=fault-]") == []
    assert api.get("/v1/invoices").status_code == 200


def test_the_docs_screenshot_script_still_shoots(browser: Any, tmp_path: Path) -> None:
    """docs/console/screenshots.py (which made docs/console/*.png) against `pcsim serve --demo`, one page."""
    spec = importlib.util.spec_from_file_location("console_screenshots", ROOT / "docs" / "console" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shots = [shot for shot in script.SHOTS if shot[0] == "customer.png"]
    (written,) = script.shoot(tmp_path, shots, driver=browser)
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Azure usage this period" in browser.page_source  # the demo customer with an Azure plan


AUDIT = """
const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
  .map(el => el.outerHTML.slice(0, 80));
return {h1: document.querySelectorAll('h1').length,
        landmarks: ['header[role=banner]', 'nav', 'main', 'footer[role=contentinfo]']
          .filter(s => !document.querySelector(s)),
        unlabelled: unlabelled,
        overflow: Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)};
"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_every_page_has_its_landmarks_labels_and_fits_the_width(browser: Any, site: str, api: httpx.Client,
                                                                 width: int) -> None:
    customer = new_customer(api, f"browser-audit-{width}.onmicrosoft.com")
    buy(api, customer, nce_line(quantity=1, term="P1M"))
    home = api.get("/_simulator/console", headers={"Accept": "text/html"}).text
    tenant = re.findall(r"/_simulator/console/partners/([^/\"]+)", home)[0]
    browser.set_window_size(width, 1000)
    try:
        for path in ("", f"/partners/{tenant}", f"/partners/{tenant}/customers/{customer}",
                     f"/partners/{tenant}/billing", "/journal", "/tools"):
            browser.get(f"{site}/_simulator/console{path}")
            found = browser.execute_script(AUDIT)
            assert found == {"h1": 1, "landmarks": [], "unlabelled": [], "overflow": 0}, path
    finally:
        browser.set_window_size(1280, 900)
