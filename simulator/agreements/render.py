"""The agreement wire shapes (api-integration.md 1.11 and 3): AgreementMetaData collections, Agreement
(as created and as listed), AgreementDocument and the direct-signed status."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulator import wire
from simulator.agreements.rules import TEMPLATES

CONTACT_FIELDS = (("first_name", "firstName"), ("middle_name", "middleName"), ("last_name", "lastName"),
                  ("email", "email"), ("phone_number", "phoneNumber"))


def metadata_wire(items: list[dict[str, Any]]) -> dict[str, Any]:
    """G1: a collection with attributes and no links (get-customer-agreement-metadata.md)."""
    return wire.collection([dict(item) for item in items])


def contact_wire(contact: Mapping[str, Any]) -> dict[str, Any]:
    return {wire_name: contact[name] for name, wire_name in CONTACT_FIELDS if contact.get(name) is not None}


def created_wire(confirmation: Mapping[str, Any]) -> dict[str, Any]:
    """G3's 201: what was sent, `userId` added; `dateAgreed` with milliseconds and `Z`, as sent in the example."""
    agreed = wire.parse_time(confirmation["date_agreed"])
    return {"userId": confirmation["user_id"], "primaryContact": contact_wire(confirmation["contact"]),
            "templateId": confirmation["template_id"],
            "dateAgreed": agreed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{agreed.microsecond // 1000:03d}Z",
            "type": confirmation["type"]}


def listed_wire(confirmation: Mapping[str, Any]) -> dict[str, Any]:
    """A G2 item: no `userId`; `dateAgreed` without zone; the agreement's link."""
    agreed = wire.parse_time(confirmation["date_agreed"])
    return {"primaryContact": contact_wire(confirmation["contact"]), "templateId": confirmation["template_id"],
            "dateAgreed": agreed.strftime("%Y-%m-%dT%H:%M:%S"), "type": confirmation["type"],
            "agreementLink": TEMPLATES[confirmation["type"]]["agreementLink"]}


def confirmations_wire(confirmations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """G2: totalCount and items, no links or attributes (get-confirmation-of-customer-consent.md)."""
    return {"totalCount": len(confirmations), "items": [listed_wire(c) for c in confirmations]}


def document_wire(link: Mapping[str, Any], base: str, tenant: str) -> dict[str, Any]:
    """G4: a browser preview and a Word file, both behind the link handed out now."""
    where = f"{base}/agreementdocuments/{tenant}/{link['id']}"
    return {"displayUri": f"{where}?view=html", "downloadUri": where, "language": link["language"],
            "country": link["country"]}


def direct_signed_wire(is_signed: bool) -> dict[str, Any]:
    return {"isSigned": is_signed}
