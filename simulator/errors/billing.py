"""Errors of Azure spending (P1-P11), invoices (I1, I2, I7, I8) and their line items (I3-I6)."""
from __future__ import annotations

from simulator.errors.base import PartnerCenterError

__all__ = [
    "NotAnAzureSubscription", "ResourceUsageNotForLegacyAzure", "MonthlyUsageRecordsOnlyForLegacyAzure",
    "UtilizationNotForAzurePlan", "InvoiceNotFound", "InvoiceFilterNotSimulated", "StatementLinkInvalid",
    "StatementLinkExpired", "LineItemTypeNotOffered", "CurrencyCodeInvalid",
]


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


# --- invoices and the invoice statement (I1, I2, I7, I8) ---------------------------------

class InvoiceNotFound(PartnerCenterError):
    # get-invoice-by-id.md and get-invoice-statement.md document no code; error-codes.md: 404 1000 "Not found".
    status, code, description = 404, 1000, "Invoice {0} was not found."


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
    description = ("Access denied: the download link of invoice {0} expired at {1}; "
                   "read the invoice again for a new one.")


# --- invoice line items and estimate links (I3-I6) ---------------------------------------
# The line item pages document no error codes (they point at error-codes.md); these are its nearest.

class LineItemTypeNotOffered(PartnerCenterError):
    description = "Invalid request input: the provider '{0}' has no '{1}' line items here."


class CurrencyCodeInvalid(PartnerCenterError):
    description = "Invalid request input: the currency code '{0}' is not an ISO 4217 code."
