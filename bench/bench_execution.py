"""Execution benchmark: approval -> first child at the gateway (p50 / p99), child orders
per second through MainEngine and the simulated gateway, and execution quality on a
simulated day beside vnpy_algotrading's TWAP on the same tape and parameters.

    python bench/bench_execution.py [--parents 300[,3000]] [--children 2000] [--symbols 5]
                                    [--only approval|children|quality] [--rounds 3]

The approval figure is timed beside two peers, interleaved sample by sample so the
machine's noise falls on all three alike: vnpy's own MainEngine send -> trade event
(a gateway that fills at once) and one raw Redis XADD on the same server; the ratios
are printed with them. The children-per-second figure (`--only children`) is timed the
same way, round by round, beside vnpy's own burst: `--children` orders through
MainEngine to a gateway that acknowledges each at once, until the last order event.

Execution quality (`--only quality`) is run at limits +5% and +1% over the previous
close with three algorithms on the same tape, one after the other: the desk's TWAP,
vnpy's TwapAlgo as shipped (every child at the parent's limit, which the A-share price
cage rejects when the market is more than ~2% below it) and the same TwapAlgo with each
child's price clipped into the cage (the fair comparison). The simulated clock drives
all three, so the figures do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import redis

from execution.engine.home import prepare_vnpy_home

DAY = date(2026, 11, 23)
WINDOW = (dtime(9, 30), dtime(11, 30))
# The desk's loop (gateway events, every live parent's next slice) is outside the timed
# window; stepping it after every approval made 3,000 live parents O(n^2) in run time.
STEP_EVERY = 25
BENCH_CALL = "eBenchCall"  # a harness call run on vnpy's event thread (on_event_thread)


def at(clock_time: dtime) -> datetime:
    from marketdata.clock import EXCHANGE_TZ

    return datetime.combine(DAY, clock_time, tzinfo=EXCHANGE_TZ)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- the desk, with a gateway that notes when each order arrives ----------------------
def timed_gateway() -> type[Any]:
    from execution.gateway.sim.gateway import SimGateway

    class TimedSimGateway(SimGateway):
        arrivals: dict[str, float] = {}  # noqa: RUF012 - a bench probe
        cpu_at: dict[str, float] = {}  # noqa: RUF012 - this thread's CPU time then

        def send_order(self, req: Any) -> str:
            TimedSimGateway.arrivals[req.reference] = time.perf_counter()
            TimedSimGateway.cpu_at[req.reference] = time.thread_time()
            return super().send_order(req)

    return TimedSimGateway


def build_desk(client: redis.Redis, data_dir: Path, clock: Any, source: Any,
               cfg: Any) -> Any:
    from execution.approval.queue import OrderQueue
    from execution.gateway.factory import GATEWAYS, GatewaySpec
    from execution.gateway.sim.gateway import SimDeps
    from execution.worker.desk import DeskDeps, ExecutionDesk

    gateway = timed_gateway()
    GATEWAYS["sim"] = GatewaySpec(__name__, "_TIMED", "SIM")
    globals()["_TIMED"] = gateway
    sim = SimDeps(client, clock, source, cfg.sim, cfg.initial_cash, auto_match=False)
    desk = ExecutionDesk(DeskDeps(client, clock, OrderQueue(client, clock), cfg, data_dir, sim))
    desk.start()
    return desk


def order(order_id: str, symbol: str, quantity: int, reference: Decimal,
          limit: Decimal | None = None, window: tuple[dtime, dtime] = WINDOW) -> Any:
    from exchange import Side
    from orders.order import Algo, Order

    return Order(order_id=order_id, trade_date=DAY, symbol=symbol, side=Side.BUY,
                 quantity=quantity, reference_price=reference, limit_price=limit,
                 algo=Algo.TWAP, start_time=window[0], end_time=window[1])


# ---- 1. approval -> first child at the gateway, with its peers ------------------------
@dataclass
class Latency:
    """Milliseconds per sample: the desk's approval -> first child, and the peers."""

    desk: list[float]
    vnpy: list[float]  # MainEngine.send_order -> the trade event, a gateway that fills at once
    xadd: list[float]  # one XADD of a decision-sized entry on the same Redis
    # The desk's own CPU time in the window (one thread: the consumer polls after the
    # approval); less exposed than the wall time to other processes on the machine.
    cpu: list[float] = field(default_factory=list)


