"""The checker scenario's webhook steps (W1-W6): the events list, a registration made, read and updated,
a test event and its delivery report. The registration asks for test-created only and its URL has no
receiver (the deliveries fail, which the report shows), so nothing else of the scenario sends events.
Runs early: W6's report is kept 7 days of simulated time."""
from __future__ import annotations

from typing import Any

W = "/webhooks/v1/registration"
NOWHERE = "http://127.0.0.1:9/pcsim-contracts-webhook"  # the discard port: nothing listens


async def webhooks(d: Any) -> None:
    await d.call("W1", "GET", W + "/events")
    await d.call("W2", "POST", W, json={"WebhookUrl": NOWHERE, "WebhookEvents": ["test-created"]})
    await d.call("W3", "GET", W)
    await d.call("W4", "PUT", W, json={"WebhookUrl": NOWHERE, "WebhookEvents": ["test-created"],
                                       "SignatureTokenToMsSignatureHeader": True})
    sent = await d.call("W5", "POST", W + "/validationEvents")
    await d.call(None, "POST", "/_simulator/webhooks/flush")
    await d.call("W6", "GET", f"{W}/validationEvents/{sent['correlationId']}")
