"""Every Partner Center operation pcsim knows of, as data: the ids (C1-C13, U1-U4, K1-K4, O1-O7, S1-S15,
N1-N6, A1-A7, I1-I8, P1-P11, X1; G1-G5, D1-D5, R1-R5, L1-L6, E1-E14, W1-W6 of api-integration.md) that the
code, the tests and the contracts (contracts/<id>.json) use.

One row per operation id, grouped in the sections 1.1-1.10 (comments elsewhere cite them as "api.md 1.x")
and 1.11-1.16 (api-integration.md's),
with the method and the path as Partner Center's documentation spells them (X1 keeps its
login.microsoftonline.com host, S2/S3 their defining query). `pcsim contracts report` turns the table into
docs/coverage.md, the page that defines the ids for readers; tests/test_coverage_report.py checks that every
contract belongs to its row and that every row is routed.
"""
from __future__ import annotations

from typing import NamedTuple


class Endpoint(NamedTuple):
    id: str
    method: str
    path: str       # as the documentation spells it
    section: str    # "1.1" ... "1.13"
    name: str       # a short name (a contract's `operation` where there is one)

    @property
    def route(self) -> str:
        """The path as the simulator routes it: no scheme and host, no query."""
        path = self.path.split("?")[0]
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return path


SECTIONS = {
    "1.1": "Catalog", "1.2": "Customers", "1.3": "Carts", "1.4": "Orders", "1.5": "Subscriptions",
    "1.6": "New commerce specifics", "1.7": "Azure plan", "1.8": "Invoices and reconciliation",
    "1.9": "Azure spending", "1.10": "Authentication endpoint",
    # api-integration.md continues the numbering
    "1.11": "Agreements", "1.12": "Domains and validation", "1.13": "Partner profiles",
    "1.14": "Legacy offers", "1.15": "Customer users, licenses and directory roles", "1.16": "Webhooks",
}

C, S = "/v1/customers/{customer-id}", "/v1/customers/{customer-id}/subscriptions/{subscription-id}"
P, SKU = "/v1/products/{product-id}", "/v1/products/{product-id}/skus/{sku-id}"
CP, CSKU = C + "/products/{product-id}", C + "/products/{product-id}/skus/{sku-id}"
ORD, E = C + "/orders/{order-id}", S + "/azureEntitlements/{entitlement-id}"
USR, ROLE = C + "/users", C + "/directoryroles"

