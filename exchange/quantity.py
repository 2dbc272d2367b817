"""Order quantities: lots, minimums, odd-lot sells, per-order maximums, T+1.

Two shapes of board (see `QuantityRule`):
- lot boards (main, ChiNext; futures with a lot of 1): buy whole lots; a sell is whole
  lots, or whole lots plus the holding's whole odd remainder (holding % lot), because
  the odd remainder must be sold in one order.
- minimum boards (STAR 200, BSE 100): buy at least the minimum, then steps of 1; a
  sell is at least the minimum, or the whole holding when it is below the minimum.
"""

from __future__ import annotations

from functools import lru_cache

from exchange.data import FUTURE_SPECS, OPTION_TERMS, QUANTITY_RULES, QuantityRule
from exchange.option_symbols import parse_option_symbol
from exchange.securities import classify, require_stock


@lru_cache(maxsize=16384)  # pure in the symbol; order sizing asks for it per order
def quantity_rule(symbol: str) -> QuantityRule:
    """The order-size rule of `symbol`'s board (lots of 1 for index futures and options;
    for options the latest row of `OPTION_TERMS`, as this takes no date)."""
    info = classify(symbol)
    if info.is_future:
        spec = FUTURE_SPECS[info.code[:-4]]
        return QuantityRule(1, 1, 1, spec.max_limit_order, spec.max_market_order)
    if info.is_option:
        terms = OPTION_TERMS[parse_option_symbol(symbol).underlying][-1].value
        return QuantityRule(1, 1, 1, terms.max_limit_order, terms.max_market_order)
    require_stock(info, "quantity rule")
    return QUANTITY_RULES[info.board]


def max_order_quantity(symbol: str, *, market: bool = False) -> int:
    rule = quantity_rule(symbol)
    return rule.max_market_order if market else rule.max_limit_order


def is_legal_buy_quantity(symbol: str, quantity: int) -> bool:
    """Whether `quantity` meets the board's buy lot/minimum rule (not the per-order max)."""
    return rule_allows_buy(quantity_rule(symbol), quantity)


def is_legal_sell_quantity(symbol: str, quantity: int, holding: int) -> bool:
    """Whether selling `quantity` out of `holding` meets the odd-lot rule (not the max)."""
    return rule_allows_sell(quantity_rule(symbol), quantity, holding)


def rule_allows_buy(rule: QuantityRule, quantity: int) -> bool:
    return quantity >= rule.buy_min and (quantity - rule.buy_min) % rule.buy_step == 0


def rule_allows_sell(rule: QuantityRule, quantity: int, holding: int) -> bool:
    if not 0 < quantity <= holding:
        return False
    if _is_lot_board(rule):
        return quantity % rule.lot in (0, holding % rule.lot)
    return quantity >= rule.buy_min or quantity == holding


def round_buy_quantity(symbol: str, quantity: int) -> int:
    """The largest legal buy quantity <= `quantity`, 0 if there is none.

    This is a total; `split_order_quantity` cuts it into orders under the maximum.
    """
    _check_non_negative(quantity=quantity)
    rule = quantity_rule(symbol)
    if quantity < rule.buy_min:
        return 0
    return quantity - (quantity - rule.buy_min) % rule.buy_step


def round_sell_quantity(symbol: str, quantity: int, holding: int) -> int:
    """The largest legal sell <= min(`quantity`, `holding`), 0 if there is none."""
    _check_non_negative(quantity=quantity, holding=holding)
    rule = quantity_rule(symbol)
    wanted = min(quantity, holding)
    if _is_lot_board(rule):
        whole_lots = wanted - wanted % rule.lot
        odd = holding % rule.lot
        with_odd = odd + (wanted - odd) // rule.lot * rule.lot if odd and wanted >= odd else 0
        return max(whole_lots, with_odd)
    if wanted >= rule.buy_min or wanted == holding:
        return wanted
    return 0


def sellable_quantity(holding: int, bought_today: int, *, symbol: str | None = None) -> int:
    """What can be sold now: stocks are T+1, so today's buys are not sellable.

    Index futures and options (`symbol` such as "IM2612.CFFEX", "MO2612-P-6000.CFFEX")
    are T+0: the whole holding.
    """
    _check_non_negative(holding=holding, bought_today=bought_today)
    if symbol is not None and classify(symbol).is_derivative:
        return holding
    return max(holding - bought_today, 0)


def _is_lot_board(rule: QuantityRule) -> bool:
    return rule.buy_step == rule.lot


def _check_non_negative(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} {value!r}: expected a whole number >= 0")
