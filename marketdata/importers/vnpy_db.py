"""Import daily stock bars from a vnpy database (`vnpy.trader.database.BaseDatabase`).

vnpy bars carry only open, high, low, close, volume and turnover. The other fields
(adj_factor, shares, risk flag) are carried forward from the store's trade date before
the import, so the store must already hold that day (import a vendor folder first).
A corporate action inside the imported days therefore shows up as a move without
adjustment and rejects the import: import such days from a folder with adj_factor.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.errors import DataProblem, MissingData, Severity
from marketdata.importers.batch import DayFile, ImportBatch, ImportReport, commit_batch
from marketdata.panel_io import alive_symbols, read_daily_fields
from marketdata.store import MarketStore

if TYPE_CHECKING:  # vnpy.trader.database reads vnpy's settings file when imported
    from vnpy.trader.database import BaseDatabase

_CARRIED = ["adj_factor", "total_shares", "float_shares", "risk_flag"]
_STOCK_EXCHANGES = ("SSE", "SZSE", "BSE")


def _bar_day(dt: datetime) -> date:
    """vnpy may hand back naive or DB-zone datetimes; a daily bar belongs to its exchange date."""
    return (dt.astimezone(EXCHANGE_TZ) if dt.tzinfo else dt).date()


def _load_bars(database: BaseDatabase, start: date, end: date) -> pd.DataFrame:
    from vnpy.trader.constant import Interval

    first = datetime.combine(start, time(0), tzinfo=EXCHANGE_TZ)
    last = datetime.combine(end, time(23, 59), tzinfo=EXCHANGE_TZ)
    rows = []
    for ov in database.get_bar_overview():
        if ov.interval != Interval.DAILY or ov.exchange is None:
            continue
        if ov.exchange.name not in _STOCK_EXCHANGES:
            continue
        for bar in database.load_bar_data(ov.symbol, ov.exchange, Interval.DAILY, first, last):
            rows.append((_bar_day(bar.datetime), f"{bar.symbol}.{bar.exchange.name}",
                         bar.open_price, bar.high_price, bar.low_price, bar.close_price,
                         bar.volume, bar.turnover))
    return pd.DataFrame(rows, columns=["day", "symbol", "open", "high", "low", "close",
                                       "volume", "amount"])


def read_vnpy_database(database: BaseDatabase, store: MarketStore, calendar: TradingCalendar,
                       start: date | None = None, end: date | None = None) -> ImportBatch:
    """Daily bars from `database` between `start` (default: after the store's latest day)
    and `end` (default: the last bar found), as an import batch."""
    source = f"vnpy database {type(database).__name__}"
    latest = store.latest_date()
    if latest is None:
        raise MissingData(f"{source}: the store is empty; vnpy bars lack adj_factor, shares and "
                          "ST status, so import a vendor folder for the first day(s) first")
    start = start or calendar.next_trading_day(latest)
    bars = _load_bars(database, start, end or calendar.covered_through)
    batch = ImportBatch(source=source)
    if bars.empty:
        return batch
    days = sorted(set(bars["day"]))
    base_day = calendar.previous_trading_day(days[0])
    if base_day not in set(store.trade_dates()):
        raise MissingData(f"{source}: the store has no {base_day.isoformat()} to carry "
                          f"adj_factor, shares and risk flags from")
    manifest = store.manifest()
    symbols = alive_symbols(store.instruments(), base_day, base_day)
    carried = read_daily_fields(store.root, manifest, [base_day], symbols, _CARRIED)
    base = pd.DataFrame({k: v[0] for k, v in carried.items()}, index=symbols)
    for day in days:
        batch.days.append(_day_file(day, bars[bars["day"] == day], base, batch))
    return batch


def _day_file(day: date, bars: pd.DataFrame, base: pd.DataFrame, batch: ImportBatch) -> DayFile:
    label = f"vnpy bars of {day.isoformat()}"
    rows = bars.drop(columns="day").set_index("symbol")
    missing = base.index.difference(rows.index)
    for symbol in missing[:50]:
        batch.problems.append(DataProblem(Severity.WARNING, "no_bar",
                                          "no bar in the vnpy database; imported as suspended",
                                          file=label, symbol=str(symbol), day=day))
    rows = rows.reindex(rows.index.union(missing))
    rows["suspended"] = rows.index.isin(missing)
    rows.loc[rows["suspended"], ["volume", "amount"]] = 0.0
    known = rows.index.intersection(base.index)
    for name in _CARRIED:
        rows[name] = np.nan
        rows.loc[known, name] = base.loc[known, name]
    rows["risk_flag"] = rows["risk_flag"].fillna(0).astype(np.int8)
    return DayFile(day, label, rows.rename_axis("symbol").reset_index())


def import_vnpy_database(database: BaseDatabase, store: MarketStore, calendar: TradingCalendar,
                         start: date | None = None, end: date | None = None) -> ImportReport:
    return commit_batch(store, calendar, read_vnpy_database(database, store, calendar, start, end))
