"""Rows of the order pages: what a trader sees of a record, filtering, sorting, schedule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from urllib.parse import urlencode

from exchange import RulesError, classify
from execution.approval.policy_config import ApprovalConfig
from marketdata.clock import EXCHANGE_TZ
from orders.order import Order, OrderRecord, OrderState

# The A-share day: continuous trading with the lunch break taken out.
SESSIONS = ((time(9, 30), time(11, 30)), (time(13, 0), time(15, 0)))
SORT_KEYS = ("symbol", "side", "board", "value", "quantity", "reason", "state", "move")


@dataclass(frozen=True)
class Row:
    record: OrderRecord
    board: str
    value: Decimal
    last: Decimal | None
    move: Decimal | None  # since the batch, when past the re-confirmation threshold
    approvals: int

    @property
    def order(self) -> Order:
        return self.record.order

    @property
    def progress(self) -> float:
        return self.record.filled_quantity / self.record.order.quantity


def board_of(symbol: str) -> str:
    try:
        return classify(symbol).board.value
    except RulesError:
        return "?"


def make_rows(records: Sequence[OrderRecord], prices: Mapping[str, Decimal],
              policy: ApprovalConfig) -> list[Row]:
    rows = []
    for record in records:
        order = record.order
        last = prices.get(order.symbol)
        approvals = sum(1 for a in record.approvals if a.version == order.version)
        rows.append(Row(record, board_of(order.symbol), order.estimated_value, last,
                        policy.price_move(order.reference_price, last), approvals))
    return rows


@dataclass(frozen=True)
class RowFilter:
    side: str = ""
    board: str = ""
    state: str = "pending_approval"
    text: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    sort: str = ""
    desc: bool = False

    def keep(self, row: Row) -> bool:
        order = row.record.order
        checks = (
            not self.side or order.side.value == self.side,
            not self.board or row.board == self.board,
            not self.state or row.record.state.value == self.state,
            not self.text or self.text.lower() in f"{order.reason} {order.symbol} {order.name}"
            .lower(),
            self.min_value is None or row.value >= self.min_value,
            self.max_value is None or row.value <= self.max_value,
        )
        return all(checks)

    def query(self, **override: str) -> str:
        """This filter as URL query text, with `override` applied (for sort links)."""
        params = {
            "side": self.side, "board": self.board, "state": self.state, "q": self.text,
            "min_value": "" if self.min_value is None else str(self.min_value),
            "max_value": "" if self.max_value is None else str(self.max_value),
            "sort": self.sort, "desc": "1" if self.desc else "",
        }
        params.update(override)
        return urlencode({k: v for k, v in params.items() if v})

    def apply(self, rows: Sequence[Row]) -> list[Row]:
        kept = [r for r in rows if self.keep(r)]
        if self.sort in SORT_KEYS:
            kept.sort(key=lambda r: _sort_value(r, self.sort), reverse=self.desc)
        return kept


def _sort_value(row: Row, key: str) -> tuple[int, str | Decimal]:
    order = row.record.order
    values: dict[str, str | Decimal] = {
        "symbol": order.symbol, "side": order.side.value, "board": row.board,
        "value": row.value, "quantity": Decimal(order.quantity), "reason": order.reason,
        "state": row.record.state.value, "move": abs(row.move) if row.move else Decimal(0),
    }
    value = values[key]
    return (0 if isinstance(value, Decimal) else 1, value)


def totals(rows: Sequence[Row]) -> dict[str, Decimal | int]:
    buys = sum((r.value for r in rows if r.record.order.side.value == "buy"), Decimal(0))
    sells = sum((r.value for r in rows if r.record.order.side.value == "sell"), Decimal(0))
    return {"count": len(rows), "buy_value": buys, "sell_value": sells}


def schedule_fraction(start: time, end: time, now: datetime) -> float:
    """Share of the order's window elapsed at `now`, counting trading minutes only."""
    clock = now.astimezone(EXCHANGE_TZ).time()
    total = _trading_minutes(start, end, end)
    if total <= 0:
        return 1.0
    return min(max(_trading_minutes(start, end, clock) / total, 0.0), 1.0)


def _trading_minutes(start: time, end: time, upto: time) -> float:
    minutes = 0.0
    for open_, close in SESSIONS:
        lo, hi = max(open_, start), min(close, end, upto)
        if hi > lo:
            minutes += _minutes(hi) - _minutes(lo)
    return minutes


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def schedule_gap(row: Row, now: datetime) -> float | None:
    """Filled share minus scheduled share (negative: behind) for live orders."""
    if row.record.state not in (OrderState.WORKING, OrderState.PARTIALLY_FILLED,
                                OrderState.PAUSED):
        return None
    order = row.record.order
    return row.progress - schedule_fraction(order.start_time, order.end_time, now)
