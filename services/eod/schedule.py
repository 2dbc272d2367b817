"""When the end of day is due, and a run that never stops the scheduler.

Due: on a trading day, once the clock has passed `scheduler.eod_time`, if that day
has no run yet. The scheduler asks on APScheduler's cron in wall-clock mode and on
every step in simulated mode; a failed run is recorded too, so it is not retried in a
loop: the operator reads the alert and runs `desk eod` by hand.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from loguru import logger

from execution.eod.run import EOD_RUNS
from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from services.eod.trigger import alert, run_eod
from services.runtime import ServiceContext

BRIEF = ("day", "outcome", "breaks", "nav", "drawdown", "report", "detail")


def default_day(now: datetime, calendar: TradingCalendar, eod_time: time) -> date:
    """Today once its end of day is due, else the previous trading day."""
    local = now.astimezone(EXCHANGE_TZ)
    today = local.date()
    if calendar.is_trading_day(today) and local.time() >= eod_time:
        return today
    return calendar.previous_trading_day(today)


def eod_due(ctx: ServiceContext) -> date | None:
    now = ctx.clock.now().astimezone(EXCHANGE_TZ)
    today = now.date()
    if now.time() < ctx.settings.scheduler.eod_time or not ctx.calendar.is_trading_day(today):
        return None
    return None if last_run(ctx, today) is not None else today


def last_run(ctx: ServiceContext, day: date) -> dict[str, Any] | None:
    key = EOD_RUNS.format(account=ctx.settings.execution.account)
    raw = ctx.client.hget(key, day.isoformat())
    return json.loads(raw) if raw else None


def run_eod_recorded(ctx: ServiceContext, day: date, trigger: str) -> dict[str, Any]:
    """Run the end of `day`; a failure is alerted and recorded, never raised."""
    try:
        summary = run_eod(ctx, day).summary()
    except Exception as exc:
        logger.exception("end of day {} failed", day)
        alert(ctx, "critical", f"end of day {day} failed", repr(exc))
        summary = {"day": day.isoformat(), "outcome": "failed", "detail": repr(exc)[:2000],
                   "finished": ctx.clock.now().isoformat()}
        ctx.client.hset(EOD_RUNS.format(account=ctx.settings.execution.account),
                        day.isoformat(), json.dumps(summary))
    logger.info("end of day {} ({}): {}", day, trigger, summary.get("outcome"))
    brief = {k: summary[k] for k in BRIEF if k in summary}  # the heartbeat carries it
    return {**brief, "trigger": trigger}
