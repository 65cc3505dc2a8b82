"""Every error the simulator returns: one class per condition, rendered by one handler.

Codes and statuses come from the Partner Center docs (error-codes.md and the page of each
operation, summarised in shared/reference/api.md); where a page documents no code, the class
says which documented code was chosen and why.
"""
from __future__ import annotations

import json
from typing import Any, ClassVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response


class PartnerCenterError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[int] = 800002
    description: ClassVar[str] = "Invalid request input."
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: object, data: list[str] | None = None) -> None:
        self.text = self.description.format(*args) if args else self.description
        self.data = data or []
        super().__init__(self.text)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.text[:1024], "data": self.data, "source": "PartnerFD"}


# --- generic ------------------------------------------------------------------------------

class InvalidRequestInput(PartnerCenterError):
    """800002 is the generic validation code; its description names the field (error-codes.md)."""
    description = "Invalid request input: {0}"


class RouteNotFound(PartnerCenterError):
    # error-codes.md: 1000 is the legacy "not found" code; no code is documented for unknown routes.
    status, code, description = 404, 1000, "The requested resource {0} was not found."


class MethodNotAllowed(PartnerCenterError):
    status, code, description = 405, 800002, "The method {0} is not allowed on {1}."

    def __init__(self, method: str, path: str, allow: str) -> None:
        super().__init__(method, path)
        self.headers = {"Allow": allow}  # type: ignore[misc]


class NotSimulated(PartnerCenterError):
    # 900127 "This operation isn't supported in this environment" (error-codes.md), served as 501.
    status, code, description = 501, 900127, "This operation isn't supported in this environment: {0}"


class PartnerTokenMissing(PartnerCenterError):
    status, code, description = 401, 800001, "Partner Token missing in request context."
    headers = {"WWW-Authenticate": "OAuth realm=urn:cpsvc:cpid:pcsim"}


class InvalidToken(PartnerCenterError):
    status, code, description = 401, 800001, "The access token is invalid: {0}"
    headers = {"WWW-Authenticate": 'OAuth realm=urn:cpsvc:cpid:pcsim, error="invalid_token"'}


class AppOnlyNotSupported(PartnerCenterError):
    status, code, description = 403, 900329, "This resource does not support application-only authentication."


class SandboxOnlyOperation(PartnerCenterError):
    code, description = 900127, "This operation isn't supported in this environment."


# --- catalog ------------------------------------------------------------------------------

class MissingQueryParameter(PartnerCenterError):
    description = "Invalid request input: the query parameter '{0}' is required."


class TargetViewNotAllowed(PartnerCenterError):
    status, code, description = 403, 400036, "Access to the requested targetView is not allowed."


class TargetSegmentNotAllowed(PartnerCenterError):
    status, code, description = 403, 400030, "Access to the requested targetSegment is not allowed."


class CountryNotSupported(PartnerCenterError):
    description = "Invalid request input: the country '{0}' is not a supported market."


class ProductNotFound(PartnerCenterError):
    status, code, description = 404, 400013, "Product with id {0} was not found."


class SkuNotFound(PartnerCenterError):
    status, code, description = 404, 400018, "Sku with id {0} was not found."


class AvailabilityNotFound(PartnerCenterError):
    status, code, description = 404, 400019, "Availability with id {0} was not found."


# --- customers ----------------------------------------------------------------------------

class CustomerIdNotGuid(PartnerCenterError):
    description = "Customer ID {0} should have GUID format (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"


class CustomerNotFound(PartnerCenterError):
    status, code, description = 404, 60003, "Tenant with id {0} was not found."


class SandboxCustomerLimit(PartnerCenterError):
    code, description = 800018, "The sandbox limit of {0} customers has been met."


class RegistrationNumberMissing(PartnerCenterError):
    code, description = 600049, "Organization registration number is required for country {0}."


class RegistrationNumberInvalid(PartnerCenterError):
    code, description = 600050, "Organization registration number has an invalid format."


class PhoneNumberMissing(PartnerCenterError):
    code, description = 600051, "Phone number is required for country {0}."


class RegistrationNumberNotAccepted(PartnerCenterError):
    code, description = 600002, "Organization registration number is not accepted for country {0}."


class DomainTaken(PartnerCenterError):
    status, code, description = 409, 800002, "Invalid request input: the domain {0} is already in use."


class CustomerHasActiveOrders(PartnerCenterError):
    # delete-a-customer-account-from-the-integration-sandbox.md requires every reserved instance and
    # software order to be cancelled first but documents no code; 800061 "order can't be cancelled"
    # is the nearest documented one.
    code, description = 800061, "Cancel all Azure reserved instance and software orders of customer {0} first."


