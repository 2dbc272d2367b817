"""The vnpy importer against an in-memory `BaseDatabase` holding real vnpy `BarData`."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pytest
from vnpy.trader.constant import Exchange, Interval
from vnpy.trader.database import BarOverview, BaseDatabase, TickOverview
from vnpy.trader.object import BarData, TickData

from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.errors import ImportRejected, MissingData
from marketdata.importers import import_vnpy_database
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket


class MemoryDatabase(BaseDatabase):
    """Bars kept in a dict; enough of the vnpy database contract for the importer."""

    def __init__(self, bars: list[BarData]) -> None:
        self.bars = bars

    def save_bar_data(self, bars: list[BarData], stream: bool = False) -> bool:
        self.bars.extend(bars)
        return True

    def save_tick_data(self, ticks: list[TickData], stream: bool = False) -> bool:
        return False

    def load_bar_data(self, symbol: str, exchange: Exchange, interval: Interval,
                      start: datetime, end: datetime) -> list[BarData]:
        return [b for b in self.bars if b.symbol == symbol and b.exchange == exchange
                and b.interval == interval and start <= b.datetime <= end]

    def load_tick_data(self, symbol: str, exchange: Exchange, start: datetime,
                       end: datetime) -> list[TickData]:
        return []

    def delete_bar_data(self, symbol: str, exchange: Exchange, interval: Interval) -> int:
        return 0

    def delete_tick_data(self, symbol: str, exchange: Exchange) -> int:
        return 0

    def get_bar_overview(self) -> list[BarOverview]:
        keys = {(b.symbol, b.exchange) for b in self.bars}
        return [BarOverview(symbol=s, exchange=e, interval=Interval.DAILY) for s, e in keys]

    def get_tick_overview(self) -> list[TickOverview]:
        return []


def bars_of(store: MarketStore, day: date) -> list[BarData]:
    frame = store.load_panel(day, 1).on(day)
    frame = frame[frame["listed"] & ~frame["suspended"]]
    stamp = datetime.combine(day, time(0), tzinfo=EXCHANGE_TZ)
    return [BarData(gateway_name="DB", symbol=s.split(".")[0], exchange=Exchange[s.split(".")[1]],
                    datetime=stamp, interval=Interval.DAILY, volume=r.volume, turnover=r.amount,
                    open_price=r.open, high_price=r.high, low_price=r.low, close_price=r.close)
            for s, r in frame.iterrows()]


def test_vnpy_bars_import_with_carried_fields(calendar: TradingCalendar, full_store: MarketStore,
                                              partial_store: MarketStore,
                                              market: SyntheticMarket) -> None:
    day = market.days[-1]
    panel = full_store.load_panel(day, 2)
    same_factor = panel["adj_factor"].iloc[0] == panel["adj_factor"].iloc[1]
    same_flag = panel["risk_flag"].iloc[0] == panel["risk_flag"].iloc[1]
    halted = panel["suspended"].iloc[1]
    skip = set(panel.symbols[~(same_factor & same_flag) & ~halted])  # vnpy cannot know these
    assert not skip, "this seed has no ex-date or ST change on the last day"
    report = import_vnpy_database(MemoryDatabase(bars_of(full_store, day)), partial_store,
                                  calendar)
    assert report.days == [day]
    ours, theirs = partial_store.load_panel(day, 1), full_store.load_panel(day, 1)
    for name in ("open", "high", "low", "close", "volume", "amount", "adj_factor", "risk_flag",
                 "suspended", "total_mcap"):
        np.testing.assert_allclose(ours[name].to_numpy(dtype=float),
                                   theirs[name].to_numpy(dtype=float), rtol=1e-12, err_msg=name)


def test_a_stock_without_a_bar_is_imported_as_suspended(calendar: TradingCalendar,
                                                        full_store: MarketStore,
                                                        partial_store: MarketStore,
                                                        market: SyntheticMarket) -> None:
    day = market.days[-1]
    bars = bars_of(full_store, day)
    gone = f"{bars[0].symbol}.{bars[0].exchange.name}"
    report = import_vnpy_database(MemoryDatabase(bars[1:]), partial_store, calendar)
    assert any(w.kind == "no_bar" and w.symbol == gone for w in report.warnings)
    row = partial_store.load_panel(day, 1).on(day).loc[gone]
    assert row["suspended"] and row["volume"] == 0


def test_a_bad_vnpy_bar_is_rejected(calendar: TradingCalendar, full_store: MarketStore,
                                    partial_store: MarketStore, market: SyntheticMarket) -> None:
    bars = bars_of(full_store, market.days[-1])
    bars[0].high_price = bars[0].low_price - 0.5
    with pytest.raises(ImportRejected, match="high_below_low"):
        import_vnpy_database(MemoryDatabase(bars), partial_store, calendar)
    assert partial_store.latest_date() == market.days[-2]


def test_an_empty_store_cannot_take_vnpy_bars(tmp_path: Path, calendar: TradingCalendar,
                                              full_store: MarketStore,
                                              market: SyntheticMarket) -> None:
    with pytest.raises(MissingData, match="import a vendor folder"):
        import_vnpy_database(MemoryDatabase(bars_of(full_store, market.days[-1])),
                             MarketStore(tmp_path), calendar)
