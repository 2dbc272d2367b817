"""redis-py parses replies in C (hiredis) when it is installed, in Python otherwise; the
Python parser was a quarter of the approval -> first child path (docs/benchmarks.md), so
losing the dependency would be a silent slowdown."""

import redis
from redis._parsers import _HiredisParser
from redis.utils import HIREDIS_AVAILABLE


def test_replies_are_parsed_by_hiredis() -> None:
    assert HIREDIS_AVAILABLE, "hiredis is a dependency (pyproject.toml): is it installed?"
    connection = redis.Connection(host="127.0.0.1", port=1)  # never connected
    assert isinstance(connection._parser, _HiredisParser)  # type: ignore[attr-defined]
