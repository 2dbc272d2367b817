"""Sending and cancelling child orders through vnpy's MainEngine.

Every child passes `exchange.check_order` one last time before it is recorded;
a refusal there is a bug upstream, so it is logged as an error and nothing is sent.
The record (with its reference) is written before the order goes out, and linked to
the broker's vt_orderid right after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loguru import logger
from vnpy.trader.constant import OrderType
from vnpy.trader.object import CancelRequest, OrderRequest

from exchange import OrderFacts, cage_reference, check_order
from execution.algos.market import Quote
from execution.algos.planner import Child, Position
from execution.engine.bridge import VnpyBridge
from execution.gateway.convert import OFFSET_TO_VNPY, SIDE_TO_DIRECTION, split_symbol
from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, reference_for
from orders.order import Order


@dataclass(frozen=True)
class Routes:
    """The MainEngine gateway name for stock orders and for IM hedges."""

    stock: str
    hedge: str

    def for_order(self, order: Order) -> str:
        return self.hedge if order.kind.value == "hedge" else self.stock


class ChildSender:
    def __init__(self, bridge: VnpyBridge, book: ChildBook, routes: Routes,
                 can_send: Callable[[str], bool], link_up: Callable[[str], bool]) -> None:
        """`can_send`: new orders allowed (not halted, link up); `link_up`: cancels can go."""
        self.bridge, self.book, self.routes = bridge, book, routes
        self.can_send, self.link_up = can_send, link_up

    def send(self, order: Order, child: Child, phase: str, quote: Quote, position: Position,
             now: datetime) -> ChildOrder | str:
        """The child as recorded and sent, or why it was not sent."""
        gateway = self.routes.for_order(order)
        if not self.can_send(gateway):
            return f"gateway {gateway} is not connected"
        problem = self._rule_problem(order, child, quote, position, now, phase)
        if problem:
            logger.error("child of {} refused by the rules (not sent): {}", order.order_id, problem)
            return f"refused by the rules: {problem}"
        slice_no = self.book.store.next_slice(order.order_id)
        record = ChildOrder(
            reference=reference_for(order.order_id, slice_no), order_id=order.order_id,
            slice_no=slice_no, trade_date=order.trade_date, symbol=order.symbol,
            side=order.side.value, offset=order.offset.value, quantity=child.quantity,
            price=child.price, phase=phase, gateway=gateway, created_at=now, updated_at=now,
        )
        self.book.record(record)
        code, exchange = split_symbol(order.symbol)
        request = OrderRequest(
            symbol=code, exchange=exchange, direction=SIDE_TO_DIRECTION[record.side],
            type=OrderType.LIMIT, volume=float(child.quantity), price=float(child.price),
            offset=OFFSET_TO_VNPY[record.offset], reference=record.reference,
        )
        vt_orderid = self.bridge.send_order(request, gateway)
        linked = self.book.by_ref.get(record.reference, record)  # events may have landed
        linked = linked.model_copy(update={"vt_orderid": vt_orderid})
        self.book.linked(linked)
        return linked

    def cancel(self, child: ChildOrder) -> None:
        if not child.vt_orderid or not self.link_up(child.gateway):
            return
        code, exchange = split_symbol(child.symbol)
        orderid = child.vt_orderid.split(".", 1)[1]
        self.bridge.cancel_order(CancelRequest(orderid=orderid, symbol=code, exchange=exchange),
                                 child.gateway)

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
