"""Domain and validation rules (D1-D5) and the purchase rule of the account status.

Sources (api-integration.md 1.12): verify-domain-availability.md, validate-an-address.md,
get-market-specific-validation-data.md, get-a-partner-s-validation-codes.md, retrieve-validation-status.md,
error-codes.md (800073-800075).

Address validation (D2) works from the country table customer creation uses (validation/countries.py):
* the country must be one a customer can be created in (else 400);
* countries the catalog sells in are validated; the registration-only countries answer `NotValidated`;
* an address line without a letter is no street: `None`, no suggestion;
* a state missing where required or not in the country's list (US, CA, CN, MX), a postal code missing where
  required or not of the country's format, a city without a letter: `StreetPartial`, naming the fields
  (`Region`, `PostalCode`, `City`) in `validationMessage`, no suggestion;
* in the English-speaking markets (US, CA, GB, AU, NZ, IE), a street named without its type (`1 Main`:
  no word of the line is a street type such as Street, St, Avenue, Road, Way, Drive, Lane) matches several
  streets: `Multiple`, three suggestions, the line with ` Street`, ` Avenue` and ` Road`;
* a street with no premise (house) number (no digit in the address lines, and the line does not start
  with a number word: `One Microsoft Way` has one): `PremisesPartial`, three suggestions, the street
  with three house numbers made up from the address (before the street, or after it where the country
  writes it so: `Hauptstraße 12`);
* otherwise one suggestion, the address in the country's own spelling (state and postal code upper case,
  the postal code's usual spacing; a US ZIP code gets its ZIP+4): `InteractionRequired` when that changed
  what was sent, else `VerifiedShippable` (US) or `Verified`.
Every suggestion of `Multiple` and `PremisesPartial` is spelled as the single suggestion is (state, postal
code); neither has a `validationMessage`. The same address always gets the same answer.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from simulator import errors, wire
from simulator.context import Context
from simulator.customers import records as customer_records
from simulator.customers.records import get_customer
from simulator.validation import countries, records
from simulator.validation.domains import reserved_domain
from simulator.validation.models import PostalAddressIn
from simulator.validation.records import AccountStatus

STATUSES = ("Unknown", "UnderReview", "Allowed", "NotAllowed", "Not Ready")  # as written in the doc
BLOCKING = {"UnderReview": errors.CustomerAccountUnderReview, "Unknown": errors.CustomerAccountStatusUnknown,
            "NotAllowed": errors.CustomerAccountNotApproved}
LETTER = re.compile(r"[^\W\d_]")
DIGIT = re.compile(r"\d")
WORD = re.compile(r"[^\W_]+")
STREET_TYPED = frozenset({"US", "CA", "GB", "AU", "NZ", "IE"})  # where a street is named with its type
STREET_TYPES = frozenset({
    "street", "st", "avenue", "ave", "av", "road", "rd", "way", "boulevard", "blvd", "drive", "dr", "lane", "ln",
    "court", "ct", "place", "pl", "terrace", "ter", "parkway", "pkwy", "highway", "hwy", "circle", "cir",
    "square", "sq", "close", "crescent", "cres", "row", "trail", "trl", "loop", "alley", "walk", "mews", "gardens",
    "green", "grove", "hill", "park", "parade", "plaza", "path", "pike", "broadway", "quay", "wharf", "esplanade",
    "promenade", "gate", "rise", "view", "vale", "yard", "box", "route", "rte", "expressway", "freeway", "fwy"})
MULTIPLE_TYPES = ("Street", "Avenue", "Road")
NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                          "eleven", "twelve", "twenty", "hundred"})
NUMBER_AFTER_STREET = frozenset({  # countries that write the house number after the street name
    "DE", "AT", "CH", "NL", "BE", "DK", "SE", "NO", "FI", "IS", "PL", "CZ", "SK", "HU", "SI", "HR", "RS", "IT",
    "ES", "PT", "BR", "AR", "CL", "CO", "MX", "PE", "UY", "GR", "TR", "RU", "UA", "BY", "AM", "AZ", "KZ", "KG",
    "MD", "TJ", "UZ", "EE", "LV", "LT", "RO", "BG"})


def domain_taken(ctx: Context, domain: str) -> bool:
    """D1: any customer of any partner has it, or it is reserved."""
    return reserved_domain(domain) or customer_records.domain_taken(ctx, domain.strip().rstrip("."))


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).lower().encode()).hexdigest()[:12], 16)


def _postal(rules: countries.CountryRules, postal: str, line: str) -> str:
    """The postal code as the country spells it."""
    code = postal.strip().upper()
    if rules.iso2 == "US" and re.fullmatch(r"\d{5}", code):
        return f"{code}-{_digest(line, code) % 9000 + 1000:04d}"  # ZIP+4, as the example's suggestion has
    if rules.iso2 in ("CA", "NL", "GB") and " " not in code and len(code) > 4:
        cut = 4 if rules.iso2 == "NL" else len(code) - 3
        return f"{code[:cut]} {code[cut:]}"
    return code


def _typed_street(line: str) -> bool:
    """The line names its street with a type (`Main Street`, `Microsoft Way`, `PO Box 7`)."""
    return any(word.lower() in STREET_TYPES for word in WORD.findall(line))


def _has_premise(body: PostalAddressIn) -> bool:
    """A house number: a digit in any address line, or a number word leading the first (`One Microsoft Way`)."""
    lines = (body.address_line1, body.address_line2 or "", body.address_line3 or "")
    if any(DIGIT.search(line) for line in lines):
        return True
    words = WORD.findall(body.address_line1)
    return bool(words) and words[0].lower() in NUMBER_WORDS


def _premises(rules: countries.CountryRules, line: str, city: str) -> list[int]:
    """Three house numbers of the street, made up from it: the same street gets the same three."""
    first = _digest(rules.iso2, line, city) % 90 + 1
    return [first, first + 2, first + 4]


def _with_number(rules: countries.CountryRules, line: str, number: int) -> str:
    return f"{line} {number}" if rules.iso2 in NUMBER_AFTER_STREET else f"{number} {line}"


def validate_address(ctx: Context, body: PostalAddressIn) -> dict[str, Any]:
    rules = countries.rules_for(ctx.catalog, body.country)
    if rules is None:
        raise errors.InvalidRequestInput(f"country '{body.country}' is not supported")
    sent = {"country": body.country, "city": body.city, "state": body.state, "addressLine1": body.address_line1,
            "addressLine2": body.address_line2, "addressLine3": body.address_line3, "postalCode": body.postal_code}
    original = {k: v for k, v in sent.items() if v is not None}
    result: dict[str, Any] = {"originalAddress": original, "suggestedAddresses": []}
    if ctx.catalog.market(rules.iso2) is None:
        return {**result, "status": "NotValidated"}
    if not LETTER.search(body.address_line1):
        return {**result, "status": "None"}
    state, postal = (body.state or "").strip(), (body.postal_code or "").strip()
    invalid = []
    if (rules.state_required and not state) or (state and rules.states_listed and state.upper() not in rules.states):
        invalid.append("Region")
    if (rules.postal_required and not postal) or (postal and not rules.postal_ok(postal)):
        invalid.append("PostalCode")
    if not LETTER.search(body.city):
        invalid.append("City")
    if invalid:
        names = ", ".join(f"'{name}'" for name in invalid)
        message = f"Address field invalid for property: {names}"
        return {**result, "status": "StreetPartial", "validationMessage": message}
    suggested = dict(original, country=rules.iso2)
    if state:
        suggested["state"] = state.upper() if rules.states else state
    if postal:
        suggested["postalCode"] = _postal(rules, postal, body.address_line1)
    line = body.address_line1.strip()
    if rules.iso2 in STREET_TYPED and not _typed_street(line):
        return {**result, "status": "Multiple",
                "suggestedAddresses": [dict(suggested, addressLine1=f"{line} {kind}") for kind in MULTIPLE_TYPES]}
    if not _has_premise(body):
        return {**result, "status": "PremisesPartial",
                "suggestedAddresses": [dict(suggested, addressLine1=_with_number(rules, line, number))
                                       for number in _premises(rules, line, body.city)]}
    plain = {k: v for k, v in suggested.items() if k != "postalCode"} == {
        k: v for k, v in original.items() if k != "postalCode"}
    zip_plus_four = rules.iso2 == "US" and suggested.get("postalCode", "").startswith(postal) and postal.isdigit()
    same_postal = suggested.get("postalCode") == original.get("postalCode") or zip_plus_four
    if not (plain and same_postal):
        status = "InteractionRequired"
    else:
        status = "VerifiedShippable" if rules.iso2 == "US" else "Verified"
    return {**result, "suggestedAddresses": [suggested], "status": status}


def country_rules(ctx: Context, country: str) -> countries.CountryRules:
    """D3: the rules of a country a customer can be created in (the ISO code in any case)."""
    found = countries.rules_for(ctx.catalog, country) if re.fullmatch(r"[A-Za-z]{2}", country) else None
    if found is None:
        raise errors.CountryRulesNotFound(country)
    return found


def validation_codes(ctx: Context, tenant: str, organization: str) -> list[dict[str, Any]]:
    """D4: the partner's Government Community Cloud validation codes, made up from its tenant id (pcsim
    creates no GCC customers, so none has been used)."""
    codes = []
    for n, unit in enumerate(("", " Finance Department")):
        seed = _digest(tenant, str(n))
        stamp = datetime(2025, 1 + seed % 12, 1 + seed % 28, seed % 24, seed % 60, seed % 60, seed % 1_000_000)
        codes.append({"partnerId": tenant, "organizationName": organization + unit,
                      "validationId": str(10000 + seed % 990000), "maxCreates": 5, "remainingCreates": 5,
                      "eTag": "W/\"datetime'" + wire.iso(stamp).replace(":", "%3A") + "'\""})
    return codes


def account_status(ctx: Context, tenant: str, customer_id: str, kind: str) -> AccountStatus:
    """D5: the customer's account validation status; 404 600074 when it has none."""
    if kind.strip().lower() != "account":
        raise errors.UnparsableEnum("type", kind, "account")
    customer = get_customer(ctx, tenant, customer_id)
    found = records.get(ctx, tenant, customer["id"])
    if found is None:
        raise errors.AccountStatusNotFound(customer["id"])
    return found


def set_account_status(ctx: Context, tenant: str, customer_id: str, status: str | None) -> AccountStatus | None:
    """The control route: put the customer into a status (None: no account status at all)."""
    customer = get_customer(ctx, tenant, customer_id)
    if status is None:
        records.drop_customer(ctx, tenant, customer["id"])
        return None
    known = {s.lower().replace(" ", ""): s for s in STATUSES}
    found = known.get(status.strip().lower().replace(" ", ""))
    if found is None:
        raise errors.UnparsableEnum("status", status, ", ".join(STATUSES))
    saved: AccountStatus = {"status": found, "updated": wire.iso(ctx.clock.now())}
    records.save(ctx, tenant, customer["id"], saved)
    return saved


def require_account_allowed(ctx: Context, tenant: str, customer_id: str) -> None:
    """retrieve-validation-status.md: transactions are blocked while the status is UnderReview, NotAllowed or
    Unknown; not when it is Allowed (or Not Ready), nor when the customer has no account status."""
    found = records.get(ctx, tenant, customer_id)
    if found is not None and found["status"] in BLOCKING:
        raise BLOCKING[found["status"]](customer_id)