def desk_client(url: str) -> redis.Redis:
    """A client packing commands as the services' does (`services.connect`: arguments
    converted in C, `bus.packing`), where the tree has it."""
    try:
        from bus.packing import packed_client
    except ImportError:
        return redis.Redis.from_url(url, decode_responses=True)
    return packed_client(url, decode_responses=True)


def step_collector(enabled: bool) -> Any:
    """The execution service's collector (`services.step_gc`: collections at the end of
    its steps, not inside an approval); None when off or on a tree without it."""
    if not enabled:
        return None
    try:
        from services.step_gc import StepCollector
    except ImportError:
        return None
    return StepCollector()


def bench_latency(client: redis.Redis, data_dir: Path, parents: int,
                  waiting: bool = False, step_gc: bool = True) -> Latency:
    """`waiting`: the approval is made by another process (the console, as in production)
    while the desk's consumer is already blocked in XREADGROUP, as the service waits
    between steps; otherwise the consumer polls after the approval, in one process (its
    XREADGROUP inside the timed window: the service when a step was running).
    `step_gc`: collect garbage as the service does, after each approval's step (off:
    CPython's automatic collections, wherever they land)."""
    from bus import streams
    from bus.bus import StreamConsumer
    from execution.approval.lifecycle import Action
    from execution.config import ExecutionConfig
    from execution.gateway.sim.scenario import random_day, scenario
    from marketdata.clock import FixedClock

    client.flushall()
    clock = FixedClock(at(dtime(10, 0)))
    symbol = "600000.SSE"
    bars = random_day(DAY, [symbol])
    reference = Decimal(str(bars[symbol].prev_close))
    limit = (reference * Decimal("1.05")).quantize(Decimal("0.01"))
    desk = build_desk(client, data_dir / f"lat{parents}", clock, scenario(DAY, bars),
                      ExecutionConfig())
    peer = VnpyPeer(data_dir / f"peer{parents}")
    console = Console(client) if waiting else None
    collector = step_collector(step_gc)
    try:
        desk.bridge.gateway("SIM").advance()
        work = worker(desk)
        consumer = StreamConsumer(client, streams.DECISIONS, streams.GROUP_EXECUTION, "bench",
                                  {"decision": work}, block_ms=50)
        consumer.poll(block=False)
        arrivals = desk.bridge.gateway("SIM").arrivals
        result = Latency([], [], [])
        if collector is not None:
            collector.start()  # as the service does once set up
        for i in range(parents + 1):
            parent = order(f"lat{i}", symbol, 100_000, reference, limit)
            if console is not None:
                console.approve(parent)
                while not consumer.poll(block=True):  # blocked when the decision lands
                    pass
                started = console.started()
            else:
                desk.deps.queue.ingest(parent, actor="model")
                cpu = time.thread_time()
                started = time.perf_counter()
                desk.deps.queue.apply(parent.order_id, Action.APPROVE, actor="trader")
                consumer.poll(block=True)
            sent = arrivals.get(f"lat{i}#1")
            cpu_sent = desk.bridge.gateway("SIM").cpu_at.get(f"lat{i}#1")
            if i % STEP_EVERY == 0:
                desk.step()
            if collector is not None:  # the end of the service's step, outside the window
                collector.idle()
            if i == 0:  # the first one warms up the symbol's quote
                continue
            assert sent is not None, f"lat{i}: no child reached the gateway"
            result.desk.append((sent - started) * 1000)
            if console is None and cpu_sent is not None:
                result.cpu.append((cpu_sent - cpu) * 1000)
            result.vnpy.append(peer.send_to_trade())
            result.xadd.append(xadd_ms(client, i))
        return result
    finally:
        if collector is not None:
            collector.stop()
        if console is not None:
            console.close()
        peer.close()
        desk.stop()


CONSOLE_HEAD_START_S = 0.003  # the desk's consumer is blocked in XREADGROUP by then


class Console:
    """The approving side in a process of its own: ingest, then (timed) approve. Its
    perf_counter is the system's monotonic clock, the same as this process's."""

    def __init__(self, client: redis.Redis) -> None:
        import multiprocessing

        kwargs = client.connection_pool.connection_kwargs
        url = (f"unix://{kwargs['path']}" if "path" in kwargs
               else f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}")
        context = multiprocessing.get_context("spawn")
        self.requests: Any = context.Queue()
        self.replies: Any = context.Queue()
        self.process = context.Process(target=console_main, args=(url, self.requests,
                                                                  self.replies), daemon=True)
        self.process.start()

    def approve(self, parent: Any) -> None:
        self.requests.put(parent.model_dump_json())

    def started(self) -> float:
        return float(self.replies.get(timeout=30))

    def close(self) -> None:
        self.requests.put(None)
        self.process.join(timeout=10)


