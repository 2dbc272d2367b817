"""The desk's hold on its broker account (`execution.lease`): taken at start, renewed as
it works, checked before every order goes out.

A standby desk waits in `take()` until the account's lease lapses, so it consumes no
decision and sends nothing while another desk holds it. A desk that loses its lease to
another one stops (`LeaseLost`): its supervisor restarts it, and it waits as a standby.
A renewal that fails for a while (a failover under way) keeps the token; the fencing
lease's local deadline then refuses every send until a renewal succeeds.

With `redis.replicas_to_ack` (`ack`) a lease write counts only once a replica holds it:
a desk whose new token no replica confirmed does not start (it takes the lease again
once that one lapses), and an unconfirmed renewal is retried on the renewal's cadence
while sends stop at the last confirmed deadline (execution/fencing.py). Cancels are
fenced like sends (`refusal`, asked by the sender before each).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from loguru import logger

from errors import Refused
from execution.config import ExecutionConfig
from execution.fencing import (
    FencingLease,
    LeaseNotReplicated,
    LeaseRefused,
    ReplicaAck,
    lease_key,
)

RENEWALS_PER_TTL = 4  # a renewal every quarter of the lease: three can fail in a row


class LeaseLost(Refused):
    """Another execution service took this account's lease: this one must stop."""


Alert = Callable[[str, str, str], None]  # severity, title, detail


class AccountLease:
    def __init__(self, client: redis.Redis, cfg: ExecutionConfig, alert: Alert,
                 now: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 ack: ReplicaAck = ReplicaAck()) -> None:
        self.enabled = cfg.lease.enabled
        self.fence = FencingLease(client, cfg.account, cfg.lease.ttl_ms, now=now, ack=ack)
        self.alert, self.now, self.sleep = alert, now, sleep
        self.every_s = cfg.lease.ttl_ms / 1000 / RENEWALS_PER_TTL
        self.renewed_at = 0.0
        self.refusing = False  # one alert per run of refused sends, not one per child
        self.unconfirmed = False  # one alert per run of lease writes no replica confirmed

    def take(self) -> None:
        """Hold the lease before working anything; a standby waits here for it."""
        if not self.enabled:
            return
        waited = False
        while not self._try_acquire():
            if not waited:
                logger.warning("standby: the lease of account {} ({}) is held by another "
                               "execution service; waiting for it to lapse",
                               self.fence.account, lease_key(self.fence.account))
                waited = True
            self.sleep(self.every_s)
        self.alert("warning" if waited else "info",
                   f"execution holds the lease of account {self.fence.account}",
                   f"token {self.fence.token}" + (" (took over from a lapsed holder)"
                                                  if waited else ""))

    def keep(self) -> None:
        """Renew when due; `LeaseLost` when another service holds the lease now."""
        if not self.enabled or self.now() - self.renewed_at < self.every_s:
            return
        token = self.fence.token
        try:
            renewed = self.fence.renew()
        except redis.RedisError as exc:  # a failover: sends stop at the local deadline
            logger.warning("lease renewal of account {} failed: {}", self.fence.account, exc)
            return
        except LeaseNotReplicated as exc:  # retried when the next renewal is due
            self._not_confirmed(exc)
            self.renewed_at = self.now()
            return
        self.unconfirmed = False
        if not renewed:
            self.alert("critical", f"execution lost the lease of account {self.fence.account}",
                       f"token {token} lapsed and another execution service holds it now; "
                       "this one sends nothing more and stops")
            raise LeaseLost(f"account {self.fence.account}: lease token {token} was taken over")
        self.renewed_at = self.now()

    def release(self) -> None:
        """A clean stop gives the lease up, so a standby (or the next day's desk) need
        not wait for it to lapse."""
        if not self.enabled:
            return
        try:
            self.fence.release()
        except redis.RedisError as exc:  # it lapses by itself
            logger.warning("lease of account {} not released: {}", self.fence.account, exc)

    def refusal(self) -> str | None:
        """Why no order may go out now (None: this desk holds the lease)."""
        if not self.enabled:
            return None
        try:
            self.fence.check_send()
        except LeaseRefused as exc:
            if not self.refusing:
                self.alert("critical", f"order send refused: no lease on {self.fence.account}",
                           f"{exc}; nothing is sent until the lease is renewed")
            self.refusing = True
            return f"not sent: {exc}"
        self.refusing = False
        return None

    def _try_acquire(self) -> bool:
        try:
            taken = self.fence.acquire()
        except redis.RedisError as exc:
            logger.warning("lease of account {}: {}", self.fence.account, exc)
            return False
        except LeaseNotReplicated as exc:  # given up: it lapses, then is taken again
            self._not_confirmed(exc)
            return False
        if taken:
            self.renewed_at = self.now()
            self.unconfirmed = False
        return taken

    def _not_confirmed(self, exc: LeaseNotReplicated) -> None:
        logger.warning("lease of account {}: {}", self.fence.account, exc)
        if not self.unconfirmed:
            self.alert("critical", f"lease of account {self.fence.account} not confirmed by "
                       "a replica", f"{exc}; check the replica and Sentinel")
        self.unconfirmed = True