# --- carts --------------------------------------------------------------------------------

class CartNotFound(PartnerCenterError):
    status, code, description = 404, 800008, "Cart {0} was not found."


class CartLineErrors(PartnerCenterError):
    code, description = 800009, "There is an error in one or more cart items."


class CartAlreadySubmitted(PartnerCenterError):
    code, description = 800065, "Can't check out an already submitted cart."


class CartBeingProcessed(PartnerCenterError):
    status, code, description = 409, 800064, "Cart {0} is being processed by another request."


class CartEmpty(PartnerCenterError):
    description = "Invalid request input: a cart needs at least one line item."


class PartnerAttestationMissing(PartnerCenterError):
    code, description = 900206, "Partner Attestation is missing."


class CustomTermEndDateInvalid(PartnerCenterError):
    code, description = 900242, "The custom term end date {0} doesn't match an allowed co-term date."


class SandboxAzurePlanLimit(PartnerCenterError):
    code, description = 900116, "The integration sandbox allows {0}."


class AzurePlanNeedsUpgrade(PartnerCenterError):
    # The Azure plan docs say a customer with an MS-AZR-0145P subscription moves through a product
    # upgrade (create-product-upgrade-entity.md) instead of buying a plan, but give no code for a
    # direct purchase; 800002 (invalid request input) is the generic one, its description says why.
    description = ("Invalid request input: customer {0} has an MS-AZR-0145P subscription; move it to an Azure plan "
                   "with POST /v1/productUpgrades instead of buying one.")


class EuNewCommerceRestriction(PartnerCenterError):
    # purchase-new-commerce-license-based.md (2021-11, 2023): an EU partner may buy new commerce only
    # for new customers or customers without Azure plan, marketplace or software items priced in
    # another currency than the partner's. No code is documented for the refusal; 900169 "currency
    # must be partner or customer currency" is the nearest documented one: the conflict is currency.
    code = 900169
    description = ("New commerce can't be bought for customer {0}: it holds Azure plan, marketplace or software "
                   "items priced in {1}, not in the partner's currency {2}.")


# --- orders -------------------------------------------------------------------------------

class OrderNotFound(PartnerCenterError):
    status, code, description = 404, 20000, "Order ID not found."


class OrderCannotBeCancelled(PartnerCenterError):
    code, description = 800061, "The order can't be cancelled: {0}"


class UseSubscriptionPatch(PartnerCenterError):
    code, description = 800063, "Use PATCH /customers/{{customer-id}}/subscriptions/{{subscription-id}} for this change."


class OrderLineItemNotFound(PartnerCenterError):
    status, code, description = 404, 20000, "Order line item {0} not found."


# --- subscriptions ------------------------------------------------------------------------

class SubscriptionNotFound(PartnerCenterError):
    status, code, description = 404, 20003, "Subscription not found."


class StaleEtag(PartnerCenterError):
    code, description = 2055, "The ETag is no longer valid; read the subscription again."


class BillingCycleNotChangeable(PartnerCenterError):
    code, description = 2054, "The billing cycle can't be changed through a subscription update; update the order."


class SubscriptionDeleted(PartnerCenterError):
    code, description = 2011, "A deleted subscription can't be updated."


class SubscriptionExpiring(PartnerCenterError):
    # 900277 "subscription is expiring" (error-codes.md) is the nearest code for an expired one.
    code, description = 900277, "The subscription has expired and can't be updated."


class SubscriptionSuspended(PartnerCenterError):
    code, description = 800091, "A suspended subscription can't be changed; reactivate it first."


class LegacySubscriptionSuspended(PartnerCenterError):
    code, description = 2001, "The subscription is suspended and can't be changed."


class StatusNotChangeable(PartnerCenterError):
    code, description = 800096, "The status of this subscription can't be changed to {0}."


class QuantityNotChangeable(PartnerCenterError):
    status, code, description = 403, 800027, "This item isn't eligible for a quantity change."


class QuantityOutOfRange(PartnerCenterError):
    code, description = 900275, "The quantity {0} is outside the allowed range {1}-{2} for catalog item {3}."


class LegacyQuantityOutOfRange(PartnerCenterError):
    code, description = 2002, "The quantity {0} is outside the allowed range {1}-{2}."


class QuantityCannotDecrease(PartnerCenterError):
    # change-the-quantity-of-a-subscription.md shows exactly this body once the window has passed.
    code, description = 800090, "Subscription quantity cannot be decreased."


class SandboxSeatLimit(PartnerCenterError):
    status, code, description = 403, 800067, "The integration sandbox allows {0} licenses per subscription."


