"""The address body of D2 (validate-an-address.md; the examples send it PascalCase)."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from simulator import wire


class PostalAddressIn(wire.WireModel):
    """A postal address as D2 validates it; a customer's addresses are these with a contact on them
    (simulator/customers/models.py)."""
    model_config = ConfigDict(**wire.WireModel.model_config, json_schema_extra={"example": {
        "AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "WA", "PostalCode": "98052",
        "Country": "US"}})
    address_line1: str = Field(min_length=1, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    address_line3: str | None = Field(None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str = Field(min_length=2, max_length=2)


class AccountStatusIn(wire.WireModel):
    status: str | None = Field(description="Unknown, UnderReview, Allowed, NotAllowed or Not Ready; null removes "
                                           "the customer's account status")
    tenant: str | None = Field(None, min_length=1, max_length=256,
                               description="the partner, by name or GUID (default: the default partner)")
