"""WATCH and reads sent together on a pipeline's own connection: one round trip.

redis-py sends WATCH at once, and every read after it at once, so a transaction that
reads three keys costs four round trips before its MULTI/EXEC. Here WATCH and the reads
go out in one packet on the pipeline's own connection; the pipeline keeps that
connection for its MULTI/EXEC, so a watched key changed in between still fails EXEC
(`WatchError`, the caller retries) exactly as with `pipe.watch()`. If no transaction
follows (a refusal), leaving the pipeline's `with` block unwatches and releases it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.client import Pipeline
from redis.exceptions import RedisError, ResponseError


def watch_and_read(pipe: Pipeline, watch: Sequence[str],
                   reads: Sequence[tuple[Any, ...]]) -> list[Any]:
    """WATCH `watch`, then run `reads`; their replies, an error reply as the exception
    (WATCH's own error is raised)."""
    if pipe.connection is not None or pipe.watching or len(pipe):
        raise RedisError("a watched read needs a fresh pipeline")
    if not watch:
        raise RedisError("a watched read needs a key to watch")
    conn = pipe.connection_pool.get_connection()
    pipe.connection, pipe.watching = conn, True  # reset() now unwatches and releases it
    commands = [("WATCH", *watch), *reads]

    def send_and_read() -> list[Any]:
        conn.send_packed_command(conn.pack_commands(commands))
        return [_reply(pipe, conn, command[0]) for command in commands]

    try:
        # A dropped connection holds no WATCH: reconnect and send it all again, as
        # redis-py retries its own WATCH.
        replies = conn.retry.call_with_retry(send_and_read, lambda _error: conn.disconnect())
    except Exception:
        # The socket's state is unknown: drop it (and with it any WATCH).
        pipe.watching = False
        conn.disconnect()
        raise
    if isinstance(replies[0], ResponseError):  # every reply was read: the socket is in step
        raise replies[0]
    return replies[1:]


def _reply(pipe: Pipeline, conn: Any, command: str) -> Any:
    try:
        return pipe.parse_response(conn, command)
    except ResponseError as exc:  # an error reply (a key of the wrong type): read on
        return exc
