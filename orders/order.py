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

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


# Domain bounds every order meets, whoever wrote it (docs/bus.md "Hostile messages").
# Dates and the day's limit band need the calendar and the market: the intake checks them.
MAX_QUANTITY = {OrderKind.STOCK: 10_000_000, OrderKind.HEDGE: 1_000}  # shares; lots
MAX_PRICE = Decimal("100000")  # above any A-share or index future
TICK = {OrderKind.STOCK: Decimal("0.01"), OrderKind.HEDGE: Decimal("0.2")}
SESSION_OPEN, SESSION_CLOSE = time(9, 30), time(15, 0)
MAX_TEXT = 2_000


class Order(BaseModel):
    """One order as proposed, edited and approved. Immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")
    version: int = Field(default=1, ge=1)
    batch_id: str = Field(default="", max_length=80)
    trade_date: date
    # A stock or future ("IM2612.CFFEX"), or an index option ("MO2703-P-6000.CFFEX").
    symbol: str = Field(pattern=r"^[A-Z0-9]{1,12}(-[CP]-[0-9]{1,6})?\.[A-Z]{2,6}$")
    name: str = Field(default="", max_length=80)
    side: Side
    quantity: int = Field(gt=0)
    reference_price: Decimal = Field(gt=0, le=MAX_PRICE, allow_inf_nan=False)
    limit_price: Decimal | None = Field(default=None, gt=0, le=MAX_PRICE, allow_inf_nan=False)
    algo: Algo = Algo.TWAP
    start_time: time = time(9, 30)
    end_time: time = time(14, 55)
    kind: OrderKind = OrderKind.STOCK
    offset: Offset = Offset.NONE
    urgent: bool = False
    reason: str = Field(default="", max_length=MAX_TEXT)
    target_weight: float = Field(default=0.0, ge=-1.0, le=1.0, allow_inf_nan=False)
    ranks: dict[str, float] = Field(default_factory=dict, max_length=32)
    cost_note: str = Field(default="", max_length=MAX_TEXT)
    created_by: str = Field(default="model", max_length=80)
    created_at: datetime | None = None
    # The broker account (fund product) it trades for; empty: the desk's first account
    # (an order written before the desk had several). docs/accounts.md.
    account: str = Field(default="", max_length=24, pattern=r"^[A-Za-z0-9_-]*$")
    # All accounts' quantity of this stock and side in the batch (0: this order alone):
    # the market participation cap is shared pro rata (docs/accounts.md).
    desk_quantity: int = Field(default=0, ge=0, le=10 * MAX_QUANTITY[OrderKind.STOCK])

    @field_validator("reference_price", "limit_price")
    @classmethod
    def _two_places(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"price {value} has more than two decimal places")
        return value

    @model_validator(mode="after")
    def _in_domain(self) -> Order:
        problem = _domain_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def estimated_value(self) -> Decimal:
        price = self.limit_price or self.reference_price
        return price * self.quantity * multiplier_of(self)

    def edited(self, **changes: Any) -> Order:
        """A new version with `changes` applied and validated."""
        data = self.model_dump()
        data.update(changes)
        data["version"] = self.version + 1
        return Order.model_validate(data)


def multiplier_of(order: Order) -> int:
    """CNY per price point of one unit: 1 for a share, 200 for an IM lot, 100 for MO."""
    if order.kind is not OrderKind.HEDGE:
        return 1
    return 100 if "-" in order.symbol else 200


def _domain_problem(order: Order) -> str | None:
    """Why this order cannot be a real one (size, tick, window, offset), or None."""
    most = MAX_QUANTITY[order.kind]
    if order.quantity > most:
        return f"quantity {order.quantity} above {most} for a {order.kind.value} order"
    tick = TICK[order.kind]
    for what, price in (("reference_price", order.reference_price),
                        ("limit_price", order.limit_price)):
        if price is not None and price % tick != 0:
            return f"{what} {price} is not on the {tick} tick"
    if not SESSION_OPEN <= order.start_time < order.end_time <= SESSION_CLOSE:
        return (f"window {order.start_time}-{order.end_time} must start before it ends, "
                f"inside {SESSION_OPEN:%H:%M}-{SESSION_CLOSE:%H:%M}")
    if (order.kind is OrderKind.HEDGE) == (order.offset is Offset.NONE):
        return (f"offset {order.offset.value!r} for a {order.kind.value} order: a hedge "
                "opens or closes, a stock order has none")
    return None


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
    editors: tuple[str, ...] = ()  # who edited it, in order (maker-checker)
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
        multiplier = multiplier_of(self.order)
        return (self.filled_value / (self.filled_quantity * multiplier)).quantize(Decimal("0.0001"))

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str | bytes) -> OrderRecord:
        return cls.model_validate_json(raw)