def console_main(url: str, requests: Any, replies: Any) -> None:
    from execution.approval.lifecycle import Action
    from execution.approval.queue import OrderQueue
    from marketdata.clock import FixedClock
    from orders.order import Order

    client = desk_client(url)
    queue = OrderQueue(client, FixedClock(at(dtime(10, 0))))
    for raw in iter(requests.get, None):
        parent = Order.model_validate_json(raw)
        queue.ingest(parent, actor="model")
        time.sleep(CONSOLE_HEAD_START_S)
        started = time.perf_counter()
        queue.apply(parent.order_id, Action.APPROVE, actor="trader")
        replies.put(started)


def xadd_ms(client: redis.Redis, i: int) -> float:
    fields = {"type": "decision", "id": f"peer{i}", "source": "bench", "ts": "0",
              "body": '{"order_id": "lat0", "action": "approve", "user": "trader"}'}
    started = time.perf_counter()
    client.xadd("bench:peer:xadd", fields, maxlen=10_000, approximate=True)  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000


class VnpyPeer:
    """vnpy's own path: MainEngine.send_order to the trade event on its event thread."""

    def __init__(self, home: Path) -> None:
        from vnpy.event import EventEngine
        from vnpy.trader.engine import MainEngine
        from vnpy.trader.event import EVENT_TRADE

        prepare_vnpy_home(home)
        self.event_engine = EventEngine()
        self.engine = MainEngine(self.event_engine)
        self.engine.add_gateway(echo_gateway(), "ECHO")
        self.traded = threading.Event()
        self.at = 0.0
        self.event_engine.register(EVENT_TRADE, self._on_trade)

    def _on_trade(self, event: Any) -> None:
        self.at = time.perf_counter()
        self.traded.set()

    def send_to_trade(self) -> float:
        from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
        from vnpy.trader.object import OrderRequest

        request = OrderRequest(symbol="600000", exchange=Exchange.SSE, direction=Direction.LONG,
                               type=OrderType.LIMIT, volume=100, price=10.0, offset=Offset.OPEN)
        self.traded.clear()
        started = time.perf_counter()
        self.engine.send_order(request, "ECHO")
        if not self.traded.wait(5):
            raise TimeoutError("vnpy peer: no trade event within 5 s")
        return (self.at - started) * 1000

    def close(self) -> None:
        self.engine.close()


def echo_gateway(acknowledge_only: bool = False) -> type[Any]:
    from vnpy.trader.constant import Exchange, Status
    from vnpy.trader.gateway import BaseGateway
    from vnpy.trader.object import TradeData

    class EchoGateway(BaseGateway):
        """Fills every order at once, in full (or only acknowledges it): vnpy's dispatch
        and nothing else."""

        default_name = "ECHO"
        default_setting: dict[str, Any] = {}  # noqa: RUF012 - vnpy's interface
        exchanges = [Exchange.SSE]  # noqa: RUF012
        count = 0

        def send_order(self, req: Any) -> str:
            self.count += 1
            order = req.create_order_data(str(self.count), self.gateway_name)
            if acknowledge_only:
                order.status = Status.NOTTRADED
                self.on_order(order)
                return str(order.vt_orderid)
            order.status, order.traded = Status.ALLTRADED, req.volume
            self.on_order(order)
            self.on_trade(TradeData(
                symbol=req.symbol, exchange=req.exchange, orderid=order.orderid,
                tradeid=str(self.count), direction=req.direction, offset=req.offset,
                price=req.price, volume=req.volume, gateway_name=self.gateway_name))
            return str(order.vt_orderid)

        def connect(self, setting: dict[str, Any]) -> None: ...
        def close(self) -> None: ...
        def subscribe(self, req: Any) -> None: ...
        def cancel_order(self, req: Any) -> None: ...
        def query_account(self) -> None: ...
        def query_position(self) -> None: ...

    return EchoGateway


