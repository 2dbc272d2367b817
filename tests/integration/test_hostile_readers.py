"""Readers of the streams that are not consumers (the console, the daily report) must
survive a non-UTF-8 byte in any entry: the desk's clients decode with escapes, never
raise, and the readers skip what does not parse."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bus import streams
from bus.alerts import send_alert
from execution.eod.alert_log import alerts_of
from marketdata.clock import EXCHANGE_TZ
from services.console.reads import recent
from services.redis_server import EmbeddedRedis

pytestmark = pytest.mark.integration
AT = datetime(2026, 12, 2, 10, 0, tzinfo=EXCHANGE_TZ)


def test_a_raw_byte_in_the_alert_stream_breaks_no_reader(redis_server: EmbeddedRedis) -> None:
    client = redis_server.client()
    client.flushall()
    send_alert(client, source="risk", severity="warning", title="before", detail="ok", ts=AT)
    raw = redis_server.client(decode_responses=False)
    raw.xadd(streams.ALERTS, {b"type": b"alert", b"body": b"\xff\xfe{not json", b"v": b"1"})
    raw.xadd(streams.ALERTS, {b"\xc3(": b"\xff"})
    send_alert(client, source="risk", severity="warning", title="after", detail="ok",
               ts=AT.replace(minute=5))
    titles = [env.body.title for env in recent(client, streams.ALERTS, 10)]  # type: ignore[attr-defined]
    assert titles == ["after", "before"]
    assert [a.title for a in alerts_of(client, date(2026, 12, 2))] == ["before", "after"]
