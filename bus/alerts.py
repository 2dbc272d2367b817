"""The one way any part raises an operator alert: an `Alert` on the alerts stream.

The alerts service turns these into log lines, mail or webhooks (docs/bus.md). A
detail longer than `DETAIL_LIMIT` characters is cut, so one alert stays readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis

from bus import streams
from bus.bus import publish
from bus.messages import Alert

DETAIL_LIMIT = 2000
TITLE_LIMIT = 300


def send_alert(client: redis.Redis | Any, *, source: str, severity: str, title: str,
               detail: str = "", ts: datetime) -> str:
    """Publish one alert from `source`; returns the stream id (see `bus.publish`)."""
    body = Alert(severity=severity, source=source[:64], title=title[:TITLE_LIMIT],
                 detail=detail[:DETAIL_LIMIT])
    return publish(client, streams.ALERTS, "alert", body, source=source, ts=ts)
