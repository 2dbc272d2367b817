"""Commands packed in C (`bus.packing`): the same bytes as redis-py's own packer for
every argument it takes, redis-py's errors and encoding policy for the rest."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis.connection import Connection
from redis.exceptions import DataError

from bus.packing import CommandPacker

ARGUMENT = st.one_of(st.text(), st.binary(), st.integers(),
                     st.floats(allow_nan=True, allow_infinity=True))


def redis_py(*args: Any, errors: str = "strict") -> bytes:
    packer = Connection(encoding_errors=errors)._command_packer  # type: ignore[attr-defined]
    return b"".join(packer.pack(*args))


def ours(*args: Any, errors: str = "strict") -> bytes:
    return b"".join(CommandPacker(errors).pack(*args))


@given(st.sampled_from(["SET", "XADD", "HSET", "EVALSHA"]), st.lists(ARGUMENT, max_size=20))
def test_the_same_bytes_as_redis_py(name: str, args: list[Any]) -> None:
    assert ours(name, *args) == redis_py(name, *args)


def test_a_decision_sized_xadd_is_the_same() -> None:
    args = ("XADD", "desk:audit", "MAXLEN", "~", 200_000, "*", "type", "audit",
            "ts", "2026-12-31T14:59:59.999999+08:00", "body", "订单 " + "x" * 9000)
    assert ours(*args) == redis_py(*args)


@pytest.mark.parametrize("args", [
    ("CLIENT SETNAME", "execution-1"),  # redis-py splits a name with a space
    (b"SET", "k", "v"),
    ("SET", "k", memoryview(b"abc")),
    ("SET", "k", "\ud800"),  # not valid UTF-8: the encoding policy decides
])
def test_what_hiredis_does_not_take_goes_to_redis_py(args: tuple[Any, ...]) -> None:
    for errors in ("strict", "backslashreplace"):
        try:
            expected = redis_py(*args, errors=errors)
        except UnicodeEncodeError:
            with pytest.raises(UnicodeEncodeError):
                ours(*args, errors=errors)
            continue
        assert ours(*args, errors=errors) == expected


@pytest.mark.parametrize("bad", [True, None, object()])
def test_redis_py_refuses_what_it_always_refused(bad: Any) -> None:
    with pytest.raises(DataError, match="Invalid input of type"):
        ours("SET", "k", bad)


def test_the_services_clients_pack_in_c_on_a_real_redis(redis_server: Any) -> None:
    from services.config import RedisConfig
    from services.connect import connect
    from services.settings import DeskSettings

    settings = DeskSettings(mode="paper", redis=RedisConfig(url=redis_server.url))
    client = connect(settings)
    try:
        assert isinstance(client.connection_pool.connection_kwargs["command_packer"],
                          CommandPacker)
        with client.pipeline(transaction=True) as pipe:
            pipe.set("packed:k", "订单 \ud800")  # backslash-replaced, as redis-py did
            pipe.xadd("packed:s", {"body": "x" * 9000, "n": 3, "f": 0.1})
            pipe.get("packed:k")
            replies = pipe.execute()
        assert replies[2] == "订单 \\ud800"
        [(_, fields)] = client.xrange("packed:s")
        assert fields == {"body": "x" * 9000, "n": "3", "f": "0.1"}
    finally:
        client.delete("packed:k", "packed:s")
        client.close()
