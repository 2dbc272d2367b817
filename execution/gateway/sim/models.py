"""Records the simulated broker keeps: orders, trades, positions. JSON in Redis."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

ACTIVE = frozenset({"SUBMITTING", "NOTTRADED", "PARTTRADED"})


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SimOrder(Record):
    orderid: str
    symbol: str
    side: str  # buy / sell
    offset: str  # none / open / close / close_today
    price: Decimal
    volume: int
    traded: int = 0
    status: str = "NOTTRADED"  # vnpy Status name
    reference: str = ""
    created_at: datetime
    frozen_cash: Decimal = Decimal(0)  # cash (or margin) held for the unfilled part
    reason: str = ""

    @property
    def remaining(self) -> int:
        return self.volume - self.traded

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class SimTrade(Record):
    tradeid: str
    orderid: str
    symbol: str
    side: str
    offset: str
    price: Decimal
    volume: int
    fees: Decimal
    at: datetime


class Lot(Record):
    """Shares acquired on one day: the dividend tax depends on how long they were held."""

    acquired: date
    quantity: int


class StockPosition(Record):
    quantity: int = 0
    sellable: int = 0  # T+1: held before today, less what was sold today
    frozen: int = 0  # shares held by working sell orders
    avg_cost: Decimal = Decimal(0)
    lots: tuple[Lot, ...] = ()  # first in, first out (sells take the oldest)


class FuturePosition(Record):
    long: int = 0
    long_today: int = 0
    short: int = 0
    short_today: int = 0
    long_avg: Decimal = Decimal(0)
    short_avg: Decimal = Decimal(0)
    margin: Decimal = Decimal(0)
    frozen_close: int = 0  # lots held by working close orders


class SimExpiry(Record):
    """An option position settled at its expiry (cash settled, European): what it paid
    (negative for a written one) and the exercise fee of the lots exercised."""

    symbol: str
    long: int
    short: int
    settlement: Decimal
    value: Decimal
    fee: Decimal
    at: datetime


Position = StockPosition | FuturePosition
