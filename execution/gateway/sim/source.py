"""Where the simulator's tape comes from: the market store, or frames given in tests.

`StoreTapeSource` reads the day's minute bars from `MarketStore.minute_bars` (stocks)
and derives IM minute bars from the day's futures bar the same way the store derives
stock minutes. Limits: stocks from the day's exchange reference price (`prev_close`)
and the dated band of `exchange`; futures from the previous settlement (the
store's `settlement` column; a store written before it existed falls back to the close)
and the contract's listed expiry. MO options: `option_tape` (prices from the synthetic
chain's surface at the day's index levels, limits from the previous settlement and the
index's previous close); those expiring settle at the store's CSI 1000 close of the day
(CFFEX averages the index's last two hours; the store holds closes only).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from exchange import (
    classify,
    future_band,
    future_limit_prices,
    future_spec,
    last_trading_day,
    limit_prices,
    price_band,
    tick_size,
)
from execution.algos.market import to_price
from execution.gateway.sim.option_tape import option_day, option_minute_bars, option_refs
from execution.gateway.sim.tape import SymbolRef
from marketdata.corporate import CorporateAction
from marketdata.errors import MarketDataError, MissingData
from marketdata.minute import synthesize_minute_bars
from marketdata.store import MarketStore

log = logging.getLogger(__name__)
ST_FLAGS = (1, 2)  # RiskFlag ST and *ST
LOOKBACK_DAYS = 14  # calendar days searched for the previous settlement
MINUTE_COLUMNS = ["symbol", "datetime", "open", "high", "low", "close", "volume", "amount"]


def stock_ref(symbol: str, day: date, prev_close: float, st: bool,
              listed: date | None) -> SymbolRef | None:
    reference = to_price(prev_close, tick_size(symbol))
    if reference is None:
        return None
    band = price_band(symbol, day, st=st, listed=listed)
    up, down = limit_prices(reference, band)
    return SymbolRef(reference, up, down, st=st, listed=listed)


def future_ref(symbol: str, day: date, prev_settle: float,
               last_day: date | None = None) -> SymbolRef | None:
    """Limits from the previous settlement (to 0.1, off the tick allowed); `last_day` is
    the contract's listed expiry (the third-Friday rule when not known)."""
    reference = to_price(prev_settle, future_spec(symbol).settlement_step)
    if reference is None:
        return None
    expiry = last_day if last_day is not None else last_trading_day(symbol)
    up, down = future_limit_prices(symbol, reference, future_band(symbol, day, expiry))
    return SymbolRef(reference, up, down)


@dataclass
class FrameSource:
    """A tape from frames: long minute bars and the symbols' references (tests, bench)."""

    bars: pd.DataFrame
    references: dict[str, SymbolRef] = field(default_factory=dict)
    settlements: dict[date, Decimal] = field(default_factory=dict)  # CSI 1000, expiry days
    actions: list[CorporateAction] = field(default_factory=list)

    def minute_bars(self, day: date, symbols: list[str]) -> pd.DataFrame:
        return self.bars[self.bars["symbol"].isin(symbols)]

    def refs(self, day: date, symbols: list[str]) -> dict[str, SymbolRef]:
        return {s: self.references[s] for s in symbols if s in self.references}

    def index_settlement(self, day: date) -> Decimal | None:
        return self.settlements.get(day)

    def corporate_actions(self, day: date) -> list[CorporateAction]:
        return [a for a in self.actions if a.ex_date == day]


