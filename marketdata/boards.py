"""Boards and daily price limits over whole arrays of stocks, for the synthetic market
and import validation.

The facts are `exchange`' (codes in `classify`, dated bands and new-listing rules
in `exchange/data.py`); this module only turns them into numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from exchange import (
    Board,
    RuleNotModelled,
    board_band,
    classify,
    delisting_free_days,
    new_listing,
)
from exchange.data import BSE_CODE_SWITCH, NEW_LISTING_FREE_DAYS
from marketdata.schema import RiskFlag

__all__ = [
    "STOCK_BOARDS",
    "Board",
    "ListingRule",
    "band_matrix",
    "band_table",
    "board_of",
    "delisting_free_table",
    "limit_prices",
    "listing_rule",
    "price_band",
    "risk_warning_band",
]

# The boards the store holds, in the order of `band_table`'s second axis.
STOCK_BOARDS: tuple[Board, ...] = (Board.MAIN, Board.CHINEXT, Board.STAR, Board.BSE)

# Stored history reaches back before BSE moved to 920xxx codes: a legacy BSE code is
# classified as of the last day it was in use rather than refused.
_LEGACY_CODES_IN_USE = BSE_CODE_SWITCH - timedelta(days=1)


def board_of(vt_symbol: str) -> Board:
    """The board of an A-share vt_symbol such as '600000.SSE' (legacy BSE codes included)."""
    try:
        info = classify(vt_symbol, _LEGACY_CODES_IN_USE)
    except ValueError as exc:
        reason = str(exc)
    else:
        if info.board not in STOCK_BOARDS:
            reason = f"{info.symbol} is on the {info.board.value} board"
        elif info.symbol != vt_symbol:
            reason = f"write it as {info.symbol}"
        else:
            return info.board
    raise ValueError(
        f"{vt_symbol!r} is not an A-share vt_symbol (expected e.g. 600000.SSE, 000001.SZSE, "
        f"300750.SZSE, 688981.SSE, 920001.BSE): {reason}"
    )


def price_band(board: Board, risk_warning: bool, day: date) -> float:
    """The board's band on `day` (risk warning: ST, *ST), as a float."""
    try:
        return float(board_band(board, day, st=risk_warning))
    except RuleNotModelled as exc:
        raise RuleNotModelled(f"no price band known for {board.value} on {day}: {exc}") from None


def risk_warning_band(flags: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    """Where the risk-warning band applies: ST and *ST. Not the delisting period, whose
    days after the free ones trade at the board's normal band (`exchange`)."""
    return (flags == RiskFlag.ST) | (flags == RiskFlag.STAR_ST)


def delisting_free_table(days: Sequence[date]) -> npt.NDArray[np.int64]:
    """Free first days of a delisting period, indexed (day, board in STOCK_BOARDS order)."""
    return np.array(
        [[delisting_free_days(board, day) for board in STOCK_BOARDS] for day in days],
        dtype=np.int64,
    ).reshape(len(days), len(STOCK_BOARDS))


def band_table(days: Sequence[date]) -> npt.NDArray[np.float64]:
    """Bands indexed (day, board in STOCK_BOARDS order, risk warning 0/1)."""
    return np.array(
        [[[price_band(board, warned, day) for warned in (False, True)] for board in STOCK_BOARDS]
         for day in days],
        dtype=np.float64,
    ).reshape(len(days), len(STOCK_BOARDS), 2)


def band_matrix(
    boards: npt.NDArray[np.str_], risk: npt.NDArray[np.bool_], day: date
) -> npt.NDArray[np.float64]:
    """Price band per stock on `day` (vectorised over stocks; NaN for an unknown board)."""
    table = band_table([day])[0]
    out = np.full(len(boards), np.nan)
    for b, board in enumerate(STOCK_BOARDS):
        on_board = boards == board.value
        out[on_board] = np.where(risk[on_board], table[b, 1], table[b, 0])
    return out


@dataclass(frozen=True)
class ListingRule:
    """Price limits right after an IPO, as floats for the array code.

    `free_days`: first trading days with no limit. `first_day_up`/`first_day_down`: an
    approval-system IPO's first-day range around the issue price (None where not modelled).
    """

    free_days: int
    first_day_up: float | None = None
    first_day_down: float | None = None


def listing_rule(board: Board, list_date: date) -> ListingRule:
    """The new-listing regime of `exchange.new_listing` for a stock listed that day."""
    if list_date < NEW_LISTING_FREE_DAYS[board][0].since:
        # Listed before the board's rules begin (stocks carried over to the BSE from the
        # NEEQ on 2021-11-15): an ordinary band from its first day here.
        return ListingRule(0)
    regime = new_listing(board, list_date)
    if regime.free_days is not None:
        return ListingRule(regime.free_days)
    cap = regime.first_day_cap
    if cap is None:
        return ListingRule(0)
    return ListingRule(0, float(cap.up), float(cap.down))


def limit_prices(
    reference: npt.NDArray[np.float64], band: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(limit_down, limit_up) as `exchange.limit_prices` computes them, vectorised:
    reference*(1±band) rounded half-up to 0.01, at least one tick away, limit-down at
    least 0.01.

    Prices and bands have at most two decimals, so the products are exact to 1e-6 and a
    tiny epsilon makes float rounding behave as ROUND_HALF_UP.
    """
    cents = reference * 100.0
    up = np.floor(cents * (1.0 + band) + 0.5 + 1e-6)
    down = np.floor(cents * (1.0 - band) + 0.5 + 1e-6)
    up = np.maximum(up, np.round(cents) + 1.0)
    down = np.maximum(np.minimum(down, np.round(cents) - 1.0), 1.0)
    return down / 100.0, up / 100.0
