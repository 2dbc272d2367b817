"""Raw stream entries into text fields, defensively: nothing from Redis is trusted.

A consumer reads entries as bytes (`raw_twin`), so one non-UTF-8 byte is a bad entry
and not an exception inside `XREADGROUP`. Before any JSON parser sees a body, its
size and bracket depth are bounded here: a 1,000-deep body would otherwise raise
`RecursionError`, and a huge one would take the memory. docs/bus.md "Hostile messages".
"""

from __future__ import annotations

import re
from typing import Any

import redis

from errors import FixData

MAX_FIELDS = 16
MAX_FIELD_BYTES = 256  # every field but the body: type, v, id, source, ts
MAX_BODY_BYTES = 4 * 1024 * 1024  # a nightly batch of a few thousand orders fits
MAX_DEPTH = 16  # the deepest real body (an audit entry's record) is 5 deep

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BadEntry(ValueError, FixData):
    """A raw entry refused before parsing; the text says why."""


def raw_twin(client: redis.Redis | Any) -> redis.Redis:
    """A client on the same server that returns bytes (the desk's clients decode)."""
    pool = client.connection_pool
    kwargs = {**pool.connection_kwargs, "decode_responses": False}
    return redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **kwargs))


def text_fields(raw: dict[bytes, bytes] | None) -> dict[str, str]:
    """The entry's fields as text, or BadEntry (too many, too big, not UTF-8)."""
    if not raw:
        raise BadEntry("empty entry")
    if len(raw) > MAX_FIELDS:
        raise BadEntry(f"{len(raw)} fields (at most {MAX_FIELDS})")
    fields: dict[str, str] = {}
    for key, value in raw.items():
        name = _utf8(key, "a field name", MAX_FIELD_BYTES)
        limit = MAX_BODY_BYTES if name == "body" else MAX_FIELD_BYTES
        fields[name] = _utf8(value, f"field {name!r}", limit)
    return fields


def check_depth(body: str, limit: int = MAX_DEPTH) -> None:
    """Raise BadEntry if the JSON text nests deeper than `limit` (strings ignored)."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', body)):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            raise BadEntry(f"body nested deeper than {limit} levels")


def printable(raw: bytes | str, limit: int = 1_000) -> str:
    """A bounded, always-decodable copy of a raw value, for the dead-letter stream."""
    if isinstance(raw, str):
        return raw[:limit]
    return raw[:limit].decode("utf-8", errors="backslashreplace")


def _utf8(value: bytes | str, what: str, limit: int) -> str:
    # A decoding client (tests) hands over text; it is still bounded.
    data = value.encode("utf-8", errors="surrogatepass") if isinstance(value, str) else value
    if len(data) > limit:
        raise BadEntry(f"{what} is {len(data)} bytes (at most {limit})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadEntry(f"{what} is not UTF-8 (byte {exc.start})") from exc
