"""The data a backtest needs: a panel reaching `lookback` days before the start, and
the benchmark index levels. From a `MarketStore` or from a panel already in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import pandas as pd

from marketdata.errors import MissingData
from marketdata.schema import Panel


class IndexSource(Protocol):
    """What the backtest needs of `marketdata.store.MarketStore`."""

    def trade_dates(self) -> list[date]: ...

    def load_panel(self, end: date, lookback: int, fields: list[str] | None = None) -> Panel: ...

    def load_index(self, start: date, end: date) -> pd.DataFrame: ...


@dataclass(frozen=True)
class BacktestInputs:
    panel: Panel
    first_row: int  # panel row of the first trade date
    last_row: int
    benchmarks: pd.DataFrame | None  # levels on the signal day of first_row, then each day
    # CSI 1000 on every panel date (NaN where unknown): the history the hedge's beta needs.
    csi1000: pd.Series | None = None


def trade_rows(dates: pd.DatetimeIndex, start: date, end: date, lookback: int) -> tuple[int, int]:
    """Panel rows of the first and last trade dates in [start, end], checking history."""
    first = int(dates.searchsorted(pd.Timestamp(start), side="left"))
    last = int(dates.searchsorted(pd.Timestamp(end), side="right")) - 1
    if first > last:
        raise ValueError(f"backtest: no trade date between {start} and {end}")
    if first < lookback:
        earliest = dates[lookback].date() if len(dates) > lookback else None
        raise ValueError(f"backtest from {start}: the model needs {lookback} trade dates of "
                         f"history before the first trade date; the data allows a start from "
                         f"{earliest} at the earliest")
    return first, last


def from_panel(panel: Panel, start: date, end: date, lookback: int,
               index: pd.DataFrame | None) -> BacktestInputs:
    first, last = trade_rows(panel.dates, start, end, lookback)
    return BacktestInputs(panel, first, last, _benchmarks(index, panel.dates[first - 1:last + 1]),
                          _csi1000(index, panel.dates))


# The stock fields the model (universe, factors, signals) and the simulation read:
# loading no others saves a fifth of the panel (shares counts, growth, ROE).
FIELDS_READ: tuple[str, ...] = (
    "open", "high", "low", "close", "prev_close", "volume", "amount", "adj_factor",
    "total_mcap", "float_mcap", "risk_flag", "suspended", "listed", "net_profit_ttm", "equity",
)


def from_store(store: IndexSource, start: date, end: date, lookback: int) -> BacktestInputs:
    dates = pd.DatetimeIndex(pd.to_datetime(store.trade_dates()))
    first, last = trade_rows(dates, start, end, lookback)
    panel = store.load_panel(dates[last].date(), last - first + 1 + lookback,
                             list(FIELDS_READ))
    try:  # the lookback too, for the hedge's beta; the benchmarks need only the run
        index = store.load_index(panel.dates[0].date(), dates[last].date())
    except MissingData:
        index = store.load_index(dates[first - 1].date(), dates[last].date())
    return BacktestInputs(panel, lookback, len(panel.dates) - 1,
                          _benchmarks(index, dates[first - 1:last + 1]),
                          _csi1000(index, panel.dates))


def _csi1000(index: pd.DataFrame | None, days: pd.DatetimeIndex) -> pd.Series | None:
    if index is None or "csi1000" not in index.columns:
        return None
    levels = index["csi1000"].astype(float)
    levels.index = pd.DatetimeIndex(levels.index)
    return levels.reindex(days)


def _benchmarks(index: pd.DataFrame | None, days: pd.DatetimeIndex) -> pd.DataFrame | None:
    if index is None or index.empty:
        return None
    levels = index.copy()
    levels.index = pd.DatetimeIndex(levels.index)
    aligned = levels.reindex(days).ffill()
    if aligned.iloc[0].isna().any():
        missing = list(aligned.columns[aligned.iloc[0].isna()])
        raise ValueError(f"benchmark index {missing} has no level on {days[0].date()}, the "
                         "day before the first trade date")
    return aligned.astype(float)
