"""The backtest's own book: exact cash and share counts, T+1, corporate actions, and
holdings frozen by a final delisting."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from strategies.portfolio_state import Book, Holding


@dataclass
class SimPosition:
    quantity: int
    days: int = 0  # trading days held, the buy day counts as 1 (after its close)
    bought_today: int = 0


class SimulatedBook:
    """Cash and positions, changed only by fills, corporate actions and the close."""

    def __init__(self, cash: Decimal) -> None:
        if cash <= 0:
            raise ValueError(f"initial cash {cash}: expected > 0")
        self.cash = cash
        self.positions: dict[str, SimPosition] = {}
        # Delisted for good: shares and the last delisting-period close they are valued at.
        self.delisted: dict[str, tuple[int, Decimal]] = {}

    def book(self) -> Book:
        """What the model sees before the open: everything held is sellable (T+1)."""
        return Book(cash=self.cash, holdings={
            s: Holding(symbol=s, quantity=p.quantity, sellable=p.quantity - p.bought_today,
                       holding_days=p.days)
            for s, p in sorted(self.positions.items())
        })

    def sellable(self, symbol: str) -> int:
        held = self.positions.get(symbol)
        return 0 if held is None else held.quantity - held.bought_today

    def buy(self, symbol: str, quantity: int, price: Decimal, fees: Decimal) -> None:
        cost = price * quantity + fees
        if cost > self.cash:
            raise ValueError(f"buy {quantity} {symbol} at {price}: costs {cost}, cash {self.cash}")
        self.cash -= cost
        held = self.positions.setdefault(symbol, SimPosition(0))
        held.quantity += quantity
        held.bought_today += quantity

    def sell(self, symbol: str, quantity: int, price: Decimal, fees: Decimal) -> None:
        if quantity > self.sellable(symbol):
            raise ValueError(f"sell {quantity} {symbol}: only {self.sellable(symbol)} sellable "
                             "(T+1)")
        held = self.positions[symbol]
        held.quantity -= quantity
        self.cash += price * quantity - fees
        if held.quantity == 0:
            del self.positions[symbol]

    def adjust_shares(self, symbol: str, ratio: float) -> None:
        """Bonus shares / splits: scale the holding by the adjustment-factor ratio.

        Cash dividends also move the factor; they are treated as reinvested in shares,
        rounded down to whole shares.
        """
        held = self.positions.get(symbol)
        if held is not None and math.isfinite(ratio) and ratio > 0 and ratio != 1.0:
            held.quantity = math.floor(held.quantity * ratio + 1e-9)

    def freeze(self, symbol: str, price: Decimal) -> None:
        """A final delisting: the shares stay owned but cannot trade on the exchange any
        more, so they leave the tradable book and are valued at `price` (the last
        delisting-period close); no cash comes in."""
        held = self.positions.pop(symbol)
        self.delisted[symbol] = (held.quantity, price)

    def delisted_value(self) -> Decimal:
        return sum((price * quantity for quantity, price in self.delisted.values()), Decimal(0))

    def close_day(self) -> None:
        for held in self.positions.values():
            held.days += 1
            held.bought_today = 0
