"""What a paper run over several days is made of: its days, settings and steps.

The run's market is generated once (seeded) and kept apart in `market/`: the simulated
exchange trades on it. The desk's own store gets each day in the evening, after the
close and the end of day, as a vendor's data would arrive; so nothing the desk reads
is from a day that has not happened yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.synthetic import SyntheticMarket
from services.settings import DeskSettings

PRE_OPEN = (time(9, 15), time(9, 25))
MORNING = (time(9, 30), time(11, 30))
AFTERNOON = (time(13, 0), time(15, 0))
AFTER_CLOSE = time(15, 1)
MARKET_DIR = "market"


def sim_market_dir(settings: DeskSettings) -> Path | None:
    """Where the simulated exchange's market is when it is kept apart from the desk's
    store (a paper run over days reveals each day to the desk only in the evening);
    None: the desk's own store."""
    market_dir = settings.execution.sim.market_dir
    if market_dir is None and settings.mode == "paper" and settings.data.demo.paper_days:
        market_dir = Path(settings.data_dir) / MARKET_DIR  # services/paper_rolling.py
    return Path(market_dir) if market_dir else None


@dataclass(frozen=True)
class RunDays:
    market: SyntheticMarket
    days: list[date]  # the trading days the desk trades, in order

    @property
    def history_end(self) -> date:
        """The last day the desk's store holds before the run (the first signal day)."""
        return self.market.days[self.market.days.index(self.days[0]) - 1]


def run_settings(settings: DeskSettings, data_dir: Path) -> DeskSettings:
    """Paper settings on the stepped clock, the market kept apart, the embedded Redis."""
    clock = settings.clock.model_copy(update={"mode": "stepped"})
    scheduler = settings.scheduler.model_copy(update={"publish_on_start": True})
    sim = settings.execution.sim.model_copy(update={"market_dir": data_dir / MARKET_DIR})
    execution = settings.execution.model_copy(update={"sim": sim})
    return settings.model_copy(update={
        "mode": "paper", "data_dir": data_dir, "clock": clock, "scheduler": scheduler,
        "execution": execution, "redis": settings.redis.model_copy(update={"url": None}),
    })


def run_days(market: SyntheticMarket, days: int) -> RunDays:
    """The last `days` trading days of the market; the rest is the desk's history."""
    if not 1 <= days < len(market.days):
        raise ValueError(f"--days must be between 1 and {len(market.days) - 1} (got {days})")
    return RunDays(market, list(market.days[-days:]))


def day_steps(day: date, settings: DeskSettings) -> list[datetime]:
    """The times the stepped clock stops at on a trading day, in order: the pre-open,
    every `clock.step_minutes` of both sessions, the close, the end of day, the
    nightly run. Lunch and the night are one step each."""
    every = timedelta(minutes=settings.clock.step_minutes)
    times = [*PRE_OPEN]
    for start, end in (MORNING, AFTERNOON):
        times += _every(start, end, every)
    times += [AFTER_CLOSE, settings.scheduler.eod_time, settings.scheduler.run_time]
    ordered = sorted(set(times))
    return [datetime.combine(day, t, tzinfo=EXCHANGE_TZ) for t in ordered]


def _every(start: time, end: time, every: timedelta) -> list[time]:
    at = datetime.combine(date(2000, 1, 3), start)
    last = datetime.combine(date(2000, 1, 3), end)
    out = []
    while at <= last:
        out.append(at.time())
        at += every
    return out


def check_covered(days: list[date], calendar: TradingCalendar) -> None:
    """Every run day must be a trading day of the desk's calendar."""
    missing = [d for d in days if not calendar.is_trading_day(d)]
    if missing:
        raise ValueError(f"not trading days in the desk's calendar: {missing[:5]}")
