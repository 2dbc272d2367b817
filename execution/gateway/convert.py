"""Between the desk's words (buy/sell, open/close, Decimal) and vnpy's enums and floats.

vnpy enum `.value`s are locale-translated, so only `.name`s are ever persisted.
"""

from __future__ import annotations

from decimal import Decimal

from vnpy.trader.constant import Direction, Exchange, Offset, Status
from vnpy.trader.utility import extract_vt_symbol

SIDE_TO_DIRECTION = {"buy": Direction.LONG, "sell": Direction.SHORT}
DIRECTION_TO_SIDE = {Direction.LONG: "buy", Direction.SHORT: "sell"}
OFFSET_TO_VNPY = {
    "none": Offset.NONE, "open": Offset.OPEN, "close": Offset.CLOSE,
    "close_today": Offset.CLOSETODAY,
}
VNPY_TO_OFFSET = {v: k for k, v in OFFSET_TO_VNPY.items()}
VNPY_TO_OFFSET[Offset.CLOSEYESTERDAY] = "close"
FINAL_STATUSES = frozenset({Status.ALLTRADED, Status.CANCELLED, Status.REJECTED})


def split_symbol(vt_symbol: str) -> tuple[str, Exchange]:
    try:
        return extract_vt_symbol(vt_symbol)
    except ValueError as exc:
        raise ValueError(f"symbol {vt_symbol!r}: expected CODE.EXCHANGE, e.g. 600000.SSE") from exc


def side_of(direction: Direction | None) -> str:
    if direction not in DIRECTION_TO_SIDE:
        raise ValueError(f"direction {direction!r}: expected LONG or SHORT")
    return DIRECTION_TO_SIDE[direction]


def exact(value: float) -> Decimal:
    """A vnpy float (price or volume) as the Decimal it was meant to be."""
    return Decimal(repr(value))


def whole(value: float, what: str) -> int:
    number = exact(value)
    if number != number.to_integral_value():
        raise ValueError(f"{what} {value!r}: expected a whole number")
    return int(number)
