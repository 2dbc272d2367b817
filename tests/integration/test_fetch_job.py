"""The scheduler's evening fetch: imports the day, or alerts and leaves the store alone."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
import redis
from apscheduler.schedulers.background import BackgroundScheduler

from bus import streams
from bus.messages import Alert, decode
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import generate_market
from services.runtime import ServiceContext
from services.scheduler.fetch_job import add_fetch_job, run_fetch
from services.settings import DeskSettings
from tests.unit.marketdata.md_kit import HOLIDAYS, store_through
from tests.unit.marketdata.tushare_kit import record_day

pytestmark = pytest.mark.integration


def _alerts(client: redis.Redis) -> list[Alert]:
    bodies = [decode(fields).body for _id, fields in client.xrange(streams.ALERTS)]
    return [b for b in bodies if isinstance(b, Alert)]


def _ctx(tmp_path: Path, client: redis.Redis, replay: Path, **fetch: object) -> ServiceContext:
    settings = DeskSettings.model_validate({"mode": "paper", "data": {"fetch": {
        "sources": {"tushare": {"kind": "tushare", "replay_dir": str(replay), "retries": 0}},
        **fetch}}})
    return ServiceContext(settings=settings, client=client, data_dir=tmp_path,
                          clock=FixedClock(datetime(2026, 11, 20, 18, 0, tzinfo=EXCHANGE_TZ)),
                          _calendar=load_calendar(HOLIDAYS))


def test_the_job_imports_the_day_and_alerts_when_nothing_arrives(
        tmp_path: Path, redis_client: redis.Redis) -> None:
    calendar = load_calendar(HOLIDAYS)
    market = generate_market(120, 20, seed=5, calendar=calendar)
    truth = store_through(tmp_path / "truth", market)
    day = truth.trade_dates()[-1]
    store_through(tmp_path / "marketdata", market, calendar.previous_trading_day(day))
    empty = _ctx(tmp_path, redis_client, tmp_path / "not-yet-published")
    assert run_fetch(empty, day)["outcome"] == "failed"
    (alert,) = _alerts(redis_client)
    assert alert.severity == "critical" and f"data fetch failed for {day}" in alert.title
    assert MarketStore(tmp_path / "marketdata").trade_dates()[-1] < day
    ctx = _ctx(tmp_path, redis_client, record_day(truth, day, tmp_path / "rec"))
    done = run_fetch(ctx, day)
    assert done["outcome"] == "imported" and done["source"] == "tushare"
    assert MarketStore(tmp_path / "marketdata").trade_dates()[-1] == day
    assert run_fetch(ctx, datetime(2026, 11, 21).date())["outcome"] == "not a trading day"


def test_the_job_is_scheduled_only_when_a_time_is_configured(
        tmp_path: Path, redis_client: redis.Redis) -> None:
    scheduler = BackgroundScheduler(timezone=EXCHANGE_TZ)
    assert not add_fetch_job(scheduler, _ctx(tmp_path, redis_client, tmp_path), lambda: None)
    ctx = _ctx(tmp_path, redis_client, tmp_path, time="18:30")
    assert add_fetch_job(scheduler, ctx, lambda: None)
    trigger = str(scheduler.get_job("fetch").trigger)
    assert "hour='18'" in trigger and "minute='30'" in trigger and "mon-fri" in trigger
    assert ctx.settings.data.fetch.time == time(18, 30)
