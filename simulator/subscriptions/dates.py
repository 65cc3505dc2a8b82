"""Term dates of subscriptions: pure functions of a record's stored dates (no store, no clock).

Sources: subscription-resources.md, create-scheduled-changes.md (renewals run from 00:00 UTC after
the term's last day).
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from simulator import wire
from simulator.catalog.data import (
    AZURE_PLAN,
    LEGACY_AZURE,
    LEGACY_LICENSE,
    NCE,
    SAAS,
    SOFTWARE_PERPETUAL,
    SOFTWARE_SUBSCRIPTION,
)

AUTO_RENEWING = (NCE, SAAS, SOFTWARE_SUBSCRIPTION)
OPEN_ENDED_KINDS = (LEGACY_AZURE, AZURE_PLAN, SOFTWARE_PERPETUAL)
OPEN_ENDED = "9999-12-10T00:00:00Z"  # the legacy Azure (MS-AZR-0145P) example's commitmentEndDate
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}  # none / one_time: the whole term at once


# --- dates --------------------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def term_end(start: datetime, term: str | None) -> datetime | None:
    """Last day of the term, at midnight: a P1Y term bought 2021-01-14 ends 2022-01-13."""
    months = TERM_MONTHS.get((term or "").upper())
    if months is None:
        return None
    return add_months(midnight(start), months) - timedelta(days=1)


def iso_duration_days(text: str) -> int:
    """`P1D`, `P7D`, `P2W`, `P1M` as days (refund options' expiresAfter)."""
    text = text.upper().lstrip("P")
    unit, number = text[-1:], int(text[:-1] or 0)
    return number * {"D": 1, "W": 7, "M": 30, "Y": 365}.get(unit, 1)


def at(sub: Mapping[str, Any], name: str) -> datetime | None:
    return wire.parse_time(sub[name]) if sub.get(name) else None


def renewal_moment(sub: Mapping[str, Any]) -> datetime | None:
    """Renewals run from 00:00 UTC after the term's last day (create-scheduled-changes.md)."""
    end = at(sub, "end")
    return None if end is None else midnight(end) + timedelta(days=1)


def renews(sub: Mapping[str, Any]) -> bool:
    # Legacy license-based subscriptions roll their yearly commitment on; the others need auto-renew.
    return sub["kind"] == LEGACY_LICENSE or bool(sub["auto_renew"])
