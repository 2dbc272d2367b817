"""Sending and cancelling child orders through vnpy's MainEngine.

Every child passes `exchange.check_order` one last time before it is recorded;
a refusal there is a bug upstream, so it is logged as an error and nothing is sent.
The record (with its reference) is written before the order goes out, and linked to
the broker's vt_orderid right after.

The clock is read again at the moment of sending: a decision taken at 11:29:59 by a
step that started then may reach the gateway in the lunch break, so a child goes out
only if the phase it was sized for still has `SEND_GUARD` to run. A cancel that cannot
go (the line is down, or the broker's replay is not reconciled yet) is queued and
carried out when the gateway is ready again. With a fencing lease, a child goes out only
while the desk holds its account's lease, checked before it is recorded and again just
before it is sent (a child recorded but refused then is LOST: its quantity is free).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from loguru import logger
from vnpy.trader.constant import OrderType
from vnpy.trader.object import CancelRequest, OrderRequest

from exchange import OrderFacts, cage_reference, check_order, session_phase, session_windows
from exchange.sessions import SHANGHAI, phase_end
from execution.algos.market import Quote
from execution.algos.planner import Child, Position
from execution.engine.bridge import VnpyBridge
from execution.gateway.convert import OFFSET_TO_VNPY, SIDE_TO_DIRECTION, split_symbol
from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, ChildState, reference_for
from orders.order import Order

SEND_GUARD = timedelta(seconds=1)  # a child needs this much of its phase left to go out
# What a parent wants sent: the order, the child, its phase, the quote and the position
# it was sized on.
Wanted = tuple[Order, Child, str, Quote, Position]


@dataclass(frozen=True)
class Routes:
    """The MainEngine gateway name for stock orders and for IM hedges."""

    stock: str
    hedge: str

    def for_order(self, order: Order) -> str:
        return self.hedge if order.kind.value == "hedge" else self.stock


def session_problem(moment: datetime, symbol: str, phase: str) -> str:
    """Why a child sized for `phase` cannot go out at `moment` ("" when it can)."""
    current = session_phase(moment, symbol)
    end = phase_end(moment, symbol)
    if current.name.value == phase and current.allows_order and end is not None \
            and end - moment >= SEND_GUARD:
        return ""
    if current.name.value == phase and end is not None:
        return f"the {phase} phase ends at {end:%H:%M:%S}, too close to send: not sent"
    ended = _end_of(phase, moment, symbol)
    return (f"the {phase} session ended at {ended} (now {current.name.value} "
            f"{moment:%H:%M:%S}): not sent")


def _end_of(phase: str, moment: datetime, symbol: str) -> str:
    """The end of the last `phase` window at or before `moment`, as HH:MM:SS."""
    local = moment.astimezone(SHANGHAI)
    ends = [end for _, end, name in session_windows(local.date(), symbol)
            if name.value == phase and end <= local.time()]
    return f"{ends[-1]:%H:%M:%S}" if ends else "?"


class ChildSender:
    def __init__(self, bridge: VnpyBridge, book: ChildBook, routes: Routes,
                 can_send: Callable[[str], bool], ready: Callable[[str], bool],
                 now: Callable[[], datetime],
                 fence: Callable[[], str | None] = lambda: None) -> None:
        """`can_send`: new orders allowed (not halted, gateway ready); `ready`: the
        gateway is connected and reconciled, so cancels can go; `now`: the desk's clock;
        `fence`: why this desk may not send to its account now (no lease), or None."""
        self.bridge, self.book, self.routes = bridge, book, routes
        self.can_send, self.ready, self.now, self.fence = can_send, ready, now, fence
        self.queued_cancels: dict[str, set[str]] = {}  # gateway -> child references

    def send(self, order: Order, child: Child, phase: str, quote: Quote, position: Position,
             now: datetime) -> ChildOrder | str:
        """The child as recorded and sent, or why it was not sent."""
        return self.send_all([(order, child, phase, quote, position)], now)[0]

    def send_all(self, items: list[Wanted], now: datetime,
                 prepared: list[ChildOrder | str] | None = None) -> list[ChildOrder | str]:
        """One step's children, each as recorded and sent or why it was not sent, in the
        order given. Their records reach Redis in one round trip before the first is
        sent (a crash in between leaves records the restart finds LOST); their links
        in one more after the last is sent. A gateway that can (`orders_together`, the
        simulated broker) books them all in one write, acknowledging them after it.

        `prepared`: `prepare_all(items)` whose records a caller already wrote to Redis
        (the START's transaction, which records the first child): not written again."""
        out = self.prepare_all(items) if prepared is None else prepared
        records = [r for r in out if isinstance(r, ChildOrder)]
        if not records:
            return out
        if prepared is None:
            self.book.record_all(records)
        else:
            for record in records:
                self.book.kept(record)
        sent: dict[str, ChildOrder | str] = {}
        with self._together({r.gateway for r in records}):
            for record in records:
                # The writes and sends before may have outlasted the lease (a failover).
                refused = self.fence()
                if refused:
                    self.book.saved(record.model_copy(update={"state": ChildState.LOST,
                                                              "reason": refused}))
                    sent[record.reference] = refused
                else:
                    sent[record.reference] = self._send(record)
        self.book.linked_all([c for c in sent.values() if isinstance(c, ChildOrder)])
        return [sent[r.reference] if isinstance(r, ChildOrder) else r for r in out]

    def prepare_all(self, items: list[Wanted]) -> list[ChildOrder | str]:
        """Each child's record, numbered, if it may go out (not written yet); else why not."""
        now = self.now()  # the step's reading may be stale by the time we get here
        sessions: dict[tuple[str, str], str] = {}  # (symbol, phase): one answer at `now`
        return [self._prepare(*item, now, sessions) for item in items]

    @contextmanager
    def _together(self, gateways: Iterable[str]) -> Iterator[None]:
        """Each gateway's batch of orders, where it has one (a real broker's has not)."""
        with ExitStack() as stack:
            for name in sorted(gateways):
                together = getattr(self.bridge.main_engine.gateways.get(name),
                                   "orders_together", None)
                if together is not None:
                    stack.enter_context(together())
            yield

    def _prepare(self, order: Order, child: Child, phase: str, quote: Quote,
                 position: Position, now: datetime,
                 sessions: dict[tuple[str, str], str]) -> ChildOrder | str:
        """The child's record, numbered, if it may go out; else why not."""
        gateway = self.routes.for_order(order)
        if not self.can_send(gateway):
            return f"gateway {gateway} is not connected or not reconciled"
        asked = (order.symbol, phase)
        if asked not in sessions:
            sessions[asked] = session_problem(now, order.symbol, phase)
        problem = sessions[asked]
        if problem:
            logger.warning("child of {} {}", order.order_id, problem)
            return problem
        problem = self._rule_problem(order, child, quote, position, now, phase)
        if problem:
            logger.error("child of {} refused by the rules (not sent): {}", order.order_id, problem)
            return f"refused by the rules: {problem}"
        refused = self.fence()
        if refused:
            return refused
        slice_no = self.book.store.next_slice(order.order_id)
        return ChildOrder(
            reference=reference_for(order.order_id, slice_no), order_id=order.order_id,
            slice_no=slice_no, trade_date=order.trade_date, symbol=order.symbol,
            side=order.side.value, offset=order.offset.value, quantity=child.quantity,
            price=child.price, phase=phase, gateway=gateway, created_at=now, updated_at=now,
        )

    def _send(self, record: ChildOrder) -> ChildOrder:
        """Send a recorded child; the child with the broker's vt_orderid (not linked yet)."""
        code, exchange = split_symbol(record.symbol)
        request = OrderRequest(
            symbol=code, exchange=exchange, direction=SIDE_TO_DIRECTION[record.side],
            type=OrderType.LIMIT, volume=float(record.quantity), price=float(record.price),
            offset=OFFSET_TO_VNPY[record.offset], reference=record.reference,
        )
        vt_orderid = self.bridge.send_order(request, record.gateway)
        linked = self.book.by_ref.get(record.reference, record)  # events may have landed
        return linked.model_copy(update={"vt_orderid": vt_orderid})

    def cancel(self, child: ChildOrder) -> bool:
        """Cancel now if the gateway is ready and the lease held; else queue it. True if
        it went out."""
        if not child.vt_orderid:
            return False
        if self.fence() or not self.ready(child.gateway):  # no lease: goes when renewed
            self.queue_cancel(child)
            return False
        code, exchange = split_symbol(child.symbol)
        orderid = child.vt_orderid.split(".", 1)[1]
        self.bridge.cancel_order(CancelRequest(orderid=orderid, symbol=code, exchange=exchange),
                                 child.gateway)
        return True

    def queue_cancel(self, child: ChildOrder) -> None:
        self.queued_cancels.setdefault(child.gateway, set()).add(child.reference)

    def queued(self, gateway: str) -> int:
        return len(self.queued_cancels.get(gateway, ()))

    def flush_cancels(self, gateway: str) -> int:
        """Send the cancels queued while `gateway` was not ready, for children still open."""
        sent = 0
        for reference in sorted(self.queued_cancels.pop(gateway, set())):
            child = self.book.by_ref.get(reference)
            if child is not None and child.open and self.cancel(child):
                sent += 1
        return sent

    def _rule_problem(self, order: Order, child: Child, quote: Quote, position: Position,
                      now: datetime, phase: str) -> str:
        facts = final_check_facts(order, quote, position, phase)
        found = check_order(order.symbol, order.side.value, child.quantity, child.price, now,
                            facts)
        return "; ".join(v.reason for v in found)


def final_check_facts(order: Order, quote: Quote, position: Position, phase: str) -> OrderFacts:
    """What the final check knows of the market: the exchange's own limits from the tick
    where it has them, the cage reference as the exchange defines it, the holding."""
    hedge = order.kind.value == "hedge"
    stock_sell = not hedge and order.side.value == "sell"
    reference = cage_reference(order.side.value, bid=quote.bid, ask=quote.ask,
                               last=quote.last, prev_close=quote.prev_close)
    return OrderFacts(
        # A future's band is on the previous settlement, which a tick does not carry:
        # without the exchange's limits the close would be the wrong base.
        prev_close=None if hedge else quote.prev_close,
        limit_up=quote.limit_up, limit_down=quote.limit_down,
        reference=reference if phase == "continuous" else None,
        holding=position.holding if stock_sell else 0,
        bought_today=max(position.holding - position.sellable, 0) if stock_sell else 0,
    )
