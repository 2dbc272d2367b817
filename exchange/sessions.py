"""Which trading phase a moment falls in, and what the exchange accepts then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from exchange.data import (
    AFTER_HOURS_TRADING,
    AFTER_HOURS_WINDOW,
    FUTURE_SPECS,
    STOCK_SESSIONS_SINCE,
    in_force,
)
from exchange.days import TradingDays
from exchange.enums import Board
from exchange.errors import RuleNotModelled
from exchange.securities import classify, require_stock

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Phase(StrEnum):
    CLOSED = "closed"
    OPENING_AUCTION = "opening_auction"
    OPENING_AUCTION_NO_CANCEL = "opening_auction_no_cancel"
    AUCTION_MATCHING = "auction_matching"
    PRE_OPEN = "pre_open"
    CONTINUOUS = "continuous"
    LUNCH_BREAK = "lunch_break"
    CLOSING_AUCTION = "closing_auction"
    AFTER_HOURS = "after_hours"


@dataclass(frozen=True)
class SessionPhase:
    """A phase and what it allows. `allows_order` is about ordinary limit orders;
    after-hours fixed-price orders are a separate order type."""

    name: Phase
    allows_order: bool
    allows_cancel: bool
    continuous: bool
    allows_market_order: bool
    allows_fixed_price_order: bool


def _phase(name: Phase, order: bool, cancel: bool, fixed: bool = False) -> SessionPhase:
    continuous = name is Phase.CONTINUOUS
    return SessionPhase(name, order, cancel, continuous, continuous, fixed)


PHASES: dict[Phase, SessionPhase] = {
    Phase.CLOSED: _phase(Phase.CLOSED, False, False),
    Phase.OPENING_AUCTION: _phase(Phase.OPENING_AUCTION, True, True),
    Phase.OPENING_AUCTION_NO_CANCEL: _phase(Phase.OPENING_AUCTION_NO_CANCEL, True, False),
    Phase.AUCTION_MATCHING: _phase(Phase.AUCTION_MATCHING, False, False),
    # 09:25-09:30: no matching; brokers may queue orders but the exchange acts on
    # nothing until 09:30, so the desk treats it as closed to orders and cancels.
    Phase.PRE_OPEN: _phase(Phase.PRE_OPEN, False, False),
    Phase.CONTINUOUS: _phase(Phase.CONTINUOUS, True, True),
    Phase.LUNCH_BREAK: _phase(Phase.LUNCH_BREAK, False, False),
    Phase.CLOSING_AUCTION: _phase(Phase.CLOSING_AUCTION, True, False),
    Phase.AFTER_HOURS: _phase(Phase.AFTER_HOURS, False, True, fixed=True),
}

Window = tuple[time, time, Phase]
STOCK_WINDOWS: tuple[Window, ...] = (
    (time(9, 15), time(9, 20), Phase.OPENING_AUCTION),
    (time(9, 20), time(9, 25), Phase.OPENING_AUCTION_NO_CANCEL),
    (time(9, 25), time(9, 30), Phase.PRE_OPEN),
    (time(9, 30), time(11, 30), Phase.CONTINUOUS),
    (time(11, 30), time(13, 0), Phase.LUNCH_BREAK),
    (time(13, 0), time(14, 57), Phase.CONTINUOUS),
    (time(14, 57), time(15, 0), Phase.CLOSING_AUCTION),
)
FUTURE_WINDOWS: tuple[Window, ...] = (
    (time(9, 25), time(9, 29), Phase.OPENING_AUCTION),
    (time(9, 29), time(9, 30), Phase.AUCTION_MATCHING),
    (time(9, 30), time(11, 30), Phase.CONTINUOUS),
    (time(11, 30), time(13, 0), Phase.LUNCH_BREAK),
    (time(13, 0), time(15, 0), Phase.CONTINUOUS),
)


def session_phase(
    at: datetime, instrument: str = "stock", calendar: TradingDays | None = None
) -> SessionPhase:
    """The phase at `at` (aware; converted to Asia/Shanghai). Windows are [start, end).

    `instrument`: "stock" (main-board timetable), "future", or a vt_symbol, whose
    board decides whether after-hours fixed-price trading exists that day. Weekends
    are closed; holidays only when a `calendar` is given.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"datetime {at.isoformat()} is naive: pass an aware datetime")
    local = at.astimezone(SHANGHAI)
    is_future, board = _instrument_kind(instrument)
    if not _is_trading_day(local, calendar):
        return PHASES[Phase.CLOSED]
    windows = _timetable(local.date(), is_future, board, instrument)
    return PHASES[_phase_in(windows, local.time())]


def session_windows(on: date, instrument: str = "stock") -> tuple[Window, ...]:
    """The timetable of a trading day `on`: (start, end, phase) windows in time order.

    `instrument` as for `session_phase`. Outside the windows the exchange is closed.
    """
    return _timetable(on, *_instrument_kind(instrument), instrument)


def phase_end(at: datetime, instrument: str = "stock") -> datetime | None:
    """When the window holding `at` ends (aware, Asia/Shanghai); None outside the windows.

    `instrument` as for `session_phase`. Weekends and holidays are not looked at: ask
    `session_phase` first whether the moment trades at all.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"datetime {at.isoformat()} is naive: pass an aware datetime")
    local = at.astimezone(SHANGHAI)
    for start, end, _ in session_windows(local.date(), instrument):
        if start <= local.time() < end:
            return datetime.combine(local.date(), end, tzinfo=SHANGHAI)
    return None


def _timetable(on: date, is_future: bool, board: Board, instrument: str) -> tuple[Window, ...]:
    if is_future:
        _require_since(on, min(spec.listed for spec in FUTURE_SPECS.values()), instrument)
        return FUTURE_WINDOWS
    _require_since(on, STOCK_SESSIONS_SINCE, instrument)
    if in_force(AFTER_HOURS_TRADING[board], on, f"after-hours of {board.value}"):
        return (*STOCK_WINDOWS, (*AFTER_HOURS_WINDOW, Phase.AFTER_HOURS))
    return STOCK_WINDOWS


def _instrument_kind(instrument: str) -> tuple[bool, Board]:
    if instrument == "stock":
        return False, Board.MAIN
    if instrument == "future":
        return True, Board.INDEX_FUTURE
    info = classify(instrument)
    if not info.is_derivative:
        require_stock(info, "session phase")
    return info.is_derivative, info.board  # MO trades the CFFEX timetable of IM


def _is_trading_day(local: datetime, calendar: TradingDays | None) -> bool:
    if local.weekday() >= 5:
        return False
    return calendar is None or bool(calendar.trading_days(local.date(), local.date()))


def _require_since(on: date, since: date, instrument: str) -> None:
    if on < since:
        raise RuleNotModelled(f"sessions of {instrument}: modelled from {since}, asked {on}")


def _phase_in(windows: tuple[Window, ...], moment: time) -> Phase:
    for start, end, phase in windows:
        if start <= moment < end:
            return phase
    return Phase.CLOSED
