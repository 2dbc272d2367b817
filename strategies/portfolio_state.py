"""What the desk holds when the model runs: cash and positions (exact numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Holding:
    """One stock position. `sellable` is what T+1 allows to sell tomorrow."""

    symbol: str
    quantity: int
    sellable: int
    holding_days: int

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ValueError(f"holding {self.symbol}: quantity {self.quantity} < 0")
        if not 0 <= self.sellable <= self.quantity:
            raise ValueError(f"holding {self.symbol}: sellable {self.sellable} must be between "
                             f"0 and the quantity {self.quantity}")
        if self.holding_days < 0:
            raise ValueError(f"holding {self.symbol}: holding_days {self.holding_days} < 0")


@dataclass(frozen=True)
class Book:
    """Cash (CNY) and holdings keyed by vt_symbol."""

    cash: Decimal
    holdings: dict[str, Holding] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.cash, Decimal):
            raise TypeError(f"book cash {self.cash!r}: expected a Decimal")
        for key, holding in self.holdings.items():
            if key != holding.symbol:
                raise ValueError(f"book holdings key {key!r} holds {holding.symbol!r}")

    def quantity(self, symbol: str) -> int:
        held = self.holdings.get(symbol)
        return held.quantity if held else 0
