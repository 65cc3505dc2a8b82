"""Errors of the legacy offer catalog (L1-L6) and of the customer's users, licenses and directory
roles (E1-E14). Codes from error-codes.md and the pages' examples; where a page documents none, the
class says which code was chosen and why."""
from __future__ import annotations

from simulator.errors.base import PartnerCenterError

__all__ = [
    "OfferNotSupported", "UserNotFound", "UserPrincipalNameTaken", "UserPrincipalNameInvalid",
    "UserNotDeleted", "UserDeleted", "LicensesExhausted", "SkuNotSubscribed", "LicenseGroupsMixed",
    "DirectoryRoleNotFound", "RoleMemberExists", "RoleMemberNotFound",
]


# --- legacy offers ------------------------------------------------------------------------

class OfferNotSupported(PartnerCenterError):
    # error-codes.md: 400 2100. The real service answers it for ids it holds no legacy offer under.
    code = 2100
    description = "The Offers API doesn't support item with ID {0}. Try using the Products and/or SKUs APIs"


# --- users --------------------------------------------------------------------------------

class UserNotFound(PartnerCenterError):
    # error-codes.md: 404 60002 "user object ID not found" (also for a deleted user past its 30 days).
    status, code, description = 404, 60002, "The user object ID {0} was not found."


class UserPrincipalNameTaken(PartnerCenterError):
    # No code is documented for a taken UPN (api-integration.md §4); 800002, the generic validation code.
    description = "Invalid request input: another user of the tenant already has the userPrincipalName {0}."


class UserPrincipalNameInvalid(PartnerCenterError):
    description = "Invalid request input: userPrincipalName {0} must be alias@{1}, a domain of the customer."


class UserNotDeleted(PartnerCenterError):
    description = "Invalid request input: the user {0} is active; only a deleted (inactive) user is restored."


class UserDeleted(PartnerCenterError):
    # A soft-deleted user is read (E3) and restored (E4 state=active) only; no code is documented.
    description = "Invalid request input: the user {0} is deleted; restore it first (PATCH with state active)."


# --- licenses -----------------------------------------------------------------------------

class LicensesExhausted(PartnerCenterError):
    """assign-licenses-to-a-user.md's example: 400 60012 with the LicenseQuotaExceededException data."""
    code = 60012
    description = ("We are sorry, it looks like you have run out of licenses. Buy more licenses, and then "
                   "try again.")

    def __init__(self, customer_id: str, sku_id: str) -> None:
        super().__init__(data=[f"LicenseQuotaExceededException : Subscription with Account {customer_id} and SKU "
                               f"{sku_id} does not have any available licenses left."])


class SkuNotSubscribed(PartnerCenterError):
    # The customer holds no subscription of that SKU (none in E9's list): the same 60012 as no licenses
    # left, with a data line that says so.
    code = 60012
    description = LicensesExhausted.description

    def __init__(self, customer_id: str, sku_id: str) -> None:
        super().__init__(data=[f"LicenseQuotaExceededException : Account {customer_id} has no subscription "
                               f"of SKU {sku_id}."])


class LicenseGroupsMixed(PartnerCenterError):
    # assign-licenses-to-a-user.md: one request may touch one license group; it fails without a code.
    description = "Invalid request input: a license update may touch licenses of one license group only."


# --- directory roles ----------------------------------------------------------------------

class DirectoryRoleNotFound(PartnerCenterError):
    # No code is documented; 1000 is the legacy "not found" code.
    status, code, description = 404, 1000, "The directory role {0} was not found."


class RoleMemberExists(PartnerCenterError):
    # No code is documented for a user who already holds the role (api-integration.md §4).
    description = "Invalid request input: the user {0} is already a member of the directory role {1}."


class RoleMemberNotFound(PartnerCenterError):
    status, code, description = 404, 60002, "The user object ID {0} is not a member of the directory role {1}."
