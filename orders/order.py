"""Orders as the desk sees them: an immutable order, its state, and its record.

An `Order` is what a trader approves. Any edit makes a new version of it, which must
be approved again. An `OrderRecord` is the order plus where it is in its lifecycle;
it changes only through `execution.approval.lifecycle.transition`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from exchange import Side


class OrderKind(StrEnum):
    STOCK = "stock"
    HEDGE = "hedge"


class Offset(StrEnum):
    """Futures offset; stocks use NONE."""

    NONE = "none"
    OPEN = "open"
    CLOSE = "close"


class Algo(StrEnum):
    TWAP = "twap"
    VWAP = "vwap"
    POV = "pov"


class OrderState(StrEnum):
    PROPOSED = "proposed"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WORKING = "working"
    PARTIALLY_FILLED = "partially_filled"
    PAUSED = "paused"
    FILLED = "filled"
    CANCELLED = "cancelled"
    DONE_FOR_DAY = "done_for_day"


TERMINAL_STATES = frozenset(
    {
        OrderState.REJECTED,
        OrderState.EXPIRED,
        OrderState.FILLED,
        OrderState.CANCELLED,
        OrderState.DONE_FOR_DAY,
    }
)
LIVE_STATES = frozenset({OrderState.WORKING, OrderState.PARTIALLY_FILLED, OrderState.PAUSED})


class Order(BaseModel):
    """One order as proposed, edited and approved. Immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")
    version: int = Field(default=1, ge=1)
    batch_id: str = ""
    trade_date: date
    symbol: str = Field(pattern=r"^[A-Z0-9]+\.[A-Z]+$")
    name: str = ""
    side: Side
    quantity: int = Field(gt=0)
    reference_price: Decimal = Field(gt=0)
    limit_price: Decimal | None = None
    algo: Algo = Algo.TWAP
    start_time: time = time(9, 30)
    end_time: time = time(14, 55)
    kind: OrderKind = OrderKind.STOCK
    offset: Offset = Offset.NONE
    urgent: bool = False
    reason: str = ""
    target_weight: float = 0.0
    ranks: dict[str, float] = Field(default_factory=dict)
    cost_note: str = ""
    created_by: str = "model"
    created_at: datetime | None = None

    @field_validator("reference_price", "limit_price")
    @classmethod
    def _two_places(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"price {value} has more than two decimal places")
        return value

    @property
    def estimated_value(self) -> Decimal:
        price = self.limit_price or self.reference_price
        multiplier = 200 if self.kind is OrderKind.HEDGE else 1
        return price * self.quantity * multiplier

    def edited(self, **changes: Any) -> Order:
        """A new version with `changes` applied and validated."""
        data = self.model_dump()
        data.update(changes)
        data["version"] = self.version + 1
        return Order.model_validate(data)


class Approval(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user: str
    at: datetime
    version: int


class OrderRecord(BaseModel):
    """An order and where it is in its life. Replaced, never mutated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order: Order
    state: OrderState = OrderState.PENDING_APPROVAL
    approvals: tuple[Approval, ...] = ()
    approvals_needed: int = 1
    filled_quantity: int = 0
    filled_value: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    note: str = ""
    updated_at: datetime | None = None
    revision: int = 0

    @property
    def order_id(self) -> str:
        return self.order.order_id

    @property
    def remaining(self) -> int:
        return self.order.quantity - self.filled_quantity

    @property
    def average_price(self) -> Decimal | None:
        if self.filled_quantity == 0:
            return None
        multiplier = 200 if self.order.kind is OrderKind.HEDGE else 1
        return (self.filled_value / (self.filled_quantity * multiplier)).quantize(Decimal("0.0001"))

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str | bytes) -> OrderRecord:
        return cls.model_validate_json(raw)
