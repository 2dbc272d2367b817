"""The parents a desk is working: taking them on, deciding, controlling, finishing.

A parent is finished only when none of its children can still trade: then it is
cancelled, marked done for the day (with what is left), or dropped (filled, or sent
back for re-approval after an edit). So a fill can never arrive for a parent that is
no longer there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import redis
from loguru import logger

from bus import streams
from bus.bus import publish
from bus.messages import OrderEvent
from exchange import session_phase
from execution.algos.planner import Wait, build_curve
from execution.algos.profile import VolumeProfile
from execution.algos.window import at
from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.queue import OrderQueue, WatchedStart
from execution.config import ExecutionConfig
from execution.engine.bridge import VnpyBridge
from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, ChildStore
from execution.worker.fills import FillBook
from execution.worker.inbox import Seen
from execution.worker.market import MarketState
from execution.worker.parent import Cancel, ParentWorker, Send
from execution.worker.positions import pov_base, sizing_position
from execution.worker.sender import ChildSender, Routes, Wanted
from orders.order import LIVE_STATES, Algo, Order, OrderKind, OrderRecord, OrderState

ACTOR = "execution"
EOD_CANCEL_LEAD = timedelta(seconds=60)  # cancels are refused once the closing auction starts
MAX_REJECTIONS = 3


@dataclass(frozen=True)
class ParentParts:
    """Everything the parents work with, handed over by the desk (and nothing else of it)."""

    queue: OrderQueue
    cfg: ExecutionConfig
    day: date
    client: redis.Redis
    book: ChildBook
    fills: FillBook
    market: MarketState
    sender: ChildSender
    bridge: VnpyBridge
    routes: Routes
    profile: Callable[[str, date], VolumeProfile]
    now: Callable[[], datetime]
    alert: Callable[[str, str, str], None]
    catch_up: Callable[[], None]  # apply the gateway events already in flight


class ParentLifecycle:
    def __init__(self, parts: ParentParts) -> None:
        self.parts = parts
        self.workers: dict[str, ParentWorker] = {}
        self.rejections: dict[str, int] = {}
        self.halted = bool(parts.queue.halted())
        self._subscribed: set[tuple[str, str]] = set()  # (gateway, symbol) asked for here

    # ---- taking parents on ---------------------------------------------------------
    def adopt_live(self, day: date) -> None:
        for record in self.parts.queue.list_orders(day, LIVE_STATES):
            if self.parts.queue.account_of(record.order) == self.parts.cfg.account:
                self._adopt(record)  # another account's order is its own service's

    def start_watch(self, order_id: str) -> list[str]:
        """The keys a START decided on the decision's own read WATCHes (`work(watched=)`)."""
        return self.parts.queue.start_watch(order_id)

    def start_reads(self, order_id: str) -> list[tuple[Any, ...]]:
        """What such a START reads, after its record: the halt, the parent's children."""
        return [*self.parts.queue.start_reads(order_id), *ChildStore.children_reads(order_id)]

    def work(self, record: OrderRecord, watched: tuple[Any, list[Any]] | None = None) -> None:
        """An approved order from the bus: start it (or adopt it if already started).

        `watched`: the pipeline that WATCHed `start_watch` before `record` was read, and
        the replies to `start_reads`: the START and the first child's record then go in
        one MULTI/EXEC (`redis.WatchError` when a watched key changed: nothing done)."""
        # An approved record is read again by its START transaction: no read here.
        fresh = record.state is OrderState.APPROVED
        current = record if fresh else self.parts.queue.get(record.order_id) or record
        if current.order.trade_date != self.parts.day:
            logger.warning("order {} is for {}, not today: ignored", current.order_id,
                           current.order.trade_date)
            return
        if fresh and watched is not None:
            self._start_watched(current, *watched)
            return
        children: list[Any] | None = None
        if current.state is OrderState.APPROVED:  # its children come with the START
            current, children = self.parts.queue.start(
                current.order_id, actor=ACTOR, reason="taken by the execution service",
                reads=self.parts.book.store.children_reads(current.order_id))
        if current.state in LIVE_STATES:
            worker = self._adopt(current, children)  # replaces one left from before an amendment
            if self.parts.market.quote(current.order.symbol) is None:
                self.parts.catch_up()  # the subscription's first tick is in flight
            self._advance(worker, self.parts.now())

    def _start_watched(self, record: OrderRecord, pipe: Any, read: list[Any]) -> None:
        """START on what was read under WATCH, with the first child decided on the started
        record and recorded in the same transaction, then sent: the child is in Redis
        before it goes out, and nothing is started, recorded or sent if the order, or the
        halt, changed since the read (the EXEC fails; this raises `redis.WatchError`)."""
        for reply in read:
            if isinstance(reply, Exception):
                raise reply
        halt = read[:len(self.parts.queue.start_reads(record.order_id))]
        children = read[len(halt):]
        now = self.parts.now()
        previous = self.workers.get(record.order_id)  # one left from before an amendment
        adopted: list[ParentWorker] = []
        wanted: list[Wanted] = []
        prepared: list[ChildOrder | str] = []

        def first_child(started: OrderRecord) -> list[tuple[Any, ...]]:
            adopted.append(self._adopt(started, children))
            if self.parts.market.quote(started.order.symbol) is None:
                self.parts.catch_up()  # the subscription's first tick is in flight
            item = self._first_wanted(adopted[0], now)
            if item is None:
                return []
            wanted.append(item)
            prepared.extend(self.parts.sender.prepare_all([item]))
            return ChildStore.record_commands([c for c in prepared if isinstance(c, ChildOrder)])

        try:
            self.parts.queue.start(record.order_id, actor=ACTOR,
                                   reason="taken by the execution service",
                                   watched=WatchedStart(pipe, record, halt), also=first_child)
        except BaseException:  # not started: forget what was taken on for it
            if adopted:
                self.workers.pop(record.order_id, None)
                if previous is not None:
                    self.workers[record.order_id] = previous
            for child in prepared:
                if isinstance(child, ChildOrder):
                    self.parts.book.store.unnumber(child)
            raise
        if wanted:
            self._send([(adopted[0], wanted[0])], now, prepared)
        else:
            self._advance(adopted[0], now)

    def _adopt(self, record: OrderRecord, children: list[Any] | None = None) -> ParentWorker:
        order = record.order
        profile = self.parts.profile(order.symbol, order.trade_date) \
            if order.algo is Algo.VWAP else VolumeProfile()
        worker = ParentWorker(record, build_curve(order, self.parts.cfg.algo,
                                                  self.parts.cfg.slice_interval_s, profile),
                              self.parts.cfg.algo, self.parts.cfg.slice_interval_s)
        if record.state is OrderState.PAUSED:
            worker.stopping = "paused"
        self.parts.book.load(order.order_id, children)
        self.workers[order.order_id] = worker
        self.subscribe(order.symbol, self.parts.routes.for_order(order))
        return worker

    def subscribe(self, symbol: str, gateway: str) -> None:
        """Ask the gateway for the symbol's ticks; once they come, asking again for each
        parent in the symbol only costs vnpy's log line and the gateway's work (a
        gateway keeps its subscriptions across a reconnect, as vnpy's do)."""
        from vnpy.trader.object import SubscribeRequest

        from execution.gateway.convert import split_symbol

        if (gateway, symbol) in self._subscribed and self.parts.market.quote(symbol) is not None:
            return
        code, exchange = split_symbol(symbol)
        self.parts.bridge.subscribe(SubscribeRequest(code, exchange), gateway)
        self._subscribed.add((gateway, symbol))

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
        self._advance(worker, self.parts.now())
        gateway = self.parts.routes.for_order(worker.record.order)
        if command != "resume" and not self.parts.sender.ready(gateway):
            self.parts.alert("warning", f"{command} of {order_id} queued: {gateway} is not ready",
                             "its working children are cancelled when the line is back and the "
                             "broker's replay is matched; the parent is finished only when none "
                             "of them can still trade")

    def halt(self, halted: bool, why: str) -> None:
        """The kill switch: cancel every working child now; send nothing until lifted."""
        self.halted = halted
        waiting: dict[str, int] = {}
        if halted:
            for child in self.parts.book.open():
                if not self.parts.sender.cancel(child) and not self.parts.sender.ready(
                        child.gateway):
                    waiting[child.gateway] = waiting.get(child.gateway, 0) + 1
        self.parts.alert("critical" if halted else "info",
                        "trading halted" if halted else "halt lifted", why)
        for gateway, count in sorted(waiting.items()):
            self.parts.alert("critical", f"halt queued for {gateway}: it is disconnected",
                             f"{count} children may still trade at the broker until the line is "
                             "back; they are cancelled the moment its replay is matched")

    # ---- each step -------------------------------------------------------------------
    def refresh(self) -> None:
        """Notice outside changes to a record (an edit sends it back for approval)."""
        for order_id, worker in self.workers.items():
            record = self.parts.queue.get(order_id)
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
                self.parts.alert("warning", f"{child.order_id} stopped after {count} rejections",
                                f"last: {child.reference} {child.quantity}@{child.price}")
        rejected = {c.order_id for c in seen.rejected}
        for order_id in seen.changed - rejected:
            self.rejections.pop(order_id, None)
        mine = sorted(i for i in seen.changed if i in self.workers)
        for order_id, record in self.parts.fills.records(mine).items():  # one round trip
            self.workers[order_id].record = record

    def advance_all(self, now: datetime) -> None:
        """Let every parent decide; the children they decide go out together (their
        records in one round trip before the first is sent)."""
        pending: list[tuple[ParentWorker, Wanted]] = []
        for worker in list(self.workers.values()):
            if _sized_on_open_sells(worker.record.order, pending):
                self._send(pending, now)  # its sizing counts the sells on their way
                pending = []
            wanted = self._decide(worker, now)
            if wanted is not None:
                pending.append((worker, wanted))
        self._send(pending, now)

    def _advance(self, worker: ParentWorker, now: datetime) -> None:
        wanted = self._decide(worker, now)
        if wanted is not None:
            self._send([(worker, wanted)], now)

    def _decide(self, worker: ParentWorker, now: datetime) -> Wanted | None:
        """What the parent wants sent; anything else it decides is carried out here."""
        order = worker.record.order
        children = self.parts.book.of(order.order_id)
        self._end_of_day_rules(worker, now)
        if self.halted:
            self._finish_if_idle(worker, children, now)
            return None
        decision, quote, position = self._consider(worker, now)
        if isinstance(decision, Send) and quote is not None:
            return order, decision.child, decision.phase, quote, position
        if isinstance(decision, Cancel):
            for child in decision.children:
                self.parts.sender.cancel(child)
        elif isinstance(decision, Wait):
            self._note(worker, decision.reason)
        self._finish_if_idle(worker, self.parts.book.of(order.order_id), now)
        return None

    def _first_wanted(self, worker: ParentWorker, now: datetime) -> Wanted | None:
        """The child a parent just taken on wants sent, decided without acting on anything
        (its START is not written yet); any other decision waits for `_advance` after."""
        self._end_of_day_rules(worker, now)  # only marks the worker
        if self.halted:
            return None
        decision, quote, position = self._consider(worker, now)
        if isinstance(decision, Send) and quote is not None:
            return worker.record.order, decision.child, decision.phase, quote, position
        return None

    def _consider(self, worker: ParentWorker, now: datetime) -> tuple[Any, Any, Any]:
        """The parent's decision now, with the quote and the position it was sized on."""
        order = worker.record.order
        phase = session_phase(now, order.symbol)
        quote = self.parts.market.quote(order.symbol)
        worker.pov_base = pov_base(self.parts.market, self.parts.client, self.parts.day, worker,
                                   now)
        position = sizing_position(self.parts.fills, self.parts.book, order)
        recent = self.parts.market.recent_volume(order.symbol, now, self.parts.cfg.slice_interval_s)
        children = self.parts.book.of(order.order_id)
        return worker.decide(now, phase, children, quote, position, recent), quote, position

    def _send(self, pending: list[tuple[ParentWorker, Wanted]], now: datetime,
              prepared: list[ChildOrder | str] | None = None) -> None:
        if not pending:
            return
        results = self.parts.sender.send_all([wanted for _, wanted in pending], now, prepared)
        for (worker, _), sent in zip(pending, results, strict=True):
            if isinstance(sent, ChildOrder):
                worker.sent(now, sent.slice_no)
            else:
                self._note(worker, sent)
            self._finish_if_idle(worker, self.parts.book.of(worker.order_id), now)

    def _end_of_day_rules(self, worker: ParentWorker, now: datetime) -> None:
        eod = at(self.parts.day, self.parts.cfg.end_of_day)
        stock = worker.record.order.kind is OrderKind.STOCK
        auction = self.parts.cfg.algo.closing_auction and stock
        cutoff = at(self.parts.day, time(15, 0)) if auction else eod - EOD_CANCEL_LEAD
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
        elif worker.stopping == "end of day" and now >= at(self.parts.day,
                                                           self.parts.cfg.end_of_day):
            total = worker.record.order.quantity
            self._apply(worker, Action.END_OF_DAY, f"{left} of {total} left at the end of day")
            self.workers.pop(worker.order_id, None)

    # ---- helpers ---------------------------------------------------------------------
    def _apply(self, worker: ParentWorker, action: Action, why: str) -> None:
        self.parts.fills.sync_parent(worker.order_id)
        try:
            worker.record = self.parts.queue.apply(worker.order_id, action, actor=ACTOR,
                                                       reason=why)
        except IllegalTransition as exc:
            logger.warning("{}: {}", worker.order_id, exc)

    def _note(self, worker: ParentWorker, reason: str) -> None:
        if reason == worker.note:
            return
        worker.note = reason
        body = OrderEvent(record=worker.record, event="waiting", detail=reason)
        publish(self.parts.client, streams.EVENTS, "order.event", body, source=ACTOR,
                ts=self.parts.now())


def _sized_on_open_sells(order: Order, pending: list[tuple[ParentWorker, Wanted]]) -> bool:
    """A sell (not a hedge) is sized on the sells already working in its symbol
    (`sizing_position`): one of those still waiting to be sent must be recorded first."""
    if order.kind is OrderKind.HEDGE or order.side.value != "sell":
        return False
    return any(wanted[0].symbol == order.symbol and wanted[0].side.value == "sell"
               for _, wanted in pending)
