"""The daily report's liquidity section read from Redis: the day's profile, an older one
with its date, a missing or unreadable one in words (never a lost report)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import redis

from bus import streams
from execution.eod.liquidity_section import liquidity_lines, liquidity_section
from tests.unit.risk.liquidity_kit import published_doc

pytestmark = pytest.mark.integration
KEY = streams.LIQUIDITY.format(account="paper")
DAY = date(2026, 11, 23)


def test_the_days_profile(redis_client: redis.Redis) -> None:
    redis_client.set(KEY, json.dumps(published_doc(DAY)))
    section = liquidity_section(redis_client, "paper", DAY)
    assert section.note == "" and section.chart.startswith("data:image/png;base64,")
    lines = liquidity_lines(section)
    assert lines[0] == "Liquidity (NAV in cash within 1, 3, 5 days)"
    assert "  both: 67.50% / 73.00% / 76.50%" in lines
    assert "  crowded 600001.SSE: 25.00% of the day's volume, 1.00% of its free float" in lines


def test_stale_missing_and_unreadable(redis_client: redis.Redis) -> None:
    assert liquidity_lines(liquidity_section(redis_client, "paper", DAY)) == \
        [f"Liquidity: no liquidity profile published at {KEY}"]
    redis_client.set(KEY, json.dumps(published_doc(date(2026, 11, 20))))
    section = liquidity_section(redis_client, "paper", DAY)
    assert section.note == "profile of 2026-11-20, not of 2026-11-23" and section.doc
    redis_client.set(KEY, "{not json")
    section = liquidity_section(redis_client, "paper", DAY)
    assert section.doc is None and "unreadable liquidity profile" in section.note