def print_latency(parents: int, result: Latency, waiting: bool = False) -> None:
    desk = (statistics.median(result.desk), pct(result.desk, 0.99))
    how = ("approved by another process, the consumer blocked in XREADGROUP" if waiting
           else "the consumer polled after the approval")
    print(f"\napproval -> first child at the gateway, {parents} parents, {how} "
          f"({len(result.desk)} samples, interleaved with the peers):")
    print(f"{'':40}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    rows = [("desk: approval -> first child", result.desk),
            ("vnpy MainEngine send -> trade", result.vnpy), ("Redis XADD", result.xadd)]
    if result.cpu:
        rows.insert(1, ("desk: its CPU time in that window", result.cpu))
    for name, values in rows:
        print(f"{name:40}{statistics.median(values):>10.3f}{pct(values, 0.99):>10.3f}"
              f"{max(values):>10.3f}")
    for name, values in (("vnpy send -> trade", result.vnpy), ("Redis XADD", result.xadd)):
        print(f"ratio desk / {name}: p50 {desk[0] / statistics.median(values):.1f}x, "
              f"p99 {desk[1] / pct(values, 0.99):.1f}x")


def worker(desk: Any) -> Any:
    """As the service does: the bell names the order; the checked stored record is worked.
    Where the service has it (`_decision_watch`), its own decision handler, on a service
    holding only what that path uses: the work check's and the START's reads go out with
    the consumer's duplicate check under a WATCH, the first child's record with the START.
    On an older tree: one WorkCheck for the run, as the service keeps one (each opens its
    own connections); its reads go out with the consumer's duplicate check
    (`Prefetching`) where the bus has it."""
    from types import SimpleNamespace

    from bus import bus
    from bus.messages import Decision
    from execution.approval.work_check import WorkCheck
    from services.execution_service import ExecutionService

    if hasattr(ExecutionService, "_decision_watch"):
        service = object.__new__(ExecutionService)
        queue = desk.deps.queue
        service.ctx = SimpleNamespace(queue=queue, settings=SimpleNamespace(  # type: ignore[assignment]
            execution=SimpleNamespace(account=queue.account)))
        service.desk = desk
        service.work_check = WorkCheck(queue)
        return bus.Prefetching(service._decision_reads, service._decision,
                               watch=service._decision_watch)
    check = WorkCheck(desk.deps.queue)
    if hasattr(bus, "Prefetching") and hasattr(check, "verified_from"):
        def reads(env: Any) -> list[Any]:
            assert isinstance(env.body, Decision)
            return list(check.reads(env.body))

        def work_read(env: Any, replies: list[Any]) -> None:
            desk.parents.work(check.verified_from(env.body, replies))

        return bus.Prefetching(reads, work_read)

    def work(env: Any) -> None:  # an older tree: a plain handler
        assert isinstance(env.body, Decision)
        desk.parents.work(check.verified(env.body))

    return work


# ---- 2. child orders per second --------------------------------------------------------
CHILDREN_PER_STEP = 100  # children decided in one step of the desk's loop


def bench_throughput(client: redis.Redis, data_dir: Path, children: int) -> float:
    """Children per second: recorded, sent through MainEngine to the simulated gateway,
    acknowledged and the acknowledgement applied, `CHILDREN_PER_STEP` per step."""
    from execution.algos.planner import Child, Position
    from execution.config import ExecutionConfig
    from execution.gateway.sim.scenario import random_day, scenario
    from marketdata.clock import FixedClock

    client.flushall()
    clock = FixedClock(at(dtime(10, 0)))
    symbols = ["600000.SSE", "000001.SZSE", "300750.SZSE", "688001.SSE"]
    desk = build_desk(client, data_dir / "thr", clock, scenario(DAY, random_day(DAY, symbols)),
                      ExecutionConfig(initial_cash=Decimal("1000000000")))
    try:
        gateway = desk.bridge.gateway("SIM")
        for symbol in symbols:
            desk.parents.subscribe(symbol, "SIM")
        gateway.advance()
        desk.step(desk.bridge.barrier())
        parents = [order(f"thr{i}", symbols[i % len(symbols)], 10**6, Decimal("10.00"))
                   for i in range(20)]
        started = time.perf_counter()
        batch: list[Any] = []
        for n in range(children):
            parent = parents[n % len(parents)]
            quote = desk.market.quote(parent.symbol)
            price = (quote.bid or quote.last) - Decimal("0.05")  # rests: nothing fills
            batch.append((parent, Child(200, price), "continuous", quote, Position()))
            if len(batch) == CHILDREN_PER_STEP or n == children - 1:
                send_batch(desk.sender, batch, clock.now())
                batch = []
                desk.step()
        desk.step(desk.bridge.barrier())
        elapsed = time.perf_counter() - started
        working = sum(c.state.value == "working" for c in desk.book.by_ref.values())
        assert working == children, f"{working} of {children} children acknowledged"
        return children / elapsed
    finally:
        desk.stop()


