"""Address rules by country: one table for customer creation (U3), address validation (D2) and the
market-specific validation rules (D3).

The countries are those a customer can be created in: the catalog's markets, and the countries that
create-a-customer.md names for their registration-number rule (nothing is sold there). The US row is the
recorded example of get-market-specific-validation-data.md; the others follow its shape with each
country's usual formats (postal codes, calling codes, cultures). validate-an-address.md checks `state`
against a list only for US, CA, CN and MX.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from simulator.catalog.data import Catalog

# create-a-customer.md: these countries need a registration number and a phone number.
REGISTRATION_COUNTRIES = frozenset({"AM", "AZ", "BY", "HU", "IN", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"})
STATE_LISTED = frozenset({"US", "CA", "CN", "MX"})  # validate-an-address.md

US_STATES = ("AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS",
             "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV",
             "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY")
CA_PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
AU_STATES = ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")
BR_STATES = ("AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE", "PI",
             "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO")
US_PHONE = r"^(1[\-\/\.]?)?(\((\d{3})\)|(\d{3}))[\-\/\.]?(\d{3})[\-\/\.]?(\d{4})$"
INTERNATIONAL_PHONE = r"^\+?[0-9 ()\-\.\/]{6,20}$"


@dataclass(frozen=True)
class CountryRules:
    iso2: str
    iso3: str
    culture: str
    languages: tuple[str, ...]
    cultures: tuple[str, ...]
    postal_regex: str | None          # None: no postal code is needed
    calling_code: str
    reseller_region: str              # resellerAgreementRegion
    region: str                       # geographicRegion
    states: tuple[str, ...] = ()
    state_required: bool = False
    vat: bool = False
    tax_format: str | None = None
    tax_sample: str | None = None
    phone_regex: str = INTERNATIONAL_PHONE
    registration: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def postal_required(self) -> bool:
        return self.postal_regex is not None

    @property
    def states_listed(self) -> bool:
        """validate-an-address.md: `state` is checked against a list only for US, CA, CN and MX."""
        return self.iso2 in STATE_LISTED and bool(self.states)

    def postal_ok(self, postal_code: str) -> bool:
        return self.postal_regex is None or re.fullmatch(self.postal_regex.strip("^$"), postal_code) is not None


EMEA, AOC, APAC, LATAM = "EMEA", "AOC", "APGC", "LATAM"
ROWS = [
    CountryRules("US", "USA", "en-US", ("en", "es"), ("en-US", "es-US"), r"^\d{5}(-\d{4})?$", "1", AOC,
                 "NorthAndLatinAmerica", US_STATES, True, tax_format="US######", tax_sample="US999965",
                 phone_regex=US_PHONE),
    CountryRules("CA", "CAN", "en-CA", ("en", "fr"), ("en-CA", "fr-CA"), r"^[A-Za-z]\d[A-Za-z][ -]?\d[A-Za-z]\d$",
                 "1", AOC, "NorthAndLatinAmerica", CA_PROVINCES, True, tax_format="#########RT####",
                 tax_sample="123456789RT0001", phone_regex=US_PHONE),
    CountryRules("GB", "GBR", "en-GB", ("en",), ("en-GB",), r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}$", "44",
                 EMEA, "WesternEurope", vat=True, tax_format="GB#########", tax_sample="GB123456789"),
    CountryRules("DE", "DEU", "de-DE", ("de", "en"), ("de-DE", "en-DE"), r"^\d{5}$", "49", EMEA, "WesternEurope",
                 vat=True, tax_format="DE#########", tax_sample="DE123456789"),
    CountryRules("FR", "FRA", "fr-FR", ("fr", "en"), ("fr-FR", "en-FR"), r"^\d{5}$", "33", EMEA, "WesternEurope",
                 vat=True, tax_format="FR###########", tax_sample="FR12345678901"),
    CountryRules("NL", "NLD", "nl-NL", ("nl", "en"), ("nl-NL", "en-NL"), r"^\d{4}\s?[A-Za-z]{2}$", "31", EMEA,
                 "WesternEurope", vat=True, tax_format="NL#########B##", tax_sample="NL123456789B01"),
    CountryRules("IT", "ITA", "it-IT", ("it", "en"), ("it-IT", "en-IT"), r"^\d{5}$", "39", EMEA, "WesternEurope",
                 vat=True, tax_format="IT###########", tax_sample="IT12345678901"),
    CountryRules("ES", "ESP", "es-ES", ("es", "en"), ("es-ES", "en-ES"), r"^\d{5}$", "34", EMEA, "WesternEurope",
                 vat=True, tax_format="ES#########", tax_sample="ESX1234567X"),
    CountryRules("IE", "IRL", "en-IE", ("en",), ("en-IE",), None, "353", EMEA, "WesternEurope", vat=True,
                 tax_format="IE#######", tax_sample="IE1234567T"),
    CountryRules("JP", "JPN", "ja-JP", ("ja", "en"), ("ja-JP", "en-JP"), r"^\d{3}-?\d{4}$", "81", APAC, "Asia"),
    CountryRules("AU", "AUS", "en-AU", ("en",), ("en-AU",), r"^\d{4}$", "61", APAC, "Oceania", AU_STATES, True,
                 tax_format="###########", tax_sample="12345678901"),
    CountryRules("BR", "BRA", "pt-BR", ("pt", "en"), ("pt-BR", "en-BR"), r"^\d{5}-?\d{3}$", "55", LATAM,
                 "NorthAndLatinAmerica", BR_STATES, True, tax_format="##.###.###/####-##",
                 tax_sample="12.345.678/0001-95"),
    CountryRules("IN", "IND", "en-IN", ("en", "hi"), ("en-IN", "hi-IN"), r"^\d{6}$", "91", APAC, "Asia",
                 tax_format="##AAAAA####A#Z#", tax_sample="22AAAAA0000A1Z5", registration=True),
    CountryRules("AM", "ARM", "hy-AM", ("hy", "en"), ("hy-AM", "en-US"), r"^\d{4}$", "374", EMEA, "EasternEurope",
                 registration=True),
    CountryRules("AZ", "AZE", "az-Latn-AZ", ("az", "en"), ("az-Latn-AZ", "en-US"), r"^(AZ)?\s?\d{4}$", "994", EMEA,
                 "EasternEurope", registration=True),
    CountryRules("BY", "BLR", "be-BY", ("be", "ru", "en"), ("be-BY", "ru-RU", "en-US"), r"^\d{6}$", "375", EMEA,
                 "EasternEurope", registration=True),
    CountryRules("HU", "HUN", "hu-HU", ("hu", "en"), ("hu-HU", "en-US"), r"^\d{4}$", "36", EMEA, "EasternEurope",
                 vat=True, tax_format="HU########", tax_sample="HU12345678", registration=True),
    CountryRules("KZ", "KAZ", "kk-KZ", ("kk", "ru", "en"), ("kk-KZ", "ru-RU", "en-US"), r"^\d{6}$", "7", EMEA,
                 "EasternEurope", registration=True),
    CountryRules("KG", "KGZ", "ky-KG", ("ky", "ru", "en"), ("ky-KG", "ru-RU", "en-US"), r"^\d{6}$", "996", EMEA,
                 "EasternEurope", registration=True),
    CountryRules("MD", "MDA", "ro-MD", ("ro", "ru", "en"), ("ro-MD", "ru-RU", "en-US"), r"^(MD)?-?\d{4}$", "373",
                 EMEA, "EasternEurope", registration=True),
    CountryRules("RU", "RUS", "ru-RU", ("ru", "en"), ("ru-RU", "en-US"), r"^\d{6}$", "7", EMEA, "EasternEurope",
                 registration=True),
    CountryRules("TJ", "TJK", "tg-Cyrl-TJ", ("tg", "ru", "en"), ("tg-Cyrl-TJ", "ru-RU", "en-US"), r"^\d{6}$", "992",
                 EMEA, "EasternEurope", registration=True),
    CountryRules("UZ", "UZB", "uz-Latn-UZ", ("uz", "ru", "en"), ("uz-Latn-UZ", "ru-RU", "en-US"), r"^\d{6}$", "998",
                 EMEA, "EasternEurope", registration=True),
    CountryRules("UA", "UKR", "uk-UA", ("uk", "en"), ("uk-UA", "en-US"), r"^\d{5}$", "380", EMEA, "EasternEurope",
                 registration=True),
]
TABLE = {row.iso2: row for row in ROWS}


def supported(catalog: Catalog, country: str) -> bool:
    """A customer can be created in the country: a market of the catalog or a registration country."""
    country = country.upper()
    return catalog.market(country) is not None or country in REGISTRATION_COUNTRIES


@cache
def _fallback(country: str) -> CountryRules:
    return CountryRules(country, country, "en-US", ("en",), ("en-US",), None, "", EMEA, "Other")


def rules_for(catalog: Catalog, country: str) -> CountryRules | None:
    """The country's rules, for a country a customer can be created in (None for others)."""
    country = country.upper()
    if not supported(catalog, country):
        return None
    return TABLE.get(country) or _fallback(country)
