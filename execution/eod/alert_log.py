"""The alerts of one trade date, read back from the alerts stream."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import redis

from bus import streams
from marketdata.clock import EXCHANGE_TZ

PAGE = 500


@dataclass(frozen=True)
class AlertLine:
    at: datetime
    severity: str
    source: str
    title: str
    detail: str


def alerts_of(client: redis.Redis, day: date) -> list[AlertLine]:
    """Alerts stamped on `day` (exchange time), oldest first.

    Reads backwards from the newest entry and stops at the first page that is all
    older than `day`, so a long stream is not read whole.
    """
    found: list[AlertLine] = []
    upper = "+"
    while True:
        page = client.xrevrange(streams.ALERTS, max=upper, min="-", count=PAGE)
        lines = [_line(fields) for _entry_id, fields in page]
        found.extend(a for a in lines if a is not None and a.at.date() == day)
        if len(page) < PAGE or all(a is not None and a.at.date() < day for a in lines):
            break
        upper = f"({page[-1][0]}"
    return sorted(found, key=lambda a: a.at)


def _line(fields: dict[str, str]) -> AlertLine | None:
    try:
        body = json.loads(fields["body"])
        at = datetime.fromisoformat(fields["ts"]).astimezone(EXCHANGE_TZ)
        return AlertLine(at, str(body["severity"]), str(body["source"]), str(body["title"]),
                         str(body.get("detail", "")))
    except (KeyError, ValueError, TypeError):
        return None  # the alerts service dead-letters malformed entries
