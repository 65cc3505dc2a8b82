"""Errors of the catalog, customers, carts, orders and purchase lines."""
from __future__ import annotations

from simulator.errors.base import PartnerCenterError

__all__ = [
    "TargetViewNotAllowed", "TargetSegmentNotAllowed", "CountryNotSupported",
    "ProductNotFound", "SkuNotFound", "AvailabilityNotFound", "CustomerIdNotGuid", "CustomerNotFound",
    "SandboxCustomerLimit", "RegistrationNumberMissing", "RegistrationNumberInvalid",
    "PhoneNumberMissing", "RegistrationNumberNotAccepted", "DomainTaken", "CustomerHasActiveOrders",
    "CartNotFound", "CartLineErrors", "CartAlreadySubmitted", "CartBeingProcessed", "CartEmpty",
    "PartnerAttestationMissing", "CustomTermEndDateInvalid", "SandboxAzurePlanLimit",
    "AzurePlanNeedsUpgrade", "EuNewCommerceRestriction", "OrderNotFound", "OrderCannotBeCancelled",
    "UseSubscriptionPatch", "OrderLineItemNotFound", "InvalidTerm", "InvalidBillingCycle",
    "BillingCycleLongerThanTerm", "AttestationRequired", "SeatBasedSaasCancel", "TooManySubscriptions",
    "EntitlementNotFound", "InvalidCancellationReason", "EntitlementNotCancelled",
]


# --- catalog ------------------------------------------------------------------------------

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


class InventoryContextMissing(PartnerCenterError):
    """check-inventory.md's error table: 400 400026, a required inventory context item is missing."""
    code, description = 400026, "Required inventory context items are missing: {0}."


__all__ += ["InventoryContextMissing"]


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
    code = 800063
    description = "Use PATCH /customers/{{customer-id}}/subscriptions/{{subscription-id}} for this change."


class OrderLineItemNotFound(PartnerCenterError):
    status, code, description = 404, 20000, "Order line item {0} not found."


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
    status, code = 403, 800077
    description = "Seat-based SaaS subscriptions must be cancelled through subscription PATCH."


class TooManySubscriptions(PartnerCenterError):
    status, code, description = 403, 800066, "The customer has reached the limit of {0} subscriptions."


class EntitlementNotFound(PartnerCenterError):
    status, code, description = 404, 800111, "The Azure entitlement {0} was not found."


class InvalidCancellationReason(PartnerCenterError):
    code, description = 900307, "The cancellation reason '{0}' is not valid; use compromise or abuse."


class EntitlementNotCancelled(PartnerCenterError):
    code, description = 900337, "The Azure entitlement {0} is not cancelled, so it can't be reactivated."
