"""WATCH and the reads a decision needs, sent together: one round trip, not one each
(`bus.pinned`, which the bus consumer uses too). Here any error reply is raised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.client import Pipeline
from redis.exceptions import ResponseError

from bus.pinned import watch_and_read


def watched_reads(pipe: Pipeline, watch: Sequence[str],
                  reads: Sequence[tuple[Any, ...]]) -> list[Any]:
    """WATCH `watch`, then run `reads` (each a command and its arguments); their replies."""
    replies = watch_and_read(pipe, watch, reads)
    for reply in replies:
        if isinstance(reply, ResponseError):
            raise reply
    return replies
