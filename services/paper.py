"""Paper mode: demo data when the store is empty, and the simulated trading day.

Paper trading replays the latest stored day: the model runs on the day before it and
the simulated session trades it against that day's minute bars.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import redis
from loguru import logger

from bus import streams
from marketdata.calendar import load_calendar
from marketdata.clock import SimulatedClock
from marketdata.store import MarketStore
from services.clock_setup import start_simulated_day
from services.settings import DeskSettings


def ensure_demo_data(settings: DeskSettings, stocks: int | None = None) -> MarketStore:
    """The desk's store, filled with the seeded synthetic market if it is empty."""
    from marketdata.synthetic import write_demo_store

    root = Path(settings.data_dir) / settings.data.store_dir
    store = MarketStore(root)
    if store.latest_date() is None:
        demo = settings.data.demo
        logger.info("no market data yet: generating the demo market ({} stocks x {} days)",
                    stocks or demo.stocks, demo.days)
        write_demo_store(root, stocks=stocks or demo.stocks, days=demo.days, seed=demo.seed,
                         end=demo.end, calendar=load_calendar(settings.holidays_path))
        store = MarketStore(root)
    return store


def prepare_paper_day(settings: DeskSettings, client: redis.Redis,
                      speed: float | None = None) -> date:
    """Make sure there is data and a simulated session; returns the paper trade date."""
    store = ensure_demo_data(settings)
    trade_date = store.latest_date()
    assert trade_date is not None
    if settings.clock.mode == "simulated" and not clock_is_for(client, trade_date):
        clock = start_simulated_day(client, settings, trade_date, speed)
        logger.info("simulated session of {} started at {} ({}x real time)", trade_date,
                    clock.sim_start.time(), clock.speed)
    return trade_date


def clock_is_for(client: redis.Redis, trade_date: date, *, now: bool = False) -> bool:
    """The shared clock is a fixed-speed one that started on `trade_date` (`now`: that
    is on it now); an unreadable clock is not."""
    raw = client.get(streams.CLOCK)
    if not raw:
        return False
    try:
        clock = SimulatedClock.from_dict(json.loads(raw))
    except (ValueError, TypeError, RecursionError):
        return False
    return (clock.now() if now else clock.sim_start).date() == trade_date
