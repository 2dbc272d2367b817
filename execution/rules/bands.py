"""The daily price band of a security on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from execution.rules.data import (
    DELISTING_FREE_DAYS,
    NEW_LISTING_FREE_DAYS,
    PRICE_BANDS,
    in_force,
)
from execution.rules.days import TradingDays, day_number
from execution.rules.enums import Board
from execution.rules.errors import RuleNotModelled
from execution.rules.futures import future_band
from execution.rules.securities import SecurityInfo, classify, require_stock


def price_band(
    symbol: str,
    on: date,
    *,
    st: bool = False,
    listed: date | None = None,
    delisting_day: int | None = None,
    calendar: TradingDays | None = None,
) -> Decimal | None:
    """The band (fraction of the previous close) on `on`, or None for no limit.

    `st`: the stock carries a risk warning (ST or *ST) that day. `listed`: its listing
    date, to find the no-limit days of a new listing. `delisting_day`: 1 for the first
    day of its delisting period, 2 for the second... For futures the band depends on
    whether `on` is the contract's last trading day.

    Trading days after listing are counted with `calendar` (`trading_days(start, end)`,
    e.g. `marketdata.calendar.TradingCalendar`); without one every weekday is counted
    as a trading day, which is wrong across holidays.
    """
    info = classify(symbol, on)
    if info.is_future:
        return future_band(symbol, on, calendar)
    require_stock(info, "price band")
    if delisting_day is not None:
        return _delisting_band(info, on, delisting_day)
    if listed is not None and _is_new_listing_free_day(info, listed, on, calendar):
        return None
    return board_band(info.board, on, st=st)


def board_band(board: Board, on: date, *, st: bool = False) -> Decimal:
    """The board's ordinary band on `on` for normal (`st` False) or risk-warning stocks."""
    kind = "risk-warning" if st else "normal"
    return in_force(PRICE_BANDS[(board, st)], on, f"{kind} band of {board.value}")


def _delisting_band(info: SecurityInfo, on: date, delisting_day: int) -> Decimal | None:
    if delisting_day < 1:
        raise ValueError(f"delisting_day {delisting_day}: expected 1 or more (1 = first day)")
    if delisting_day <= DELISTING_FREE_DAYS:
        return None
    return board_band(info.board, on)


def _is_new_listing_free_day(
    info: SecurityInfo, listed: date, on: date, calendar: TradingDays | None
) -> bool:
    free_days = in_force(
        NEW_LISTING_FREE_DAYS[info.board], listed, f"new-listing rule of {info.board.value}"
    )
    day = day_number(listed, on, calendar)
    if free_days is None:
        if day == 1:
            raise RuleNotModelled(
                f"{info.symbol} listed {listed}: the first day of an approval-system IPO is "
                "capped at +44%/-36% of the issue price, not a band on the previous close"
            )
        return False
    return day <= free_days
