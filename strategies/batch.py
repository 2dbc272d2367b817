"""The nightly batch: orders a trader can judge, and the totals of the whole batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from exchange import Side


@dataclass(frozen=True)
class OrderProposal:
    symbol: str
    name: str
    side: Side  # persisted as its value, "buy" or "sell"
    quantity: int
    reference_price: Decimal  # the signal day's close
    est_value: Decimal  # quantity x reference price
    target_weight: float  # weight of the position after the order (share of NAV)
    current_weight: float  # weight before it
    ranks: dict[str, float]  # factor percentile ranks, 100 = most favoured
    score: float  # the combined factor score (NaN outside the universe)
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.side, Side):
            object.__setattr__(self, "side", Side(self.side))  # "buy"/"sell" are accepted

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol, "name": self.name, "side": self.side.value,
            "quantity": self.quantity, "reference_price": str(self.reference_price),
            "est_value": str(self.est_value), "target_weight": self.target_weight,
            "current_weight": self.current_weight, "ranks": dict(self.ranks),
            "score": None if self.score != self.score else self.score,  # NaN is not JSON
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ModelBatch:
    """One night's proposal: sells first, then buys, with totals."""

    signal_date: date
    trade_date: date
    orders: list[OrderProposal]
    buys: int
    sells: int
    gross_value: Decimal
    turnover: float  # one-sided: (buy value + sell value) / 2 / NAV
    expected_cost: Decimal  # fees plus estimated slippage, CNY
    nav: Decimal  # cash + holdings at the signal day's close
    universe_size: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "signal_date": self.signal_date.isoformat(),
            "trade_date": self.trade_date.isoformat(),
            "orders": [order.to_dict() for order in self.orders],
            "buys": self.buys, "sells": self.sells,
            "gross_value": str(self.gross_value), "turnover": self.turnover,
            "expected_cost": str(self.expected_cost), "nav": str(self.nav),
            "universe_size": self.universe_size, "warnings": list(self.warnings),
        }
