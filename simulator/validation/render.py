"""The wire shapes of D2-D5 (api-integration.md 1.12 and 3)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator import wire
from simulator.validation.countries import CountryRules


def country_rules_wire(rules: CountryRules) -> dict[str, Any]:
    """CountryValidationRules as the recorded US example spells it: lists as `{"value": [...]}`."""
    out: dict[str, Any] = {
        "iso2Code": rules.iso2, "defaultCulture": rules.culture, "isStateRequired": rules.state_required,
        "states": {"value": list(rules.states)}, "supportedLanguages": {"value": list(rules.languages)},
        "supportedCultures": {"value": list(rules.cultures)}, "isPostalCodeRequired": rules.postal_required}
    if rules.postal_regex is not None:
        out["postalCodeRegex"] = rules.postal_regex
    out.update({"isCityRequired": True, "isVatIdSupported": rules.vat})
    if rules.tax_format is not None:
        out.update({"taxIdFormat": rules.tax_format, "taxIdSample": rules.tax_sample})
    out.update({"phoneNumberRegex": rules.phone_regex, "isRegistrationNumberSupported": rules.registration,
                "isTaxIdSupported": rules.tax_format is not None, "resellerAgreementRegion": rules.reseller_region,
                "geographicRegion": rules.region, "countryCallingCodes": {"value": [rules.calling_code]},
                "attributes": wire.attributes("CountryInformation")})
    return out


def account_status_wire(status: Mapping[str, Any]) -> dict[str, Any]:
    """`lastUpdateDateTime` without zone, as the doc writes it."""
    when = wire.parse_time(status["updated"])
    return {"type": "account", "status": status["status"], "lastUpdateDateTime": when.strftime("%Y-%m-%dT%H:%M:%S")}
