"""End-of-day reconciliation: the desk's books against the broker's, break by break.

Pure: `reconcile(desk, broker)` takes plain data (`execution.eod.views`) and returns
every difference it finds, each naming what differs, the desk's figure and the
broker's. Nothing is corrected here or anywhere else: a break is for a person to
explain (a late fill, a manual trade at the broker, a fee schedule out of date).

Checks: stock positions, futures shorts and option longs per symbol; cash; dividends
receivable (entitled on their ex-date, not yet paid) when the broker reports them; every
trade by its id (missing on either side, different quantity, value or fees); every parent
order's filled quantity and value against the trades of its child orders; broker orders
the desk did not send; broker orders still working after the close.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from exchange import contract_multiplier
from execution.eod.views import BrokerDay, BrokerTrade, DeskDay, DeskFill


class BreakKind(StrEnum):
    POSITION = "position"
    FUTURES = "futures"
    OPTIONS = "options"
    CASH = "cash"
    RECEIVABLE = "receivable"  # a dividend entitled to and not yet paid
    FILL_MISSING = "fill_missing"  # the broker traded, the desk did not book it
    FILL_UNKNOWN = "fill_unknown"  # the desk booked a trade the broker does not have
    FILL_DIFFERS = "fill_differs"
    FEES = "fees"
    ORDER_FILLED = "order_filled"
    UNKNOWN_ORDER = "unknown_order"
    OPEN_ORDER = "open_order"


@dataclass(frozen=True)
class Break:
    kind: BreakKind
    subject: str  # symbol, order id or trade id
    ours: str
    broker: str
    detail: str = ""

    def line(self) -> str:
        note = f" ({self.detail})" if self.detail else ""
        return f"{self.kind.value} {self.subject}: desk {self.ours}, broker {self.broker}{note}"

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "kind": self.kind.value}


@dataclass(frozen=True)
class Reconciliation:
    day: str
    source: str
    breaks: list[Break] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # what was compared, counts
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.breaks

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "source": self.source, "clean": self.clean,
                "breaks": [b.to_dict() for b in self.breaks], "checked": self.checked,
                "notes": self.notes}


def reconcile(desk: DeskDay, broker: BrokerDay) -> Reconciliation:
    breaks = [*_stocks(desk, broker), *_futures(desk, broker), *_options(desk, broker),
              *_cash(desk, broker), *_receivables(desk, broker),
              *_trades(desk, broker), *_orders(desk, broker), *_broker_orders(desk, broker)]
    checked = {"positions": len(set(broker.stocks) | set(desk.ledger.positions)),
               "futures": len(set(broker.futures) | set(desk.ledger.futures)),
               "options": len(set(broker.options) | set(desk.ledger.options)),
               "receivables": len(set(broker.receivables or {}) | set(desk.ledger.receivables)),
               "trades": len(broker.trades), "fills": len(desk.fills),
               "orders": len(desk.records), "broker_orders": len(broker.orders)}
    notes = [broker.cash_note] if broker.cash_note else []
    return Reconciliation(desk.day.isoformat(), broker.source, breaks, checked, notes)


def _stocks(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    ours = {s: h.quantity for s, h in desk.ledger.positions.items()}
    return _held_breaks(BreakKind.POSITION, ours, broker.stocks, "{} shares")


def _futures(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    ours = {s: f.short for s, f in desk.ledger.futures.items()}
    return _held_breaks(BreakKind.FUTURES, ours, broker.futures, "short {} lots")


def _options(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    """MO lots held (negative: written), T+0, so today's buys count at once."""
    ours = {s: o.long for s, o in desk.ledger.options.items()}
    return _held_breaks(BreakKind.OPTIONS, ours, broker.options, "long {} lots")


def _held_breaks(kind: BreakKind, ours: Mapping[str, int], theirs: Mapping[str, int],
                 unit: str) -> list[Break]:
    """One break per symbol whose quantity differs between the desk and the broker."""
    return [Break(kind, s, unit.format(ours.get(s, 0)), unit.format(theirs.get(s, 0)))
            for s in sorted(set(ours) | set(theirs)) if ours.get(s, 0) != theirs.get(s, 0)]


