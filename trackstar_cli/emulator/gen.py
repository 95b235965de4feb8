"""The generator context: seeds, sizes, cheap hashes and the date rules every generated record follows.

Item i of a resource is built from `Gen.rng(resource, i)` alone, so items materialise lazily, in any order,
always identical. Creation dates grow with the sequence number over SPAN before REFERENCE_EPOCH.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .core import REFERENCE_EPOCH, iso

__all__ = ["CUSTOMER_COUNT", "SPAN", "Gen", "Sizes", "make_id", "mix"]

SPAN = 180 * 86400  # generated records spread over the 180 days before the reference date
CUSTOMER_COUNT = 3  # warehouse customers per connection (data.CUSTOMERS); item i belongs to i % 3


def make_id(prefix: str, seq: int) -> str:
    return f"{prefix}_{seq:08d}"


@dataclass(frozen=True)
class Sizes:
    """How many of each record a connection holds, all derived from the inventory size."""

    inventory: int

    @property
    def kits(self) -> int:
        return max(2, self.inventory // 20)

    @property
    def orders(self) -> int:
        return max(60, self.inventory // 2)

    @property
    def inbound(self) -> int:
        return max(20, self.inventory // 10)

    @property
    def returns(self) -> int:
        return max(12, self.inventory // 20)

    @property
    def bills(self) -> int:
        return max(30, self.inventory // 5)

    @property
    def ledger(self) -> int:
        return max(60, self.inventory)

    @property
    def labor(self) -> int:
        return max(30, self.inventory // 5)

    @property
    def locations_per_warehouse(self) -> int:
        return min(200, max(8, self.inventory // 100))


_MASK = (1 << 64) - 1


@lru_cache(maxsize=64)
def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def mix(base: int, i: int, salt: int = 0) -> int:
    """A cheap 64-bit hash of (base, i, salt): the per-item facts the list filters probe without building items."""
    z = (base + (i + 1) * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@dataclass(frozen=True)
class Gen:
    """A connection's generator context: its seed, the sizes and the integration name.

    Item i of a resource is built from `rng(resource, i)` alone, so items materialise lazily, in any order,
    always identical; `created(...)`/`updated(...)` are pure so filters can probe them cheaply.
    """

    seed: str
    sizes: Sizes
    integration: str

    @cached_property
    def base(self) -> int:
        return _digest(self.seed)

    def rng(self, resource: str, i: int) -> random.Random:
        return random.Random(mix(self.base, i, _digest(resource)))

    def customer(self, i: int) -> str:
        return make_id("cust", i % CUSTOMER_COUNT + 1)

    def url(self, kind: str, item_id: str) -> str:
        return f"https://{self.integration}.example.com/{kind}/{item_id}"

    def created_epoch(self, i: int, n: int) -> int:
        """Creation dates grow with the sequence number, spread over SPAN before the reference date."""
        return REFERENCE_EPOCH - SPAN + SPAN * i // max(n, 1) + mix(self.base, i, n) % 3600

    def created(self, i: int, n: int) -> str:
        return iso(self.created_epoch(i, n))

    def updated(self, i: int, n: int) -> str:
        """Updates land up to 20 days after creation, never after the reference date."""
        later = self.created_epoch(i, n) + mix(self.base, i, n + 1) % (20 * 86400)
        return iso(min(REFERENCE_EPOCH - 60, later))
