"""Webhook wire shapes: the registration (PascalCase, as the docs' examples), the validation event
(camelCase, W6) and the control API's deliveries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator import wire
from simulator.webhooks.events import MAX_ATTEMPTS


def registration_wire(reg: dict[str, Any], *, with_id: bool = True) -> dict[str, Any]:
    """W2/W4 answer `{SubscriberId, WebhookUrl, WebhookEvents}`; W3's example has no SubscriberId, the
    Swagger model has it: it is kept on W3 too (a client reading it finds it). The Swagger's
    `SignatureTokenToMsSignatureHeader` is said when it is on."""
    body: dict[str, Any] = {"SubscriberId": reg["subscriberId"]} if with_id else {}
    body.update({"WebhookUrl": reg["url"], "WebhookEvents": list(reg["events"])})
    if reg.get("msHeader"):
        body["SignatureTokenToMsSignatureHeader"] = True
    return body


def utc_without_zone(text: str) -> str:
    """W6's `dateTimeUtc`: no zone, seven fractional digits."""
    moment = datetime.fromisoformat(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def result_wire(attempt: dict[str, Any]) -> dict[str, Any]:
    return {"responseCode": attempt["reason"],
            "responseMessage": attempt["error"] or attempt.get("answer") or f"{attempt['status']} {attempt['reason']}",
            "systemError": attempt["status"] is None, "dateTimeUtc": utc_without_zone(attempt["at"])}


def validation_event_wire(doc: dict[str, Any]) -> dict[str, Any]:
    return {"correlationId": doc["id"], "partnerId": doc["tenant"],
            "status": "inProgress" if doc["state"] == "pending" else "completed",
            "callbackUrl": doc["url"], "results": [result_wire(a) for a in doc["attempts"]]}


def delivery_wire(doc: dict[str, Any]) -> dict[str, Any]:
    """A delivery for the control API (and the console): the event, where it goes, every attempt."""
    return {"id": doc["id"], "tenant": doc["tenant"], "event": doc["event"], "target": doc["url"],
            "state": doc["state"], "created": wire.iso(datetime.fromisoformat(doc["created"])),
            "due": wire.iso(datetime.fromisoformat(doc["due"])) if doc["state"] == "pending" else None,
            "maxAttempts": MAX_ATTEMPTS, "signatureHeader": "x-ms-signature" if doc["msHeader"] else "Authorization",
            "payload": doc["body"],
            "attempts": [{"at": wire.iso(datetime.fromisoformat(a["at"])), "status": a["status"],
                          "responseCode": a["reason"], "latencyMs": a["latencyMs"], "error": a["error"],
                          "injected": a.get("injected", False), "answer": a.get("answer", "")}
                         for a in doc["attempts"]]}


ATTEMPT_SCHEMA = {"type": "object", "required": ["at", "status", "responseCode", "latencyMs"],
                  "properties": {"at": {"type": "string", "format": "date-time"},
                                 "status": {"type": "integer", "nullable": True},
                                 "responseCode": {"type": "string"}, "latencyMs": {"type": "number"},
                                 "error": {"type": "string", "nullable": True}, "injected": {"type": "boolean"},
                                 "answer": {"type": "string"}}}
DELIVERY_SCHEMA = {"type": "object",
                   "required": ["id", "tenant", "event", "target", "state", "created", "attempts", "payload"],
                   "properties": {"id": {"type": "string"}, "tenant": {"type": "string"}, "event": {"type": "string"},
                                  "target": {"type": "string"},
                                  "state": {"type": "string", "enum": ["pending", "delivered", "given_up"]},
                                  "created": {"type": "string", "format": "date-time"},
                                  "due": {"type": "string", "format": "date-time", "nullable": True},
                                  "maxAttempts": {"type": "integer"}, "signatureHeader": {"type": "string"},
                                  "payload": {"type": "string"},
                                  "attempts": {"type": "array", "items": ATTEMPT_SCHEMA}}}
