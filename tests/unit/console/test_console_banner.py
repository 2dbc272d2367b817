"""Every console page carries the calendar banner: when it runs out, what that blocks, and
the provisional days."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from tests.unit.console.console_kit import add_users, build_app, login

REPO = Path(__file__).resolve().parents[3]
PAGES = ("/", "/working", "/positions", "/nav", "/hedge", "/alerts", "/audit", "/halt")
PROVISIONAL = """\
covered_through: 2027-01-31
years:
  2027:
    closures: [2027-01-01]
    source: draft accepted for January
    by: alice
    at: 2026-12-01T10:15:00+08:00
    through: 2027-01-31
"""


def web_for(redis_client: redis.Redis, tmp_path: Path, when: datetime,
            holidays: Path) -> TestClient:
    clock = FixedClock(when)
    add_users(redis_client, clock)
    app = build_app(redis_client, clock, tmp_path, calendar=load_calendar(holidays))
    web = TestClient(app, base_url="http://127.0.0.1:8765")
    login(web, "vera")
    return web


def test_every_page_shows_when_the_calendar_runs_out(redis_client: redis.Redis,
                                                     tmp_path: Path) -> None:
    web = web_for(redis_client, tmp_path, datetime(2026, 12, 1, 9, 0, tzinfo=EXCHANGE_TZ),
                  REPO / "config" / "holidays.yaml")
    for page in PAGES:
        html = web.get(page).text
        assert 'id="calendar-banner"' in html, page
        assert "runs out 2026-12-31 (30 days)" in html and "desk calendar add" in html


def test_no_banner_while_the_end_is_far(redis_client: redis.Redis, tmp_path: Path) -> None:
    web = web_for(redis_client, tmp_path, datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ),
                  REPO / "config" / "holidays.yaml")
    assert 'id="calendar-banner"' not in web.get("/").text


@pytest.mark.parametrize("page", ["/", "/hedge"])
def test_the_banner_marks_provisional_days(redis_client: redis.Redis, tmp_path: Path,
                                           page: str) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text(PROVISIONAL, encoding="utf-8")
    web = web_for(redis_client, tmp_path, datetime(2026, 12, 1, 9, 0, tzinfo=EXCHANGE_TZ),
                  holidays)
    html = web.get(page).text
    assert 'data-provisional="2027-01-01/2027-01-31"' in html
    assert "PROVISIONAL 2027-01-01 to 2027-01-31" in html and "runs out 2027-01-31" in html
