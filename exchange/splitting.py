"""Cutting a total into orders that each respect the board's per-order maximum."""

from __future__ import annotations

from exchange.data import QuantityRule
from exchange.enums import Side, parse_side
from exchange.quantity import (
    max_order_quantity,
    quantity_rule,
    round_buy_quantity,
    round_sell_quantity,
    rule_allows_buy,
    rule_allows_sell,
)


def split_order_quantity(
    symbol: str,
    quantity: int,
    *,
    side: str,
    holding: int | None = None,
    market: bool = False,
) -> list[int]:
    """Legal order quantities, in sending order, adding up to at most `quantity`.

    The total is first rounded (`round_buy_quantity` / `round_sell_quantity`), then cut
    into the fewest nearly equal orders under the limit-order (or, with `market`, the
    market-order) maximum. A sell's odd remainder rides whole on the last order.
    `holding` is required for sells.
    """
    buying = parse_side(side) is Side.BUY
    if not buying and holding is None:
        raise ValueError(f"split of a sell of {symbol}: holding is required")
    total = (
        round_buy_quantity(symbol, quantity)
        if buying
        else round_sell_quantity(symbol, quantity, holding or 0)
    )
    if total == 0:
        return []
    rule = quantity_rule(symbol)
    cap = max_order_quantity(symbol, market=market)
    count = -(-total // cap)
    while count <= total:
        children = _even_children(total, count, rule)
        if _all_legal(rule, children, cap, None if buying else holding):
            return children
        count += 1
    raise ValueError(f"{symbol}: cannot split {total} into legal orders of at most {cap}")


def _even_children(total: int, count: int, rule: QuantityRule) -> list[int]:
    lot_board = rule.buy_step == rule.lot
    odd = total % rule.lot if lot_board else 0
    unit = rule.buy_step
    units = (total - odd) // unit
    base, extra = divmod(units, count)
    children = [(base + (1 if index < extra else 0)) * unit for index in range(count)]
    children[-1] += odd
    return children


def _all_legal(rule: QuantityRule, children: list[int], cap: int, holding: int | None) -> bool:
    if any(child > cap for child in children):
        return False
    if holding is None:
        return all(rule_allows_buy(rule, child) for child in children)
    remaining = holding
    for child in children:
        if not rule_allows_sell(rule, child, remaining):
            return False
        remaining -= child
    return True
