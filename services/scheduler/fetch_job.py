"""The scheduled evening fetch: the day's data from the vendors, before the nightly model.

On a trading day at `data.fetch.time` the scheduler fetches that day (`desk data fetch`
does the same by hand). A day no source delivers leaves the store as it was and raises a
critical alert; the nightly model then finds the store stale and its data gate refuses
to run (`gate.py`), with its own alert.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from bus.alerts import send_alert
from marketdata.clock import EXCHANGE_TZ
from marketdata.errors import MarketDataError
from marketdata.vendors.fetch import fetch_day
from services.runtime import ServiceContext

SOURCE = "scheduler"


def add_fetch_job(scheduler: BaseScheduler, ctx: ServiceContext,
                  action: Callable[[], None]) -> bool:
    """Schedule `action` at data.fetch.time on weekdays; False when none is configured."""
    cfg = ctx.settings.data.fetch
    if cfg.time is None or not cfg.sources:
        return False
    trigger = CronTrigger(day_of_week="mon-fri", hour=cfg.time.hour, minute=cfg.time.minute,
                          timezone=EXCHANGE_TZ)
    scheduler.add_job(action, trigger, id="fetch", name="data fetch")
    return True


def run_fetch(ctx: ServiceContext, day: date) -> dict[str, object]:
    """Fetch `day` if it is a trading day; what happened, for the heartbeat."""
    if not ctx.calendar.is_trading_day(day):
        return {"day": day.isoformat(), "outcome": "not a trading day"}
    cfg = ctx.settings.data.fetch
    now = ctx.clock.now()
    try:
        done = fetch_day(ctx.store, ctx.calendar, cfg, day, ctx.data_dir / cfg.staging_dir,
                         os.environ)
    except MarketDataError as exc:
        send_alert(ctx.client, source=SOURCE, severity="critical",
                   title=f"data fetch failed for {day}: the nightly model will not run",
                   detail=str(exc), ts=now)
        return {"day": day.isoformat(), "outcome": "failed"}
    for name, why in done.failures:
        send_alert(ctx.client, source=SOURCE, severity="warning",
                   title=f"data fetch fell back from {name}", detail=why, ts=now)
    return {"day": day.isoformat(), "outcome": "imported", "source": done.source,
            "stocks": done.report.stocks}