class CancellationWindowPassed(PartnerCenterError):
    code, description = 900117, "You have passed your {0}-day cancellation window and can no longer cancel."


class NotEligibleToAutoRenew(PartnerCenterError):
    code, description = 800093, "This subscription isn't eligible to auto-renew."


class NotActivated(PartnerCenterError):
    code, description = 800081, "Can't update a subscription before activating it."


class AlreadyActivated(PartnerCenterError):
    code, description = 800041, "This item has already been activated."


class AzurePlanHasActiveSubscriptions(PartnerCenterError):
    status, code = 403, 900115
    description = ("Azure plan can't be moved to suspended state since you have one or more Azure Subscriptions "
                   "in the active state.")


class ScheduledChangeInvalid(PartnerCenterError):
    description = "Invalid request input: scheduledNextTermInstructions {0}"


class CustomTermEndDateNotNce(PartnerCenterError):
    code, description = 900244, "A custom term end date is only allowed for OnlineServicesNCE products."


class CustomTermEndDateNoMatch(PartnerCenterError):
    code, description = 900246, "The custom term end date doesn't match any allowed co-term date."


# --- purchase lines, checkout, order cancel, Azure entitlements ----------------------

class InvalidTerm(PartnerCenterError):
    code, description = 900268, "The term duration {0} is not offered for catalog item {1}."


class InvalidBillingCycle(PartnerCenterError):
    code, description = 900269, "The billing cycle {0} is not offered for catalog item {1}."


class BillingCycleLongerThanTerm(PartnerCenterError):
    code, description = 900270, "The billing cycle {0} can't be longer than the term {1}."


class AttestationRequired(PartnerCenterError):
    code, description = 900203, "CatalogItemId {0} requires attestation acceptance."


class SeatBasedSaasCancel(PartnerCenterError):
    status, code, description = 403, 800077, "Seat-based SaaS subscriptions must be cancelled through subscription PATCH."


class TooManySubscriptions(PartnerCenterError):
    status, code, description = 403, 800066, "The customer has reached the limit of {0} subscriptions."


class EntitlementNotFound(PartnerCenterError):
    status, code, description = 404, 800111, "The Azure entitlement {0} was not found."


class InvalidCancellationReason(PartnerCenterError):
    code, description = 900307, "The cancellation reason '{0}' is not valid; use compromise or abuse."


class EntitlementNotCancelled(PartnerCenterError):
    code, description = 900337, "The Azure entitlement {0} is not cancelled, so it can't be reactivated."


# --- new commerce transitions and overage (error-codes.md) ------------------------

class TargetNotActive(PartnerCenterError):
    code = 900258
    description = "The target transition ToSubscriptionId field is invalid. Target subscription must be active."


class TargetIsSource(PartnerCenterError):
    code = 900259
    description = ("The target transition ToSubscriptionId field is invalid. Target subscription id can't be the "
                   "same as the source subscription ID.")


class TargetEndsEarlier(PartnerCenterError):
    code = 900236
    description = ("The target transition ToSubscriptionId field is invalid. Target subscription CommitmentEndDate "
                   "must be later than source subscription")


class TargetCatalogItemMismatch(PartnerCenterError):
    code = 900260
    description = ("The target transition ToSubscriptionId field is invalid. Target subscription must have the same "
                   "CatalogItemId as in the transition request.")


class TargetNotReady(PartnerCenterError):
    # The doc's "not ready ... try again after sometime"; used for a target still inside its
    # cancellation window (TargetSubscriptionErrorCode 2), which passes with time.
    code = 900261
    description = ("The target transition ToSubscriptionId field is invalid. The target subscription is not ready to "
                   "be upgraded. Please try again after sometime.")


class TargetTermShorter(PartnerCenterError):
    code = 900267
    description = "Target transition can't have a term duration shorter than that of the source subscription."


class LegacyNotSupported(PartnerCenterError):
    status, code, description = 403, 900263, "This API method is not supported for legacy subscriptions."


class SourceNotActive(PartnerCenterError):
    # No code is documented for an inactive source; 800002 with the eligibility error's text.
    description = "Invalid request input: Subscription can't be Transitioned - source subscription isn't active."


class OverageLegacyAzure(PartnerCenterError):
    status, code = 403, 800112
    description = "Overage can't be set as the customer has legacy Azure subscriptions."


class OverageNotEligible(PartnerCenterError):
    status, code, description = 403, 800114, "You aren't eligible to manage overage for this customer."


class OverageAssignedElsewhere(PartnerCenterError):
    status, code = 403, 800115
    description = ("Overage is already assigned to another tenant. Contact your customer to resolve ownership "
                   "questions.")


