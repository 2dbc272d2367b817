"""A batch's merged writes (`execution.gateway.sim.changes`) leave Redis as the same
writes one by one would, in fewer commands."""

import redis

from execution.gateway.sim.changes import DAY_TTL_S, Changes


def test_merged_writes_leave_redis_as_one_by_one_would(redis_client: redis.Redis) -> None:
    changes = Changes()
    changes.hset("h", "a", "1")
    changes.hset("h", "a", "2")  # the last value is written
    changes.hset("h", "b", "1")
    changes.hdel("h", "b")  # set, then deleted: deleted
    changes.hdel("h", "c")
    changes.hset("h", "c", "3")  # deleted, then set: set
    changes.hincrby("used", "x", 100)
    changes.hincrby("used", "x", 200)
    changes.set("cash", "10")
    changes.set("cash", "9")
    changes.expire("h")
    redis_client.hset("h", mapping={"b": "old", "c": "old", "d": "kept"})
    redis_client.hset("used", "x", 5)
    pipe = redis_client.pipeline(transaction=True)
    changes.write(pipe)
    assert len(pipe) == 5  # HDEL, HSET, HINCRBY, SET, EXPIRE: each once
    pipe.execute()
    assert redis_client.hgetall("h") == {"a": "2", "c": "3", "d": "kept"}
    assert redis_client.hget("used", "x") == "305"
    assert redis_client.get("cash") == "9"
    assert 0 < redis_client.ttl("h") <= DAY_TTL_S


def test_nothing_staged_is_nothing_to_write() -> None:
    changes = Changes()
    assert not changes
    changes.expire("h")  # an expiry alone changes nothing
    assert not changes
    changes.hdel("h", "a")
    assert changes
