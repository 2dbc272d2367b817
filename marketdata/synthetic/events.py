"""Life events of synthetic stocks: listings, delistings, ST status, suspensions, dividends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from marketdata.calendar import TradingCalendar
from marketdata.schema import RiskFlag
from marketdata.synthetic.universe import NEW_LISTING_PREFIXES, Universe, earliest_listing

IntArray = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]
DELISTING_PERIOD_DAYS = 15


@dataclass(frozen=True)
class Lifecycle:
    first_row: IntArray  # first listed row in the window (0 if listed before it)
    last_row: IntArray  # last listed row in the window
    list_dates: list[date]
    delist_dates: list[date | None]
    new_listing: npt.NDArray[np.bool_]
    delisting: npt.NDArray[np.bool_]

    def listed(self, n_days: int) -> BoolMatrix:
        rows = np.arange(n_days)[:, None]
        return (rows >= self.first_row[None, :]) & (rows <= self.last_row[None, :])


def _pre_window_list_date(rng: np.random.Generator, symbol: str, latest: date,
                          calendar: TradingCalendar) -> date:
    first = max(earliest_listing(symbol), date(1995, 1, 3), calendar.covered_from)
    if first >= latest:
        return calendar.last_trading_day_on_or_before(latest)
    pick = first + timedelta(days=int(rng.integers(0, (latest - first).days + 1)))
    return calendar.last_trading_day_on_or_before(pick)


def plan_lifecycle(rng: np.random.Generator, uni: Universe, days: list[date],
                   calendar: TradingCalendar) -> Lifecycle:
    n, n_days = len(uni.symbols), len(days)
    years = n_days / 250.0
    first_row = np.zeros(n, dtype=np.int64)
    last_row = np.full(n, n_days - 1, dtype=np.int64)
    candidates = np.flatnonzero([s[:3] in NEW_LISTING_PREFIXES for s in uni.symbols])
    n_new = min(len(candidates), max(1 if n_days >= 20 else 0, round(n * 0.03 * years)))
    new = rng.choice(candidates, size=n_new, replace=False)
    first_row[new] = rng.integers(1, max(n_days - 6, 2), size=n_new)
    small_old = np.setdiff1d(np.argsort(uni.target_cap)[: max(n // 5, 1)], new)
    # A delisting needs room in the window for its 15-day delisting period.
    n_gone = 0 if n_days < 40 else min(len(small_old), max(1, round(n * 0.008 * years)))
    gone = rng.choice(small_old, size=n_gone, replace=False)
    if n_gone:
        last_row[gone] = rng.integers(max(20, n_days // 3), n_days - 1, size=n_gone)
    latest_old = days[0] - timedelta(days=60)
    list_dates = [
        days[int(first_row[i])] if first_row[i] > 0
        else _pre_window_list_date(rng, s, latest_old, calendar)
        for i, s in enumerate(uni.symbols)
    ]
    delist_dates: list[date | None] = [None] * n
    for i in gone:
        delist_dates[int(i)] = days[int(last_row[i]) + 1]
    new_mask, gone_mask = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    new_mask[new], gone_mask[gone] = True, True
    return Lifecycle(first_row, last_row, list_dates, delist_dates, new_mask, gone_mask)


def risk_flags(rng: np.random.Generator, life: Lifecycle, n_days: int) -> npt.NDArray[np.int8]:
    """RiskFlag per (day, stock): ST designations and removals, *ST, delisting periods."""
    n = len(life.first_row)
    years = n_days / 250.0
    rows = np.arange(n_days)[:, None]
    ordinary = ~life.new_listing & ~life.delisting
    u = rng.random(n)
    kind = np.where(rng.random(n) < 0.5, RiskFlag.ST, RiskFlag.STAR_ST).astype(np.int8)
    start = np.full(n, n_days, dtype=np.int64)
    stop = np.full(n, n_days, dtype=np.int64)
    warned_at_start = ordinary & (u < 0.025)
    start[warned_at_start] = 0
    lifted = warned_at_start & (rng.random(n) < 0.3 * years)
    stop[lifted] = rng.integers(1, n_days, size=int(lifted.sum()))
    designated = ordinary & (u >= 0.025) & (u < 0.025 + 0.01 * years)
    start[designated] = rng.integers(1, n_days, size=int(designated.sum()))
    flags = np.where((rows >= start) & (rows < stop), kind, np.int8(RiskFlag.NORMAL))
    period_start = life.last_row - (DELISTING_PERIOD_DAYS - 1)
    dying = life.delisting[None, :]
    flags = np.where(dying & (rows < period_start), np.int8(RiskFlag.STAR_ST), flags)
    flags = np.where(dying & (rows >= period_start), np.int8(RiskFlag.DELISTING), flags)
    return np.where(life.listed(n_days), flags, 0).astype(np.int8)


def suspensions(rng: np.random.Generator, life: Lifecycle, flags: npt.NDArray[np.int8],
                n_days: int) -> BoolMatrix:
    """Suspension episodes: mostly 1-3 days, a few of several weeks."""
    n = len(life.first_row)
    episodes = rng.poisson(n * 0.35 * n_days / 250.0)
    stock = rng.integers(0, n, size=episodes)
    start = rng.integers(0, n_days, size=episodes)
    length = np.where(rng.random(episodes) < 0.05, rng.integers(10, 40, size=episodes),
                      1 + rng.geometric(0.5, size=episodes))
    cells = np.repeat(np.arange(episodes), length)
    offsets = np.arange(len(cells)) - np.repeat(np.cumsum(length) - length, length)
    day = start[cells] + offsets
    keep = day < n_days
    out = np.zeros((n_days, n), dtype=bool)
    out[day[keep], stock[cells][keep]] = True
    rows = np.arange(n_days)[:, None]
    settling = rows < life.first_row[None, :] + 5  # never in a new listing's first week
    out &= life.listed(n_days) & ~(life.new_listing[None, :] & settling)
    return out & (flags != RiskFlag.DELISTING)


def corporate_actions(rng: np.random.Generator, days: list[date], life: Lifecycle,
                      ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(cash dividend as a fraction of price, bonus-share ratio) per (day, stock)."""
    n, n_days = len(life.first_row), len(days)
    weights = np.array([3.0 if d.month in (6, 7) else 1.0 for d in days])
    events = rng.poisson(n * 0.65 * n_days / 250.0)
    day = rng.choice(n_days, size=events, p=weights / weights.sum())
    stock = rng.integers(0, n, size=events)
    dividend = np.zeros((n_days, n))
    ratio = np.ones((n_days, n))
    dividend[day, stock] = rng.uniform(0.004, 0.03, size=events)
    bonus = rng.random(events) < 0.08
    ratio[day[bonus], stock[bonus]] = rng.choice([1.2, 1.3, 1.5, 2.0], size=int(bonus.sum()))
    rows = np.arange(n_days)[:, None]
    valid = life.listed(n_days) & (rows > life.first_row[None, :])
    return np.where(valid, dividend, 0.0), np.where(valid, ratio, 1.0)