class StoreTapeSource:
    def __init__(self, store: MarketStore) -> None:
        self.store = store

    def minute_bars(self, day: date, symbols: list[str]) -> pd.DataFrame:
        stocks, futures, options = _kinds(symbols)
        frames = []
        if stocks:
            frames.append(self.store.minute_bars(day, stocks))
        if futures:
            daily = self.store.load_futures(day, day)
            daily = daily[daily["symbol"].isin(futures)].set_index("symbol")
            frames.append(synthesize_minute_bars(day, daily))
        inputs = option_day(self.store, day) if options else None
        if inputs is not None:
            frames.append(option_minute_bars(inputs, options))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=MINUTE_COLUMNS)

    def refs(self, day: date, symbols: list[str]) -> dict[str, SymbolRef]:
        out: dict[str, SymbolRef] = {}
        stocks, futures, options = _kinds(symbols)
        if stocks:
            out.update(self._stock_refs(day, stocks))
        if futures:
            out.update(self._future_refs(day, futures))
        inputs = option_day(self.store, day) if options else None
        if inputs is not None:
            out.update(option_refs(inputs, options))
        return out

    def index_settlement(self, day: date) -> Decimal | None:
        try:
            closes = self.store.load_index(day, day)["csi1000"].dropna()
        except (MarketDataError, KeyError):  # no index table, or no CSI 1000 in it
            return None
        if closes.empty:
            return None
        return Decimal(repr(float(closes.iloc[-1]))).quantize(Decimal("0.01"))

    def corporate_actions(self, day: date) -> list[CorporateAction]:
        """The store's actions going ex on `day`. A corrupt table is logged and skipped:
        the session still opens, and the reconciliation shows what was not booked."""
        try:
            return [a for a in self.store.corporate_actions(day, day) if a.ex_date == day]
        except MarketDataError as exc:
            log.error("corporate actions of %s not booked: %s", day.isoformat(), exc)
            return []

    def _stock_refs(self, day: date, symbols: list[str]) -> dict[str, SymbolRef]:
        panel = self.store.load_panel(day, 1, ["prev_close", "risk_flag", "suspended"])
        today = panel.on(day)
        listed = panel.instruments["list_date"]
        out = {}
        rows = today.reindex(symbols)
        for symbol, prev, flag, halted in zip(symbols, rows["prev_close"].to_numpy(float),
                                              rows["risk_flag"].to_numpy(float),
                                              rows["suspended"].to_numpy(object), strict=True):
            if pd.isna(prev) or halted is True:
                continue
            list_date = listed.get(symbol)
            ref = stock_ref(symbol, day, float(prev), st=int(flag) in ST_FLAGS,
                            listed=None if pd.isna(list_date) else pd.Timestamp(list_date).date())
            if ref is not None:
                out[symbol] = ref
        return out

    def _future_refs(self, day: date, symbols: list[str]) -> dict[str, SymbolRef]:
        try:
            bars = self.store.load_futures(day - timedelta(days=LOOKBACK_DAYS), day)
        except MissingData:  # the store starts today: the open stands in for the settlement
            bars = self.store.load_futures(day, day).assign(
                close=lambda f: f["open"], settlement=lambda f: f["open"])
        bars = bars[bars["symbol"].isin(symbols)].sort_values("date")
        earlier = bars[bars["date"] < pd.Timestamp(day)]
        chosen = earlier if not earlier.empty else bars
        out = {}
        for symbol, rows in chosen.groupby("symbol"):
            ref = future_ref(str(symbol), day, _settlement(rows.iloc[-1]), _expiry(rows))
            if ref is not None:
                out[str(symbol)] = ref
        return out


def _kinds(symbols: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Stocks, futures and options among `symbols` (unknown symbols count as stocks and
    find no data)."""
    kinds = {s: classify(s) for s in symbols}
    return ([s for s, i in kinds.items() if not i.is_derivative],
            [s for s, i in kinds.items() if i.is_future],
            [s for s, i in kinds.items() if i.is_option])


def _settlement(row: pd.Series) -> float:
    """The bar's settlement price; the close where the store has none (older layout)."""
    settlement = row.get("settlement")
    return float(row["close"] if settlement is None or pd.isna(settlement) else settlement)


def _expiry(rows: pd.DataFrame) -> date | None:
    if "expiry" not in rows or rows["expiry"].isna().all():
        return None
    return pd.Timestamp(rows["expiry"].dropna().iloc[-1]).date()
