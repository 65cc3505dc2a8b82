"""The words stored in subscription and order records: their statuses and a subscription's event
types. StrEnums, so a member is the very string stored and sent (`SubscriptionStatus.ACTIVE ==
"active"`); a leaf module, imported by every area that reads or writes those records."""
from __future__ import annotations

from enum import StrEnum


class SubscriptionStatus(StrEnum):
    """A subscription's stored `status` (its wire `status`, except a SaaS subscription awaiting
    activation, which reads `pending`)."""
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    EXPIRED = "expired"
    PENDING = "pending"


HELD = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)  # not ended: it may still renew, move, be read
ENDED = (SubscriptionStatus.DELETED, SubscriptionStatus.EXPIRED)


class OrderStatus(StrEnum):
    """An order's stored `status` (`active` until cancelled) and the statuses it reads as on the wire."""
    ACTIVE = "active"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    PENDING = "pending"


class EventType(StrEnum):
    """The `type` of an entry in a subscription's `events` (what billing and usage read back)."""
    PURCHASE = "purchase"
    RENEW = "renew"
    SEATS = "seats"
    ACTIVATE = "activate"
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    EXPIRE = "expire"
    UPGRADE = "upgrade"
    TRANSITION = "transition"
    TRANSITION_IN = "transition_in"
    TRANSITION_OUT = "transition_out"
