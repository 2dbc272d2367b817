"""Checks on daily stock bars, vectorised over (days x stocks).

Shared by the importers (before anything is written) and by `desk data check` (on
the stored data). Each finding names the day, the symbol and the field; a `Locator`
adds the file and row the value came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.boards import (
    STOCK_BOARDS,
    Board,
    band_matrix,
    delisting_free_table,
    limit_prices,
    listing_rule,
    risk_warning_band,
)
from marketdata.calendar import TradingCalendar
from marketdata.errors import DataProblem, Severity
from marketdata.partitions import DayBlock
from marketdata.schema import RiskFlag

Locator = Callable[[date, str], tuple[str | None, int | None]]
Mask = npt.NDArray[np.bool_]
_EPS = 1e-6
MAX_FINDINGS_PER_KIND = 50


def _no_location(day: date, symbol: str) -> tuple[str | None, int | None]:
    return None, None


def _findings(block: DayBlock, mask: Mask, kind: str, field: str | None,
              message: Callable[[int, int], str], locate: Locator) -> list[DataProblem]:
    out = []
    for t, i in np.argwhere(mask)[:MAX_FINDINGS_PER_KIND]:
        day, symbol = block.dates[t], block.symbols[i]
        file, row = locate(day, symbol)
        out.append(DataProblem(Severity.ERROR, kind, message(int(t), int(i)), file=file, row=row,
                               field=field, symbol=symbol, day=day))
    return out


def _says(values: dict[str, npt.NDArray[Any]], name: str, rule: str) -> Callable[[int, int], str]:
    def message(t: int, i: int) -> str:
        return f"{name} is {values[name][t, i]}; {rule}"
    return message


def price_problems(block: DayBlock, locate: Locator = _no_location) -> list[DataProblem]:
    """Non-positive or missing prices, high < low, open or close outside the day's range."""
    v = block.values
    trading = v["listed"] & ~v["suspended"]
    out: list[DataProblem] = []
    for name in ("open", "high", "low", "close", "prev_close"):
        out += _findings(block, trading & ~(v[name] > 0), "non_positive_price", name,
                         _says(v, name, "prices must be > 0"), locate)
    out += _findings(block, trading & (v["high"] < v["low"] - _EPS), "high_below_low", "high",
                     lambda t, i: f"high {v['high'][t, i]} < low {v['low'][t, i]}", locate)
    for name in ("open", "close"):
        outside = trading & ((v[name] > v["high"] + _EPS) | (v[name] < v["low"] - _EPS))
        out += _findings(block, outside, "outside_day_range", name,
                         _says(v, name, "outside the day's range [low, high]"), locate)
    for name in ("volume", "amount"):
        out += _findings(block, v["listed"] & ~(v[name] >= 0), "negative_volume", name,
                         _says(v, name, "must be >= 0"), locate)
    for name in ("total_shares", "float_shares", "adj_factor"):
        out += _findings(block, v["listed"] & ~(v[name] > 0), "non_positive_value", name,
                         _says(v, name, "must be > 0"), locate)
    return out


def free_of_limit(block: DayBlock, instruments: pd.DataFrame, calendar: TradingCalendar,
                  prior_flag: npt.NDArray[np.int8]) -> Mask:
    """Cells with no price limit: a new listing's first days, a delisting period's first
    day (from the 2020-12-31 reform)."""
    free = _delisting_free(block, instruments, prior_flag)
    row_of = {d: t for t, d in enumerate(block.dates)}
    listed = instruments["list_date"].reindex(block.symbols)
    since = pd.Timestamp(block.dates[0] - timedelta(days=60))
    recent = np.flatnonzero((listed >= since).to_numpy())
    for i in recent:
        list_day = listed.iloc[i].date()
        rule = listing_rule(Board(str(instruments.at[block.symbols[i], "board"])), list_day)
        # Under the older rule the first day had a wider 44%/-36% band: not checked here.
        n_free = max(rule.free_days, 1 if rule.first_day_up is not None else 0)
        horizon = min(list_day + timedelta(days=3 * n_free + 15), calendar.covered_through)
        for day in calendar.trading_days(list_day, horizon)[:n_free]:
            if day in row_of:
                free[row_of[day], i] = True
    return free


def _delisting_free(block: DayBlock, instruments: pd.DataFrame,
                    prior_flag: npt.NDArray[np.int8]) -> Mask:
    """A delisting period's first days without a limit (`exchange`, dated).

    Days are counted within the block; a period already running the day before it
    counts that as its day 1, which is exact while no board frees more than one day.
    """
    flags = block.values["risk_flag"]
    in_period = (flags == RiskFlag.DELISTING).astype(np.int64)
    run = np.zeros_like(in_period)
    before = (prior_flag == RiskFlag.DELISTING).astype(np.int64)
    for t in range(len(block.dates)):
        before = (before + 1) * in_period[t]
        run[t] = before
    boards = instruments["board"].reindex(block.symbols).to_numpy(dtype=str)
    board_ids = np.array([_board_index(b) for b in boards])
    table = delisting_free_table(block.dates)
    free_days = np.where(board_ids >= 0, table[:, np.maximum(board_ids, 0)], 0)
    return (run > 0) & (run <= free_days)


