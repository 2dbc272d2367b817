"""The daily price band of a security on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from exchange.data import (
    APPROVAL_IPO_FIRST_DAY_CAP,
    DELISTING_FREE_DAYS,
    NEW_LISTING_FREE_DAYS,
    PRICE_BANDS,
    FirstDayCap,
    in_force,
)
from exchange.days import TradingDays, day_number
from exchange.enums import Board
from exchange.errors import RuleNotModelled
from exchange.futures import last_trading_day
from exchange.futures_limits import future_band
from exchange.options import option_last_trading_day, option_terms, parse_option_symbol
from exchange.securities import SecurityInfo, classify, require_stock

# Boards whose band is not the stock one (or that have none): checked by their kind.
_NOT_STOCK = (Board.INDEX_FUTURE, Board.INDEX_OPTION, Board.B_SHARE)


@dataclass(frozen=True)
class NewListing:
    """How price limits start for a stock listed on a given day.

    `free_days`: first trading days without a limit (listing day = day 1). None: an
    approval-system IPO, whose first day is `first_day_cap` around the issue price (None
    where no cap is modelled) and whose later days have the board's band.
    """

    free_days: int | None
    first_day_cap: FirstDayCap | None


def new_listing(board: Board, listed: date) -> NewListing:
    """The new-listing regime in force on the listing day `listed` for `board`."""
    free_days = in_force(NEW_LISTING_FREE_DAYS[board], listed, f"new-listing rule of {board.value}")
    if free_days is not None:
        return NewListing(free_days, None)
    return NewListing(None, in_force(APPROVAL_IPO_FIRST_DAY_CAP, listed, "first-day cap"))


def price_band(
    symbol: str,
    on: date,
    *,
    st: bool = False,
    listed: date | None = None,
    delisting_day: int | None = None,
    calendar: TradingDays | None = None,
    last_day: date | None = None,
) -> Decimal | None:
    """The band (fraction of the previous close) on `on`, or None for no limit.

    `st`: the stock carries a risk warning (ST or *ST) that day. `listed`: its listing
    date, to find the no-limit days of a new listing. `delisting_day`: 1 for the first
    day of its delisting period, 2 for the second... For futures the band depends on
    whether `on` is the contract's last trading day (`last_day`, the exchange's from the
    listing; computed from the calendar when not given) or, with `listed`, its first.

    Trading days after listing are counted with `calendar` (`trading_days(start, end)`,
    e.g. `marketdata.calendar.TradingCalendar`); without one every weekday is counted
    as a trading day, which is wrong across holidays.
    """
    info = classify(symbol, on)
    if info.board in _NOT_STOCK:
        if info.is_future:
            expiry = last_day if last_day is not None else last_trading_day(symbol, calendar)
            return future_band(symbol, on, expiry, listed=listed)
        if info.is_option:
            return _option_band(symbol, on, calendar, last_day, listed)
        require_stock(info, "price band")
    if delisting_day is not None:
        return _delisting_band(info, on, delisting_day)
    if listed is not None and _is_new_listing_free_day(info, listed, on, calendar):
        return None
    return _board_band(info.board, on, st)


def _option_band(
    symbol: str, on: date, calendar: TradingDays | None, last_day: date | None,
    listed: date | None,
) -> Decimal:
    """An option's band: a fraction of the CSI 1000's previous close (not of the
    option's own price), added to and taken from its previous settlement."""
    contract = parse_option_symbol(symbol)
    expiry = last_day if last_day is not None else option_last_trading_day(contract, calendar)
    if on > expiry:
        raise ValueError(f"{symbol} expired on {expiry}: no band on {on}")
    if listed is not None and on < listed:
        raise ValueError(f"{symbol} is listed from {listed}: no band on {on}")
    return option_terms(on, contract.underlying).band


def board_band(board: Board, on: date, *, st: bool = False) -> Decimal:
    """The board's ordinary band on `on` for normal (`st` False) or risk-warning stocks."""
    return _board_band(board, on, st)


@lru_cache(maxsize=16384)  # the tables are constant; a backtest asks each day per board
def _board_band(board: Board, on: date, st: bool) -> Decimal:
    kind = "risk-warning" if st else "normal"
    return in_force(PRICE_BANDS[(board, st)], on, f"{kind} band of {board.value}")


@lru_cache(maxsize=16384)
def delisting_free_days(board: Board, on: date) -> int:
    """How many first days of a delisting period on `board` have no limit, as of `on`."""
    table = DELISTING_FREE_DAYS[board]
    return in_force(table, on, f"delisting-period rule of {board.value}")


def _delisting_band(info: SecurityInfo, on: date, delisting_day: int) -> Decimal | None:
    if delisting_day < 1:
        raise ValueError(f"delisting_day {delisting_day}: expected 1 or more (1 = first day)")
    if delisting_day <= delisting_free_days(info.board, on):
        return None
    return board_band(info.board, on)


def _is_new_listing_free_day(
    info: SecurityInfo, listed: date, on: date, calendar: TradingDays | None
) -> bool:
    regime = new_listing(info.board, listed)
    day = day_number(listed, on, calendar)
    if regime.free_days is None:
        if day == 1:
            cap = regime.first_day_cap
            where = "" if cap is None else f" (capped at +{cap.up:.0%}/-{cap.down:.0%} of it)"
            raise RuleNotModelled(
                f"{info.symbol} listed {listed}: the first day of an approval-system IPO is "
                f"priced off the issue price{where}, not a band on the previous close"
            )
        return False
    return day <= regime.free_days
