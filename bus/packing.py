"""Redis commands packed in C.

redis-py converts every argument of a command in Python before handing the tuple to
hiredis: about 12 us for a decision-sized XADD, and an approval sends some 27 commands
on its way to the first child. hiredis converts the same tuple itself in 1.5 us, to the
same bytes (str as UTF-8, int and float as redis-py writes them: tested). Anything it
does not take (a bool, None, a memoryview, a str that is not valid UTF-8, a command
name with a space, which redis-py splits) goes to redis-py's own packer, so errors and
the `encoding_errors` policy stay redis-py's.

Given to a client as `command_packer=CommandPacker(errors)` (a connection keyword that
redis-py passes to every connection of the pool), or `packed_client(url, ...)`.
"""

from __future__ import annotations

from typing import Any

import hiredis
import redis
from redis._parsers.encoders import Encoder
from redis.connection import PythonRespSerializer  # type: ignore[attr-defined]

BUFFER_CUTOFF = 6000  # redis-py's own: larger values are sent as chunks of their own


class CommandPacker:
    """redis-py's packer interface (`pack(*args) -> list[bytes]`), converting in C."""

    def __init__(self, encoding_errors: str = "strict") -> None:
        encoder = Encoder("utf-8", encoding_errors, decode_responses=False)
        self._fallback = PythonRespSerializer(BUFFER_CUTOFF, encoder.encode)

    def pack(self, *args: Any) -> list[bytes]:
        name = args[0]
        if type(name) is str and " " not in name:
            try:
                return [hiredis.pack_command(args)]
            except (TypeError, UnicodeEncodeError):  # redis-py's rules decide these
                pass
        packed: list[bytes] = self._fallback.pack(*args)
        return packed


def packed_client(url: str, **options: Any) -> redis.Redis:
    """`redis.Redis.from_url(url, **options)`, its commands packed by `CommandPacker`."""
    errors = str(options.get("encoding_errors", "strict"))
    client: redis.Redis = redis.Redis.from_url(
        url, **{**options, "command_packer": CommandPacker(errors)})
    return client
