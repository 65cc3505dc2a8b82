"""Webhook registration errors (partner-center-webhooks.md; the Swagger gives W2 a bare 409 and every
operation 400/404 without codes, so the generic codes stand in: 800002 invalid input, 1000 not found)."""
from __future__ import annotations

from simulator.errors.base import PartnerCenterError

__all__ = ["WebhookRegistrationExists", "WebhookRegistrationNotFound", "WebhookTestNotRegistered",
           "WebhookValidationEventNotFound", "WebhookDeliveryNotFound"]


class WebhookRegistrationExists(PartnerCenterError):
    status, code = 409, 800002
    description = ("A webhook registration already exists for this partner tenant: update it with "
                   "PUT /webhooks/v1/registration.")


class WebhookRegistrationNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No webhook registration exists for this partner tenant."


class WebhookTestNotRegistered(PartnerCenterError):
    description = "Invalid request input: register for the test-created event before sending test events."


class WebhookValidationEventNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No validation event has the correlation id {0}."


class WebhookDeliveryNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No webhook delivery has the id {0}."