def send_batch(sender: Any, batch: list[Any], now: datetime) -> None:
    """One step's children as the desk's loop sends them (one by one before `send_all`)."""
    if hasattr(sender, "send_all"):
        sender.send_all(batch, now)
        return
    for item in batch:
        sender.send(*item, now)


def vnpy_burst(home: Path, children: int) -> float:
    """vnpy's own burst: MainEngine.send_order to an acknowledging gateway, per second,
    until the last order event reaches a handler on vnpy's event thread."""
    from vnpy.event import EventEngine
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
    from vnpy.trader.engine import MainEngine
    from vnpy.trader.event import EVENT_ORDER
    from vnpy.trader.object import OrderRequest

    prepare_vnpy_home(home)
    event_engine = EventEngine()
    engine = MainEngine(event_engine)
    engine.add_gateway(echo_gateway(acknowledge_only=True), "ECHO")
    seen, done = [0], threading.Event()

    def on_order(event: Any) -> None:
        seen[0] += 1
        if seen[0] == children:
            done.set()

    event_engine.register(EVENT_ORDER, on_order)
    try:
        started = time.perf_counter()
        for n in range(children):
            engine.send_order(OrderRequest(
                symbol="600000", exchange=Exchange.SSE, direction=Direction.LONG,
                type=OrderType.LIMIT, volume=200, price=10.0 - (n % 5) * 0.01,
                offset=Offset.OPEN, reference=f"burst#{n}"), "ECHO")
        if not done.wait(30):
            raise TimeoutError(f"vnpy burst: {seen[0]} of {children} order events")
        return children / (time.perf_counter() - started)
    finally:
        engine.close()


def bench_children(client: redis.Redis, data_dir: Path, children: int,
                   rounds: int) -> list[tuple[float, float]]:
    """(desk, vnpy) children per second, round by round, interleaved."""
    out = []
    for i in range(rounds):
        desk = bench_throughput(client, data_dir, children)
        peer = vnpy_burst(data_dir / f"burst{i}", children)
        out.append((desk, peer))
    return out


def print_children(children: int, runs: list[tuple[float, float]]) -> None:
    print(f"\nchild orders per second, {children} children, {CHILDREN_PER_STEP} per step "
          "(desk: recorded, through MainEngine and the simulated gateway, acknowledged; "
          "vnpy: MainEngine burst to an acknowledging gateway), interleaved:")
    print(f"{'round':8}{'desk /s':>12}{'vnpy /s':>12}{'vnpy / desk':>14}")
    for i, (desk, peer) in enumerate(runs, 1):
        print(f"{i:<8}{desk:>12,.0f}{peer:>12,.0f}{peer / desk:>13.1f}x")
    desk_median = statistics.median(d for d, _ in runs)
    peer_median = statistics.median(p for _, p in runs)
    print(f"{'median':8}{desk_median:>12,.0f}{peer_median:>12,.0f}"
          f"{peer_median / desk_median:>13.1f}x")


# ---- 3. execution quality: ours and vnpy's TWAP on the same tape ----------------------
@dataclass
class Quality:
    target: int
    filled: int
    value: Decimal
    peak: float
    arrival_bps: float
    vwap_bps: float


def quality(source: Any, targets: dict[str, int], trades: list[Any]) -> dict[str, Quality]:
    from execution.gateway.sim.tape import bars_from_frame

    bars = [b for b in bars_from_frame(source.bars) if at(WINDOW[0]) <= b.start < at(WINDOW[1])]
    out = {}
    for symbol, target in targets.items():
        mine = [t for t in trades if t.symbol == symbol]
        series = [b for b in bars if b.symbol == symbol]
        arrival = series[0].open
        vwap = sum((b.vwap * b.volume for b in series), Decimal(0)) / sum(b.volume for b in series)
        filled = sum(t.volume for t in mine)
        value = sum((t.price * t.volume for t in mine), Decimal(0))
        per_minute = {b.end: b.volume for b in series}
        taken: dict[datetime, int] = {}
        for t in mine:
            taken[t.at] = taken.get(t.at, 0) + t.volume
        peak = max((v / per_minute[m] for m, v in taken.items() if per_minute.get(m)),
                   default=0.0)
        avg = value / filled if filled else arrival
        out[symbol] = Quality(target, filled, value, peak,
                              float((avg - arrival) / arrival * 10_000),
                              float((avg - vwap) / vwap * 10_000))
    return out


