"""A fencing lease: exactly one execution service talks to a broker account at a time.

The lease is one Redis key per account holding the holder's fencing token. Tokens come
from INCR on a per-account counter, so a later holder always has a larger token. The
holder renews the key (only while it still holds its own token, checked in Lua) and
keeps a local deadline: between renewals a send needs no round trip — once the local
deadline passes (renewal failed or was late) every send is refused until a renewal
succeeds. The deadline is shortened by a safety margin so a clock drift between the
holder and Redis cannot let two services believe they hold the lease at once.

With a replica (`ReplicaAck`, from `redis.replicas_to_ack`) every lease write is followed
by a WAIT on the same connection. Redis replicates asynchronously: a token the replica
never received is lost in a failover, and the promoted replica hands the same number to
the next desk. So a token no replica confirmed is given up at once (never sent with,
never renewed; left to lapse, since deleting it could delete the other desk's lease of
the same number), and an unconfirmed renewal keeps the token but not the later
deadline: sends stop when the replica's copy of the lease would lapse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from errors import Refused, RetryLater

SAFETY_MARGIN = 0.2  # a fraction of the lease kept as margin against drift and latency

# Take the lease if nobody holds it: a new token and the key in one step (one write to
# WAIT for); 0 when it is held.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
"""

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


class LeaseNotReplicated(RetryLater):
    """A lease write the primary holds but too few replicas confirmed in time."""


@dataclass(frozen=True)
class ReplicaAck:
    """Replicas that must hold each lease write before it counts (`redis.replicas_to_ack`,
    `redis.ack_timeout_ms`); 0: a single server, no WAIT."""

    replicas: int = 0
    timeout_ms: int = 1000


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
    ack: ReplicaAck = ReplicaAck()

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; True when this service now holds it.
        `LeaseNotReplicated`: taken on the primary only, so given up (it lapses)."""
        started = self.now()
        token, acked = self._write(_ACQUIRE, 2, lease_key(self.account),
                                   token_key(self.account), self.ttl_ms)
        if not token:
            return False
        if acked < self.ack.replicas:
            raise LeaseNotReplicated(
                f"account {self.account}: lease token {token} taken on the primary but "
                f"{self._confirmed(acked)}; given up (a failover could hand the same token to "
                f"another desk), taken again once it lapses ({self.ttl_ms} ms)")
        self.token = int(token)
        self._extend(started)
        return True

    def renew(self) -> bool:
        """Extend the lease; False (and no more sends) when another holder took it.
        `LeaseNotReplicated`: renewed on the primary only; the token stays, the
        deadline stays the last confirmed one."""
        if self.token is None:
            return False
        started = self.now()
        renewed, acked = self._write(_RENEW, 1, lease_key(self.account), self.token,
                                     self.ttl_ms)
        if not renewed:
            self.token = None
            self.deadline = 0.0
            return False
        if acked < self.ack.replicas:
            raise LeaseNotReplicated(
                f"account {self.account}: renewal of lease token {self.token} "
                f"{self._confirmed(acked)}; sends stop at the last confirmed renewal's deadline")
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

    def _write(self, script: str, keys: int, *args: object) -> tuple[int, int]:
        """Run a lease script; with replicas to confirm it, WAIT on the same connection
        (a pipeline: WAIT counts only its own connection's writes). (result, replicas)."""
        if self.ack.replicas <= 0:
            return int(self.client.eval(script, keys, *args)), 0  # type: ignore[arg-type]
        pipe = self.client.pipeline(transaction=False)
        pipe.eval(script, keys, *args)  # type: ignore[arg-type]
        pipe.execute_command("WAIT", self.ack.replicas, self.ack.timeout_ms)
        result, acked = pipe.execute()
        return int(result), int(acked)

    def _confirmed(self, acked: int) -> str:
        return (f"{acked} of {self.ack.replicas} replicas confirmed it within "
                f"{self.ack.timeout_ms} ms")

    def _extend(self, started: float) -> None:
        # Measured from before the request: the key may have been set any time after it.
        self.deadline = started + self.ttl_ms / 1000 * (1 - SAFETY_MARGIN)
