"""Paper mode over several days at a fixed speed (`data.demo.paper_days` > 0, `desk run`).

The same split as `desk demo --days` (services/paper_plan.py): the simulated exchange
trades on the whole seeded market in `market/`, the desk's store holds the history and
then each day once its end of day has run. The supervisor does the rest, on the shared
clock at `clock.speed`: the day's data after the end of day, and once the nightly model
has published tomorrow's batch, the clock moves to the next trading day's pre-open (the
night and the weekend are not waited through). A trader approves in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import redis
from loguru import logger

from bus.alerts import send_alert
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, Clock
from marketdata.store import MarketStore
from marketdata.synthetic import demo_market, write_market
from services.clock_setup import start_simulated_day
from services.eod.schedule import last_run
from services.paper_plan import MARKET_DIR, RunDays, run_days
from services.runtime import ServiceContext
from services.scheduler.nightly import recent_runs
from services.settings import DeskSettings


def paper_plan(settings: DeskSettings) -> RunDays:
    demo = settings.data.demo
    calendar = load_calendar(settings.holidays_path)
    market = demo_market(demo.stocks, demo.days + demo.paper_days, demo.seed, demo.end,
                         calendar)
    return run_days(market, demo.paper_days)


def stores(settings: DeskSettings) -> tuple[MarketStore, MarketStore]:
    root = Path(settings.data_dir)
    return MarketStore(root / MARKET_DIR), MarketStore(root / settings.data.store_dir)


def prepare(settings: DeskSettings, plan: RunDays) -> date:
    """The market and the desk's history on first start; the day the desk is on."""
    market, desk = stores(settings)
    if market.latest_date() != plan.days[-1]:
        logger.info("paper over {} days: the market {} to {} in {}", len(plan.days),
                    plan.days[0], plan.days[-1], market.root)
        write_market(market, plan.market)
    if desk.latest_date() is None:
        write_market(desk, plan.market, through=plan.history_end)
    return session_day(plan, desk.latest_date())


def session_day(plan: RunDays, revealed: date | None) -> date:
    """The first run day the desk's store does not hold yet (the last one at the end)."""
    ahead = [d for d in plan.days if revealed is None or d > revealed]
    return ahead[0] if ahead else plan.days[-1]


@dataclass
class RollingPaper:
    """The supervisor's part, each loop: the evening's data, then the next morning."""

    settings: DeskSettings
    plan: RunDays
    moved_to: date | None = None  # the morning the clock was last moved to
    ended: bool = False  # the last day's data is in: said once

    def check(self, client: redis.Redis, clock: Clock) -> None:
        now = clock.now().astimezone(EXCHANGE_TZ)
        today = now.date()
        if today not in self.plan.days:
            return
        ctx = ServiceContext(settings=self.settings, client=client, clock=clock,
                             data_dir=Path(self.settings.data_dir))
        _, desk = stores(self.settings)
        revealed = desk.latest_date()
        if (revealed is None or revealed < today) and last_run(ctx, today) is not None:
            write_market(desk, self.plan.market, through=today)  # as a vendor's evening data
            logger.info("paper: the market data of {} reached the desk's store", today)
        elif revealed == today and today == self.plan.days[-1] and not self.ended:
            self.ended = True
            send_alert(client, source="supervisor", severity="warning",
                       title=f"paper: the demo market ends on {today}",
                       detail="no session follows: raise data.demo.paper_days on a fresh "
                              "data directory for more days", ts=now)
        elif revealed == today and today != self.plan.days[-1] and self._nightly_ran(ctx, today):
            tomorrow = self.plan.days[self.plan.days.index(today) + 1]
            if self.moved_to == tomorrow:
                return  # moved already; this clock has not read the new time yet
            start_simulated_day(client, self.settings, tomorrow, self.settings.clock.speed)
            self.moved_to = tomorrow
            logger.info("paper: the night passes; the session of {} starts", tomorrow)

    @staticmethod
    def _nightly_ran(ctx: ServiceContext, today: date) -> bool:
        return any(r["signal_date"] == today.isoformat() for r in recent_runs(ctx, limit=5))


def start_rolling_paper(settings: DeskSettings, client: redis.Redis) -> RollingPaper:
    """The supervisor's start in paper mode over days: data, the session's clock."""
    from services.paper import clock_is_for

    plan = paper_plan(settings)
    day = prepare(settings, plan)
    if not clock_is_for(client, day, now=True):
        clock = start_simulated_day(client, settings, day)
        logger.info("paper over days: the session of {} started at {} ({}x real time)", day,
                    clock.sim_start.time(), clock.speed)
    return RollingPaper(settings, plan)
