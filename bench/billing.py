"""Billing at scale: does a page of line items cost the same however big the partner is?
Not part of the test suite: `python bench/billing.py` (about two minutes).

One real pcsim process (the flags of bench/run.py). It loads 200 customers with 10 subscriptions
each through POST /_simulator/seed, moves the clock 40 days (one period closed and invoiced, the
next one open), then measures, with 1 connection:
- I6 `GET /v1/invoices/unbilled/lineitems` (OneTime billing line items, current period, size 500):
  the first page, and a deep page (the last one, reached through MS-ContinuationToken); the same for
  the Azure plans' daily rated usage (OneTime usage line items), whose pages are full;
- I3 `GET /v1/invoices/{id}/lineitems` (the closed period's OneTime billing line items, size 500):
  the first page and the last one.
Then it loads on to `--customers` customers (100,000 subscriptions at the default 10,000), moves the
clock another 40 days (the first invoice read after that close makes the period's invoices in one
pass over the partner: its time is printed apart), and measures the same pages again.
"Unchanged" means a page's p50 is at most 1.25x the one with 200 customers.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import HOST, Server, free_port, pcsim_command, seed  # noqa: E402

UNBILLED = ("/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
            "&currencycode=USD&period=current&size=500")
UNBILLED_USAGE = ("/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=usagelineitems"
                  "&currencycode=USD&period=current&size=500")
AUTH = {"Authorization": "Bearer bench", "Accept": "application/json"}


def advance(client: httpx.Client, days: int) -> None:
    reply = client.post("/_simulator/clock/advance", json={"seconds": days * 86400})
    reply.raise_for_status()


def pages(client: httpx.Client, path: str) -> list[dict[str, str]]:
    """The request headers of every page of `path` (the first has none), following links.next."""
    out, headers = [{}], {}
    while True:
        reply = client.get(path, headers=headers)
        reply.raise_for_status()
        nxt = reply.json().get("links", {}).get("next")
        if not nxt:
            return out
        headers = {h["key"]: h["value"] for h in nxt.get("headers", [])}
        path = "/v1/" + nxt["uri"].lstrip("/").removeprefix("v1/")
        out.append({**headers, "_path": path})


def timed(client: httpx.Client, path: str, headers: dict[str, str], runs: int) -> float:
    path = headers.pop("_path", path)
    times = []
    for _ in range(runs + 1):
        began = time.perf_counter()
        reply = client.get(path, headers=headers)
        times.append(time.perf_counter() - began)
        assert reply.status_code == 200, (path, reply.status_code, reply.text[:300])
    return statistics.median(times[1:]) * 1000


def measure(client: httpx.Client, runs: int) -> dict[str, Any]:
    began = time.perf_counter()
    invoices = client.get("/v1/invoices").json()["items"]  # the first read after a close makes the invoices
    close_ms = (time.perf_counter() - began) * 1000
    usd = next(i for i in invoices if i["currencyCode"] == "USD")
    billed = f"/v1/invoices/{usd['id']}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=500"
    unbilled_pages, billed_pages = pages(client, UNBILLED), pages(client, billed)
    usage_pages = pages(client, UNBILLED_USAGE)
    return {"invoice read after close (ms)": close_ms, "unbilled pages": len(unbilled_pages),
            "I6 first page p50 (ms)": timed(client, UNBILLED, {}, runs),
            "I6 last page p50 (ms)": timed(client, UNBILLED, dict(unbilled_pages[-1]), runs),
            "unbilled usage pages": len(usage_pages),
            "I6 usage first page p50 (ms)": timed(client, UNBILLED_USAGE, {}, runs),
            "I6 usage last page p50 (ms)": timed(client, UNBILLED_USAGE, dict(usage_pages[-1]), runs),
            "billed pages": len(billed_pages),
            "I3 first page p50 (ms)": timed(client, billed, {}, runs),
            "I3 last page p50 (ms)": timed(client, billed, dict(billed_pages[-1]), runs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page (median)")
    args = parser.parse_args()
    server = Server("pcsim", pcsim_command(port := free_port()), port)
    server.start()
    try:
        with httpx.Client(base_url=f"http://{HOST}:{port}", headers=AUTH, timeout=600) as client:
            totals = asyncio.run(seed(port, 200, 10))
            advance(client, 40)
            small = measure(client, args.runs)
            while totals["customers"] < args.customers:
                made = asyncio.run(seed(port, min(200, args.customers - totals["customers"]), 10))
                totals = {k: totals[k] + made[k] for k in totals}
            advance(client, 40)
            large = measure(client, args.runs)
            rss = server.rss_mb()
    finally:
        server.stop()
    print(f"| measure | 200 customers | {totals['customers']} customers | ratio |")
    print("|---|---|---|---|")
    for name in small:
        ratio = large[name] / small[name] if small[name] else float("nan")
        print(f"| {name} | {small[name]:.1f} | {large[name]:.1f} | {ratio:.2f} |")
    print(f"\nsubscriptions: {totals.get('subscriptions')}, RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