# --- Azure spending (P1-P11) ----------------------------------------------------------

class NotAnAzureSubscription(PartnerCenterError):
    # error-codes.md: 800011 "This subscription isn't a valid Azure subscription".
    code = 800011
    description = "This subscription isn't a valid Azure subscription: {0} is neither an Azure plan nor MS-AZR-0145P."


class ResourceUsageNotForLegacyAzure(PartnerCenterError):
    # get-a-customer-subscription-resource-usage-records.md: the route does not support MS-AZR-0145P;
    # error-codes.md 900263 "This API method is not supported for legacy subscriptions".
    status, code = 403, 900263
    description = ("This API method is not supported for legacy subscriptions: resource usage records are for Azure "
                   "plans; use meterusagerecords for MS-AZR-0145P.")


class MonthlyUsageRecordsOnlyForLegacyAzure(PartnerCenterError):
    # get-all-monthly-usage-records-for-a-subscription.md: only MS-AZR-0145P; error-codes.md 900141.
    code = 900141
    description = ("This operation isn't supported: usagerecords/resources is for MS-AZR-0145P subscriptions only; "
                   "use meterusagerecords for an Azure plan.")


class UtilizationNotForAzurePlan(PartnerCenterError):
    # get-a-customer-s-utilization-record-for-azure.md: "this API isn't supported for Azure plans"; 900141.
    code = 900141
    description = ("This operation isn't supported: Azure utilization records aren't available for Azure plans; use "
                   "the invoice unbilled consumption line items instead.")


# --- product upgrades, legacy upgrades and conversions -------------------------------

class SuspendedAzureSubscriptions(PartnerCenterError):
    status, code, description = 403, 900105, "Suspended Azure subscriptions can't be transitioned to an Azure plan."


class UpgradeNotFound(PartnerCenterError):
    status, code, description = 404, 900106, "No upgrade request {0} was found."


class NoAzureSubscriptions(PartnerCenterError):
    status, code, description = 403, 900108, "The customer has no Azure subscriptions to upgrade."


class UpgradeInProgress(PartnerCenterError):
    status, code, description = 409, 900109, "An upgrade is already in progress for this customer (upgrade {0})."


class UpgradeCompleted(PartnerCenterError):
    code, description = 900110, "The upgrade has already been completed for this customer (upgrade {0})."


class AzurePlanHeld(PartnerCenterError):
    # No code is documented for a customer who already has an Azure plan; 900110 (upgrade already
    # completed) is the nearest: the customer is where an upgrade would take them.
    code, description = 900110, "The customer already has an Azure plan; there is nothing to upgrade."


class UpgradeOfAnotherCustomer(PartnerCenterError):
    code, description = 900111, "The upgrade {0} belongs to another customer."


class PurchaseBlockedUpgradePending(PartnerCenterError):
    status, code, description = 409, 900112, "Azure plan purchase is blocked while a product upgrade is pending."


class PurchaseBlockedUpgradeInProgress(PartnerCenterError):
    status, code, description = 409, 900113, "Azure plan purchase is blocked while a product upgrade is in progress."


class PurchaseBlockedUpgradeFailed(PartnerCenterError):
    # Upgrades never fail in the simulator; kept for the documented code.
    status, code, description = 409, 900114, "Azure plan purchase is blocked because a product upgrade failed."


class NotLegacyLicense(PartnerCenterError):
    # No code is documented for upgrades of other subscriptions; 800002 (invalid request input).
    description = ("Invalid request input: subscription {0} isn't a legacy license-based subscription; "
                   "new commerce subscriptions change through transitions (transitionEligibilities).")


class NotLegacyTrial(PartnerCenterError):
    # No code is documented for converting a subscription that has no conversion offers; 800002.
    description = "Invalid request input: subscription {0} isn't a legacy trial and has no conversion offers. {1}"


# --- invoices and the invoice statement (I1, I2, I7, I8) ---------------------------------

class InvoiceNotFound(PartnerCenterError):
    # get-invoice-by-id.md and get-invoice-statement.md document no code; error-codes.md: 404 1000 "Not found".
    status, code, description = 404, 1000, "Invoice {0} was not found."


class InvalidPageParameter(PartnerCenterError):
    # get-a-collection-of-invoices.md: `size` and `offset` are integers (`offset` zero-based); no code is
    # documented for other values, so 800002 (invalid request input) names the parameter.
    description = "Invalid request input: the query parameter '{0}' must be {1}."