Run = tuple[list[Any], list[Any]]  # the broker's orders and trades


def run_ours(client: redis.Redis, data_dir: Path, source: Any, targets: dict[str, int],
             limits: dict[str, Decimal], window: tuple[dtime, dtime] = WINDOW) -> Run:
    from execution.approval.lifecycle import Action
    from execution.config import AlgoConfig, EndBehaviour, ExecutionConfig
    from marketdata.clock import FixedClock

    client.flushall()
    clock = FixedClock(at(dtime(9, 29)))
    cfg = ExecutionConfig(algo=AlgoConfig(end_behaviour=EndBehaviour.LEAVE,
                                          randomise_size=Decimal(0), randomise_time_s=0),
                          slice_interval_s=60)
    desk = build_desk(client, data_dir / "ours", clock, source, cfg)
    try:
        gateway = desk.bridge.gateway("SIM")
        for symbol in targets:
            desk.parents.subscribe(symbol, "SIM")
        clock.set(at(WINDOW[0]))
        for i, (symbol, quantity) in enumerate(targets.items()):
            parent = order(f"q{i}", symbol, quantity, limits[symbol], limits[symbol], window)
            desk.deps.queue.ingest(parent, actor="model")
            desk.parents.work(desk.deps.queue.apply(parent.order_id, Action.APPROVE,
                                                    actor="trader"))
        step_through(clock, gateway, lambda: desk.step(desk.bridge.barrier()), 5, window)
        return gateway.exchange.book.orders(DAY), gateway.exchange.book.trades(DAY)
    finally:
        desk.stop()


def caged_twap() -> type[Any]:
    """vnpy's TwapAlgo with each child's price clipped into the continuous-trading price
    cage (`exchange.price_cage`, from the tick's book as the exchange takes it); the
    algorithm is otherwise vnpy's own."""
    from vnpy.trader.constant import Offset, OrderType
    from vnpy_algotrading.algos.twap_algo import TwapAlgo

    from exchange import cage_reference, price_cage

    def caged(algo: Any, side: str, price: float) -> float:
        tick = algo.get_tick()
        book = {name: Decimal(str(value)) if value else None for name, value in (
            ("bid", tick.bid_price_1), ("ask", tick.ask_price_1), ("last", tick.last_price),
            ("prev_close", tick.pre_close))}
        reference = cage_reference(side, **book)
        if reference is None:
            return price
        low, high = price_cage(algo.vt_symbol, side, reference, tick.datetime.date())
        clipped = Decimal(str(price))
        clipped = min(clipped, high) if high is not None else clipped
        clipped = max(clipped, low) if low is not None else clipped
        return float(clipped)

    class CagedTwapAlgo(TwapAlgo):  # type: ignore[misc]
        display_name = "TWAP, children clipped into the price cage"

        def buy(self, price: float, volume: float, order_type: Any = OrderType.LIMIT,
                offset: Any = Offset.NONE) -> str:
            return str(super().buy(caged(self, "buy", price), volume, order_type, offset))

        def sell(self, price: float, volume: float, order_type: Any = OrderType.LIMIT,
                 offset: Any = Offset.NONE) -> str:
            return str(super().sell(caged(self, "sell", price), volume, order_type, offset))

    return CagedTwapAlgo


def on_event_thread(bridge: Any, call: Callable[[], object]) -> None:
    """Run `call` on vnpy's event thread and wait for it (and everything queued before).

    The algo engine's order and trade events run there; starting algos or driving their
    timer from this thread raced them ("dictionary changed size during iteration" in
    `cancel_all`), so every harness call into the engine goes through here. A call that
    raises kills the event thread, and the barrier then times out: loud, not silent."""
    from vnpy.event import Event

    bridge.event_engine.put(Event(BENCH_CALL, call))
    bridge.barrier()


VNPY_TWAP, VNPY_CAGED = "TwapAlgo", "CagedTwapAlgo"


