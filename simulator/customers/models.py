"""The customer's request bodies (create-a-customer.md)."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from simulator import wire
from simulator.validation.models import PostalAddressIn


class AddressIn(PostalAddressIn):
    """A customer's address: the postal address address validation checks, and the contact on it."""
    model_config = ConfigDict(**wire.WireModel.model_config)  # not the validation request's example
    first_name: str | None = Field(None, max_length=50)
    last_name: str | None = Field(None, max_length=50)
    region: str | None = None
    phone_number: str | None = None


class CompanyProfileIn(wire.WireModel):
    domain: str
    company_name: str | None = None
    organization_registration_number: str | None = None


class BillingProfileIn(wire.WireModel):
    email: str
    culture: str
    language: str = Field(min_length=2, max_length=2)
    company_name: str = Field(min_length=1, max_length=256)
    first_name: str | None = Field(None, max_length=50)
    last_name: str | None = Field(None, max_length=50)
    default_address: AddressIn


class CustomerIn(wire.WireModel):
    # The example is the documented create-a-customer body; GET /openapi.json shows it.
    model_config = ConfigDict(**wire.WireModel.model_config, json_schema_extra={"example": {
        "companyProfile": {"domain": "contoso-example.onmicrosoft.com"},
        "billingProfile": {"culture": "EN-US", "email": "ada@contoso.example", "language": "En",
                           "companyName": "Contoso", "defaultAddress": {
                               "country": "US", "state": "WA", "city": "Redmond", "addressLine1": "One Microsoft Way",
                               "postalCode": "98052", "firstName": "Ada", "lastName": "Lovelace",
                               "phoneNumber": "4255550100"}}}})
    company_profile: CompanyProfileIn
    billing_profile: BillingProfileIn
    enable_gdap_by_default: bool | None = Field(None, alias="enableGDAPByDefault", strict=True)
    associated_partner_id: str | None = None
