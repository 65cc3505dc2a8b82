"""What a line item request asks for: which lines (provider x line item type), of which period and
currency, and which page of them.

The matrix (get-invoiceline-items.md, the billed and unbilled consumption pages): `office` +
`billinglineitems` are legacy license lines; `azure` + `billinglineitems`/`usagelineitems` the
MS-AZR-0145P usage, billed or daily; `onetime` + `billinglineitems` the modern reconciliation lines
(new commerce, reservations, software, SaaS); `onetime` + `usagelineitems` the Azure plan's daily rated
usage, for which `marketplace` and `external` are the older provider names; `all` is what the estimate
links use for every reconciliation line. Values match without regard to case or underscores, so the
wire names of an invoice's `invoiceDetails` (`one_time`, `billing_line_items`) work too.

OneTime pages with `size` and `seekOperation=Next` + the `MS-ContinuationToken` the previous page's
`links.next` carries; the legacy providers page with `size` + `offset`. Default and maximum size 2000.
"""
from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from simulator import errors
from simulator.billing.ledger import AZURE, BILLING, OFFICE, ONE_TIME, USAGE, Cursor
from simulator.wire import query, tokens

MAX_SIZE = 2000
MAX_OFFSET = 10 ** 9
ONE_TIME_ITEM, DAILY_RATED = "OneTimeInvoiceLineItem", "DailyRatedUsageLineItem"
LICENSE_BASED, USAGE_BASED, DAILY_USAGE = "LicenseBasedLineItem", "UsageBasedLineItem", "DailyUsageLineItem"
PERIODS = ("current", "previous")


@dataclass(frozen=True)
class Selection:
    name: str                                  # the continuation token's scope
    sources: frozenset[tuple[str, str]]        # the ledger's (provider, line type) pairs it reads
    shape: str                                 # the line item resource it renders (its objectType)
    seek: bool                                 # OneTime paging (token) rather than size + offset

    @property
    def consumption(self) -> bool:
        return self.shape == DAILY_RATED


def selection(name: str, sources: set[tuple[str, str]], shape: str, seek: bool) -> Selection:
    return Selection(name, frozenset(sources), shape, seek)


RECON = selection("onetime.billing", {(ONE_TIME, BILLING)}, ONE_TIME_ITEM, True)
RATED = selection("onetime.usage", {(ONE_TIME, USAGE)}, DAILY_RATED, True)
MATRIX = {
    ("onetime", "billinglineitems"): RECON,
    ("onetime", "usagelineitems"): RATED,
    ("marketplace", "usagelineitems"): RATED,
    ("external", "usagelineitems"): RATED,
    ("all", "billinglineitems"): selection("all.billing", {(ONE_TIME, BILLING), (OFFICE, BILLING)}, ONE_TIME_ITEM,
                                           True),
    ("all", "usagelineitems"): selection("all.usage", {(ONE_TIME, USAGE), (AZURE, USAGE)}, DAILY_RATED, True),
    ("office", "billinglineitems"): selection("office.billing", {(OFFICE, BILLING)}, LICENSE_BASED, False),
    ("azure", "billinglineitems"): selection("azure.billing", {(AZURE, USAGE)}, USAGE_BASED, False),
    ("azure", "usagelineitems"): selection("azure.usage", {(AZURE, USAGE)}, DAILY_USAGE, False),
}
PROVIDERS = sorted({p for p, _ in MATRIX})
LINE_TYPES = sorted({t for _, t in MATRIX})


@dataclass(frozen=True)
class Query:
    selection: Selection
    provider: str            # as the caller spelled them, for the links
    line_type: str
    currency: str | None     # upper case
    period: str | None       # "current" / "previous"
    size: int
    offset: int
    token: str | None        # MS-ContinuationToken, sent with seekOperation=Next
    earned_credit: bool | None


def folded(value: str) -> str:
    return value.strip().lower().replace("_", "")


def pick_selection(provider: str, line_type: str, *, unbilled: bool = False) -> Selection:
    p, t = folded(provider), folded(line_type)
    if p not in PROVIDERS:
        raise errors.UnparsableEnum("provider", provider, ", ".join(PROVIDERS))
    if t not in LINE_TYPES:
        raise errors.UnparsableEnum("invoicelineitemtype", line_type, ", ".join(LINE_TYPES))
    found = MATRIX.get((p, t))
    if found is None or (unbilled and not found.seek):
        raise errors.LineItemTypeNotOffered(provider, line_type)
    return found


def currency_value(raw: str | None) -> str | None:
    return None if raw is None else currency_code(raw)


def currency_code(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise errors.CurrencyCodeInvalid(raw)
    return code


def read_query(request: Request, provider: str | None, line_type: str | None, *, unbilled: bool = False) -> Query:
    """The request's query (parameter names in any casing) and the token of a `seekOperation=Next`."""
    if provider is None:
        raise errors.MissingQueryParameter("provider")
    if line_type is None:
        raise errors.MissingQueryParameter("invoicelineitemtype")
    chosen = pick_selection(provider, line_type, unbilled=unbilled)
    return Query(chosen, provider, line_type, currency_value(query.text(request, "currencycode")),
                 query.choice(request, "period", PERIODS),
                 query.integer(request, "size", default=MAX_SIZE, low=1, high=MAX_SIZE),
                 query.integer(request, "offset", default=0, high=MAX_OFFSET),
                 query.continuation(request), query.boolean(request, "hasPartnerEarnedCredit"))


# --- continuation tokens ------------------------------------------------------------------
# The ledger cursor (slot, offset, item) with the scope it belongs to (the selection and the window),
# so a token can't be replayed against another query (simulator/wire/tokens.py).

def encode_token(scope: str, cursor: Cursor) -> str:
    return tokens.encode(scope, [cursor.place, cursor.offset, cursor.item])


def decode_token(scope: str, token: str) -> Cursor:
    raw = tokens.decode(scope, token)
    if not (isinstance(raw, list) and len(raw) == 3
            and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_OFFSET for n in raw)):
        raise errors.ContinuationTokenInvalid()
    return Cursor(*raw)
