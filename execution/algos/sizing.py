"""Child order quantity: catch up with the target curve, never past the parent.

The one invariant: filled + open children + the new child <= parent quantity. Every
step below only lowers the quantity, and the board's lot rounding (from
`exchange`) always rounds down, so the invariant holds whatever the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from exchange.quantity import (
    quantity_rule,
    round_buy_quantity,
    round_sell_quantity,
)


@dataclass(frozen=True)
class SizeInputs:
    symbol: str
    side: str  # "buy" / "sell"
    total: int  # parent quantity
    filled: int
    open_quantity: int  # children at the broker not yet filled or cancelled
    target: int  # from the curve
    min_child: int
    max_child: int
    finishing: bool = False  # end of window in cross mode: take all that is left
    randomise: float = 0.0  # in [-1, 1] x the configured size randomisation
    market_cap: int | None = None  # participation cap from recent market volume
    holding: int | None = None  # sells: position not already being sold
    sellable: int | None = None  # sells: T+1 sellable not already being sold


@dataclass(frozen=True)
class Sized:
    quantity: int
    reason: str = ""  # why 0, or what limited it


def room(inputs: SizeInputs) -> int:
    return max(inputs.total - inputs.filled - inputs.open_quantity, 0)


def size_child(inputs: SizeInputs) -> Sized:
    """The next child's quantity for `inputs` (0 with a reason when it must wait)."""
    free = room(inputs)
    if free <= 0:
        return Sized(0, "nothing left to send")
    want = free if inputs.finishing else inputs.target - inputs.filled - inputs.open_quantity
    if want <= 0:
        return Sized(0, "ahead of schedule")
    want = int(want * (1 + inputs.randomise)) if not inputs.finishing else want
    caps = [free, inputs.max_child, quantity_rule(inputs.symbol).max_limit_order]
    if inputs.market_cap is not None:
        caps.append(inputs.market_cap)
    want = max(min(want, *caps), 0)
    if want < inputs.min_child and free > inputs.min_child and not inputs.finishing:
        return Sized(0, f"slice of {want} is below the minimum child of {inputs.min_child}")
    if want < inputs.min_child:
        want = min(free, inputs.min_child, *caps)
    return _legal(inputs, want)


def _legal(inputs: SizeInputs, want: int) -> Sized:
    if inputs.side == "buy":
        quantity = round_buy_quantity(inputs.symbol, want)
        return Sized(quantity, "" if quantity else f"{want} shares is less than one legal buy")
    holding = inputs.holding or 0
    sellable = min(inputs.sellable or 0, holding)
    if sellable <= 0:
        return Sized(0, f"no sellable shares of {inputs.symbol} (T+1 or no holding)")
    # Rounded against what is sellable (as the exchange checks it): an odd remainder
    # there may only go in one order.
    quantity = round_sell_quantity(inputs.symbol, want, sellable)
    return Sized(quantity, "" if quantity else f"{want} shares is not a legal sell now")
