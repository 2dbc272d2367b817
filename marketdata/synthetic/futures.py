"""CSI 1000 index futures (IM) priced off the synthetic CSI 1000 with a varying basis.

The contracts and their last trading days are `exchange`' (`contract_schedule`,
`last_trading_day`). The annualised discount is ~13% a year, ~5 points more for
contracts expiring in the June dividend season, widens in the crash and collapses after
it; F = S * (1 - d * days / 365) so every contract converges to the index at expiry.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from exchange import (
    WeekdaysBeyondCalendar,
    contract_month,
    contract_schedule,
    last_trading_day,
)
from exchange.data import FUTURE_SPECS
from marketdata.calendar import TradingCalendar
from marketdata.schema import FUTURES_COLUMNS

_PRODUCT = "IM"
TICK = float(FUTURE_SPECS[_PRODUCT].tick)
SETTLEMENT_STEP = float(FUTURE_SPECS[_PRODUCT].settlement_step)
_BASE_DISCOUNT = 0.13
_DIVIDEND_SEASON = 0.05
_VOLUME = (60000, 15000, 25000, 8000)
_OPEN_INTEREST = (90000, 40000, 110000, 50000)


def _tick(x: float, how: str = "round") -> float:
    """`x` on the contract's tick grid: nearest, or the next tick up or down."""
    steps = x / TICK
    whole = {"round": round(steps), "up": math.ceil(steps), "down": math.floor(steps)}[how]
    return round(whole * TICK, 1)


def _settlement(high: float, low: float, close: float) -> float:
    """A stand-in for the last hour's volume-weighted price: weighted to the close, to 0.1
    like the exchange's (so often off the 0.2 tick), inside the day's range."""
    weighted = (high + low + 2.0 * close) / 4.0
    return min(max(round(round(weighted / SETTLEMENT_STEP) * SETTLEMENT_STEP, 1), low), high)


def futures_bars(rng: np.random.Generator, days: list[date], index_close: npt.NDArray[np.float64],
                 discount_shock: npt.NDArray[np.float64], turnover: npt.NDArray[np.float64],
                 calendar: TradingCalendar) -> pd.DataFrame:
    # Past the calendar's coverage expiries are assumed to be plain third Fridays (the
    # named fallback); `desk data check` warns about the contracts that used it.
    assumed = WeekdaysBeyondCalendar(calendar)
    expiries: dict[str, date] = {}
    drift = np.cumsum(rng.normal(0, 0.004, len(days))) * 0.5
    drift = drift - np.linspace(0, drift[-1], len(days))  # wanders, no trend
    rows = []
    for t, day in enumerate(days):
        spot = float(index_close[t])
        for k, symbol in enumerate(contract_schedule(day, _PRODUCT, assumed)):
            if symbol not in expiries:
                expiries[symbol] = last_trading_day(symbol, assumed)
            expiry = expiries[symbol]
            season = _DIVIDEND_SEASON if contract_month(symbol)[1] in (6, 7, 8) else 0.0
            d = _BASE_DISCOUNT + season + discount_shock[t] + drift[t] + rng.normal(0, 0.01)
            close = _tick(spot * (1.0 - d * (expiry - day).days / 365.0))
            opened = _tick(close * (1.0 + rng.normal(0, 0.004)))
            high = _tick(max(opened, close) * (1.0 + abs(rng.normal(0, 0.005))), "up")
            low = _tick(min(opened, close) * (1.0 - abs(rng.normal(0, 0.005))), "down")
            rows.append((day, symbol, opened, high, low, close,
                         int(_VOLUME[k] * turnover[t] * rng.lognormal(0, 0.3)),
                         int(_OPEN_INTEREST[k] * rng.lognormal(0, 0.1)), expiry,
                         _settlement(high, low, close)))
    frame = pd.DataFrame(rows, columns=list(FUTURES_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["expiry"] = pd.to_datetime(frame["expiry"])
    return frame
