"""Errors of the routes around the purchase path: agreements (G), domains and validation (D) and the
partner's profiles (R) (api-integration.md 1.11-1.13), and the purchase refusals they carry.

The agreement and account-validation services answer with an extended body (`message`, `errorName`,
`isRetryable`, `errorMessageExtended`) instead of the usual `data`/`source` (api-integration.md 2)."""
from __future__ import annotations

from typing import Any

from simulator.errors.base import PartnerCenterError

__all__ = [
    "ExtendedError", "AgreementAlreadyConfirmed", "AccountStatusNotFound", "CustomerAgreementRequired",
    "AgreementDateInFuture", "AgreementTemplateNotFound", "AgreementTemplateMismatch",
    "AgreementDocumentNotFound", "CountryRulesNotFound", "CustomerAccountUnderReview",
    "CustomerAccountStatusUnknown", "CustomerAccountNotApproved", "PartnerIdNotFound",
]


class ExtendedError(PartnerCenterError):
    """The agreement/validation services' body: {code, message, description, errorName, isRetryable,
    parameters?, errorMessageExtended: "InternalErrorCode=<code>"}."""
    error_name = ""
    with_parameters = True

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.text, "description": self.text,
                               "errorName": self.error_name, "isRetryable": False}
        if self.with_parameters:
            out["parameters"] = {}
        out["errorMessageExtended"] = f"InternalErrorCode={self.code}"
        return out


class AgreementAlreadyConfirmed(ExtendedError):
    # confirm-customer-consent-customer-agreement.md gives the body and no status: 409, as pcsim answers
    # other "already exists" conflicts (a taken domain).
    status, code, error_name = 409, 600061, "PartnerConfirmedAgreementAlreadyExists"
    description = "A partner confirmed agreement already exists for the customer."


class AccountStatusNotFound(ExtendedError):
    # retrieve-validation-status.md: 404, no `parameters` in its body.
    status, code, error_name, with_parameters = 404, 600074, "AccountStatusNotFound", False
    description = "Account Status for the customer, {0} was not found."


class CustomerAgreementRequired(PartnerCenterError):
    # error-codes.md: 403 13605, word for word.
    status, code = 403, 13605
    description = ("Either a partner confirmation of the customer acceptance of the Microsoft Customer Agreement "
                   "must be provided or the customer must accept the Microsoft Customer Agreement in the "
                   "Microsoft Admin Center before you can complete this purchase")


class AgreementDateInFuture(PartnerCenterError):
    # confirm-customer-agreement.md: "the acceptance date can't be in the future"; no code documented.
    description = "Invalid request input: dateAgreed {0} is in the future; the acceptance date cannot be."


class AgreementTemplateNotFound(PartnerCenterError):
    # No code is documented for an unknown template: 404 with the legacy "not found" code 1000.
    status, code, description = 404, 1000, "Agreement template {0} was not found."


class AgreementTemplateMismatch(PartnerCenterError):
    description = "Invalid request input: templateId {0} is not the template of the agreement type {1}."


class AgreementDocumentNotFound(PartnerCenterError):
    # An expired or unknown download link; no code documented (the legacy "not found" 1000).
    status, code, description = 404, 1000, "The agreement document link {0} was not found or has expired."


class CountryRulesNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No validation rules for the country {0}."


class CustomerAccountUnderReview(PartnerCenterError):
    # error-codes.md: 403 800073 / 800074, the customer's account is under review.
    status, code, description = 403, 800073, "The customer account {0} is under review; purchases are blocked."


class CustomerAccountStatusUnknown(PartnerCenterError):
    status, code = 403, 800074
    description = "The customer account {0} is under review (its validation status is Unknown); purchases are blocked."


class CustomerAccountNotApproved(PartnerCenterError):
    # error-codes.md: 403 800075, the customer's account is not approved.
    status, code, description = 403, 800075, "The customer account {0} is not approved; purchases are blocked."


class PartnerIdNotFound(PartnerCenterError):
    # get-partner-by-mpn-id.md: 404 3000 (error-codes.md lists 3000 as 400; the example wins).
    status, code, description = 404, 3000, "Partner Organization with partner_id {0} could not be found"
