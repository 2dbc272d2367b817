"""The fencing lease with `redis.replicas_to_ack`: a token fences nothing until a replica
holds it (WAIT). Against the real embedded Redis, which has no replica: every WAIT
times out, as with a replica that is down or far behind."""

from __future__ import annotations

import pytest
import redis

from execution.config import ExecutionConfig
from execution.fencing import (
    FencingLease,
    LeaseNotReplicated,
    LeaseRefused,
    ReplicaAck,
    lease_key,
    token_key,
)
from execution.worker.lease import AccountLease

ONE_REPLICA = ReplicaAck(replicas=1, timeout_ms=20)
CFG = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": 10_000}})


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_token_no_replica_confirmed_is_never_used(redis_client: redis.Redis) -> None:
    lease = FencingLease(redis_client, "paper", ttl_ms=5000, ack=ONE_REPLICA)
    with pytest.raises(LeaseNotReplicated, match="0 of 1 replicas"):
        lease.acquire()
    # Taken on the primary, then given up: a failover could hand the same number to
    # another desk, so this one neither sends with it nor renews it.
    assert lease.token is None
    assert redis_client.get(lease_key("paper")) == redis_client.get(token_key("paper")) == "1"
    with pytest.raises(LeaseRefused, match="does not hold the lease"):
        lease.check_send()
    assert not lease.renew()
    assert redis_client.get(lease_key("paper")) == "1"  # left to lapse, not deleted


def test_without_replicas_to_ack_no_wait_at_all(redis_client: redis.Redis) -> None:
    lease = FencingLease(redis_client, "paper", ttl_ms=5000)
    assert lease.acquire() and lease.token == 1
    assert lease.renew()


def test_an_unconfirmed_renewal_keeps_the_token_but_not_the_later_deadline(
        redis_client: redis.Redis) -> None:
    clock = Clock()
    lease = FencingLease(redis_client, "paper", ttl_ms=10_000, now=clock)
    assert lease.acquire()
    deadline = lease.deadline
    lease.ack = ONE_REPLICA  # the replica falls behind
    clock.t += 5
    with pytest.raises(LeaseNotReplicated, match="renewal"):
        lease.renew()
    assert lease.token == 1 and lease.deadline == deadline
    clock.t += 3  # past the last confirmed renewal's deadline: sends stop
    with pytest.raises(LeaseRefused, match="expired locally"):
        lease.check_send()
    lease.ack = ReplicaAck()  # the replica caught up
    assert lease.renew() and lease.check_send() == 1


def test_the_desk_waits_for_a_confirmed_lease_and_alerts_once(
        redis_client: redis.Redis) -> None:
    clock, alerts = Clock(), []
    attempts: list[float] = []

    def sleep(seconds: float) -> None:
        attempts.append(seconds)
        if len(attempts) == 3:  # the replica is back; the given-up lease lapsed
            held.fence.ack = ReplicaAck()
            redis_client.delete(lease_key("paper"))

    held = AccountLease(redis_client, CFG, lambda s, t, _d: alerts.append((s, t)), now=clock,
                        sleep=sleep, ack=ONE_REPLICA)
    held.take()
    assert len(attempts) == 3 and held.fence.token == 2 and held.refusal() is None
    assert alerts == [("critical", "lease of account paper not confirmed by a replica"),
                      ("warning", "execution holds the lease of account paper")]


def test_an_unconfirmed_renewal_alerts_once_and_retries_on_time(
        redis_client: redis.Redis) -> None:
    clock, alerts = Clock(), []
    held = AccountLease(redis_client, CFG, lambda s, t, _d: alerts.append((s, t)), now=clock,
                        sleep=lambda _s: None)
    held.take()
    held.fence.ack = ONE_REPLICA
    for _ in range(4):
        clock.t += 2.5
        held.keep()  # logged, not raised: sends stop at the last confirmed deadline
    assert held.fence.token == 1 and held.refusal() is not None
    titles = [t for _s, t in alerts]
    assert titles.count("lease of account paper not confirmed by a replica") == 1
    held.fence.ack = ReplicaAck()
    clock.t += 2.5
    held.keep()
    assert held.refusal() is None
