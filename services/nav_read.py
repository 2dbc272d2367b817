"""Each account's newest NAV snapshot from `desk:nav`, for the console, the CLI and the
metrics: one reader, validated like every message (a forged entry is skipped)."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from bus import streams
from bus.messages import InvalidMessage, NavSnapshot, decode

# Newest snapshots looked at: every account publishes every few seconds, so the newest
# few hundred hold each one's latest.
SCAN = 500


def latest_snapshots(client: redis.Redis, names: Sequence[str],
                     scan: int = SCAN) -> dict[str, NavSnapshot]:
    """The newest snapshot of each account named that has one among the newest `scan`."""
    found: dict[str, NavSnapshot] = {}
    for _entry_id, fields in client.xrevrange(streams.NAV, count=scan):
        try:
            body = decode(fields).body
        except InvalidMessage:
            continue
        if isinstance(body, NavSnapshot) and body.account in names:
            found.setdefault(body.account, body)
        if len(found) == len(names):
            break
    return found