def _cash(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    if broker.cash is None or broker.cash == desk.ledger.cash:
        return []
    gap = desk.ledger.cash - broker.cash
    return [Break(BreakKind.CASH, desk.account, f"{desk.ledger.cash}", f"{broker.cash}",
                  f"desk {gap:+} (fees are the desk's estimate until the statement)")]


def _receivables(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    """Each dividend between its ex-date and pay date (symbol|ex-date), net of tax."""
    if broker.receivables is None:
        return []
    ours, theirs = desk.ledger.receivables, broker.receivables
    zero = Decimal(0)
    return [Break(BreakKind.RECEIVABLE, k, f"{ours.get(k, zero)}", f"{theirs.get(k, zero)}",
                  "dividend entitled, not yet paid")
            for k in sorted(set(ours) | set(theirs)) if ours.get(k, zero) != theirs.get(k, zero)]


def _trades(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    ours = {f.trade_id: f for f in desk.fills}
    theirs = {t.vt_tradeid: t for t in broker.trades}
    out = []
    for trade_id in sorted(set(ours) | set(theirs)):
        fill, trade = ours.get(trade_id), theirs.get(trade_id)
        if fill is None and trade is not None:
            out.append(Break(BreakKind.FILL_MISSING, trade_id, "not booked",
                             _trade_text(trade), f"broker order {trade.vt_orderid}"))
        elif trade is None and fill is not None:
            out.append(Break(BreakKind.FILL_UNKNOWN, trade_id, _fill_text(fill), "no such trade",
                             f"order {fill.order_id}"))
        elif fill is not None and trade is not None:
            out.extend(_same_trade(fill, trade))
    return out


def _same_trade(fill: DeskFill, trade: BrokerTrade) -> list[Break]:
    out = []
    value = trade.price * trade.quantity * _multiplier(trade.symbol)
    if fill.quantity != trade.quantity or fill.value != value:
        out.append(Break(BreakKind.FILL_DIFFERS, trade.vt_tradeid, _fill_text(fill),
                         _trade_text(trade), f"order {fill.order_id}"))
    if trade.fees is not None and trade.fees != fill.fees:
        out.append(Break(BreakKind.FEES, trade.vt_tradeid, f"{fill.fees}", f"{trade.fees}",
                         f"order {fill.order_id}"))
    return out


def _orders(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    """Each parent's filled quantity and value against the trades of its children."""
    parent_of_order = {o.vt_orderid: _parent(desk, o.vt_orderid, o.reference)
                       for o in broker.orders}
    done: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for trade in broker.trades:
        parent = parent_of_order.get(trade.vt_orderid) or desk.parent_of.get(trade.vt_orderid)
        if parent is not None:
            qty, value = done[parent]
            done[parent] = (qty + trade.quantity,
                            value + trade.price * trade.quantity * _multiplier(trade.symbol))
    out = []
    for record in desk.records:
        qty, value = done.get(record.order_id, (0, Decimal(0)))
        if (record.filled_quantity, record.filled_value) != (qty, value):
            out.append(Break(BreakKind.ORDER_FILLED, record.order_id,
                             f"{record.filled_quantity} for {record.filled_value}",
                             f"{qty} for {value}", record.order.symbol))
    return out


def _broker_orders(desk: DeskDay, broker: BrokerDay) -> list[Break]:
    out = []
    for order in broker.orders:
        where = f"{order.side} {order.volume} {order.symbol}"
        if _parent(desk, order.vt_orderid, order.reference) is None:
            out.append(Break(BreakKind.UNKNOWN_ORDER, order.vt_orderid, "not sent by the desk",
                             f"{where}, traded {order.traded}", f"reference {order.reference!r}"))
        if order.active:
            out.append(Break(BreakKind.OPEN_ORDER, order.vt_orderid, "finished",
                             f"{order.status}, {order.volume - order.traded} left", where))
    return out


def _parent(desk: DeskDay, vt_orderid: str, reference: str) -> str | None:
    by_reference = desk.parent_of.get(reference) if reference else None
    return by_reference or desk.parent_of.get(vt_orderid)


def _multiplier(symbol: str) -> int:
    return contract_multiplier(symbol)  # 1 a share, 200 an IM point, 100 an MO point


def _trade_text(trade: BrokerTrade) -> str:
    return f"{trade.side} {trade.quantity} {trade.symbol} @ {trade.price}"


def _fill_text(fill: DeskFill) -> str:
    return f"{fill.quantity} for {fill.value}"
