"""Agreement rules (G1-G5) and the purchase rule they carry (13605).

Sources (api-integration.md 1.11): get-agreement-metadata.md, get-customer-agreement-metadata.md,
confirm-customer-consent-customer-agreement.md, get-confirmation-of-customer-agreement.md,
download-customer-agreement-template.md, get-direct-sign-status-of-customer-agreement.md,
confirm-customer-agreement.md (the acceptance date can't be in the future) and error-codes.md (13605).

The purchase rule: since February 2020 a new purchase for a customer needs a partner's confirmation of
the Microsoft Customer Agreement (G3, type MicrosoftCustomerAgreement) or the customer's own acceptance
(G5 isSigned). `require_agreement` is what the cart, checkout and direct order rules call; the setting
`agreement_required` (on by default) turns it off. Renewals and changes to subscriptions a customer
already has are no new purchases and are not checked.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from simulator import errors, wire
from simulator.agreements import records
from simulator.agreements.models import AgreementIn
from simulator.agreements.records import Confirmation, DocumentLink
from simulator.context import Caller, Context
from simulator.customers.records import get_customer

CUSTOMER_AGREEMENT, CLOUD_AGREEMENT = "MicrosoftCustomerAgreement", "MicrosoftCloudAgreement"
# The templates of the examples (api-integration.md 1.11); versionRank 0 in both.
TEMPLATES: dict[str, dict[str, Any]] = {
    CUSTOMER_AGREEMENT: {"templateId": "117a77b0-9360-443b-8795-c6dedc750cf9", "agreementType": CUSTOMER_AGREEMENT,
                         "agreementLink": "https://aka.ms/customeragreement", "versionRank": 0},
    CLOUD_AGREEMENT: {"templateId": "998b88de-aa99-4388-a42c-1b3517d49490", "agreementType": CLOUD_AGREEMENT,
                      "agreementLink": "https://learn.microsoft.com/partner-center/agreements", "versionRank": 0},
}
MCA_TEMPLATE = TEMPLATES[CUSTOMER_AGREEMENT]["templateId"]
ALL_TYPES = "*"
LINK_LIFETIME = timedelta(minutes=5)  # download-customer-agreement-template.md: valid for five minutes
# download-customer-agreement-template.md: the languages each country's document comes in (en-US in all).
DOCUMENT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "US": ("en-US",), "CA": ("en-US", "fr-CA"), "GB": ("en-US",), "IE": ("en-US",), "AU": ("en-US",),
    "DE": ("en-US", "de-DE"), "FR": ("en-US", "fr-FR"), "NL": ("en-US", "nl-NL"), "IT": ("en-US", "it-IT"),
    "ES": ("en-US", "es-ES"), "JP": ("en-US", "ja-JP"), "BR": ("en-US", "pt-BR"), "IN": ("en-US",),
}


def agreement_types(raw: str | None) -> list[str]:
    """The `agreementType` filter of G1/G2: omitted -> MicrosoftCloudAgreement (backward compatibility),
    `*` -> every type, else that type (in any casing; others are 400 900126)."""
    if raw is None or not raw.strip():
        return [CLOUD_AGREEMENT]
    if raw.strip() == ALL_TYPES:
        return list(TEMPLATES)
    known = {t.lower(): t for t in TEMPLATES}
    found = known.get(raw.strip().lower())
    if found is None:
        raise errors.UnparsableEnum("agreementType", raw, ", ".join([*sorted(TEMPLATES), ALL_TYPES]))
    return [found]


def metadata(types: list[str]) -> list[dict[str, Any]]:
    """G1: the templates of the types asked for (the Customer Agreement first, as with `*`)."""
    return [TEMPLATES[t] for t in (CUSTOMER_AGREEMENT, CLOUD_AGREEMENT) if t in types]


def list_confirmations(ctx: Context, tenant: str, customer_id: str, types: list[str]) -> list[Confirmation]:
    """G2: every confirmation ever given for the customer, of the types asked for."""
    customer = get_customer(ctx, tenant, customer_id)
    return [c for c in records.confirmations(ctx, tenant, customer["id"]) if c["type"] in types]


def _contact(body: AgreementIn) -> dict[str, Any]:
    return body.primary_contact.model_dump(exclude_none=True)


def _same_contact(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """confirm-customer-consent-customer-agreement.md: a second confirmation is accepted only if first
    name, last name, email or phone number differs."""
    def fold(contact: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(contact.get(k) or "").strip().lower()
                     for k in ("first_name", "last_name", "email", "phone_number"))
    return fold(a) == fold(b)


def confirm(ctx: Context, caller: Caller, customer_id: str, body: AgreementIn) -> Confirmation:
    """G3: a partner user confirms the customer's acceptance; `userId` is the signed-in user's object id."""
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    kind = {t.lower(): t for t in TEMPLATES}.get(body.type.strip().lower())
    if kind is None:
        raise errors.UnparsableEnum("type", body.type, ", ".join(sorted(TEMPLATES)))
    if body.template_id != TEMPLATES[kind]["templateId"]:
        raise errors.AgreementTemplateMismatch(body.template_id, kind)
    try:
        agreed = wire.parse_time(body.date_agreed.strip())
    except ValueError:
        raise errors.InvalidRequestInput(f"dateAgreed is not an ISO-8601 date-time: {body.date_agreed!r}") from None
    if agreed > now:
        raise errors.AgreementDateInFuture(body.date_agreed)
    contact = _contact(body)
    earlier = records.confirmations(ctx, caller.tenant, customer["id"])
    if any(c["type"] == kind and _same_contact(c["contact"], contact) for c in earlier):
        raise errors.AgreementAlreadyConfirmed()
    confirmation: Confirmation = {
        "number": len(earlier) + 1, "customer_id": customer["id"], "user_id": caller.user or caller.app_id,
        "contact": contact, "template_id": body.template_id, "type": kind, "date_agreed": wire.iso(agreed),
        "created": wire.iso(now)}
    records.add_confirmation(ctx, caller.tenant, confirmation)
    return confirmation


def confirm_for_seed(ctx: Context, tenant: str, customer: dict[str, Any], user_id: str) -> None:
    """Demo and seeded customers come with a confirmation of the Customer Agreement (their billing
    contact, agreed when they were created)."""
    billing = customer["billing"]
    address = billing["default_address"]
    contact = {"first_name": billing.get("first_name") or address.get("first_name") or "Admin",
               "last_name": billing.get("last_name") or address.get("last_name") or "Contact",
               "email": billing["email"]}
    confirmation: Confirmation = {
        "number": len(records.confirmations(ctx, tenant, customer["id"])) + 1, "customer_id": customer["id"],
        "user_id": user_id, "contact": contact, "template_id": MCA_TEMPLATE, "type": CUSTOMER_AGREEMENT,
        "date_agreed": customer["created"], "created": customer["created"]}
    records.add_confirmation(ctx, tenant, confirmation)


def has_accepted(ctx: Context, tenant: str, customer_id: str) -> bool:
    """A partner's confirmation of the Customer Agreement, or the customer's own acceptance."""
    return records.direct_signed(ctx, tenant, customer_id) or any(
        c["type"] == CUSTOMER_AGREEMENT for c in records.confirmations(ctx, tenant, customer_id))


def require_agreement(ctx: Context, tenant: str, customer_id: str) -> None:
    """The purchase rule: 403 13605 for a new purchase without the Customer Agreement on file."""
    if ctx.settings.agreement_required and not has_accepted(ctx, tenant, customer_id):
        raise errors.CustomerAgreementRequired()


def direct_signed(ctx: Context, tenant: str, customer_id: str) -> bool:
    """G5: whether the customer accepted the Customer Agreement itself (set with the control route)."""
    customer = get_customer(ctx, tenant, customer_id)
    return records.direct_signed(ctx, tenant, customer["id"])


def set_direct_signed(ctx: Context, tenant: str, customer_id: str, is_signed: bool) -> bool:
    customer = get_customer(ctx, tenant, customer_id)
    records.set_direct_signed(ctx, tenant, customer["id"], is_signed)
    return is_signed


def document_link(ctx: Context, tenant: str, template_id: str, language: str | None,
                  country: str | None) -> DocumentLink:
    """G4: a new link on every call, valid five minutes of simulated time. `template-id` and `country`
    are case-sensitive; only the Customer Agreement has a document; an unsupported or missing language
    falls back to en-US."""
    if template_id != MCA_TEMPLATE:
        if template_id == TEMPLATES[CLOUD_AGREEMENT]["templateId"]:
            raise errors.InvalidRequestInput("only the Microsoft Customer Agreement template has a document")
        raise errors.AgreementTemplateNotFound(template_id)
    country = "US" if country is None or not country.strip() else country.strip()
    if country not in DOCUMENT_LANGUAGES:
        raise errors.InvalidRequestInput(f"the country '{country}' is not one the document is offered in "
                                         f"(ISO-3166 alpha-2, upper case: {', '.join(sorted(DOCUMENT_LANGUAGES))})")
    wanted = (language or "").strip()
    language = wanted if wanted in DOCUMENT_LANGUAGES[country] else "en-US"
    link: DocumentLink = {"id": ctx.ids.hex(32), "template_id": template_id, "language": language,
                          "country": country, "expires": wire.iso(ctx.clock.now() + LINK_LIFETIME)}
    records.save_link(ctx, tenant, link)
    return link


def fetch_document(ctx: Context, tenant: str, link_id: str, now: datetime) -> DocumentLink:
    """The link behind a download, while it is valid."""
    link = records.get_link(ctx, tenant, link_id)
    if link is None or wire.parse_time(link["expires"]) < now:
        raise errors.AgreementDocumentNotFound(link_id)
    return link