def _board_index(board: str) -> int:
    names = [b.value for b in STOCK_BOARDS]
    return names.index(board) if board in names else -1


def limit_problems(block: DayBlock, instruments: pd.DataFrame, calendar: TradingCalendar,
                   prior_flag: npt.NDArray[np.int8], locate: Locator = _no_location,
                   ) -> list[DataProblem]:
    """High or low beyond the daily limit computed from prev_close (the ex-rights reference)."""
    v = block.values
    boards = instruments["board"].reindex(block.symbols).to_numpy(dtype=str)
    checked = v["listed"] & ~v["suspended"] & ~free_of_limit(block, instruments, calendar,
                                                             prior_flag)
    out: list[DataProblem] = []
    for t, day in enumerate(block.dates):
        band = band_matrix(boards, risk_warning_band(v["risk_flag"][t]), day)
        down, up = limit_prices(v["prev_close"][t], band)
        beyond = checked[t] & ((v["high"][t] > up + _EPS) | (v["low"][t] < down - _EPS))
        for i in np.flatnonzero(beyond)[:MAX_FINDINGS_PER_KIND]:
            symbol = block.symbols[i]
            file, row = locate(day, symbol)
            out.append(DataProblem(
                Severity.ERROR, "beyond_price_limit",
                f"range [{v['low'][t, i]}, {v['high'][t, i]}] breaks the ±{band[i]:.0%} limit "
                f"[{down[i]:.2f}, {up[i]:.2f}] around prev_close {v['prev_close'][t, i]}; "
                "a corporate action would show as a new adj_factor and prev_close",
                file=file, row=row, field="close", symbol=symbol, day=day))
    return out


def bar_problems(block: DayBlock, instruments: pd.DataFrame, calendar: TradingCalendar,
                 prior: Mapping[str, npt.NDArray[Any]], locate: Locator = _no_location,
                 ) -> list[DataProblem]:
    """Every check of daily bars: coverage, prices, the reference price and the limits.

    `prior`: `close`, `adj_factor` and `risk_flag` per symbol on the trade date before the
    block (NaN / 0 where unknown).
    """
    return [
        *coverage_problems(block, instruments, locate),
        *price_problems(block, locate),
        *reference_problems(block, prior["close"], prior["adj_factor"], locate),
        *limit_problems(block, instruments, calendar, prior["risk_flag"], locate),
    ]


def reference_problems(block: DayBlock, prior_close: npt.NDArray[np.float64],
                       prior_adj: npt.NDArray[np.float64], locate: Locator = _no_location,
                       ) -> list[DataProblem]:
    """prev_close must equal the previous close unless adj_factor changed (an ex-date)."""
    v = block.values
    last_close = np.vstack([prior_close[None, :], v["close"][:-1]])
    last_adj = np.vstack([prior_adj[None, :], v["adj_factor"][:-1]])
    same_adj = np.isclose(last_adj, v["adj_factor"], rtol=1e-9)
    jump = np.abs(v["prev_close"] - last_close) > 0.01 + _EPS
    bad = v["listed"] & np.isfinite(last_close) & same_adj & jump
    return _findings(block, bad, "moved_without_adjustment", "prev_close",
                     lambda t, i: f"prev_close {v['prev_close'][t, i]} differs from the previous "
                     f"close {last_close[t, i]} but adj_factor did not change", locate)


def expected_listed(instruments: pd.DataFrame, symbols: list[str], days: list[date]) -> Mask:
    inst = instruments.reindex(symbols)
    stamps = pd.to_datetime(days).to_numpy()[:, None]
    start = inst["list_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    stop = inst["delist_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    return (start <= stamps) & (np.isnat(stop) | (stamps < stop))


def coverage_problems(block: DayBlock, instruments: pd.DataFrame,
                      locate: Locator = _no_location) -> list[DataProblem]:
    """A listed stock without a row, or a row for a stock not listed that day."""
    v = block.values
    expected = expected_listed(instruments, block.symbols, block.dates)
    missing = _findings(block, expected & ~v["listed"], "missing_stock", None,
                        lambda t, i: "no row for a stock listed on this day per the instruments "
                        "table (suspended stocks need a row with suspended=1)", locate)
    extra = _findings(block, ~expected & v["listed"], "not_listed", None,
                      lambda t, i: "row for a stock that per the instruments table is not "
                      "listed on this day (check list_date / delist_date)", locate)
    return missing + extra


def missing_trading_days(calendar: TradingCalendar, days: list[date], source: str,
                         ) -> list[DataProblem]:
    """Trading days between the first and the last of `days` that are not among them."""
    if not days:
        return []
    have = set(days)
    gaps = [d for d in calendar.trading_days(min(days), max(days)) if d not in have]
    return [DataProblem(Severity.ERROR, "missing_trading_day",
                        f"trading day {d.isoformat()} has no data in {source}", day=d)
            for d in gaps]
