from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

import exchange as rules
from marketdata.boards import (
    STOCK_BOARDS,
    Board,
    band_matrix,
    band_table,
    board_of,
    limit_prices,
    listing_rule,
    price_band,
)


@pytest.mark.parametrize(("symbol", "board"), [
    ("600000.SSE", Board.MAIN), ("601318.SSE", Board.MAIN), ("603001.SSE", Board.MAIN),
    ("605001.SSE", Board.MAIN), ("688981.SSE", Board.STAR), ("689009.SSE", Board.STAR),
    ("000001.SZSE", Board.MAIN), ("001979.SZSE", Board.MAIN), ("002594.SZSE", Board.MAIN),
    ("003816.SZSE", Board.MAIN), ("300750.SZSE", Board.CHINEXT),
    ("301236.SZSE", Board.CHINEXT), ("302132.SZSE", Board.CHINEXT),
    ("920001.BSE", Board.BSE), ("430047.BSE", Board.BSE), ("830799.BSE", Board.BSE),
])
def test_board_of(symbol: str, board: Board) -> None:
    assert board_of(symbol) is board


@pytest.mark.parametrize("symbol", ["900901.SSE", "200002.SZSE", "600000.SZSE", "60000.SSE",
                                    "920001", "IM2612.CFFEX"])
def test_board_of_refuses_non_a_shares(symbol: str) -> None:
    with pytest.raises(ValueError, match="not an A-share vt_symbol"):
        board_of(symbol)


def test_limit_prices_round_half_up() -> None:
    down, up = limit_prices(np.array([1.15, 10.0, 3.33]), np.array([0.10, 0.10, 0.20]))
    assert list(up) == [1.27, 11.0, 4.0]  # 1.265 -> 1.27 (half-up), 3.996 -> 4.00
    assert list(down) == [1.04, 9.0, 2.66]  # 1.035 -> 1.04, 2.664 -> 2.66


def test_limit_at_least_one_tick_away() -> None:
    down, up = limit_prices(np.array([0.05]), np.array([0.05]))
    assert (down[0], up[0]) == (0.04, 0.06)


def test_price_bands_change_on_their_dates() -> None:
    assert price_band(Board.MAIN, True, date(2026, 7, 3)) == 0.05
    assert price_band(Board.MAIN, True, date(2026, 7, 6)) == 0.10
    assert price_band(Board.CHINEXT, False, date(2020, 8, 21)) == 0.10
    assert price_band(Board.CHINEXT, False, date(2020, 8, 24)) == 0.20
    assert price_band(Board.BSE, True, date(2024, 1, 2)) == 0.30
    with pytest.raises(ValueError, match="no price band"):
        price_band(Board.STAR, False, date(2019, 1, 2))


def test_listing_rules_by_list_date() -> None:
    assert listing_rule(Board.MAIN, date(2023, 4, 10)).free_days == 5
    old = listing_rule(Board.MAIN, date(2022, 6, 1))
    assert (old.free_days, old.first_day_up) == (0, 0.44)
    assert listing_rule(Board.BSE, date(2024, 1, 2)).free_days == 1


@pytest.mark.parametrize("band", ["0.05", "0.10", "0.20", "0.30"])
def test_vectorised_limits_equal_the_order_rules_for_every_price(band: str) -> None:
    cents = np.arange(1, 10_000)
    down, up = limit_prices(cents / 100.0, np.full(len(cents), float(band)))
    for i in range(len(cents)):
        exact_up, exact_down = rules.limit_prices(Decimal(int(cents[i])) / 100, Decimal(band))
        assert (up[i], down[i]) == (float(exact_up), float(exact_down)), cents[i]


def test_band_table_is_the_rules_bands_by_board_and_date() -> None:
    days = [date(2021, 11, 15), date(2026, 7, 3), date(2026, 7, 6)]
    table = band_table(days)
    assert table.shape == (3, len(STOCK_BOARDS), 2)
    for t, day in enumerate(days):
        for b, board in enumerate(STOCK_BOARDS):
            for warned in (0, 1):
                expected = rules.board_band(board, day, st=bool(warned))
                assert table[t, b, warned] == float(expected)


def test_band_matrix_picks_board_and_risk_warning() -> None:
    boards = np.array(["main", "main", "chinext", "star", "bse", ""])
    risk = np.array([False, True, True, False, True, False])
    bands = band_matrix(boards, risk, date(2026, 7, 3))
    assert list(bands[:5]) == [0.10, 0.05, 0.20, 0.20, 0.30]
    assert np.isnan(bands[5])


def test_board_of_agrees_with_the_order_rules() -> None:
    for symbol in ("600000.SSE", "688981.SSE", "000001.SZSE", "300750.SZSE", "920001.BSE"):
        assert board_of(symbol) is rules.classify(symbol).board
    with pytest.raises(ValueError, match="b_share"):
        board_of("900901.SSE")
    with pytest.raises(ValueError, match=r"write it as 920001\.BSE"):
        board_of("920001")


def test_stocks_listed_before_the_boards_rules_have_no_free_days() -> None:
    # NEEQ stocks carried over to the BSE on 2021-11-15 had their band from the first day.
    assert listing_rule(Board.BSE, date(2020, 7, 27)).free_days == 0
    assert listing_rule(Board.MAIN, date(2013, 6, 3)) == listing_rule(Board.MAIN, date(1995, 1, 3))
    assert listing_rule(Board.MAIN, date(2013, 6, 3)).first_day_up is None
