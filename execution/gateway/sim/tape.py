"""The day's market tape for the simulator: minute bars and each symbol's limits.

Bars come from a `TapeSource` (the market store in the service, a DataFrame in tests)
and are loaded per symbol when first needed. A bar's `start` is the minute it opens;
it is complete, and can be matched against, once the clock passes `start + 1 minute`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import pandas as pd

from exchange import tick_size
from execution.algos.market import to_price
from marketdata.corporate import CorporateAction

BAR = timedelta(minutes=1)
COLUMNS = ("symbol", "open", "high", "low", "close", "volume", "amount")


@dataclass(frozen=True)
class SymbolRef:
    """What the exchange knows of a symbol before the open."""

    prev_close: Decimal  # previous settlement for futures
    limit_up: Decimal | None
    limit_down: Decimal | None
    st: bool = False
    listed: date | None = None
    underlying_prev_close: Decimal | None = None  # options: the CSI 1000's previous close


@dataclass(frozen=True)
class Bar:
    symbol: str
    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    vwap: Decimal

    @property
    def end(self) -> datetime:
        return self.start + BAR


def touch(bar: Bar, ref: SymbolRef) -> tuple[Decimal | None, Decimal | None]:
    """The simulated book's best bid and ask after `bar`: one tick either side of its
    close, the side beyond a limit empty when the bar is locked there."""
    step = tick_size(bar.symbol)
    locked_up = ref.limit_up is not None and bar.low >= ref.limit_up
    locked_down = ref.limit_down is not None and bar.high <= ref.limit_down
    bid = None if locked_down else (bar.close if locked_up else bar.close - step)
    ask = None if locked_up else (bar.close if locked_down else bar.close + step)
    if ask is not None and ref.limit_up is not None and ask > ref.limit_up:
        ask = ref.limit_up
    return bid, ask


class TapeSource(Protocol):
    def minute_bars(self, day: date, symbols: list[str]) -> pd.DataFrame: ...

    def refs(self, day: date, symbols: list[str]) -> dict[str, SymbolRef]: ...

    def index_settlement(self, day: date) -> Decimal | None:
        """The CSI 1000 price MO options expiring on `day` settle at; None if unknown."""
        ...

    def corporate_actions(self, day: date) -> list[CorporateAction]:
        """The corporate actions going ex on `day` (none when the source has none)."""
        ...


class SimTape:
    def __init__(self, day: date, source: TapeSource) -> None:
        self.day = day
        self.source = source
        self.refs: dict[str, SymbolRef] = {}
        self._bars: dict[datetime, list[Bar]] = {}
        self._loaded: set[str] = set()

    def ensure(self, symbols: Iterable[str]) -> None:
        """Load bars and limits of symbols not loaded yet."""
        missing = sorted(set(symbols) - self._loaded)
        if not missing:
            return
        self.refs.update(self.source.refs(self.day, missing))
        for bar in bars_from_frame(self.source.minute_bars(self.day, missing)):
            self._bars.setdefault(bar.start, []).append(bar)
        self._loaded.update(missing)

    def is_loaded(self, symbol: str) -> bool:
        return symbol in self._loaded

    def minutes(self) -> list[datetime]:
        return sorted(self._bars)

    def bars_at(self, start: datetime) -> list[Bar]:
        return self._bars.get(start, [])


def bars_from_frame(frame: pd.DataFrame) -> list[Bar]:
    """Exact bars from long float minute bars (symbol datetime open high low close volume
    amount)."""
    columns = {name: frame[name].to_numpy() for name in COLUMNS}
    stamps = pd.DatetimeIndex(frame["datetime"]).to_pydatetime()
    out: list[Bar] = []
    for i, symbol in enumerate(columns["symbol"]):
        tick = tick_size(str(symbol))
        close = to_price(float(columns["close"][i]), tick)
        if close is None:
            continue
        low = to_price(float(columns["low"][i]), tick) or close
        high = to_price(float(columns["high"][i]), tick) or close
        volume = int(columns["volume"][i])
        out.append(Bar(
            symbol=str(symbol), start=stamps[i],
            open=to_price(float(columns["open"][i]), tick) or close, high=high, low=low,
            close=close, volume=volume,
            vwap=_vwap(float(columns["amount"][i]), volume, tick, low, high, close),
        ))
    return out


def _vwap(amount: float, volume: int, tick: Decimal, low: Decimal, high: Decimal,
          close: Decimal) -> Decimal:
    """Average price of the bar; sources differ on whether a futures amount includes
    the multiplier, so a value outside the bar's range falls back to the close."""
    if volume <= 0 or amount <= 0:
        return close
    price = to_price(amount / volume, tick)
    if price is None or not low <= price <= high:
        return close
    return price
