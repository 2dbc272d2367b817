"""WATCH and the reads a decision needs, sent together: one round trip, not one each.

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


def watched_reads(pipe: Pipeline, watch: Sequence[str],
                  reads: Sequence[tuple[Any, ...]]) -> list[Any]:
    """WATCH `watch`, then run `reads` (each a command and its arguments); their replies."""
    if pipe.connection is not None or pipe.watching or len(pipe):
        raise RedisError("watched_reads needs a fresh pipeline")
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
    for reply in replies:  # every reply is read first, so the socket stays in step
        if isinstance(reply, ResponseError):
            raise reply
    return replies[1:]


def _reply(pipe: Pipeline, conn: Any, command: str) -> Any:
    try:
        return pipe.parse_response(conn, command)
    except ResponseError as exc:  # an error reply (a key of the wrong type): read on
        return exc
