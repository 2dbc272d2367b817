"""A day's trading sessions by market, as the calendar hands them out.

The timetable itself (windows, dated after-hours trading, what each phase allows) is
`exchange.session_windows`'; this module only groups it by market.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from exchange import Phase, session_windows
from exchange.sessions import PHASES


class Market(StrEnum):
    STOCK = "stock"
    INDEX_FUTURE = "index_future"


# `exchange` names the timetables "stock" (main board) and "future".
_INSTRUMENT = {Market.STOCK: "stock", Market.INDEX_FUTURE: "future"}


@dataclass(frozen=True)
class SessionWindow:
    """One window [start, end) of a market's day, wall-clock time in EXCHANGE_TZ."""

    market: Market
    phase: Phase
    start: time
    end: time

    @property
    def accepts_orders(self) -> bool:
        return PHASES[self.phase].allows_order

    @property
    def cancels_allowed(self) -> bool:
        return PHASES[self.phase].allows_cancel


@dataclass(frozen=True)
class SessionTimes:
    """The windows of one day (`on`; None: the newest timetable the rules hold)."""

    on: date | None

    @property
    def stock(self) -> tuple[SessionWindow, ...]:
        return self.windows(Market.STOCK)

    @property
    def index_future(self) -> tuple[SessionWindow, ...]:
        return self.windows(Market.INDEX_FUTURE)

    def windows(self, market: Market) -> tuple[SessionWindow, ...]:
        day = date.max if self.on is None else self.on
        return tuple(
            SessionWindow(market, phase, start, end)
            for start, end, phase in session_windows(day, _INSTRUMENT[market])
        )

    def continuous(self, market: Market) -> tuple[SessionWindow, ...]:
        return tuple(w for w in self.windows(market) if w.phase is Phase.CONTINUOUS)


def session_times(on: date | None = None) -> SessionTimes:
    """The windows in force on `on` (the newest timetable when `on` is None)."""
    return SessionTimes(on)
