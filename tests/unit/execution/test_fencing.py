"""The fencing lease against a real embedded Redis: one holder, a standby takes over."""

from __future__ import annotations

import time

import pytest
import redis

from execution.fencing import FencingLease, LeaseRefused, lease_key


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_only_one_service_holds_the_lease(redis_client: redis.Redis) -> None:
    primary = FencingLease(redis_client, "paper", ttl_ms=5000)
    standby = FencingLease(redis_client, "paper", ttl_ms=5000)
    assert primary.acquire()
    assert not standby.acquire()
    assert primary.check_send() == primary.token
    with pytest.raises(LeaseRefused, match="does not hold the lease"):
        standby.check_send()


def test_standby_takes_over_a_lapsed_lease_with_a_larger_token(
    redis_client: redis.Redis,
) -> None:
    primary = FencingLease(redis_client, "paper", ttl_ms=50)
    standby = FencingLease(redis_client, "paper", ttl_ms=5000)
    assert primary.acquire()
    time.sleep(0.1)
    assert standby.acquire()
    assert standby.token is not None and primary.token is not None
    assert standby.token > primary.token
    # The primary comes back: its renewal is refused and so is every send.
    assert not primary.renew()
    with pytest.raises(LeaseRefused):
        primary.check_send()
    assert redis_client.get(lease_key("paper")) == str(standby.token)


def test_sends_refused_once_the_local_deadline_passes(redis_client: redis.Redis) -> None:
    clock = Clock()
    lease = FencingLease(redis_client, "paper", ttl_ms=10_000, now=clock)
    assert lease.acquire()
    clock.t += 7.9
    lease.check_send()
    clock.t += 0.2  # past 80 % of the lease: the safety margin refuses
    with pytest.raises(LeaseRefused, match="expired locally"):
        lease.check_send()
    assert lease.renew()
    assert lease.check_send() == lease.token


def test_a_clean_stop_releases_only_its_own_lease(redis_client: redis.Redis) -> None:
    primary = FencingLease(redis_client, "paper", ttl_ms=50)
    standby = FencingLease(redis_client, "paper", ttl_ms=5000)
    assert primary.acquire()
    time.sleep(0.1)
    assert standby.acquire()
    assert not primary.release()  # lapsed and taken: the standby's lease stays
    assert redis_client.get(lease_key("paper")) == str(standby.token)
    assert standby.release()
    assert redis_client.get(lease_key("paper")) is None
    with pytest.raises(LeaseRefused):
        standby.check_send()