def run_vnpy(client: redis.Redis, data_dir: Path, source: Any, targets: dict[str, int],
             limits: dict[str, Decimal], window: tuple[dtime, dtime] = WINDOW,
             template: str = VNPY_TWAP) -> Run:
    from vnpy.trader.constant import Direction, Offset
    from vnpy.trader.event import EVENT_TIMER
    from vnpy.trader.object import SubscribeRequest
    from vnpy_algotrading.engine import AlgoEngine

    from execution.config import ExecutionConfig
    from execution.engine.bridge import VnpyBridge
    from execution.gateway.convert import split_symbol
    from execution.gateway.sim.gateway import SimDeps, SimGateway
    from marketdata.clock import FixedClock

    client.flushall()
    clock = FixedClock(at(dtime(9, 29)))
    cfg = ExecutionConfig()
    bridge = VnpyBridge(data_dir / "vnpy")
    try:
        gateway = bridge.add_gateway(SimGateway, "SIM")
        gateway.bind(SimDeps(client, clock, source, cfg.sim, cfg.initial_cash, auto_match=False))
        bridge.connect("SIM", {"account": "vnpy"})
        engine = bridge.main_engine.add_engine(AlgoEngine)
        engine.add_algo_template(caged_twap())
        bridge.event_engine.unregister(EVENT_TIMER, engine.process_timer_event)  # we drive time
        bridge.event_engine.register(BENCH_CALL, lambda event: event.data())
        for symbol in targets:
            bridge.subscribe(SubscribeRequest(*split_symbol(symbol)), "SIM")
        bridge.barrier()
        clock.set(at(window[0]))
        seconds = int((at(window[1]) - at(window[0])).total_seconds())
        for symbol, quantity in targets.items():
            on_event_thread(bridge, partial(
                engine.start_algo, template, symbol, Direction.LONG, Offset.NONE,
                float(limits[symbol]), quantity, {"time": seconds, "interval": 60}))
        step_through(clock, gateway, lambda: on_event_thread(
            bridge, lambda: engine.process_timer_event(None)), 1, window)
        return gateway.exchange.book.orders(DAY), gateway.exchange.book.trades(DAY)
    finally:
        bridge.close()


def step_through(clock: Any, gateway: Any, step: Callable[[], None], every_s: int,
                 window: tuple[dtime, dtime]) -> None:
    """Walk the clock through the window (and 5 minutes on): match each minute, then step."""
    end = at(window[1]) + timedelta(minutes=5)
    while clock.now() < end:
        before = clock.now()
        clock.advance(timedelta(seconds=every_s))
        if clock.now().minute != before.minute:
            gateway.advance()
        step()


@dataclass
class QualityRun:
    """One limit's comparison, all on the same tape: (quality rows, broker orders) each."""

    desk: tuple[dict[str, Quality], list[Any]]
    vnpy: tuple[dict[str, Quality], list[Any]]
    caged: tuple[dict[str, Quality], list[Any]]
    overfill: tuple[int, int, int]  # 750 shares over 10 minutes: shares filled by each


