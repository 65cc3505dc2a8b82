"""The only source of ids and randomness; seeded, so the same requests give the same ids."""
from __future__ import annotations

import functools
import random
import re
import string
import uuid
from typing import Any

_OPAQUE = string.ascii_letters + string.digits + "-_"
_PASSWORD = string.ascii_letters + string.digits + "!#$%&*+-=?@"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Entra ID's multi-tenant authorities, which name no tenant of their own.
MULTI_TENANT = ("common", "organizations", "consumers")


def v4(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))` without building the UUID (every request makes two)."""
    bits = (bits & ~(0xC000 << 48 | 0xF000 << 64)) | 0x8000 << 48 | 4 << 76
    h = bits.to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Ids:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.random = random.Random(seed)
        # A second stream for tracing ids, so health checks and headers never shift business ids.
        self.tracing = random.Random(f"tracing:{seed}")

    def reseed(self, seed: int | None = None) -> None:
        self.seed = self.seed if seed is None else seed
        self.random = random.Random(self.seed)
        self.tracing = random.Random(f"tracing:{self.seed}")

    def request_guid(self) -> str:
        return v4(self.tracing.getrandbits(128))

    def guid(self) -> str:
        return v4(self.random.getrandbits(128))

    def hex(self, length: int) -> str:
        choice = self.random.choice  # one draw per character, as ever (the seeded sequence stays)
        return "".join([choice("0123456789abcdef") for _ in range(length)])

    def opaque(self, length: int = 32) -> str:
        """Modern order ids look like `9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1` (get-all-of-a-customer-s-orders.md)."""
        choice = self.random.choice
        return "".join([choice(_OPAQUE) for _ in range(length - 1)]) + "1"

    def digits(self, length: int) -> str:
        return "".join(self.random.choice(string.digits) for _ in range(length))

    def password(self, length: int = 10) -> str:
        return "".join(self.random.choice(_PASSWORD) for _ in range(length))

    def uniform(self, low: float, high: float) -> float:
        return self.random.uniform(low, high)

    def randint(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def fork(self) -> random.Random:
        """A stream of its own, seeded from this one (made-up demo data draws from it)."""
        return random.Random(self.random.getrandbits(63))

    def state(self) -> tuple[int, Any, Any]:
        """The seed and both streams, as `restore` takes them back (snapshots, --state files)."""
        return self.seed, self.random.getstate(), self.tracing.getstate()

    def restore(self, state: tuple[int, Any, Any]) -> None:
        self.seed = state[0]
        self.random.setstate(state[1])
        self.tracing.setstate(state[2])


def stream(name: str, seed: int) -> random.Random:
    """A named stream of the seed, apart from the business ids (fault probabilities draw from one)."""
    return random.Random(f"{name}:{seed}")


@functools.lru_cache(maxsize=4096)
def name_guid(name: str) -> str:
    """A stable GUID for a name (tenant domains in token URLs); not random. Remembered for the names
    asked lately (every request without a simulator token asks for the default user's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name.lower()))


def partner_id(tenant: str, default: str | None = None) -> str:
    """The id pcsim files a partner tenant's data under, from its GUID (in either case) or its name
    (`contoso.onmicrosoft.com`, in any case): a name and the GUID the token endpoint derives from it
    are the same partner in token URLs, --default-tenant, seeding, reset, and the journal and fault
    filters. The multi-tenant authorities (`common`, ...) stand for `default` (the default partner's
    id) when it is given."""
    tenant = tenant.strip()
    if GUID.match(tenant):
        return tenant.lower()
    if default is not None and tenant.lower() in MULTI_TENANT:
        return default
    return name_guid(tenant)


def same(a: str | None, b: str | None) -> bool:
    """Ids match without regard to case (api.md 2.4: GUIDs appear in both cases)."""
    return (a or "").lower() == (b or "").lower()


def key(text: str) -> str:
    """The canonical form of a case-insensitive id, as records are filed under it: two ids that
    `same` matches have one key (api.md 2.4: ids appear in any case in paths and queries)."""
    return text.lower()
