"""Boards and their daily price limits, as dated tables (a-share-rules.md sections 1, 5).

Used to validate imported bars and to generate the synthetic market. The order-side
rules (lots, price cages, fees) live in `execution.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class Board(StrEnum):
    MAIN = "main"
    CHINEXT = "chinext"
    STAR = "star"
    BSE = "bse"


# (exchange, code prefix, board). Never map a bare leading 8 or 9: 900xxx is an SSE B-share.
BOARD_PREFIXES: tuple[tuple[str, str, Board], ...] = (
    ("SSE", "600", Board.MAIN), ("SSE", "601", Board.MAIN), ("SSE", "603", Board.MAIN),
    ("SSE", "605", Board.MAIN), ("SSE", "688", Board.STAR), ("SSE", "689", Board.STAR),
    ("SZSE", "000", Board.MAIN), ("SZSE", "001", Board.MAIN), ("SZSE", "002", Board.MAIN),
    ("SZSE", "003", Board.MAIN), ("SZSE", "300", Board.CHINEXT), ("SZSE", "301", Board.CHINEXT),
    ("SZSE", "302132", Board.CHINEXT),
    ("BSE", "920", Board.BSE),
    # Codes used on the BSE before the move to 920xxx on 2025-10-09.
    ("BSE", "43", Board.BSE), ("BSE", "83", Board.BSE), ("BSE", "87", Board.BSE),
    ("BSE", "88", Board.BSE),
)


def board_of(vt_symbol: str) -> Board:
    """The board of an A-share vt_symbol such as '600000.SSE'."""
    code, _, exchange = vt_symbol.partition(".")
    if len(code) == 6 and code.isdigit():
        for exch, prefix, board in BOARD_PREFIXES:
            if exchange == exch and code.startswith(prefix):
                return board
    raise ValueError(
        f"{vt_symbol!r} is not an A-share vt_symbol (expected e.g. 600000.SSE, 000001.SZSE, "
        "300750.SZSE, 688981.SSE, 920001.BSE)"
    )


@dataclass(frozen=True)
class BandRule:
    board: Board
    risk_warning: bool  # ST / *ST / delisting period
    since: date
    band: float


PRICE_BANDS: tuple[BandRule, ...] = (
    BandRule(Board.MAIN, False, date(1996, 12, 16), 0.10),
    BandRule(Board.MAIN, True, date(1998, 4, 22), 0.05),
    BandRule(Board.MAIN, True, date(2026, 7, 6), 0.10),
    BandRule(Board.CHINEXT, False, date(2009, 10, 30), 0.10),
    BandRule(Board.CHINEXT, True, date(2009, 10, 30), 0.05),
    BandRule(Board.CHINEXT, False, date(2020, 8, 24), 0.20),
    BandRule(Board.CHINEXT, True, date(2020, 8, 24), 0.20),
    BandRule(Board.STAR, False, date(2019, 7, 22), 0.20),
    BandRule(Board.STAR, True, date(2019, 7, 22), 0.20),
    BandRule(Board.BSE, False, date(2021, 11, 15), 0.30),
    BandRule(Board.BSE, True, date(2021, 11, 15), 0.30),
)


@dataclass(frozen=True)
class ListingRule:
    """Price limits right after an IPO, by the date the stock listed."""

    board: Board
    since: date
    free_days: int  # first trading days with no price limit
    first_day_up: float | None = None  # older regime: a wider, asymmetric first-day band
    first_day_down: float | None = None


LISTING_RULES: tuple[ListingRule, ...] = (
    ListingRule(Board.MAIN, date(2014, 1, 1), 0, 0.44, 0.36),
    ListingRule(Board.MAIN, date(2023, 4, 10), 5),
    ListingRule(Board.CHINEXT, date(2014, 1, 1), 0, 0.44, 0.36),
    ListingRule(Board.CHINEXT, date(2020, 8, 24), 5),
    ListingRule(Board.STAR, date(2019, 7, 22), 5),
    ListingRule(Board.BSE, date(2021, 11, 15), 1),
)

DELISTING_FREE_DAYS = 1  # the first day of the delisting period has no limit


def price_band(board: Board, risk_warning: bool, day: date) -> float:
    rules = [r for r in PRICE_BANDS if r.board is board and r.risk_warning == risk_warning]
    in_force = [r for r in rules if r.since <= day]
    if not in_force:
        raise ValueError(f"no price band known for {board.value} on {day.isoformat()}")
    return max(in_force, key=lambda r: r.since).band


def listing_rule(board: Board, list_date: date) -> ListingRule:
    rules = [r for r in LISTING_RULES if r.board is board and r.since <= list_date]
    if not rules:
        return ListingRule(board, list_date, 0)
    return max(rules, key=lambda r: r.since)


def band_matrix(
    boards: npt.NDArray[np.str_], risk: npt.NDArray[np.bool_], day: date
) -> npt.NDArray[np.float64]:
    """Price band per stock on `day` (vectorised over stocks)."""
    out = np.empty(len(boards), dtype=np.float64)
    for board in Board:
        on_board = boards == board.value
        for warned in (False, True):
            mask = on_board & (risk == warned)
            if mask.any():
                out[mask] = price_band(board, warned, day)
    return out


def limit_prices(
    reference: npt.NDArray[np.float64], band: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(limit_down, limit_up): reference*(1±band) rounded half-up to 0.01, at least one tick away.

    Prices and bands have at most two decimals, so the products are exact to 1e-6 and a
    tiny epsilon makes float rounding behave as ROUND_HALF_UP.
    """
    cents = reference * 100.0
    up = np.floor(cents * (1.0 + band) + 0.5 + 1e-6)
    down = np.floor(cents * (1.0 - band) + 0.5 + 1e-6)
    up = np.maximum(up, np.round(cents) + 1.0)
    down = np.minimum(down, np.round(cents) - 1.0)
    return down / 100.0, up / 100.0
