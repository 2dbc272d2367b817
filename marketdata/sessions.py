"""Trading session windows, as data (reference: a-share-rules.md section 3).

Windows that started on a known date carry `since`, so a rule change is a new row,
not a branch in code. Times are wall-clock times in EXCHANGE_TZ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum


class Market(StrEnum):
    STOCK = "stock"
    INDEX_FUTURE = "index_future"


class SessionPhase(StrEnum):
    OPENING_AUCTION = "opening_auction"
    OPENING_AUCTION_NO_CANCEL = "opening_auction_no_cancel"
    PRE_OPEN_IDLE = "pre_open_idle"
    CONTINUOUS = "continuous"
    CLOSING_AUCTION = "closing_auction"
    AFTER_HOURS_FIXED_PRICE = "after_hours_fixed_price"


@dataclass(frozen=True)
class SessionWindow:
    market: Market
    phase: SessionPhase
    start: time
    end: time
    accepts_orders: bool
    cancels_allowed: bool
    since: date | None = None

    def in_force(self, day: date) -> bool:
        return self.since is None or day >= self.since


@dataclass(frozen=True)
class SessionTimes:
    stock: tuple[SessionWindow, ...]
    index_future: tuple[SessionWindow, ...]

    def continuous(self, market: Market) -> tuple[SessionWindow, ...]:
        windows = self.stock if market is Market.STOCK else self.index_future
        return tuple(w for w in windows if w.phase is SessionPhase.CONTINUOUS)


_S, _F, _P = Market.STOCK, Market.INDEX_FUTURE, SessionPhase

SESSION_WINDOWS: tuple[SessionWindow, ...] = (
    SessionWindow(_S, _P.OPENING_AUCTION, time(9, 15), time(9, 20), True, True),
    SessionWindow(_S, _P.OPENING_AUCTION_NO_CANCEL, time(9, 20), time(9, 25), True, False),
    # Orders are accepted and queued but nothing matches until 09:30.
    SessionWindow(_S, _P.PRE_OPEN_IDLE, time(9, 25), time(9, 30), True, False),
    SessionWindow(_S, _P.CONTINUOUS, time(9, 30), time(11, 30), True, True),
    SessionWindow(_S, _P.CONTINUOUS, time(13, 0), time(14, 57), True, True),
    SessionWindow(_S, _P.CLOSING_AUCTION, time(14, 57), time(15, 0), True, False),
    SessionWindow(
        _S, _P.AFTER_HOURS_FIXED_PRICE, time(15, 5), time(15, 30), True, True,
        since=date(2026, 7, 6),
    ),
    SessionWindow(_F, _P.OPENING_AUCTION, time(9, 25), time(9, 30), True, True),
    SessionWindow(_F, _P.CONTINUOUS, time(9, 30), time(11, 30), True, True),
    SessionWindow(_F, _P.CONTINUOUS, time(13, 0), time(15, 0), True, True),
)


def session_times(on: date | None = None) -> SessionTimes:
    """The windows in force on `on` (all current windows when `on` is None)."""
    windows = [w for w in SESSION_WINDOWS if on is None or w.in_force(on)]
    return SessionTimes(
        stock=tuple(w for w in windows if w.market is Market.STOCK),
        index_future=tuple(w for w in windows if w.market is Market.INDEX_FUTURE),
    )