_ROWS = [
    # 1.1 Catalog
    ("C1", "GET", "/v1/products", "1.1", "get a list of products"),
    ("C2", "GET", P, "1.1", "get a product by ID"),
    ("C3", "GET", P + "/skus", "1.1", "get a list of SKUs for a product"),
    ("C4", "GET", SKU, "1.1", "get a SKU by ID"),
    ("C5", "GET", SKU + "/availabilities", "1.1", "get a list of availabilities for a SKU"),
    ("C6", "GET", SKU + "/availabilities/{availability-id}", "1.1", "get an availability by ID"),
    ("C7", "GET", C + "/products", "1.1", "get a list of products by customer"),
    ("C8", "GET", CP, "1.1", "get a product by ID (customer scope)"),
    ("C9", "GET", CP + "/skus", "1.1", "get a list of SKUs for a product (customer scope)"),
    ("C10", "GET", CSKU, "1.1", "get a SKU by ID (customer scope)"),
    ("C11", "GET", CSKU + "/availabilities", "1.1", "get a list of availabilities for a SKU (customer scope)"),
    ("C12", "GET", CSKU + "/availabilities/{availability-id}", "1.1", "get an availability by ID (customer scope)"),
    ("C13", "POST", "/v1/extensions/product/checkinventory", "1.1", "check inventory"),
    # 1.2 Customers
    ("U1", "GET", "/v1/customers", "1.2", "get a list of customers"),
    ("U2", "GET", C, "1.2", "get a customer by ID"),
    ("U3", "POST", "/v1/customers", "1.2", "create a customer"),
    ("U4", "DELETE", C, "1.2", "delete a customer from the integration sandbox"),
    # 1.3 Carts
    ("K1", "POST", C + "/carts", "1.3", "create a cart"),
    ("K2", "GET", C + "/carts/{cart-id}", "1.3", "get a cart"),
    ("K3", "PUT", C + "/carts/{cart-id}", "1.3", "update a cart"),
    ("K4", "POST", C + "/carts/{cart-id}/checkout", "1.3", "checkout a cart"),
    # 1.4 Orders
    ("O1", "POST", C + "/orders", "1.4", "create an order"),
    ("O2", "GET", C + "/orders", "1.4", "get all of a customer's orders"),
    ("O3", "GET", ORD, "1.4", "get an order by ID"),
    ("O4", "PATCH", ORD, "1.4", "update an order (sandbox cancel, add-on purchase, billing cycle)"),
    ("O5", "GET", ORD + "/provisioningstatus", "1.4", "get order provisioning status"),
    ("O6", "GET", ORD + "/lineitems/{line-item-number}/activationlinks", "1.4",
     "get activation links by order line item"),
    ("O7", "GET", ORD + "/activationlinks", "1.4", "get activation links of an order"),
    # 1.5 Subscriptions
    ("S1", "GET", C + "/subscriptions", "1.5", "get all of a customer's subscriptions"),
    ("S2", "GET", C + "/subscriptions?order_id={order-id}", "1.5", "get a list of subscriptions by order"),
    ("S3", "GET", C + "/subscriptions?mpn_id={partner-id}", "1.5", "get all subscriptions by partner"),
    ("S4", "GET", S, "1.5", "get a subscription by ID"),
    ("S5", "PATCH", S, "1.5", "update a subscription"),
    ("S6", "GET", S + "/addons", "1.5", "get a list of add-ons for a subscription"),
    ("S7", "GET", S + "/provisioningstatus", "1.5", "get subscription provisioning status"),
    ("S8", "POST", S + "/activate", "1.5", "activate a sandbox marketplace subscription"),
    ("S9", "GET", S + "/activationlinks", "1.5", "get activation links of a subscription"),
    ("S10", "GET", S + "/conversions", "1.5", "get a list of trial conversion offers"),
    ("S11", "POST", S + "/conversions", "1.5", "convert a trial subscription to paid"),
    ("S12", "POST", S + "/registrations", "1.5", "register a subscription"),
    ("S13", "GET", S + "/registrationstatus", "1.5", "get subscription registration status"),
    ("S14", "GET", S + "/upgrades", "1.5", "get the upgrades of a legacy subscription"),
    ("S15", "POST", C + "/subscriptions/{target-subscription-id}/upgrades", "1.5", "upgrade a legacy subscription"),
    # 1.6 New commerce specifics
    ("N1", "GET", C + "/subscriptions/customTermEndDates", "1.6", "get custom term end dates"),
    ("N2", "GET", S + "/transitionEligibilities", "1.6", "get transition eligibilities"),
    ("N3", "POST", S + "/transitions", "1.6", "transition a new commerce subscription"),
    ("N4", "GET", S + "/transitions", "1.6", "get transitions"),
    ("N5", "GET", C + "/subscriptions/overage", "1.6", "get subscription overage"),
    ("N6", "PUT", C + "/subscriptions/overage", "1.6", "update subscription overage"),
    # 1.7 Azure plan
    ("A1", "GET", S + "/azureEntitlements", "1.7", "get a list of Azure entitlements"),
    ("A2", "GET", E, "1.7", "get an Azure entitlement"),
    ("A3", "POST", E + "/cancel", "1.7", "cancel an Azure subscription"),
    ("A4", "POST", E + "/reactivate", "1.7", "reactivate an Azure subscription"),
    ("A5", "POST", "/v1/productUpgrades/eligibility", "1.7", "check eligibility for the product upgrade"),
    ("A6", "POST", "/v1/productUpgrades", "1.7", "create a product upgrade entity"),
    ("A7", "POST", "/v1/productUpgrades/{upgrade-id}/status", "1.7", "get the product upgrade status"),
    # 1.8 Invoices and reconciliation
    ("I1", "GET", "/v1/invoices", "1.8", "get a collection of invoices"),
    ("I2", "GET", "/v1/invoices/{invoice-id}", "1.8", "get an invoice by ID"),
    ("I3", "GET", "/v1/invoices/{invoice-id}/lineitems", "1.8", "get invoice line items"),
    ("I4", "GET", "/v1/invoices/{invoice-id}/lineitems/{billing-provider}/{invoice-line-item-type}", "1.8",
     "get invoice line items (older path form)"),
    ("I5", "GET", "/v1/invoices/estimates/links", "1.8", "get invoice estimate links"),
    ("I6", "GET", "/v1/invoices/unbilled/lineitems", "1.8", "get unbilled invoice line items"),
    ("I7", "GET", "/v1/invoices/summaries", "1.8", "get invoice summaries"),
    ("I8", "GET", "/v1/invoices/{invoice-id}/documents/statement", "1.8", "get an invoice statement (PDF)"),
    # 1.9 Azure spending
    ("P1", "GET", C + "/usagesummary", "1.9", "get a customer usage summary"),
    ("P2", "GET", C + "/usagebudget", "1.9", "get a customer's usage spending budget"),
    ("P3", "PATCH", C + "/usagebudget", "1.9", "update a customer's usage spending budget"),
    ("P4", "GET", C + "/subscriptions/usagerecords", "1.9", "get a customer's subscription usage records"),
    ("P5", "GET", "/v1/customers/usagerecords", "1.9", "get customers' usage records"),
    ("P6", "GET", S + "/usagesummary", "1.9", "get a subscription usage summary"),
    ("P7", "GET", S + "/meterusagerecords", "1.9", "get a subscription's meter usage records"),
    ("P8", "GET", S + "/resourceusagerecords", "1.9", "get a subscription's resource usage records"),
    ("P9", "GET", S + "/usagerecords/resources", "1.9", "get all monthly usage records for a subscription"),
    ("P10", "GET", S + "/utilizations/azure", "1.9", "get a customer's Azure utilization records"),
    ("P11", "GET", "/v1/usagesummary", "1.9", "get a partner usage summary"),
    # 1.10 Authentication endpoint (Azure AD, not Partner Center)
    ("X1", "POST", "https://login.microsoftonline.com/{tenant-id}/oauth2/token", "1.10",
     "get an App-only token (Azure AD v1 token endpoint)"),
    # 1.11 Agreements (api-integration.md)
    ("G1", "GET", "/v1/agreements", "1.11", "get agreement metadata"),
    ("G2", "GET", C + "/agreements", "1.11", "get a customer's agreement confirmations"),
    ("G3", "POST", C + "/agreements", "1.11", "confirm the customer's acceptance of an agreement"),
    ("G4", "GET", "/v1/agreementtemplates/{template-id}/document", "1.11", "get an agreement template document link"),
    ("G5", "GET", C + "/directSignedMicrosoftCustomerAgreementStatus", "1.11",
     "get the direct-signed status of the Customer Agreement"),
    # 1.12 Domains and validation
    ("D1", "HEAD", "/v1/domains/{domain}", "1.12", "verify domain availability"),
    ("D2", "POST", "/v1/validations/address", "1.12", "validate an address"),
    ("D3", "GET", "/v1/countryvalidationrules/{country}", "1.12", "get market-specific validation rules"),
    ("D4", "GET", "/v1/customers/all/validations", "1.12", "get the partner's validation codes"),
    ("D5", "GET", C + "/validationStatus", "1.12", "get a customer's account validation status"),
    # 1.13 Partner profiles
    ("R1", "GET", "/v1/profiles/organization", "1.13", "get the organization profile"),
    ("R2", "GET", "/v1/profiles/billing", "1.13", "get the partner billing profile"),
    ("R3", "GET", "/v1/profiles/legalbusiness", "1.13", "get the legal business profile"),
    ("R4", "GET", "/v1/profiles/mpn", "1.13", "get the MPN (partner network) profile"),
    ("R5", "GET", "/v1/profiles/support", "1.13", "get the support profile"),
    # 1.14 Legacy offers
    ("L1", "GET", "/v1/offers?country={country-id}", "1.14", "get a list of offers for a market"),
    ("L2", "GET", "/v1/offers/{offer-id}?country={country-id}", "1.14", "get an offer by ID"),
    ("L3", "GET", "/v1/offers/{offer-id}/addons?country={country-id}", "1.14", "get add-on offers by offer ID"),
    ("L4", "GET", "/v1/offercategories?country={country-id}", "1.14",
     "get a list of offer categories by country and locale"),
    ("L5", "GET", C + "/offers", "1.14", "get a list of offers for a customer"),
    ("L6", "GET", C + "/offercategories", "1.14", "get a list of offer categories for a customer"),
    # 1.15 Customer users, licenses and directory roles
    ("E1", "GET", USR, "1.15", "get a list of all user accounts for a customer"),
    ("E2", "POST", USR, "1.15", "create a user account for a customer"),
    ("E3", "GET", USR + "/{user-id}", "1.15", "get a user account by ID"),
    ("E4", "PATCH", USR + "/{user-id}", "1.15", "update (or restore) a user account"),
    ("E5", "PATCH", USR + "/{user-id}/resetpassword", "1.15", "reset a user's password"),
    ("E6", "DELETE", USR + "/{user-id}", "1.15", "delete a user account"),
    ("E7", "POST", USR + "/{user-id}/licenseupdates", "1.15", "assign licenses to a user"),
    ("E8", "GET", USR + "/{user-id}/licenses", "1.15", "check which licenses are assigned to a user"),
    ("E9", "GET", C + "/subscribedskus", "1.15", "get a list of available licenses"),
    ("E10", "GET", USR + "/{user-id}/directoryroles", "1.15", "get a user's directory roles"),
    ("E11", "GET", ROLE, "1.15", "get the customer's directory roles"),
    ("E12", "GET", ROLE + "/{role-id}/usermembers", "1.15", "get the users holding a directory role"),
    ("E13", "POST", ROLE + "/{role-id}/usermembers", "1.15", "add a user to a directory role"),
    ("E14", "DELETE", ROLE + "/{role-id}/usermembers/{user-id}", "1.15", "remove a user from a directory role"),
    # 1.16 Webhooks (api-integration.md; the events themselves are POSTed to the partner: docs/webhooks.md)
    ("W1", "GET", "/webhooks/v1/registration/events", "1.16", "get the list of webhook events"),
    ("W2", "POST", "/webhooks/v1/registration", "1.16", "register to receive webhook events"),
    ("W3", "GET", "/webhooks/v1/registration", "1.16", "view the webhook registration"),
    ("W4", "PUT", "/webhooks/v1/registration", "1.16", "update the webhook registration"),
    ("W5", "POST", "/webhooks/v1/registration/validationEvents", "1.16", "send a webhook test event"),
    ("W6", "GET", "/webhooks/v1/registration/validationEvents/{correlation-id}", "1.16",
     "get the delivery report of a webhook test event"),
]

ENDPOINTS: list[Endpoint] = [Endpoint(*row) for row in _ROWS]
BY_ID: dict[str, Endpoint] = {e.id: e for e in ENDPOINTS}
