"""The day as plain data: what the broker reports and what the desk booked.

Reconciliation (`execution.eod.reconcile`) compares a `DeskDay` with a `BrokerDay` and
never looks at Redis or vnpy itself, so any source can feed it: the simulated broker's
books in Redis (`execution.eod.sim_view`), a vnpy `MainEngine` connected to a real
gateway (`execution.eod.vnpy_view`), or a broker statement file.

Identifiers are the desk's: a broker order is named by its `vt_orderid`
(`<gateway>.<orderid>`), a trade by its `vt_tradeid`, as vnpy and the desk's fill
journal name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from execution.ledger import Ledger
from orders.order import OrderRecord


@dataclass(frozen=True)
class BrokerOrder:
    vt_orderid: str
    symbol: str
    side: str  # buy / sell
    volume: int
    traded: int
    status: str  # vnpy Status name: ALLTRADED, CANCELLED, REJECTED, NOTTRADED...
    reference: str = ""  # the desk's child reference, when the gateway echoes it

    @property
    def active(self) -> bool:
        return self.status in ("SUBMITTING", "NOTTRADED", "PARTTRADED")


@dataclass(frozen=True)
class BrokerTrade:
    vt_tradeid: str
    vt_orderid: str
    symbol: str
    side: str
    quantity: int
    price: Decimal
    fees: Decimal | None = None  # None: the gateway does not report fees per trade


@dataclass(frozen=True)
class BrokerDay:
    """The broker's view of one account on one trade date."""

    day: date
    source: str  # where it came from, for the report ("sim:paper", "vnpy:XTP")
    orders: list[BrokerOrder] = field(default_factory=list)
    trades: list[BrokerTrade] = field(default_factory=list)
    stocks: dict[str, int] = field(default_factory=dict)  # symbol -> shares held
    futures: dict[str, int] = field(default_factory=dict)  # contract -> net short lots
    options: dict[str, int] = field(default_factory=dict)  # MO contract -> net long lots
    cash: Decimal | None = None  # None: not comparable (see `cash_note`)
    cash_note: str = ""
    # symbol|ex-date -> net dividend entitled to, not yet paid; None: not reported
    receivables: dict[str, Decimal] | None = None


@dataclass(frozen=True)
class DeskFill:
    """One broker trade as the desk applied it (the parent's fill journal)."""

    trade_id: str
    order_id: str
    quantity: int
    value: Decimal  # price x quantity x multiplier
    fees: Decimal


@dataclass(frozen=True)
class DeskDay:
    """The desk's books for one account on one trade date."""

    day: date
    account: str
    ledger: Ledger
    records: list[OrderRecord] = field(default_factory=list)
    fills: list[DeskFill] = field(default_factory=list)
    # vt_orderid or child reference -> parent order id, for every child the desk sent
    parent_of: dict[str, str] = field(default_factory=dict)
