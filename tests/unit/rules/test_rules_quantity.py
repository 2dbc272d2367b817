"""Section 2 of the reference: order quantities, odd lots, per-order maximums, T+1."""

from __future__ import annotations

import pytest

from exchange import (
    is_legal_buy_quantity,
    is_legal_sell_quantity,
    max_order_quantity,
    quantity_rule,
    round_buy_quantity,
    round_sell_quantity,
    sellable_quantity,
    split_order_quantity,
)


@pytest.mark.parametrize(
    ("symbol", "lot", "buy_min", "buy_step", "max_limit", "max_market"),
    [
        ("600000.SSE", 100, 100, 100, 1_000_000, 1_000_000),
        ("000001.SZSE", 100, 100, 100, 1_000_000, 1_000_000),
        ("300750.SZSE", 100, 100, 100, 300_000, 150_000),
        ("688981.SSE", 200, 200, 1, 100_000, 50_000),
        ("920001.BSE", 100, 100, 1, 1_000_000, 1_000_000),
        ("IM2612.CFFEX", 1, 1, 1, 20, 10),
    ],
)
def test_quantity_rule_per_board(
    symbol: str, lot: int, buy_min: int, buy_step: int, max_limit: int, max_market: int
) -> None:
    rule = quantity_rule(symbol)
    assert (rule.lot, rule.buy_min, rule.buy_step) == (lot, buy_min, buy_step)
    assert max_order_quantity(symbol) == max_limit
    assert max_order_quantity(symbol, market=True) == max_market


def test_main_board_buys_multiples_of_100() -> None:
    assert [round_buy_quantity("600000.SSE", q) for q in (99, 100, 199, 250, 1000)] == [
        0,
        100,
        100,
        200,
        1000,
    ]
    assert is_legal_buy_quantity("600000.SSE", 300)
    assert not is_legal_buy_quantity("600000.SSE", 350)


def test_chinext_buys_multiples_of_100() -> None:
    assert round_buy_quantity("300750.SZSE", 1_234) == 1_200
    assert not is_legal_buy_quantity("300750.SZSE", 150)


def test_star_buys_at_least_200_then_steps_of_1() -> None:
    assert [round_buy_quantity("688981.SSE", q) for q in (199, 200, 201, 357)] == [0, 200, 201, 357]
    assert not is_legal_buy_quantity("688981.SSE", 100)


def test_bse_buys_at_least_100_then_steps_of_1() -> None:
    assert [round_buy_quantity("920001.BSE", q) for q in (99, 100, 101, 150)] == [0, 100, 101, 150]


def test_odd_lots_can_be_sold_whole_on_lot_boards() -> None:
    # holding 250: the 50-share odd remainder must go in one order.
    assert round_sell_quantity("600000.SSE", 250, 250) == 250
    assert round_sell_quantity("600000.SSE", 220, 250) == 200
    assert round_sell_quantity("600000.SSE", 160, 250) == 150
    assert round_sell_quantity("600000.SSE", 60, 250) == 50
    assert round_sell_quantity("600000.SSE", 40, 250) == 0
    assert is_legal_sell_quantity("600000.SSE", 50, 250)
    assert not is_legal_sell_quantity("600000.SSE", 30, 250)  # splits the odd lot
    assert not is_legal_sell_quantity("600000.SSE", 50, 300)  # no odd lot to sell


def test_holding_below_one_lot_is_sold_in_one_order() -> None:
    assert round_sell_quantity("000001.SZSE", 80, 80) == 80
    assert round_sell_quantity("000001.SZSE", 50, 80) == 0
    assert round_sell_quantity("688981.SSE", 150, 150) == 150
    assert round_sell_quantity("688981.SSE", 100, 150) == 0
    assert round_sell_quantity("920001.BSE", 60, 60) == 60
    assert round_sell_quantity("920001.BSE", 59, 60) == 0


def test_star_and_bse_sell_at_least_the_minimum_otherwise() -> None:
    assert round_sell_quantity("688981.SSE", 201, 350) == 201
    assert round_sell_quantity("688981.SSE", 150, 350) == 0
    assert round_sell_quantity("920001.BSE", 99, 350) == 0
    assert round_sell_quantity("920001.BSE", 101, 350) == 101


def test_sell_never_exceeds_the_holding() -> None:
    assert round_sell_quantity("600000.SSE", 1_000, 300) == 300
    assert not is_legal_sell_quantity("600000.SSE", 400, 300)


def test_negative_quantities_are_refused() -> None:
    with pytest.raises(ValueError, match="quantity -1"):
        round_buy_quantity("600000.SSE", -1)
    with pytest.raises(ValueError, match="holding -5"):
        round_sell_quantity("600000.SSE", 100, -5)


def test_split_respects_the_maximum_per_order() -> None:
    assert split_order_quantity("600000.SSE", 2_500_050, side="buy") == [
        833_400,
        833_300,
        833_300,
    ]
    assert split_order_quantity("300750.SZSE", 300_000, side="buy", market=True) == [
        150_000,
        150_000,
    ]
    assert split_order_quantity("IM2612.CFFEX", 45, side="sell", holding=45) == [15, 15, 15]


def test_split_keeps_star_children_above_the_minimum() -> None:
    children = split_order_quantity("688981.SSE", 100_150, side="buy")
    assert children == [50_075, 50_075]


def test_split_puts_the_odd_lot_in_one_order() -> None:
    children = split_order_quantity("000001.SZSE", 1_000_050, side="sell", holding=1_000_050)
    assert children == [500_000, 500_050]


def test_split_of_a_sell_needs_the_holding() -> None:
    with pytest.raises(ValueError, match="holding is required"):
        split_order_quantity("600000.SSE", 100, side="sell")


def test_split_of_nothing_is_empty() -> None:
    assert split_order_quantity("600000.SSE", 99, side="buy") == []


def test_bad_side_is_refused() -> None:
    with pytest.raises(ValueError, match="side 'hold'"):
        split_order_quantity("600000.SSE", 100, side="hold")


def test_stocks_are_t_plus_one() -> None:
    assert sellable_quantity(1_000, 300) == 700
    assert sellable_quantity(300, 300) == 0
    assert sellable_quantity(200, 500) == 0
    assert sellable_quantity(1_000, 300, symbol="600000.SSE") == 700


def test_index_futures_are_t_plus_zero() -> None:
    assert sellable_quantity(12, 12, symbol="IM2612.CFFEX") == 12


def test_sellable_refuses_negative_inputs() -> None:
    with pytest.raises(ValueError, match="bought_today -1"):
        sellable_quantity(100, -1)