def bench_quality(client: redis.Redis, data_dir: Path, symbols: int,
                  limit_above: Decimal) -> QualityRun:
    from execution.gateway.sim.scenario import random_day, scenario

    names = ["600000.SSE", "000001.SZSE", "300750.SZSE", "688001.SSE", "603000.SSE",
             "002001.SZSE", "301001.SZSE", "601001.SSE"][:symbols]
    days = random_day(DAY, names, seed=20261122)
    source = scenario(DAY, days)
    targets = {s: int(b.volume * 0.02) // 100 * 100 for s, b in days.items()}
    limits = {s: (Decimal(str(b.prev_close)) * (1 + limit_above)).quantize(Decimal("0.01"))
              for s, b in days.items()}
    runs: list[Callable[..., Run]] = [
        run_ours, run_vnpy, partial(run_vnpy, template=VNPY_CAGED)]

    def rated(run: Callable[..., Run]) -> tuple[dict[str, Quality], list[Any]]:
        orders, trades = run(client, data_dir, source, targets, limits, WINDOW)
        return quality(source, targets, trades), orders

    desk, vnpy, caged = (rated(run) for run in runs)
    small, ten_minutes = {"600000.SSE": 750}, (dtime(9, 30), dtime(9, 40))
    small_limits = {"600000.SSE": limits["600000.SSE"]}
    filled = [sum(t.volume for t in run(client, data_dir, source, small, small_limits,
                                        ten_minutes)[1]) for run in runs]
    return QualityRun(desk, vnpy, caged, (filled[0], filled[1], filled[2]))


def summary(result: tuple[dict[str, Quality], list[Any]]) -> dict[str, float]:
    rows, orders = result
    target = sum(q.target for q in rows.values())
    filled = sum(q.filled for q in rows.values())
    weights = {s: float(q.value) for s, q in rows.items()}
    total = sum(weights.values()) or 1.0
    return {
        "fill ratio": filled / target,
        "slippage vs arrival (bps)": sum(q.arrival_bps * weights[s] for s, q in rows.items())
        / total,
        "slippage vs interval VWAP (bps)": sum(q.vwap_bps * weights[s] for s, q in rows.items())
        / total,
        "peak participation": max(q.peak for q in rows.values()),
        "child orders sent": len(orders),
        "child orders rejected": sum(o.status == "REJECTED" for o in orders),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", default="300",
                        help="approval runs, comma-separated parent counts (e.g. 300,3000)")
    parser.add_argument("--only", choices=["approval", "children", "quality"], default=None,
                        help="run only one section: approval latency, children per second "
                        "or execution quality")
    parser.add_argument("--rounds", type=int, default=3,
                        help="children per second: rounds, each desk then vnpy's burst")
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--symbols", type=int, default=5)
    parser.add_argument("--waiting", action="store_true",
                        help="approval: approve from another process while the desk's "
                        "consumer waits in XREADGROUP (as the service does between steps)")
    parser.add_argument("--automatic-gc", action="store_true",
                        help="approval: leave garbage collection to CPython's thresholds "
                        "(the service collects at the end of its steps: services/step_gc.py)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-exec-"))
    prepare_vnpy_home(data_dir)
    from loguru import logger

    logger.remove()
    from services.redis_server import EmbeddedRedis

    server = EmbeddedRedis(data_dir)
    server.start()
    client = desk_client(server.url)
    counts = [int(n) for n in str(args.parents).split(",")]
    try:
        if args.only == "children":
            print_children(args.children, bench_children(client, data_dir, args.children,
                                                         args.rounds))
            return
        if args.only == "quality":
            for above in (Decimal("0.05"), Decimal("0.01")):
                print_quality(args.symbols, above,
                              bench_quality(client, data_dir, args.symbols, above))
            return
        for parents in counts:
            print_latency(parents, bench_latency(client, data_dir, parents, args.waiting,
                                                 step_gc=not args.automatic_gc),
                          args.waiting)
            print("garbage collection: " + ("CPython's automatic thresholds" if args.automatic_gc
                                            else "at the end of each step (services/step_gc)"))
        if args.only == "approval":
            return
        rate = bench_throughput(client, data_dir, args.children)
        runs = {above: bench_quality(client, data_dir, args.symbols, above)
                for above in (Decimal("0.05"), Decimal("0.01"))}
    finally:
        server.stop()
    print(f"child orders through MainEngine + simulated gateway: {rate:,.0f} per second "
          f"({args.children} children, acknowledged)")
    for above, run in runs.items():
        print_quality(args.symbols, above, run)


def print_quality(symbols: int, above: Decimal, run: QualityRun) -> None:
    print(f"\nexecution quality: {symbols} symbols, buy TWAP {WINDOW[0]:%H:%M}-{WINDOW[1]:%H:%M}, "
          f"2% of day volume each, limit = previous close +{above:.0%}, 60 s slices, "
          "same tape:")
    print(f"{'':34}{'desk TWAP':>12}{'vnpy TwapAlgo':>15}{'vnpy, caged':>13}")
    rows = [summary(run.desk), summary(run.vnpy), summary(run.caged)]
    for key in rows[0]:
        print(f"{key:34}{rows[0][key]:>12.3f}{rows[1][key]:>15.3f}{rows[2][key]:>13.3f}")
    print(f"{'750 shares over 10 min: filled':34}{run.overfill[0]:>12}{run.overfill[1]:>15}"
          f"{run.overfill[2]:>13}")
    for name, (_, orders) in (("vnpy", run.vnpy), ("vnpy caged", run.caged)):
        reasons = {o.reason.split(":")[0] for o in orders if o.status == "REJECTED"}
        if reasons:
            print(f"{name} rejections, e.g.: {sorted(reasons)[:2]}")


if __name__ == "__main__":
    main()
