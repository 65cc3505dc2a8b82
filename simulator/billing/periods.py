"""Billing periods: calendar months in UTC, one per partner; the invoice of a period is made a day
after it closes, once the last day's usage is rated (unbilled usage appears after ~24 h,
get-invoice-unbilled-consumption-lineitems.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from simulator import ids

INVOICE_AFTER = timedelta(days=1)  # after close: the last day's usage is reported ~24 h after it ends


@dataclass(frozen=True, order=True)
class Period:
    start: datetime  # the 1st, 00:00 UTC
    end: datetime    # the 1st of the next month, 00:00 UTC (exclusive)

    @property
    def invoice_at(self) -> datetime:
        return self.end + INVOICE_AFTER

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def next(self) -> Period:
        return period_of(self.end)

    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1))


def period_of(moment: datetime | date) -> Period:
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    month = start.month % 12 + 1
    end = start.replace(year=start.year + (start.month == 12), month=month)
    return Period(start, end)


def from_key(key: str) -> Period:
    year, month = key.split("-")
    return period_of(date(int(year), int(month), 1))


def invoiced(now: datetime) -> Period:
    """The newest period whose invoice is out at `now`."""
    period = period_of(now).previous()
    return period if period.invoice_at <= now else period.previous()


RECURRING_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def invoice_number(seed: int, tenant: str, period: Period, currency: str, attempt: int = 0,
                   recurring: bool = False) -> str:
    """`G` and nine digits, as the docs' OneTime examples (G000024135): the month's number, then five
    digits drawn for the partner and currency (`attempt` draws again after a clash), so the same seed
    gives the same numbers. A Recurring (legacy platform) invoice is `D` and nine characters, as the
    docs' Recurring example (D02005YFHI): the month's number, then five letters or digits drawn alike."""
    month = (period.start.year - 2000) * 12 + period.start.month
    if recurring:
        draw = ids.stream(f"invoice:recurring:{tenant}:{period.key}:{currency}:{attempt}", seed)
        return f"D{month:04d}" + "".join(draw.choice(RECURRING_CHARACTERS) for _ in range(5))
    draw = ids.stream(f"invoice:{tenant}:{period.key}:{currency}:{attempt}", seed)
    return f"G{month:04d}{draw.randrange(100000):05d}"


def credit_note_number(seed: int, tenant: str, period: Period, amends: str, currency: str, attempt: int = 0,
                       recurring: bool = False) -> str:
    """A credit note's number, made at the close of `period` for the invoice of the period `amends`: shaped
    as an invoice number of `period` (G + nine digits, D + nine characters for Recurring), drawn apart."""
    month = (period.start.year - 2000) * 12 + period.start.month
    draw = ids.stream(f"credit-note:{tenant}:{period.key}:{amends}:{currency}:{recurring}:{attempt}", seed)
    if recurring:
        return f"D{month:04d}" + "".join(draw.choice(RECURRING_CHARACTERS) for _ in range(5))
    return f"G{month:04d}{draw.randrange(100000):05d}"
