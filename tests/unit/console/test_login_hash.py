"""Every login check costs one password hash, with or without an account."""

from __future__ import annotations

import pytest
import redis
from argon2 import extract_parameters

from marketdata.clock import FixedClock
from services.console.users import LoginRefused, Role, UserStore
from tests.unit.console.login_kit import CountingHasher

PASSWORD = "correct horse battery staple"
COST = {"time_cost": 1, "memory_cost": 2048, "parallelism": 1}


def test_unknown_names_are_checked_against_a_dummy_of_the_same_cost(
        redis_client: redis.Redis, clock: FixedClock) -> None:
    hasher = CountingHasher(**COST)
    store = UserStore(redis_client, hasher=hasher)
    store.add("root", Role.ADMIN, PASSWORD, by="t", at=clock.now())
    for name in ("root", "nobody"):
        before = hasher.verified
        with pytest.raises(LoginRefused):
            store.verify(name, "wrong password!")
        assert hasher.verified - before == 1, name
    dummy = extract_parameters(store._dummy_hash)
    assert (dummy.time_cost, dummy.memory_cost) == (1, 2048)


def test_a_dummy_check_runs_the_hash(redis_client: redis.Redis) -> None:
    hasher = CountingHasher(**COST)
    UserStore(redis_client, hasher=hasher).check_dummy("")
    assert hasher.verified == 1
