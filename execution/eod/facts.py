"""What the daily report says about the orders: counts, traded, fees, slippage, undone.

Slippage is measured against each order's reference price (the price the batch or
the hedge was built with), signed so that a positive figure is a cost: a buy filled
above its reference, or a sell below it. Totals of shares, value and slippage are of
stock orders (value-weighted); hedges (IM futures, MO options), in lots, are totalled
apart, each valued at its contract's multiplier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from exchange import Side, contract_multiplier
from orders.order import OrderKind, OrderRecord, OrderState

S = OrderState
RELEASED = frozenset({S.APPROVED, S.WORKING, S.PARTIALLY_FILLED, S.PAUSED, S.FILLED,
                      S.DONE_FOR_DAY})
UNDONE_WHY = {
    S.PROPOSED: "never submitted for approval",
    S.PENDING_APPROVAL: "never approved",
    S.APPROVED: "approved but never started",
    S.WORKING: "still working after the close",
    S.PARTIALLY_FILLED: "still working after the close",
    S.PAUSED: "paused at the close",
}


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    symbol: str
    name: str
    side: str
    kind: str
    state: str
    quantity: int
    filled: int
    average_price: Decimal | None
    reference_price: Decimal
    value: Decimal
    fees: Decimal
    slippage_cost: Decimal  # CNY, positive = cost
    slippage_bps: float | None
    left: int
    why_left: str
    cost_note: str = ""  # hedges: basis and margin when proposed


@dataclass(frozen=True)
class OrderTotals:
    proposed: int
    approved: int
    rejected: int
    expired: int
    cancelled: int
    filled: int
    bought_shares: int
    bought_value: Decimal
    sold_shares: int
    sold_value: Decimal
    hedge_lots: int
    hedge_value: Decimal  # traded in hedges: futures notional, option premium
    fees: Decimal  # stocks and futures
    slippage_cost: Decimal  # stocks
    slippage_bps: float | None  # stocks


def multiplier(record: OrderRecord) -> int:
    return contract_multiplier(record.order.symbol)  # IM 200, MO 100, a share 1


def order_line(record: OrderRecord) -> OrderLine:
    order = record.order
    cost, bps = _slippage(record)
    return OrderLine(
        order_id=order.order_id, symbol=order.symbol, name=order.name, side=order.side.value,
        kind=order.kind.value, state=record.state.value, quantity=order.quantity,
        filled=record.filled_quantity, average_price=record.average_price,
        reference_price=order.reference_price, value=record.filled_value, fees=record.fees,
        slippage_cost=cost, slippage_bps=bps, left=record.remaining, why_left=why_left(record),
        cost_note=order.cost_note,
    )


def why_left(record: OrderRecord) -> str:
    """Why an order did not finish, in the words its record keeps; empty if it did."""
    if record.remaining == 0:
        return ""
    note = record.note.strip()
    if record.state in UNDONE_WHY:
        return UNDONE_WHY[record.state] + (f" ({note})" if note else "")
    return f"{record.state.value}: {note}" if note else record.state.value


def totals(records: Iterable[OrderRecord]) -> OrderTotals:
    items = list(records)
    stocks = [r for r in items if r.order.kind is OrderKind.STOCK]
    hedges = [r for r in items if r.order.kind is OrderKind.HEDGE]
    reference_value = sum((r.order.reference_price * r.filled_quantity for r in stocks),
                          Decimal(0))
    cost = sum((_slippage(r)[0] for r in stocks), Decimal(0))
    buys = [r for r in stocks if r.order.side is Side.BUY]
    sells = [r for r in stocks if r.order.side is Side.SELL]
    return OrderTotals(
        proposed=len(items), approved=sum(1 for r in items if _released(r)),
        rejected=_count(items, S.REJECTED), expired=_count(items, S.EXPIRED),
        cancelled=_count(items, S.CANCELLED), filled=_count(items, S.FILLED),
        bought_shares=sum(r.filled_quantity for r in buys),
        bought_value=sum((r.filled_value for r in buys), Decimal(0)),
        sold_shares=sum(r.filled_quantity for r in sells),
        sold_value=sum((r.filled_value for r in sells), Decimal(0)),
        hedge_lots=sum(r.filled_quantity for r in hedges),
        hedge_value=sum((r.filled_value for r in hedges), Decimal(0)),
        fees=sum((r.fees for r in items), Decimal(0)), slippage_cost=cost,
        slippage_bps=float(cost / reference_value * 10_000) if reference_value else None,
    )


def _slippage(record: OrderRecord) -> tuple[Decimal, float | None]:
    if record.filled_quantity == 0:
        return Decimal(0), None
    reference = record.order.reference_price * record.filled_quantity * multiplier(record)
    sign = 1 if record.order.side is Side.BUY else -1
    cost = sign * (record.filled_value - reference)
    return cost, float(cost / reference * 10_000)


def _released(record: OrderRecord) -> bool:
    """Approved by enough traders at some point, whatever happened afterwards."""
    if record.state in RELEASED:
        return True
    version = record.order.version
    current = [a for a in record.approvals if a.version == version]
    return len(current) >= record.approvals_needed


def _count(records: list[OrderRecord], state: OrderState) -> int:
    return sum(1 for r in records if r.state is state)
