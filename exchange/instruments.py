"""Facts that every kind of instrument has, asked of one function whatever the kind."""

from __future__ import annotations

from exchange.data import OPTION_SPECS
from exchange.futures import future_spec
from exchange.option_symbols import parse_option_symbol
from exchange.securities import classify


def contract_multiplier(symbol: str) -> int:
    """CNY per point of price: 1 for stocks, 200 for IM, 100 for MO options."""
    info = classify(symbol)
    if info.is_future:
        return future_spec(symbol).multiplier
    if info.is_option:
        return OPTION_SPECS[parse_option_symbol(symbol).underlying].multiplier
    return 1
