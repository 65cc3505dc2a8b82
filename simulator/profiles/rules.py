"""The partner's profiles, made up deterministically from its tenant id and `--partner-country`.

Sources: get-an-organization-profile.md, get-partner-billing-profile.md, get-legal-business-profile.md,
get-partner-network-profile.md, get-partner-by-mpn-id.md, get-support-profile.md, profile-resources.md.
The company, its people, its domain and its MPN id come from the tenant id; the address, culture, currency
and tax id format from the country (validation/countries.py, the catalog's markets).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from simulator import errors, ids
from simulator.context import Context
from simulator.validation import countries

COMPANIES = ("Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Adventure Works", "Wingtip Toys",
             "Woodgrove", "Litware", "Proseware", "Relecloud", "Lamna Healthcare", "Alpine Ski House")
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Hamilton", "Thompson")
SUFFIXES = {"US": "Inc.", "CA": "Inc.", "GB": "Ltd", "IE": "Ltd", "AU": "Pty Ltd", "DE": "GmbH", "FR": "SAS",
            "NL": "B.V.", "IT": "S.r.l.", "ES": "S.L.", "JP": "K.K.", "BR": "Ltda.", "IN": "Pvt. Ltd."}
# A made-up address in each market: (street, city, state, postal code, phone).
ADDRESSES = {
    "US": ("100 Main Street", "Redmond", "WA", "98052", "4255550100"),
    "CA": ("200 Bay Street", "Toronto", "ON", "M5J 2J2", "4165550100"),
    "GB": ("10 High Street", "Reading", None, "RG1 1AA", "01185550100"),
    "IE": ("5 Harbour Road", "Dublin", None, None, "015550100"),
    "AU": ("20 George Street", "Sydney", "NSW", "2000", "0255500100"),
    "DE": ("Hauptstraße 10", "München", None, "80331", "0895550100"),
    "FR": ("12 Rue de la Paix", "Paris", None, "75002", "0155550100"),
    "NL": ("Keizersgracht 100", "Amsterdam", None, "1015 CV", "0205550100"),
    "IT": ("Via Roma 10", "Milano", None, "20121", "025550100"),
    "ES": ("Calle Mayor 10", "Madrid", None, "28013", "915550100"),
    "JP": ("1-1-1 Marunouchi", "Chiyoda-ku", None, "100-0005", "0355550100"),
    "BR": ("Avenida Paulista 1000", "São Paulo", "SP", "01310-100", "1155550100"),
    "IN": ("10 MG Road", "Bengaluru", None, "560001", "8055500100"),
}


@dataclass(frozen=True)
class Partner:
    tenant: str
    profile_id: str
    company: str
    domain: str
    mpn_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    country: str
    street: str
    city: str
    state: str | None
    postal_code: str | None
    culture: str
    currency: str
    tax_id: str
    etag: str


def _pick(digest: int, options: tuple[str, ...], shift: int) -> str:
    return options[(digest >> shift) % len(options)]


def partner(ctx: Context, tenant: str) -> Partner:
    """The partner `tenant` (its id), as its profiles describe it."""
    digest = int(hashlib.sha256(tenant.lower().encode()).hexdigest()[:16], 16)
    country = (ctx.settings.partner_country or "US").upper()
    rules = countries.rules_for(ctx.catalog, country)
    street, city, state, postal, phone = ADDRESSES.get(country, ADDRESSES["US"] if rules is None else
                                                       ("1 Market Square", "Capital City", None, None, "5550100"))
    name = _pick(digest, COMPANIES, 0)
    slug = re.sub(r"[^a-z0-9]", "", name.lower())
    domain = f"{slug}{digest % 10000:04d}.onmicrosoft.com"
    market = ctx.catalog.market(country)
    return Partner(
        tenant=tenant, profile_id=ids.name_guid(f"profile:{tenant}"),
        company=f"{name} {SUFFIXES.get(country, 'Ltd')}", domain=domain, mpn_id=str(1_000_000 + digest % 9_000_000),
        first_name=_pick(digest, FIRST_NAMES, 8), last_name=_pick(digest, LAST_NAMES, 16),
        email=f"partner-admin@{domain}", phone=phone, country=country, street=street, city=city, state=state,
        postal_code=postal, culture=rules.culture if rules else "en-US",
        currency=market.currency if market else "USD",
        tax_id=(rules.tax_sample if rules and rules.tax_sample else f"{digest % 100:02d}-{digest % 1_000_000:06d}"),
        etag=str(digest % 10**19))


VETTING_VERSIONS = {"current": "Current", "lastfinalized": "LastFinalized"}  # the .NET SDK's enum


def vetting_version(raw: str | None) -> str:
    if raw is None or not raw.strip():
        return "Current"
    found = VETTING_VERSIONS.get(raw.strip().lower())
    if found is None:
        raise errors.UnparsableEnum("vettingVersion", raw, "Current, LastFinalized")
    return found


def mpn_profile(ctx: Context, tenant: str, mpn_id: str | None) -> Partner:
    """R4: the partner's own MPN profile; another id is a partner pcsim does not know: 404 3000."""
    own = partner(ctx, tenant)
    if mpn_id is not None and mpn_id.strip() != own.mpn_id:
        raise errors.PartnerIdNotFound(mpn_id.strip())
    return own
