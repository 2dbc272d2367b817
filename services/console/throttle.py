"""The login throttle: per client address, and per (user name, address) with backoff.

Two counters in Redis, so they hold across restarts and processes:

- one address may try `login_attempts_per_window` logins per window, whatever names it
  types (one address spraying many names);
- after `login_backoff_after` wrong passwords for one name from one address, that pair
  waits `login_backoff_base_s`, doubled at each further failure, at most
  `login_backoff_max_s`. Only the pair waits, so an attacker elsewhere cannot lock the
  admin out, and the throttle keys on the name typed, so a name without an account
  waits exactly like one with.

IPv6 clients are counted per /64, the block one host usually holds.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from bus import streams
from services.console.config import ConsoleConfig

ADDRESS_KEY = f"{streams.PREFIX}:console:login:addr:{{bucket}}"
# One hash per name typed: "<bucket>:n" failures and "<bucket>:at" the last one (epoch s).
FAILURES_KEY = f"{streams.PREFIX}:console:login:fail:{{name}}"
IPV6_BLOCK = 64
MAX_DOUBLINGS = 40  # 2**40 s is past any cap; keeps the power small


@dataclass(frozen=True)
class Backoff:
    after: int
    base_s: int
    max_s: int

    def wait_s(self, failures: int) -> int:
        """Seconds a pair waits after `failures` consecutive wrong passwords."""
        if failures < self.after:
            return 0
        doublings = min(failures - self.after, MAX_DOUBLINGS)
        return int(min(self.max_s, self.base_s * 2**doublings))


@dataclass(frozen=True)
class PairFailures:
    """Wrong passwords for one name from one address, and the wait left (0: none)."""

    address: str
    failures: int
    wait_s: int


def bucket(address: str) -> str:
    """What the throttle counts: the address itself, an IPv6 address by its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]  # not an IP (a test client, a Unix socket): as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_BLOCK}", strict=False))
    return str(ip)


class LoginThrottle:
    def __init__(self, client: redis.Redis, config: ConsoleConfig,
                 wall: Callable[[], float] = time.time) -> None:
        self.client = client
        self.attempts = config.login_attempts_per_window
        self.window_s = config.login_window_s
        self.kept_s = config.login_failures_kept_s
        self.backoff = Backoff(config.login_backoff_after, config.login_backoff_base_s,
                               config.login_backoff_max_s)
        # Wall time, not the desk clock: a simulated day runs at 60x.
        self.wall = wall

    def address_wait_s(self, address: str) -> int:
        """Count one attempt from `address`; seconds until it may try again (0: now)."""
        key = ADDRESS_KEY.format(bucket=bucket(address))
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, ex=self.window_s, nx=True)  # the window starts at the first try
        pipe.incr(key)
        pipe.pttl(key)
        _, count, pttl = pipe.execute()
        return 0 if int(count) <= self.attempts else max(1, math.ceil(int(pttl) / 1000))

    def pair_wait_s(self, name: str, address: str) -> int:
        """Seconds the pair (name, address) must still wait after its failures (0: none)."""
        failures, last = self._pair(name, bucket(address))
        return self._left(failures, last)

    def failed(self, name: str, address: str) -> int:
        """Record a wrong password; returns the wait it starts (0: none yet)."""
        key, field = FAILURES_KEY.format(name=name), bucket(address)
        pipe = self.client.pipeline(transaction=True)
        pipe.hincrby(key, f"{field}:n", 1)
        pipe.hset(key, f"{field}:at", repr(self.wall()))
        pipe.expire(key, self.kept_s)
        failures, _, _ = pipe.execute()
        return self.backoff.wait_s(int(failures))

    def succeeded(self, name: str, address: str) -> None:
        """A right password forgets this pair's failures (and only this pair's)."""
        field = bucket(address)
        self.client.hdel(FAILURES_KEY.format(name=name), f"{field}:n", f"{field}:at")

    def failures(self, name: str) -> list[PairFailures]:
        """Every address with failures for `name`, most failures first."""
        raw: dict[str, str] = self.client.hgetall(FAILURES_KEY.format(name=name))  # type: ignore[assignment]
        found = []
        for field, count in raw.items():
            address, kind = field.rsplit(":", 1)
            if kind == "n":
                last = float(raw.get(f"{address}:at", 0))
                found.append(PairFailures(address, int(count), self._left(int(count), last)))
        return sorted(found, key=lambda p: (-p.failures, p.address))

    def clear(self, name: str) -> list[PairFailures]:
        """An admin's unlock: forget every failure for `name`; returns what was cleared."""
        cleared = self.failures(name)
        self.client.delete(FAILURES_KEY.format(name=name))
        return cleared

    def _pair(self, name: str, field: str) -> tuple[int, float]:
        count, last = self.client.hmget(FAILURES_KEY.format(name=name),
                                        [f"{field}:n", f"{field}:at"])
        return int(count or 0), float(last or 0)

    def _left(self, failures: int, last: float) -> int:
        wait = self.backoff.wait_s(failures)
        return max(0, math.ceil(last + wait - self.wall())) if wait else 0
