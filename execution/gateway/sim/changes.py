"""What one transaction of the simulated broker writes, merged before it is sent.

A batch (a step's orders, a minute's fills) changes the same keys again and again: the
orders hash, the position of a symbol, the cash, the order number. Merged, each field
and key is written once with its last value, counters once with their sum, and each day
key's expiry once, so the transaction's size grows with what changed, not with how
often.
"""

from __future__ import annotations

from redis.client import Pipeline

DAY_TTL_S = 10 * 24 * 3600


class Changes:
    def __init__(self) -> None:
        self._fields: dict[str, dict[str | bytes, str]] = {}  # hash -> field -> value
        self._removed: dict[str, set[str]] = {}  # hash -> fields deleted
        self._values: dict[str, str] = {}  # string key -> value
        self._counts: dict[str, dict[str, int]] = {}  # hash -> field -> increment
        self._expiring: set[str] = set()

    def hset(self, key: str, field: str, value: str) -> None:
        self._fields.setdefault(key, {})[field] = value
        self._removed.get(key, set()).discard(field)

    def hdel(self, key: str, field: str) -> None:
        self._fields.get(key, {}).pop(field, None)
        self._removed.setdefault(key, set()).add(field)

    def hincrby(self, key: str, field: str, amount: int) -> None:
        counts = self._counts.setdefault(key, {})
        counts[field] = counts.get(field, 0) + amount

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def expire(self, key: str) -> None:
        """The key lives `DAY_TTL_S` from this transaction on."""
        self._expiring.add(key)

    def __bool__(self) -> bool:
        return bool(self._fields or self._removed or self._values or self._counts)

    def write(self, pipe: Pipeline) -> None:
        """Queue the merged commands on `pipe` (deletions before the fields set again)."""
        for key, removed in self._removed.items():
            if removed:
                pipe.hdel(key, *sorted(removed))
        for key, mapping in self._fields.items():
            if mapping:
                pipe.hset(key, mapping=mapping)
        for key, counts in self._counts.items():
            for field, amount in counts.items():
                pipe.hincrby(key, field, amount)
        for key, value in self._values.items():
            pipe.set(key, value)
        for key in sorted(self._expiring):
            pipe.expire(key, DAY_TTL_S)
