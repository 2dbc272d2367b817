"""CSI 1000 index futures (IM) priced off the synthetic CSI 1000 with a varying basis.

Listed contracts: current month, next month, and the next two quarter months. The
annualised discount is ~13% a year, ~5 points more for contracts expiring in the June
dividend season, widens in the crash and collapses after it; F = S * (1 - d * days / 365)
so every contract converges to the index at expiry.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.calendar import CalendarNotCovered, TradingCalendar

TICK = 0.2
_BASE_DISCOUNT = 0.13
_DIVIDEND_SEASON = 0.05
_VOLUME = (60000, 15000, 25000, 8000)
_OPEN_INTEREST = (90000, 40000, 110000, 50000)


def third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


class ExpiryBook:
    """Contract expiries from the calendar; beyond its coverage the plain third Friday.

    The synthetic market only: live code asks `TradingCalendar.im_expiry`, which refuses
    dates the calendar does not cover (`desk data check` warns about such contracts).
    """

    def __init__(self, calendar: TradingCalendar) -> None:
        self._calendar = calendar
        self._cache: dict[tuple[int, int], date] = {}

    def expiry(self, year: int, month: int) -> date:
        if (year, month) not in self._cache:
            try:
                self._cache[(year, month)] = self._calendar.im_expiry(year, month)
            except CalendarNotCovered:
                self._cache[(year, month)] = third_friday(year, month)
        return self._cache[(year, month)]

    def listed(self, day: date) -> list[tuple[int, int]]:
        year, month = day.year, day.month
        if day > self.expiry(year, month):
            year, month = _add_month(year, month)
        months = [(year, month), _add_month(year, month)]
        nxt = months[-1]
        while len(months) < 4:
            nxt = _add_month(*nxt)
            if nxt[1] % 3 == 0:
                months.append(nxt)
        return months


def _add_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _tick(x: float, how: str = "round") -> float:
    """`x` on the 0.2-point grid: nearest, or the next tick up or down."""
    steps = x / TICK
    whole = {"round": round(steps), "up": math.ceil(steps), "down": math.floor(steps)}[how]
    return round(whole * TICK, 1)


def futures_bars(rng: np.random.Generator, days: list[date], index_close: npt.NDArray[np.float64],
                 discount_shock: npt.NDArray[np.float64], turnover: npt.NDArray[np.float64],
                 calendar: TradingCalendar) -> pd.DataFrame:
    book = ExpiryBook(calendar)
    drift = np.cumsum(rng.normal(0, 0.004, len(days))) * 0.5
    drift = drift - np.linspace(0, drift[-1], len(days))  # wanders, no trend
    rows = []
    for t, day in enumerate(days):
        spot = float(index_close[t])
        for k, (year, month) in enumerate(book.listed(day)):
            expiry = book.expiry(year, month)
            season = _DIVIDEND_SEASON if month in (6, 7, 8) else 0.0
            d = _BASE_DISCOUNT + season + discount_shock[t] + drift[t] + rng.normal(0, 0.01)
            close = _tick(spot * (1.0 - d * (expiry - day).days / 365.0))
            opened = _tick(close * (1.0 + rng.normal(0, 0.004)))
            high = _tick(max(opened, close) * (1.0 + abs(rng.normal(0, 0.005))), "up")
            low = _tick(min(opened, close) * (1.0 - abs(rng.normal(0, 0.005))), "down")
            rows.append((day, f"IM{year % 100:02d}{month:02d}.CFFEX", opened, high, low, close,
                         int(_VOLUME[k] * turnover[t] * rng.lognormal(0, 0.3)),
                         int(_OPEN_INTEREST[k] * rng.lognormal(0, 0.1)), expiry))
    frame = pd.DataFrame(rows, columns=["date", "symbol", "open", "high", "low", "close",
                                        "volume", "open_interest", "expiry"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["expiry"] = pd.to_datetime(frame["expiry"])
    return frame
