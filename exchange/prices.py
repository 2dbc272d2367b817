"""Price arithmetic: the tick, daily limit prices, the continuous-trading price cage.

All rounding is `decimal` ROUND_HALF_UP (limits) or toward the legal side (cage
bounds); Python's round() rounds half to even and gives wrong limits.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from exchange.data import PRICE_CAGES, STOCK_TICK, in_force
from exchange.enums import Side, parse_side
from exchange.futures import future_spec
from exchange.options import option_spec, parse_option_symbol
from exchange.securities import classify, require_stock


@lru_cache(maxsize=16384)  # pure in the symbol; every fill price asks for it
def tick_size(symbol: str) -> Decimal:
    """Smallest price step: 0.01 CNY for A-shares, the contract's tick for futures and
    options."""
    info = classify(symbol)
    if info.is_future:
        return future_spec(symbol).tick
    if info.is_option:
        return option_spec(parse_option_symbol(symbol).underlying).tick
    require_stock(info, "tick size")
    return STOCK_TICK


def is_valid_price(price: object, tick: Decimal = STOCK_TICK) -> bool:
    """Whether `check_price` accepts `price` (a hot path's check with no message built)."""
    return isinstance(price, Decimal) and price.is_finite() and price > 0 \
        and price % tick == 0


def check_price(price: Decimal, what: str, tick: Decimal = STOCK_TICK) -> None:
    """Raise unless `price` is a positive Decimal on the tick grid."""
    if is_valid_price(price, tick):
        return
    if not isinstance(price, Decimal):
        raise TypeError(f"{what} {price!r}: expected a Decimal, got {type(price).__name__}")
    raise ValueError(f"{what} {price}: expected a positive multiple of {tick}")


def limit_prices(
    prev_close: Decimal, band: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """(limit-up, limit-down) of an A-share; (None, None) when `band` is None (no limit).

    prev_close x (1 +/- band) rounded half-up to 0.01, at least one tick from the
    previous close, and limit-down never below 0.01.
    """
    check_price(prev_close, "previous close")
    if band is None:
        return None, None
    if not isinstance(band, Decimal) or not 0 < band < 1:
        raise ValueError(f"band {band!r}: expected a Decimal between 0 and 1")
    up = _half_up(prev_close * (1 + band))
    down = _half_up(prev_close * (1 - band))
    up = max(up, prev_close + STOCK_TICK)
    down = min(down, prev_close - STOCK_TICK)
    return up, max(down, STOCK_TICK)


def price_cage(
    symbol: str, side: str, reference: Decimal, on: date
) -> tuple[Decimal | None, Decimal | None]:
    """(lowest, highest) limit price the cage allows in continuous trading; None = no bound.

    `reference` is the exchange's reference price (`cage_reference`). Buys get only an
    upper bound, sells only a lower one; futures and options have none.
    """
    info = classify(symbol, on)
    if info.is_derivative:
        return None, None
    require_stock(info, "price cage")
    check_price(reference, "cage reference price")
    rule = in_force(PRICE_CAGES[info.board], on, f"price cage of {info.board.value}")
    if rule is None:
        return None, None
    tick_room = STOCK_TICK * rule.ticks if rule.ticks is not None else None
    if parse_side(side) is Side.BUY:
        high = reference * (1 + rule.pct)
        if tick_room is not None:
            high = max(high, reference + tick_room)
        return None, _to_tick(high, ROUND_FLOOR)
    low = reference * (1 - rule.pct)
    if tick_room is not None:
        low = min(low, reference - tick_room)
    return max(_to_tick(low, ROUND_CEILING), STOCK_TICK), None


def cage_reference(
    side: str,
    *,
    bid: Decimal | None,
    ask: Decimal | None,
    last: Decimal | None,
    prev_close: Decimal | None,
) -> Decimal | None:
    """The cage's reference price (基准价格) from the book, as the exchanges define it.

    A buy's is the best ask; with no ask, the best bid; with neither, the last price;
    with no trade yet today, the previous close. A sell's mirrors it: best bid, best
    ask, last, previous close. None only when nothing is known.
    """
    near, far = (ask, bid) if parse_side(side) is Side.BUY else (bid, ask)
    for price in (near, far, last, prev_close):
        if price is not None:
            return price
    return None


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(STOCK_TICK, rounding=ROUND_HALF_UP)


def _to_tick(value: Decimal, rounding: str) -> Decimal:
    return value.quantize(STOCK_TICK, rounding=rounding)
