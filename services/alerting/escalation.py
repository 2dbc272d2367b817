"""Critical alerts wait for a person: unacknowledged within `after_s`, they escalate.

The alerts service records each critical group it sends in one Redis hash; the console's
acknowledge action (`services/console/routes_ack.py`) removes it. Redis, not memory,
because the two are different processes and a restart must not forget what is owed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis

from bus import streams

UNACKED = f"{streams.PREFIX}:alerting:unacked"


@dataclass(frozen=True)
class Overdue:
    key: str
    title: str
    sent: datetime
    reminder: int  # 1 for the first escalation


def track(client: redis.Redis, key: str, title: str, sent: datetime, after_s: int) -> None:
    """Wait for an acknowledgement of group `key` (a repeat keeps the first deadline)."""
    entry = {"title": title, "sent": sent.isoformat(), "reminders": 0,
             "next": (sent + timedelta(seconds=after_s)).isoformat()}
    client.hsetnx(UNACKED, key, json.dumps(entry))


def overdue(client: redis.Redis, now: datetime, after_s: int, repeat: int) -> list[Overdue]:
    """The groups to escalate now; each is escalated at most `repeat` times."""
    out = []
    for key, raw in client.hgetall(UNACKED).items():
        entry = json.loads(raw)
        if entry["reminders"] >= repeat or datetime.fromisoformat(entry["next"]) > now:
            continue
        entry["reminders"] += 1
        entry["next"] = (now + timedelta(seconds=after_s)).isoformat()
        client.hset(UNACKED, key, json.dumps(entry))
        out.append(Overdue(str(key), entry["title"], datetime.fromisoformat(entry["sent"]),
                           entry["reminders"]))
    return out


def unacked(client: redis.Redis) -> dict[str, dict[str, object]]:
    return {str(k): json.loads(v) for k, v in client.hgetall(UNACKED).items()}


def acknowledge(client: redis.Redis, key: str) -> dict[str, object] | None:
    """Stop waiting for group `key`; returns what was waiting (None: nothing was)."""
    with client.pipeline() as pipe:  # read and delete at once: two clicks ack once
        pipe.hget(UNACKED, key)
        pipe.hdel(UNACKED, key)
        raw, _removed = pipe.execute()
    return None if raw is None else dict(json.loads(raw))
