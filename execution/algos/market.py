"""What the slicer knows of the market for one symbol: the touch, the limits, volume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Quote:
    """Best prices (None when that side of the book is empty) and the day's limits.

    `volume` is the day's cumulative traded volume in shares (lots for futures).
    """

    symbol: str
    at: datetime
    last: Decimal
    bid: Decimal | None
    ask: Decimal | None
    limit_up: Decimal | None
    limit_down: Decimal | None
    volume: int = 0
    prev_close: Decimal | None = None

    def locked_for(self, side: str) -> str | None:
        """Why a child on `side` cannot trade now (a limit-locked book), or None."""
        up, down = self.limit_up, self.limit_down
        if side == "buy" and self.ask is None and up is not None and self.last >= up:
            return f"{self.symbol} is locked limit-up at {up}: no sellers"
        if side == "sell" and self.bid is None and down is not None and self.last <= down:
            return f"{self.symbol} is locked limit-down at {down}: no buyers"
        return None


def to_price(value: float, tick: Decimal) -> Decimal | None:
    """A vnpy float price as an exact Decimal on `tick`; None for 0 (no price)."""
    if not value or value <= 0:
        return None
    steps = (Decimal(repr(value)) / tick).to_integral_value(ROUND_HALF_UP)
    return (steps * tick).quantize(tick)
