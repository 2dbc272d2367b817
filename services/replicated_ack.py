"""Acknowledge an approval to the trader only once a replica holds it.

The queue writes an approval in one MULTI on the primary. Redis replicates
asynchronously, so a failover right after that write could lose it; WAIT blocks until
the given number of replicas acknowledged every write made so far on this connection.
If too few did in time, the trader is told the approval is on the primary only — the
write is not undone, and a retry is safe because the queue's version check refuses to
apply the same approval twice.

`acknowledged()` is how a caller gets that same connection without the queue's help: it
lends the queue a client pinned to one connection of the pool for the write, then
WAITs on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import redis
from redis.connection import Connection

from errors import RetryLater
from execution.approval.queue import OrderQueue
from services.config import RedisConfig

T = TypeVar("T")


class ApprovalNotReplicated(RetryLater):
    """The approval is on the primary but too few replicas confirmed it in time."""


def wait_for_replicas(client: redis.Redis, replicas: int, timeout_ms: int, what: str) -> int:
    """Block until `replicas` replicas hold this connection's writes; return how many do.

    `replicas` 0 is the single-server default: no round trip at all.
    """
    if replicas <= 0:
        return 0
    acked = int(client.execute_command("WAIT", replicas, timeout_ms))
    if acked < replicas:
        raise ApprovalNotReplicated(
            f"approval written on the primary but not yet on a replica: {what} "
            f"({acked} of {replicas} replicas confirmed within {timeout_ms} ms); "
            "check the replica and Sentinel, then retry — a retry cannot double it"
        )
    return acked


@dataclass(frozen=True)
class AckPolicy:
    """How many replicas must hold a decision before the trader is told it is done."""

    replicas: int = 0
    timeout_ms: int = 1000

    @classmethod
    def of(cls, cfg: RedisConfig) -> AckPolicy:
        return cls(cfg.replicas_to_ack, cfg.ack_timeout_ms)


@dataclass(frozen=True)
class Acknowledged(Generic[T]):
    """What the write returned, and why it is not acknowledged (None: it is)."""

    result: T
    problem: str | None = None


class _OneConnection:
    """A pool that lends the same connection to every command and pipeline of a client,
    and counts its reconnects: a WAIT on a new socket would count no write at all."""

    def __init__(self, pool: redis.ConnectionPool, connection: Connection) -> None:
        self._pool, self.connection, self.connects = pool, connection, 0
        connection.register_connect_callback(self._connected)

    def _connected(self, _connection: Connection) -> None:
        self.connects += 1

    def get_connection(self, *_args: Any, **_kwargs: Any) -> Connection:
        return self.connection

    def release(self, _connection: Connection) -> None:
        """Kept until the pinned block ends."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


@contextmanager
def pinned(client: redis.Redis) -> Iterator[tuple[redis.Redis, _OneConnection]]:
    """A client on one connection of `client`'s pool (so of the same primary)."""
    pool = client.connection_pool
    connection = pool.get_connection()
    one = _OneConnection(pool, connection)
    try:
        yield redis.Redis(connection_pool=cast(redis.ConnectionPool, one)), one
    finally:
        connection.deregister_connect_callback(one._connected)
        pool.release(connection)


def acknowledged(client: redis.Redis, policy: AckPolicy, what: str,
                 write: Callable[[redis.Redis], T]) -> Acknowledged[T]:
    """Run `write` on a pinned connection, then WAIT on that same connection.

    The write's own errors propagate; a missing replica, a timeout or a line lost
    between the write and the WAIT is a `problem` beside the result, since the write
    itself stands on the primary.
    """
    if policy.replicas <= 0:
        return Acknowledged(write(client))
    with pinned(client) as (one_client, one):
        result = write(one_client)
        connects = one.connects
        try:
            wait_for_replicas(one_client, policy.replicas, policy.timeout_ms, what)
        except ApprovalNotReplicated as exc:
            return Acknowledged(result, str(exc))
        except redis.ConnectionError as exc:
            return Acknowledged(result, f"{what}: the line to Redis broke before a replica "
                                        f"confirmed it ({exc}); check it, then retry")
        except redis.ResponseError as exc:  # demoted under us: a switch-over's last instant
            return Acknowledged(result, f"{what}: the server it was written on is no longer "
                                        f"the primary ({exc}); check it, then retry")
        if one.connects != connects:
            return Acknowledged(result, f"{what}: reconnected to Redis before a replica "
                                        "confirmed it; check it, then retry")
    return Acknowledged(result)


def decide(queue: OrderQueue, policy: AckPolicy, what: str,
           decision: Callable[[OrderQueue], T]) -> Acknowledged[T]:
    """A queue decision (approve, reject, edit) acknowledged only once replicated.

    The single-server default runs it on `queue` itself; otherwise on a copy of the queue
    bound to a pinned connection, so the WAIT counts exactly this decision's write.
    """
    if policy.replicas <= 0:
        return Acknowledged(decision(queue))
    return acknowledged(queue.client, policy, what,
                        lambda client: decision(OrderQueue(client, queue.clock, queue.policy,
                                                           account=queue.account,
                                                           four_eyes=queue.four_eyes)))