class InvoiceFilterNotSimulated(PartnerCenterError):
    # The .NET SDK can send `filter` to GET /v1/invoices (PartnerSdkConfiguration.json), but no doc says
    # which fields it filters on: 900127 as every operation that isn't simulated, served as 501.
    status, code = 501, 900127
    description = "This operation isn't supported in this environment: the filter parameter of GET /v1/invoices."


class StatementLinkInvalid(PartnerCenterError):
    description = "Invalid request input: expiresAt must be the ISO-8601 time the invoice's pdfDownloadLink carries."


class StatementLinkExpired(PartnerCenterError):
    # invoice-resources.md: the pdfDownloadLink "auto-expires in 30 minutes"; no code is documented for a
    # late one, so error-codes.md's 403 2032 "Access denied".
    status, code = 403, 2032
    description = "Access denied: the download link of invoice {0} expired at {1}; read the invoice again for a new one."


# --- invoice line items and estimate links (I3-I6) ---------------------------------------
# The line item pages document no error codes (they point at error-codes.md); these are its nearest.

class UnparsableEnum(PartnerCenterError):
    # error-codes.md: 400 900126 "Unable to parse enum: {0}" (provider, invoicelineitemtype, period ...).
    code, description = 900126, "Unable to parse enum: the {0} '{1}' is not one of {2}."


class LineItemTypeNotOffered(PartnerCenterError):
    description = "Invalid request input: the provider '{0}' has no '{1}' line items here."


class CurrencyCodeInvalid(PartnerCenterError):
    description = "Invalid request input: the currency code '{0}' is not an ISO 4217 code."


class NotABoolean(PartnerCenterError):
    description = "Invalid request input: the query parameter '{0}' must be true or false."


class ContinuationTokenMissing(PartnerCenterError):
    description = "Invalid request input: seekOperation=Next needs the MS-ContinuationToken header of links.next."


class ContinuationTokenInvalid(PartnerCenterError):
    description = ("Invalid request input: the MS-ContinuationToken isn't one this query's links.next gave; "
                   "start again without seekOperation.")


# --- the control API (/_simulator) and its fault rules ----------------------------------
# Not Partner Center operations, so no code is documented for them: 1000 (the legacy "not found",
# as for unknown routes), 800001 (no token) and 800002 (invalid request input) are the nearest.

class ControlTokenRequired(PartnerCenterError):
    status, code = 401, 800001
    description = "The simulator's control API needs its token (--control-token) as Authorization: Bearer."
    headers = {"WWW-Authenticate": 'Bearer realm="pcsim-control"'}


class SnapshotNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No snapshot is named {0}."


class TooManySnapshots(PartnerCenterError):
    status, code = 409, 800002
    description = "Invalid request input: the simulator keeps at most {0} snapshots (--max-snapshots); delete one first."


class FaultNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No fault rule has the id {0}."


class InjectedFault(PartnerCenterError):
    """The answer of an `error` fault rule: its status, code and description."""

    def __init__(self, status: int, code: int, description: str) -> None:
        super().__init__()
        self.status, self.code, self.text = status, code, description  # type: ignore[misc]


class Throttled(PartnerCenterError):
    """The answer of a `throttle` fault rule, as api.md 2.8 and the recorded example show it: 429,
    `Retry-After`, and a body of another shape than the usual error body."""
    status, code, description = 429, 429, "Rate limit is exceeded. Try again in {0} seconds."

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.headers = {"Retry-After": str(retry_after)}  # type: ignore[misc]

    def body(self) -> dict[str, Any]:
        return {"statusCode": 429, "message": self.text}


# --- rendering ----------------------------------------------------------------------------

def error_body(exc: PartnerCenterError) -> bytes:
    return json.dumps(exc.body(), separators=(",", ":")).encode()


def render(exc: PartnerCenterError) -> Response:
    return Response(error_body(exc), status_code=exc.status, headers=dict(exc.headers),
                    media_type="application/json; charset=utf-8")


async def partner_center_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PartnerCenterError)
    return render(exc)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:  # the guards answer every other method (app.method_guards)
        return render(MethodNotAllowed(request.method, request.url.path, (exc.headers or {}).get("Allow", "")))
    if exc.status_code == 404:
        return render(RouteNotFound(request.url.path))
    return render(InvalidRequestInput(exc.detail))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A 500 is always a bug; it still answers with a Partner Center body."""
    body = {"code": 500, "description": f"Internal simulator error: {type(exc).__name__}: {exc}",
            "data": [], "source": "PartnerFD"}
    return Response(json.dumps(body).encode(), status_code=500, media_type="application/json; charset=utf-8")


HANDLERS = {
    PartnerCenterError: partner_center_error_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}
