"""When the end of day is due, and a run that never stops the scheduler.

Due: on a trading day, once the clock has passed `scheduler.eod_time`, if that day
has no run yet. The scheduler asks on APScheduler's cron in wall-clock mode and on
every step in simulated mode; a failed run is recorded too, so it is not retried in a
loop: the operator reads the alert and runs `desk eod` by hand.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from loguru import logger

from execution.eod.run import EOD_RUNS
from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from services.accounts import account_names
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
    """Today, once its end of day is due and some account has not run it yet."""
    now = ctx.clock.now().astimezone(EXCHANGE_TZ)
    today = now.date()
    if now.time() < ctx.settings.scheduler.eod_time or not ctx.calendar.is_trading_day(today):
        return None
    pending = [c for c in account_contexts(ctx) if last_run(c, today) is None]
    return today if pending else None


def account_contexts(ctx: ServiceContext) -> list[ServiceContext]:
    """One context per account (its own settings; the desk's Redis, store and queue):
    each product has its own end of day, reconciled against its own broker account."""
    names = account_names(ctx.settings)
    if len(names) == 1:
        return [ctx]
    return [replace(ctx, settings=ctx.settings.for_account(name)) for name in names]


def last_run(ctx: ServiceContext, day: date) -> dict[str, Any] | None:
    key = EOD_RUNS.format(account=ctx.settings.execution.account)
    raw = ctx.client.hget(key, day.isoformat())
    return json.loads(raw) if raw else None


def run_eod_recorded(ctx: ServiceContext, day: date, trigger: str) -> dict[str, Any]:
    """The end of `day` of every account that has not run it; with several accounts the
    brief is the first one's, with each account's under `accounts`."""
    contexts = account_contexts(ctx)
    if len(contexts) == 1:
        return _run_account(ctx, day, trigger)
    briefs = {c.settings.execution.account: _run_account(c, day, trigger)
              for c in contexts if last_run(c, day) is None}
    first = next(iter(briefs.values()), {"day": day.isoformat(), "trigger": trigger})
    return {**first, "accounts": briefs}


def _run_account(ctx: ServiceContext, day: date, trigger: str) -> dict[str, Any]:
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
