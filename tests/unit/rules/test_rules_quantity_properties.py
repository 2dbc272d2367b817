"""Properties: rounding and splitting never yield an illegal quantity, never exceed the ask.

The legality oracle here is written from the reference independently of the package.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exchange import round_buy_quantity, round_sell_quantity, split_order_quantity

# symbol -> (buy minimum, buy step, odd-lot threshold, max limit order, max market order)
BOARDS = {
    "600000.SSE": (100, 100, 100, 1_000_000, 1_000_000),
    "300750.SZSE": (100, 100, 100, 300_000, 150_000),
    "688981.SSE": (200, 1, 200, 100_000, 50_000),
    "920001.BSE": (100, 1, 100, 1_000_000, 1_000_000),
    "IM2612.CFFEX": (1, 1, 1, 20, 10),
}
symbols = st.sampled_from(sorted(BOARDS))
quantities = st.integers(min_value=0, max_value=3_500_000)
# Futures sizes stay realistic (position limit 1,200 lots), so a split has few children.
future_lots = st.integers(min_value=0, max_value=5_000)


def sized(symbol: str) -> st.SearchStrategy[tuple[str, int, int]]:
    amounts = future_lots if symbol.endswith(".CFFEX") else quantities
    return st.tuples(st.just(symbol), amounts, amounts)


orders = symbols.flatmap(sized)


def legal_buy(symbol: str, q: int) -> bool:
    minimum, step, _, _, _ = BOARDS[symbol]
    return q >= minimum and q % step == 0 if step > 1 else q >= minimum


def legal_sell(symbol: str, q: int, holding: int) -> bool:
    minimum, step, lot, _, _ = BOARDS[symbol]
    if not 0 < q <= holding:
        return False
    if step == lot:  # lot board: whole lots, plus possibly the whole odd remainder
        return q % lot == 0 or q % lot == holding % lot
    return q >= minimum or q == holding


@given(symbols, quantities)
def test_round_buy_is_legal_and_largest(symbol: str, quantity: int) -> None:
    rounded = round_buy_quantity(symbol, quantity)
    assert rounded <= quantity
    assert rounded == 0 or legal_buy(symbol, rounded)
    step = BOARDS[symbol][1]
    assert not any(
        legal_buy(symbol, q) for q in range(rounded + 1, min(quantity, rounded + step) + 1)
    )


@given(symbols, quantities, st.integers(min_value=0, max_value=3_500_000))
def test_round_sell_is_legal_and_largest(symbol: str, quantity: int, holding: int) -> None:
    rounded = round_sell_quantity(symbol, quantity, holding)
    assert rounded <= min(quantity, holding)
    assert rounded == 0 or legal_sell(symbol, rounded, holding)
    upper = min(quantity, holding)
    assert not any(
        legal_sell(symbol, q, holding) for q in range(rounded + 1, min(upper, rounded + 250) + 1)
    )


@given(orders, st.booleans())
def test_split_buy_children_are_legal_orders(order: tuple[str, int, int], market: bool) -> None:
    symbol, quantity, _ = order
    children = split_order_quantity(symbol, quantity, side="buy", market=market)
    cap = BOARDS[symbol][4 if market else 3]
    assert sum(children) == round_buy_quantity(symbol, quantity) <= quantity
    assert all(legal_buy(symbol, child) and child <= cap for child in children)
    assert len(children) == -(-sum(children) // cap)  # the fewest orders possible


@given(orders, st.booleans())
def test_split_sell_children_are_legal_in_sequence(
    order: tuple[str, int, int], market: bool
) -> None:
    symbol, quantity, holding = order
    children = split_order_quantity(symbol, quantity, side="sell", holding=holding, market=market)
    cap = BOARDS[symbol][4 if market else 3]
    assert sum(children) == round_sell_quantity(symbol, quantity, holding) <= quantity
    remaining = holding
    for child in children:
        assert child <= cap
        assert legal_sell(symbol, child, remaining)
        remaining -= child
