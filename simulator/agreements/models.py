"""The confirmation body of G3 (confirm-customer-consent-customer-agreement.md): the doc's "minimum
required fields"; `userId` (required in the 2018 doc) is accepted and ignored: the token names the user."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from simulator import wire


class ContactIn(wire.WireModel):
    first_name: str = Field(min_length=1, max_length=50)
    last_name: str = Field(min_length=1, max_length=50)
    email: str = Field(min_length=3, max_length=256)
    phone_number: str | None = Field(None, max_length=30)
    middle_name: str | None = Field(None, max_length=50)


class AgreementIn(wire.WireModel):
    model_config = ConfigDict(**wire.WireModel.model_config, json_schema_extra={"example": {
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "someone@example.com",
                           "phoneNumber": "1234567890"},
        "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9", "dateAgreed": "2018-06-14T00:00:00.000Z",
        "type": "MicrosoftCustomerAgreement"}})
    primary_contact: ContactIn
    template_id: str = Field(min_length=1, max_length=64)
    date_agreed: str = Field(min_length=1, max_length=40)
    type: str = Field(min_length=1, max_length=64)
    user_id: str | None = Field(None, max_length=64)
