"""Errors of subscriptions, new commerce transitions, overage and upgrades."""
from __future__ import annotations

from simulator.errors.base import PartnerCenterError

__all__ = [
    "SubscriptionNotFound", "StaleEtag", "BillingCycleNotChangeable", "SubscriptionDeleted",
    "SubscriptionExpiring", "SubscriptionSuspended", "LegacySubscriptionSuspended",
    "StatusNotChangeable", "QuantityNotChangeable", "QuantityOutOfRange", "LegacyQuantityOutOfRange",
    "QuantityCannotDecrease", "SandboxSeatLimit", "CancellationWindowPassed", "NotEligibleToAutoRenew",
    "NotActivated", "AlreadyActivated", "AzurePlanHasActiveSubscriptions", "ScheduledChangeInvalid",
    "CustomTermEndDateNotNce", "CustomTermEndDateNoMatch", "TargetNotActive", "TargetIsSource",
    "TargetEndsEarlier", "TargetCatalogItemMismatch", "TargetNotReady", "TargetTermShorter",
    "LegacyNotSupported", "SourceNotActive", "OverageLegacyAzure", "OverageNotEligible",
    "OverageAssignedElsewhere", "SuspendedAzureSubscriptions", "UpgradeNotFound",
    "NoAzureSubscriptions", "UpgradeInProgress", "UpgradeCompleted", "AzurePlanHeld",
    "UpgradeOfAnotherCustomer", "PurchaseBlockedUpgradePending", "PurchaseBlockedUpgradeInProgress",
    "PurchaseBlockedUpgradeFailed", "NotLegacyLicense", "NotLegacyTrial",
]


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
