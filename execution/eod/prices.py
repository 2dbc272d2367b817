"""Closing prices for the NAV record: the store's close of the day, else the last price.

In production the day's bars reach the store in the evening (`data.data_ready_time`),
after the end-of-day run, so the gateway's last price (after the closing auction it is
the close) stands in; paper mode replays a stored day, whose close is known. Which
source each price came from goes into the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
import redis

from bus import streams
from marketdata.errors import MarketDataError
from marketdata.store import MarketStore
from risk.market_inputs import positive_price

CENT = Decimal("0.01")
FUTURES_STEP = Decimal("0.1")


@dataclass(frozen=True)
class ClosingPrices:
    prices: dict[str, Decimal] = field(default_factory=dict)
    from_close: list[str] = field(default_factory=list)
    from_last: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    index_close: float | None = None  # CSI 1000, for the hedges' basis


def closing_prices(store: MarketStore, client: redis.Redis, day: date, stocks: Iterable[str],
                   futures: Iterable[str], index_symbol: str) -> ClosingPrices:
    last: dict[str, str] = client.hgetall(streams.LAST_PRICES)  # type: ignore[assignment]
    closes = {**_stock_closes(store, day), **_futures_closes(store, day)}
    out = ClosingPrices(index_close=_index_close(store, day, last.get(index_symbol)))
    for symbol in sorted({*stocks, *futures}):
        if symbol in closes:
            out.prices[symbol] = closes[symbol]
            out.from_close.append(symbol)
        elif (price := positive_price(last.get(symbol))) is not None:
            out.prices[symbol] = price
            out.from_last.append(symbol)
        else:
            out.missing.append(symbol)
    return out


def _stock_closes(store: MarketStore, day: date) -> dict[str, Decimal]:
    try:
        panel = store.load_panel(day, 1, ["close"])
    except MarketDataError:
        return {}
    if panel.dates[-1].date() != day:
        return {}
    row = panel["close"].iloc[-1].dropna()
    return {str(s): Decimal(str(v)).quantize(CENT) for s, v in row.items()}


def _futures_closes(store: MarketStore, day: date) -> dict[str, Decimal]:
    try:
        bars = store.load_futures(day, day)
    except MarketDataError:
        return {}
    return {str(s): Decimal(str(c)).quantize(FUTURES_STEP)
            for s, c in zip(bars["symbol"], bars["close"], strict=True) if pd.notna(c)}


def _index_close(store: MarketStore, day: date, last: str | None) -> float | None:
    try:
        series = store.load_index(day, day)["csi1000"].dropna()
    except MarketDataError:
        series = pd.Series(dtype=float)
    if not series.empty:
        return float(series.iloc[-1])
    price = positive_price(last)
    return float(price) if price is not None else None


