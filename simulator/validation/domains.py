"""Which `*.onmicrosoft.com` (or other) domains are taken: any customer's of any partner (the customers'
domain index, simulator/customers/records.py) or one of the simulator's reserved names."""
from __future__ import annotations

# Names no customer can have: Microsoft's own, and the bare suffixes.
RESERVED = frozenset({
    "onmicrosoft.com", "microsoft.com", "microsoft.onmicrosoft.com", "partner.microsoft.com",
    "sandbox.onmicrosoft.com", "admin.onmicrosoft.com", "pcsim.onmicrosoft.com", "outlook.com", "hotmail.com",
    "live.com", "windows.net",
})


def reserved_domain(domain: str) -> bool:
    return domain.strip().lower().rstrip(".") in RESERVED
