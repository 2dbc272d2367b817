"""`SimGateway`: the simulated broker behind vnpy's gateway interface.

Add it with `main_engine.add_gateway(SimGateway)`, give it its dependencies with
`bind(...)`, then `connect({"account": ...})`. On connect it pushes contracts, the
account, positions and the day's orders and trades (as CTP does after a login), which
is what lets a restarted service reconcile. A background thread matches orders as the
desk's clock passes each minute; `drop_connection()` simulates a broken line: the
exchange keeps matching, but nothing reaches the desk until it connects again.

`orders_together()`: the orders sent inside are accepted or refused one by one as they
arrive, and written to the broker's books in one transaction at its end; every event of
the block (their acknowledgements) is pushed only once that is written, so a crash
before it loses only orders the desk never heard were accepted, as a broker's
unconfirmed requests are (the desk's restart finds their records LOST).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import redis
from vnpy.event import EventEngine
from vnpy.trader.constant import Exchange, OrderType
from vnpy.trader.gateway import BaseGateway
from vnpy.trader.object import CancelRequest, OrderRequest, SubscribeRequest

from execution.config import SimConfig
from execution.gateway.convert import VNPY_TO_OFFSET, side_of, whole
from execution.gateway.sim import events
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.exchange import SimExchange, Update
from execution.gateway.sim.models import SimOrder
from execution.gateway.sim.tape import SimTape, TapeSource
from marketdata.clock import Clock


@dataclass(frozen=True)
class SimDeps:
    client: redis.Redis
    clock: Clock
    source: TapeSource
    cfg: SimConfig
    initial_cash: Decimal
    auto_match: bool = True  # False: the caller drives matching with `advance()`


class SimGateway(BaseGateway):
    default_name = "SIM"
    # vnpy's BaseGateway declares these as plain class attributes.
    default_setting: dict[str, str | int | float | bool] = {"account": "paper"}  # noqa: RUF012
    replays_synchronously = True  # connect() has pushed the whole replay when it returns
    exchanges: list[Exchange] = [  # noqa: RUF012
        Exchange.SSE, Exchange.SZSE, Exchange.BSE, Exchange.CFFEX,
    ]

    def __init__(self, event_engine: EventEngine, gateway_name: str) -> None:
        super().__init__(event_engine, gateway_name)
        self.deps: SimDeps | None = None
        self.exchange: SimExchange | None = None
        self.connected = False
        self.subscribed: set[str] = set()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._held: list[tuple[str, object]] | None = None  # events inside orders_together

    def bind(self, deps: SimDeps) -> None:
        self.deps = deps

    def _need(self) -> tuple[SimDeps, SimExchange]:
        if self.deps is None or self.exchange is None:
            raise RuntimeError(f"{self.gateway_name}: call bind() and connect() before trading")
        return self.deps, self.exchange

    # ---- connection -----------------------------------------------------------------
    def connect(self, setting: dict[str, Any]) -> None:
        if self.deps is None:
            raise RuntimeError(f"{self.gateway_name}: bind(SimDeps) before connect()")
        with self._lock:
            day: date = self.deps.clock.now().date()
            if self.exchange is None or self.exchange.day != day:
                book = SimBook(self.deps.client, str(setting.get("account", "paper")),
                               self.deps.initial_cash)
                self.exchange = SimExchange(book, SimTape(day, self.deps.source), self.deps.cfg)
            self.exchange.open()
            self.connected = True
            self._replay()
        if self.deps.auto_match and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sim-matcher", daemon=True)
            self._thread.start()
        self.write_log("simulated broker connected")

    def _replay(self) -> None:
        _, exchange = self._need()
        for symbol in sorted(exchange.tape.refs):
            self.on_contract(events.contract(symbol, self.gateway_name))
        self._push_account()
        for symbol, position in exchange.book.positions().items():
            for item in events.positions(symbol, position, self.gateway_name):
                self.on_position(item)
        for order in exchange.book.orders(exchange.day):
            self.on_order(events.order(order, self.gateway_name))
        for trade in exchange.book.trades(exchange.day):
            self.on_trade(events.trade(trade, self.gateway_name))

    def drop_connection(self) -> None:
        """Simulate a broken line (tests, drills): the desk stops hearing from the broker."""
        self.connected = False
        self.write_log("simulated broker connection dropped")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.connected = False

    # ---- requests -------------------------------------------------------------------
    @contextmanager
    def orders_together(self) -> Iterator[None]:
        """Orders (and cancels) sent inside are written in one transaction at the end;
        their events are pushed after it. An error inside: what was accepted before it is
        written and acknowledged all the same, then the error goes on. The matcher waits
        (the lock is held throughout)."""
        with self._lock:
            if self._held is not None or self.exchange is None:
                yield
                return
            held: list[tuple[str, object]] = []
            failed: Exception | None = None
            self._held = held
            try:
                with self.exchange.together():
                    try:
                        yield
                    except Exception as exc:  # written first: those orders were accepted
                        failed = exc
            finally:
                self._held = None
            for kind, data in held:
                super().on_event(kind, data)
            if failed is not None:
                raise failed

    def on_event(self, type: str, data: object = None) -> None:  # vnpy names it `type`
        if self._held is not None:
            self._held.append((type, data))
            return
        super().on_event(type, data)

    def send_order(self, req: OrderRequest) -> str:
        deps, exchange = self._need()
        with self._lock:
            orderid = str(exchange.book.next_id())
            if not self.connected or req.type is not OrderType.LIMIT:
                data = req.create_order_data(orderid, self.gateway_name)
                data.status = events.Status.REJECTED
                self.on_order(data)
                return data.vt_orderid
            order = SimOrder(
                orderid=orderid, symbol=req.vt_symbol, side=side_of(req.direction),
                offset=VNPY_TO_OFFSET[req.offset], price=Decimal(repr(req.price)),
                volume=whole(req.volume, "order volume"), reference=req.reference,
                created_at=deps.clock.now(),
            )
            placed = exchange.submit(order, order.created_at)
            if placed.status == "REJECTED":
                self.write_log(f"order {orderid} {req.reference} rejected: {placed.reason}")
            self.on_order(events.order(placed, self.gateway_name))
            return f"{self.gateway_name}.{orderid}"

    def cancel_order(self, req: CancelRequest) -> None:
        deps, exchange = self._need()
        with self._lock:
            if not self.connected:
                self.write_log(f"cancel of {req.orderid} not sent: not connected")
                return
            ended, why = exchange.cancel(req.orderid, deps.clock.now())
            if ended is None:
                self.write_log(f"cancel of {req.orderid} refused: {why}")
                return
            self.on_order(events.order(ended, self.gateway_name))
            self._push_account()

    def subscribe(self, req: SubscribeRequest) -> None:
        _, exchange = self._need()
        with self._lock:
            exchange.ensure([req.vt_symbol])
            self.subscribed.add(req.vt_symbol)
            if req.vt_symbol in exchange.tape.refs:
                self.on_contract(events.contract(req.vt_symbol, self.gateway_name))
            ref = exchange.tape.refs.get(req.vt_symbol)
            bar = exchange.last.get(req.vt_symbol)
            if ref is None or not self.connected:
                return
            if bar is None:
                self.on_tick(events.preopen_tick(req.vt_symbol, ref, self._need()[0].clock.now(),
                                                 self.gateway_name))
            else:
                self.on_tick(events.tick(bar, ref, exchange.day_volume.get(bar.symbol, 0),
                                         self.gateway_name))

    def query_account(self) -> None:
        with self._lock:
            self._push_account()

    def query_position(self) -> None:
        _, exchange = self._need()
        with self._lock:
            for symbol, position in exchange.book.positions().items():
                for item in events.positions(symbol, position, self.gateway_name):
                    self.on_position(item)

    # ---- matching -------------------------------------------------------------------
    def advance(self) -> None:
        """Match up to the clock's now and push what happened (if connected)."""
        deps, exchange = self._need()
        with self._lock:
            update = exchange.advance(deps.clock.now())
            if self.connected:
                self._push(update, exchange)

    def _push(self, update: Update, exchange: SimExchange) -> None:
        for bar in update.bars:
            ref = exchange.tape.refs.get(bar.symbol)
            # A stock suspended today has no reference (no limits, no trading): no tick.
            if bar.symbol in self.subscribed and ref is not None:
                self.on_tick(events.tick(bar, ref, exchange.day_volume.get(bar.symbol, 0),
                                         self.gateway_name))
        for trade in update.trades:
            self.on_trade(events.trade(trade, self.gateway_name))
        for order in update.orders:
            self.on_order(events.order(order, self.gateway_name))
        for expiry in update.expiries:  # settled at expiry: the position is gone
            for item in events.positions(expiry.symbol, exchange.book.position(expiry.symbol),
                                         self.gateway_name):
                self.on_position(item)
        if update.trades or update.expiries:
            self._push_account()

    def _push_account(self) -> None:
        _, exchange = self._need()
        if self.connected:
            self.on_account(events.account(exchange.book.cash(), exchange.available_cash(),
                                           self.gateway_name))

    def _run(self) -> None:
        deps, _ = self._need()
        while not self._stop.wait(deps.cfg.match_interval_s):
            try:
                self.advance()
            except Exception as exc:  # keep matching; the error is logged for operators
                self.write_log(f"simulated matching failed: {exc!r}")

