"""A history backfill: one fetch per trading day, resumable.

Days the store already holds are skipped, so a backfill stopped by a failure (or by
Ctrl-C) goes on where it stopped when run again. It stops at the first day no source
delivers: a gap would make every later import fail (`missing_trading_day`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from marketdata.calendar import TradingCalendar
from marketdata.store import MarketStore
from marketdata.vendors.config import FetchConfig
from marketdata.vendors.errors import FetchFailed
from marketdata.vendors.fetch import AdapterFactory, Fetched, fetch_day
from marketdata.vendors.sources import make_adapter


@dataclass
class Backfill:
    done: list[Fetched] = field(default_factory=list)
    skipped: list[date] = field(default_factory=list)  # already stored
    failed: FetchFailed | None = None
    stopped_at: date | None = None


def backfill(store: MarketStore, calendar: TradingCalendar, cfg: FetchConfig, start: date,
             end: date, staging: Path, env: Mapping[str, str], source: str | None = None,
             progress: Callable[[date], None] = lambda _day: None,
             factory: AdapterFactory = make_adapter) -> Backfill:
    out = Backfill()
    stored = set(store.trade_dates())
    for day in calendar.trading_days(start, end):
        progress(day)
        if day in stored:
            out.skipped.append(day)
            continue
        try:
            out.done.append(fetch_day(store, calendar, cfg, day, staging, env, source,
                                      factory))
        except FetchFailed as exc:
            out.failed, out.stopped_at = exc, day
            break
    return out
