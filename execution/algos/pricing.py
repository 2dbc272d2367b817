"""Child order limit price: where to stand, then every bound that applies.

A child's price starts at the touch (or our own side when passive, or a few ticks
through the touch when finishing; in an auction at the day's limit, since everyone
trades at the one uncrossing price) and is then pulled inside, in this order: the
parent's limit price or the band around its reference price, the day's limit prices,
and the continuous-trading price cage. Buys round down to the tick, sells up, so a
bound is never crossed by rounding. None means no legal price exists now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from exchange.prices import cage_reference, price_cage
from execution.algos.market import Quote
from execution.config import PriceStyle


@dataclass(frozen=True)
class PriceInputs:
    symbol: str
    side: str
    day: date
    tick: Decimal
    reference: Decimal  # the parent's reference (arrival) price
    limit: Decimal | None  # the parent's limit price
    band: Decimal  # used only when `limit` is None
    style: PriceStyle
    crossing: bool
    cross_ticks: int
    continuous: bool = True  # the cage applies in continuous trading only


def _on_tick(value: Decimal, tick: Decimal, rounding: str) -> Decimal:
    return ((value / tick).to_integral_value(rounding) * tick).quantize(tick)


def _start(quote: Quote, inputs: PriceInputs) -> Decimal:
    buy = inputs.side == "buy"
    if not inputs.continuous:  # an auction: bid up to our bound, the uncrossing price applies
        bound = quote.limit_up if buy else quote.limit_down
        return bound or quote.last
    near, far = (quote.bid, quote.ask) if buy else (quote.ask, quote.bid)
    if inputs.crossing:
        through = inputs.tick * inputs.cross_ticks
        base = far or quote.last
        return base + through if buy else base - through
    if inputs.style is PriceStyle.PASSIVE:
        return near or quote.last
    return far or quote.last


def child_price(quote: Quote, inputs: PriceInputs) -> Decimal | None:
    price = _start(quote, inputs)
    if inputs.side == "buy":
        return _bound_buy(price, quote, inputs)
    return _bound_sell(price, quote, inputs)


def _bound_buy(price: Decimal, quote: Quote, inputs: PriceInputs) -> Decimal | None:
    ceilings: list[Decimal | None] = [
        inputs.limit if inputs.limit is not None else inputs.reference * (1 + inputs.band)
    ]
    ceilings.append(quote.limit_up)
    if inputs.continuous:
        reference = _cage_reference("buy", quote)
        ceilings.append(price_cage(inputs.symbol, "buy", reference, inputs.day)[1])
    price = min([price, *(c for c in ceilings if c is not None)])
    price = _on_tick(price, inputs.tick, ROUND_FLOOR)
    floor = quote.limit_down or inputs.tick
    return price if price >= floor else None


def _bound_sell(price: Decimal, quote: Quote, inputs: PriceInputs) -> Decimal | None:
    floors: list[Decimal | None] = [
        inputs.limit if inputs.limit is not None else inputs.reference * (1 - inputs.band)
    ]
    floors.append(quote.limit_down)
    if inputs.continuous:
        reference = _cage_reference("sell", quote)
        floors.append(price_cage(inputs.symbol, "sell", reference, inputs.day)[0])
    price = max([price, *(f for f in floors if f is not None)])
    price = _on_tick(price, inputs.tick, ROUND_CEILING)
    if quote.limit_up is not None and price > quote.limit_up:
        return None
    return price


def _cage_reference(side: str, quote: Quote) -> Decimal:
    """The exchange's cage reference: the opposite best quote, else our own side's, else
    the last price (which a quote always has)."""
    reference = cage_reference(side, bid=quote.bid, ask=quote.ask, last=quote.last,
                               prev_close=quote.prev_close)
    return reference if reference is not None else quote.last
