"""The parents a desk is working: taking them on, deciding, controlling, finishing.

A parent is finished only when none of its children can still trade: then it is
cancelled, marked done for the day (with what is left), or dropped (filled, or sent
back for re-approval after an edit). So a fill can never arrive for a parent that is
no longer there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from loguru import logger

from bus import streams
from bus.bus import publish
from bus.messages import OrderEvent
from exchange import session_phase
from execution.algos.planner import Wait, build_curve
from execution.algos.profile import VolumeProfile
from execution.algos.window import at
from execution.approval.lifecycle import Action, IllegalTransition
from execution.worker.children import ChildOrder
from execution.worker.inbox import Seen
from execution.worker.parent import Cancel, ParentWorker, Send
from execution.worker.positions import pov_base, sizing_position
from orders.order import LIVE_STATES, Algo, OrderKind, OrderRecord, OrderState

if TYPE_CHECKING:
    from execution.worker.desk import ExecutionDesk

ACTOR = "execution"
EOD_CANCEL_LEAD = timedelta(seconds=60)  # cancels are refused once the closing auction starts
MAX_REJECTIONS = 3


class ParentLifecycle:
    def __init__(self, desk: ExecutionDesk) -> None:
        self.desk = desk
        self.workers: dict[str, ParentWorker] = {}
        self.rejections: dict[str, int] = {}
        self.halted = bool(desk.deps.queue.halted())

    # ---- taking parents on ---------------------------------------------------------
    def adopt_live(self, day: date) -> None:
        for record in self.desk.deps.queue.list_orders(day, LIVE_STATES):
            self._adopt(record)

    def work(self, record: OrderRecord) -> None:
        """An approved order from the bus: start it (or adopt it if already started)."""
        current = self.desk.deps.queue.get(record.order_id) or record
        if current.order.trade_date != self.desk.day:
            logger.warning("order {} is for {}, not today: ignored", current.order_id,
                           current.order.trade_date)
            return
        if current.state is OrderState.APPROVED:
            current = self.desk.deps.queue.apply(current.order_id, Action.START, actor=ACTOR,
                                                 reason="taken by the execution service")
        if current.state in LIVE_STATES:
            worker = self._adopt(current)  # replaces a worker left from before an amendment
            if self.desk.market.quote(current.order.symbol) is None:
                self.desk.catch_up()  # the subscription's first tick is in flight
            self._advance(worker, self.desk.now())

    def _adopt(self, record: OrderRecord) -> ParentWorker:
        order = record.order
        profile = self.desk.deps.profile(order.symbol, order.trade_date) \
            if order.algo is Algo.VWAP else VolumeProfile()
        worker = ParentWorker(record, build_curve(order, self.desk.cfg.algo,
                                                  self.desk.cfg.slice_interval_s, profile),
                              self.desk.cfg.algo, self.desk.cfg.slice_interval_s)
        if record.state is OrderState.PAUSED:
            worker.stopping = "paused"
        self.desk.book.load(order.order_id)
        self.workers[order.order_id] = worker
        self.subscribe(order.symbol, self.desk.routes.for_order(order))
        return worker

    def subscribe(self, symbol: str, gateway: str) -> None:
        from vnpy.trader.object import SubscribeRequest

        from execution.gateway.convert import split_symbol

        code, exchange = split_symbol(symbol)
        self.desk.bridge.subscribe(SubscribeRequest(code, exchange), gateway)

    # ---- commands --------------------------------------------------------------------
    def control(self, order_id: str, command: str, user: str, reason: str) -> None:
        worker = self.workers.get(order_id)
        if worker is None:
            raise IllegalTransition(f"order {order_id} is not being worked by this service")
        why = f"{command} by {user}" + (f": {reason}" if reason else "")
        if command == "pause":
            self._apply(worker, Action.PAUSE, why)
            worker.stopping = "paused"
        elif command == "resume":
            self._apply(worker, Action.RESUME, why)
            worker.stopping, worker.next_at = "", None
        elif command == "amend":  # an edit needs a paused order: no child live at the broker
            self._apply(worker, Action.PAUSE, why)
            worker.stopping = "amend"
        elif command == "cancel":
            worker.stopping = command
        self._advance(worker, self.desk.now())

    def halt(self, halted: bool, why: str) -> None:
        """The kill switch: cancel every working child now; send nothing until lifted."""
        self.halted = halted
        if halted:
            for child in self.desk.book.open():
                self.desk.sender.cancel(child)
        self.desk.alert("critical" if halted else "info",
                        "trading halted" if halted else "halt lifted", why)

    # ---- each step -------------------------------------------------------------------
    def refresh(self) -> None:
        """Notice outside changes to a record (an edit sends it back for approval)."""
        for order_id, worker in self.workers.items():
            record = self.desk.deps.queue.get(order_id)
            if record is None:
                continue
            worker.record = record
            if record.state not in LIVE_STATES and not worker.stopping:
                worker.stopping = f"no longer working ({record.state.value})"

    def after_events(self, seen: Seen) -> None:
        for child in seen.rejected:
            count = self.rejections.get(child.order_id, 0) + 1
            self.rejections[child.order_id] = count
            worker = self.workers.get(child.order_id)
            if worker is not None and count >= MAX_REJECTIONS and not worker.stopping:
                worker.stopping = "rejected"
                self.desk.alert("warning", f"{child.order_id} stopped after {count} rejections",
                                f"last: {child.reference} {child.quantity}@{child.price}")
        rejected = {c.order_id for c in seen.rejected}
        for order_id in seen.changed:
            if order_id not in rejected:
                self.rejections.pop(order_id, None)
            record = self.desk.fills.queue.get(order_id)
            if record is not None and order_id in self.workers:
                self.workers[order_id].record = record

    def advance_all(self, now: datetime) -> None:
        for worker in list(self.workers.values()):
            self._advance(worker, now)

    def _advance(self, worker: ParentWorker, now: datetime) -> None:
        order = worker.record.order
        children = self.desk.book.of(order.order_id)
        self._end_of_day_rules(worker, now)
        if self.halted:
            return self._finish_if_idle(worker, children, now)
        phase = session_phase(now, order.symbol)
        quote = self.desk.market.quote(order.symbol)
        worker.pov_base = pov_base(self.desk, worker, now)
        position = sizing_position(self.desk, order)
        recent = self.desk.market.recent_volume(order.symbol, now, self.desk.cfg.slice_interval_s)
        decision = worker.decide(now, phase, children, quote, position, recent)
        if isinstance(decision, Send) and quote is not None:
            sent = self.desk.sender.send(order, decision.child, decision.phase, quote, position,
                                         now)
            if isinstance(sent, ChildOrder):
                worker.sent(now, sent.slice_no)
            else:
                self._note(worker, sent)
        elif isinstance(decision, Cancel):
            for child in decision.children:
                self.desk.sender.cancel(child)
        elif isinstance(decision, Wait):
            self._note(worker, decision.reason)
        return self._finish_if_idle(worker, self.desk.book.of(order.order_id), now)

    def _end_of_day_rules(self, worker: ParentWorker, now: datetime) -> None:
        eod = at(self.desk.day, self.desk.cfg.end_of_day)
        auction = self.desk.cfg.algo.closing_auction and worker.record.order.kind is OrderKind.STOCK
        cutoff = at(self.desk.day, time(15, 0)) if auction else eod - EOD_CANCEL_LEAD
        if now >= cutoff and worker.stopping != "cancel":
            worker.stopping = "end of day"

    def _finish_if_idle(self, worker: ParentWorker, children: list[ChildOrder],
                        now: datetime) -> None:
        if any(c.open for c in children):
            return
        state = worker.record.state
        left = worker.left(children)
        if state is OrderState.FILLED or state not in LIVE_STATES:
            self.workers.pop(worker.order_id, None)
        elif worker.stopping == "cancel":
            self._apply(worker, Action.CANCEL, f"cancelled with {left} left")
            self.workers.pop(worker.order_id, None)
        elif worker.stopping == "end of day" and now >= at(self.desk.day, self.desk.cfg.end_of_day):
            total = worker.record.order.quantity
            self._apply(worker, Action.END_OF_DAY, f"{left} of {total} left at the end of day")
            self.workers.pop(worker.order_id, None)

    # ---- helpers ---------------------------------------------------------------------
    def _apply(self, worker: ParentWorker, action: Action, why: str) -> None:
        self.desk.fills.sync_parent(worker.order_id)
        try:
            worker.record = self.desk.deps.queue.apply(worker.order_id, action, actor=ACTOR,
                                                       reason=why)
        except IllegalTransition as exc:
            logger.warning("{}: {}", worker.order_id, exc)

    def _note(self, worker: ParentWorker, reason: str) -> None:
        if reason == worker.note:
            return
        worker.note = reason
        body = OrderEvent(record=worker.record, event="waiting", detail=reason)
        publish(self.desk.client, streams.EVENTS, "order.event", body, source=ACTOR,
                ts=self.desk.now())
