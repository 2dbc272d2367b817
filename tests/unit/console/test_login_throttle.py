"""The login throttle: backoff per (name, address), the address window, unlock; real Redis."""

from __future__ import annotations

import pytest
import redis

from services.console.config import ConsoleConfig
from services.console.throttle import Backoff, LoginThrottle, PairFailures, bucket

ADMIN_DESK, ATTACKER = "198.51.100.20", "203.0.113.7"


class Wall:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def throttle(redis_client: redis.Redis, wall: Wall) -> LoginThrottle:
    config = ConsoleConfig(login_backoff_after=3, login_backoff_base_s=10,
                           login_backoff_max_s=60, login_attempts_per_window=3,
                           login_window_s=60, login_failures_kept_s=3600)
    return LoginThrottle(redis_client, config, wall=wall)


def _fail(throttle: LoginThrottle, times: int, name: str = "root",
          address: str = ATTACKER) -> list[int]:
    return [throttle.failed(name, address) for _ in range(times)]


@pytest.mark.parametrize(("failures", "wait_s"), [
    (0, 0), (2, 0), (3, 10), (4, 20), (5, 40), (6, 60), (7, 60), (10_000, 60),
])
def test_backoff_starts_at_the_threshold_doubles_and_is_capped(failures: int,
                                                               wait_s: int) -> None:
    assert Backoff(after=3, base_s=10, max_s=60).wait_s(failures) == wait_s


def test_a_pair_waits_after_its_failures_and_then_may_try(throttle: LoginThrottle,
                                                          wall: Wall) -> None:
    assert _fail(throttle, 4) == [0, 0, 10, 20]
    assert throttle.pair_wait_s("root", ATTACKER) == 20
    wall.now += 19.5
    assert throttle.pair_wait_s("root", ATTACKER) == 1  # rounded up, never 0 too early
    wall.now += 0.5
    assert throttle.pair_wait_s("root", ATTACKER) == 0


def test_only_the_failing_pair_waits(throttle: LoginThrottle) -> None:
    _fail(throttle, 5)
    assert throttle.pair_wait_s("root", ADMIN_DESK) == 0  # the admin, elsewhere
    assert throttle.pair_wait_s("alice", ATTACKER) == 0  # another name, same address


def test_a_success_forgets_its_own_pair_only(throttle: LoginThrottle) -> None:
    _fail(throttle, 3)
    _fail(throttle, 3, address=ADMIN_DESK)
    throttle.succeeded("root", ADMIN_DESK)
    assert throttle.pair_wait_s("root", ADMIN_DESK) == 0
    assert throttle.pair_wait_s("root", ATTACKER) == 10


def test_unlock_clears_every_address_and_says_what_it_held(throttle: LoginThrottle) -> None:
    _fail(throttle, 4)
    _fail(throttle, 1, address=ADMIN_DESK)
    assert throttle.failures("root") == [PairFailures(ATTACKER, 4, 20),
                                         PairFailures(ADMIN_DESK, 1, 0)]
    assert len(throttle.clear("root")) == 2
    assert throttle.failures("root") == [] and throttle.pair_wait_s("root", ATTACKER) == 0


def test_failures_are_forgotten_after_the_kept_time(throttle: LoginThrottle,
                                                    redis_client: redis.Redis) -> None:
    _fail(throttle, 1)
    assert 3590 < redis_client.ttl("desk:console:login:fail:root") <= 3600


def test_one_address_has_a_window_of_attempts_whatever_the_names(
        throttle: LoginThrottle, redis_client: redis.Redis) -> None:
    assert [throttle.address_wait_s(ATTACKER) for _ in range(4)][:3] == [0, 0, 0]
    assert 0 < throttle.address_wait_s(ATTACKER) <= 60
    assert throttle.address_wait_s(ADMIN_DESK) == 0
    assert 0 < redis_client.ttl(f"desk:console:login:addr:{ATTACKER}") <= 60


@pytest.mark.parametrize(("address", "counted_as"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one host's /64 is one client
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("testclient", "testclient"),
])
def test_addresses_are_counted_per_host(address: str, counted_as: str) -> None:
    assert bucket(address) == counted_as


def test_ipv6_neighbours_in_one_64_share_a_wait(throttle: LoginThrottle) -> None:
    for i in range(3):
        throttle.failed("root", f"2001:db8:1:2::{i + 1}")
    assert throttle.pair_wait_s("root", "2001:db8:1:2::ffff") == 10
