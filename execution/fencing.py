"""A fencing lease: exactly one execution service talks to a broker account at a time.

The lease is one Redis key per account holding the holder's fencing token. Tokens come
from INCR on a per-account counter, so a later holder always has a larger token. The
holder renews the key (only while it still holds its own token, checked in Lua) and
keeps a local deadline: between renewals a send needs no round trip — once the local
deadline passes (renewal failed or was late) every send is refused until a renewal
succeeds. The deadline is shortened by a safety margin so a clock drift between the
holder and Redis cannot let two services believe they hold the lease at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from errors import Refused

SAFETY_MARGIN = 0.2  # a fraction of the lease kept as margin against drift and latency

# Renew only if the key still holds our token: a lapsed lease taken by a standby stays theirs.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


# Give the lease up only if it is still ours (a clean stop: a standby need not wait).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseRefused(Refused):
    """This execution service does not hold the account's lease; it must not send."""


def lease_key(account: str) -> str:
    return f"desk:exec:lease:{account}"


def token_key(account: str) -> str:
    return f"desk:exec:lease:{account}:token"


@dataclass
class FencingLease:
    client: redis.Redis
    account: str
    ttl_ms: int
    now: Callable[[], float] = time.monotonic
    token: int | None = None
    deadline: float = 0.0

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; True when this service now holds it."""
        if self.client.exists(lease_key(self.account)):
            return False
        started = self.now()
        token = int(self.client.incr(token_key(self.account)))
        if not self.client.set(lease_key(self.account), token, nx=True, px=self.ttl_ms):
            return False
        self.token = token
        self._extend(started)
        return True

    def renew(self) -> bool:
        """Extend the lease; False (and no more sends) when another holder took it."""
        if self.token is None:
            return False
        started = self.now()
        renewed = self.client.eval(_RENEW, 1, lease_key(self.account), self.token, self.ttl_ms)
        if not renewed:
            self.token = None
            self.deadline = 0.0
            return False
        self._extend(started)
        return True

    def release(self) -> bool:
        """Give the lease up at a clean stop; True if it was still ours."""
        if self.token is None:
            return False
        token, self.token, self.deadline = self.token, None, 0.0
        return bool(self.client.eval(_RELEASE, 1, lease_key(self.account), token))

    def check_send(self) -> int:
        """Return the token a send may carry, or refuse: no round trip on the hot path."""
        if self.token is None:
            raise LeaseRefused(
                f"account {self.account}: this execution service does not hold the lease"
            )
        if self.now() >= self.deadline:
            raise LeaseRefused(
                f"account {self.account}: lease with token {self.token} expired locally "
                "(renewal late or failed); sends refused until it is renewed"
            )
        return self.token

    def _extend(self, started: float) -> None:
        # Measured from before the request: the key may have been set any time after it.
        self.deadline = started + self.ttl_ms / 1000 * (1 - SAFETY_MARGIN)
