"""SIGKILL the execution service mid-day, start it again, and check nothing was lost or
sent twice; and the halt switch through the bus. Real processes, real Redis, real vnpy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis
import yaml

from bus import streams
from exchange import Side
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from execution.gateway.sim.book import SimBook
from marketdata.calendar import load_calendar
from marketdata.synthetic.market import write_demo_store
from orders.order import Algo, Offset, OrderKind, OrderState
from services.clock_setup import shared_clock, start_simulated_day
from services.redis_server import EmbeddedRedis
from services.settings_loader import load_settings
from tests.unit.execution.deskkit import make_order

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SPEED = 300.0
HEDGE = "IM2612.CFFEX"
WINDOW_END = dtime(10, 30)


@dataclass
class Desk:
    data_dir: Path
    config: Path
    client: redis.Redis
    day: date
    queue: OrderQueue

    def sim_now(self) -> datetime:
        settings = load_settings(self.config)
        return shared_clock(self.client, settings).now()

    def start_service(self) -> subprocess.Popen[bytes]:
        log = open(self.data_dir / "execution.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            [sys.executable, str(ROOT / "tests/fault/run_execution.py"), str(self.config),
             str(self.data_dir)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
        )

    def broker(self) -> SimBook:
        return SimBook(self.client, "paper", Decimal("50000000"))


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    store = write_demo_store(tmp_path / "marketdata", stocks=50, days=10, seed=11,
                             calendar=load_calendar(ROOT / "config/holidays.yaml"))
    day = store.latest_date()
    assert day is not None
    config = tmp_path / "paper.yaml"
    config.write_text(yaml.safe_dump({
        "mode": "paper", "data_dir": str(tmp_path),
        "clock": {"mode": "simulated", "speed": SPEED, "start": "09:05"},
        "execution": {"account": "paper", "stock_gateway": {"name": "sim"},
                      "futures_gateway": {"name": "sim"}},
    }))
    server = EmbeddedRedis(tmp_path, acl=True)  # as the desk runs it: one user per service
    server.start()
    client = server.client()
    settings = load_settings(config)
    start_simulated_day(client, settings, day, SPEED)
    clock = shared_clock(client, settings)
    try:
        yield Desk(tmp_path, config, client, day, OrderQueue(client, clock))
    finally:
        server.stop()


def liquid_symbols(desk: Desk, count: int) -> list[tuple[str, Decimal]]:
    from marketdata.store import MarketStore

    panel = MarketStore(desk.data_dir / "marketdata").load_panel(desk.day, 1,
                                                                 ["prev_close", "close", "amount"])
    today = panel.on(desk.day)
    calm = today[(today["close"] / today["prev_close"] - 1).abs() < 0.05]
    top = calm.sort_values("amount").tail(count)
    return [(str(s), Decimal(str(round(float(p), 2)))) for s, p in top["prev_close"].items()]


def futures_price(desk: Desk) -> Decimal:
    from marketdata.store import MarketStore

    bars = MarketStore(desk.data_dir / "marketdata").load_futures(desk.day, desk.day)
    close = float(bars[bars["symbol"] == HEDGE]["open"].iloc[0])
    return (Decimal(str(close)) / Decimal("0.2")).quantize(Decimal(1)) * Decimal("0.2")


def approve_parents(desk: Desk) -> dict[str, int]:
    algos = [Algo.TWAP, Algo.VWAP, Algo.POV]
    parents = {}
    for i, (symbol, price) in enumerate(liquid_symbols(desk, 3)):
        order = make_order(f"k{i}", 30_000, symbol=symbol, algo=algos[i], end=WINDOW_END,
                           reference=str(price)).model_copy(update={"trade_date": desk.day})
        desk.queue.ingest(order, actor="model")
        desk.queue.apply(order.order_id, Action.APPROVE, actor="trader")
        parents[order.order_id] = order.quantity
    hedge = make_order("hedge", 6, symbol=HEDGE, side=Side.SELL, kind=OrderKind.HEDGE,
                       offset=Offset.OPEN, end=WINDOW_END, reference=str(futures_price(desk))
                       ).model_copy(update={"trade_date": desk.day})
    desk.queue.ingest(hedge, actor="risk")
    desk.queue.apply("hedge", Action.APPROVE, actor="trader")
    parents["hedge"] = 6
    return parents


def wait_until_up(desk: Desk, service: subprocess.Popen[bytes]) -> None:
    def up() -> bool:
        assert service.poll() is None, f"the service exited; see {desk.data_dir}/execution.log"
        return desk.client.exists(streams.HEARTBEAT.format(service="execution")) == 1

    wait_for(up, 60, "the service's heartbeat")


def test_sigkill_mid_day_then_restart_loses_and_doubles_nothing(desk: Desk) -> None:
    service = desk.start_service()
    try:
        wait_until_up(desk, service)
        parents = approve_parents(desk)
        wait_for(lambda: desk.sim_now().time() > dtime(9, 45), 60, "the middle of the window")
        wait_for(lambda: any(o.active for o in desk.broker().orders(desk.day)), 30,
                 "a child working at the broker")
        service.send_signal(signal.SIGKILL)
        service.wait(10)
        killed_at = desk.sim_now()
        assert killed_at.time() < dtime(10, 0), "killed too late to test anything"
        unfinished = [o for o in parents if desk.queue.get(o).state is not OrderState.FILLED]
        assert unfinished, "every parent had finished before the kill"
        time.sleep(1.0)  # the market moves on while the service is down
        service = desk.start_service()
        wait_for(lambda: desk.sim_now().time() > dtime(10, 33), 120, "the end of the windows")
        wait_for(lambda: not any(o.active for o in desk.broker().orders(desk.day)), 30,
                 "every child finished")
        service.send_signal(signal.SIGTERM)
        assert service.wait(30) == 0
    finally:
        if service.poll() is None:
            service.kill()
    assert_books_agree(desk, parents)
    after = [o for o in desk.broker().orders(desk.day) if o.created_at > killed_at]
    assert after, "the restarted service sent nothing"
    for order_id in unfinished:
        assert desk.queue.get(order_id).state is OrderState.FILLED  # type: ignore[union-attr]


def assert_books_agree(desk: Desk, parents: dict[str, int]) -> None:
    orders = desk.broker().orders(desk.day)
    trades = desk.broker().trades(desk.day)
    references = [o.reference for o in orders]
    assert len(references) == len(set(references)), "a child reference reached the broker twice"
    parent_of = {o.orderid: o.reference.split("#")[0] for o in orders}
    for order_id, quantity in parents.items():
        record = desk.queue.get(order_id)
        assert record is not None
        traded = sum(t.volume for t in trades if parent_of[t.orderid] == order_id)
        assert record.filled_quantity == traded, f"{order_id}: record vs broker"
        taken = 0
        for order in sorted((o for o in orders if parent_of[o.orderid] == order_id),
                            key=lambda o: int(o.orderid)):
            assert taken + order.volume <= quantity, f"{order_id}: overfill risk"
            taken += order.traded
        assert record.state in (OrderState.FILLED, OrderState.PARTIALLY_FILLED,
                                OrderState.WORKING)
    assert desk.client.scard(streams.FILLS_APPLIED) == len(trades)
    ledger = yaml.safe_load(desk.client.get(streams.LEDGER.format(account="paper")) or "{}")
    for symbol, position in desk.broker().positions().items():
        held = getattr(position, "quantity", None)
        if held:
            assert int(ledger["positions"][symbol]["quantity"]) == held
    assert any(o.reference.startswith("k") for o in orders)


def test_halt_on_the_bus_cancels_working_children_within_a_second(desk: Desk) -> None:
    service = desk.start_service()
    try:
        wait_until_up(desk, service)
        wait_for(lambda: desk.sim_now().time() > dtime(9, 31), 30, "the open")
        symbol, price = liquid_symbols(desk, 1)[0]
        for i in range(3):  # far below the market: the children rest at the broker
            limit = (price * Decimal("0.92")).quantize(Decimal("0.01"))
            order = make_order(f"rest{i}", 10_000, symbol=symbol, limit=str(limit),
                               reference=str(price), end=dtime(11, 0)
                               ).model_copy(update={"trade_date": desk.day})
            desk.queue.ingest(order, actor="model")
            desk.queue.apply(order.order_id, Action.APPROVE, actor="trader")
        wait_for(lambda: sum(o.active for o in desk.broker().orders(desk.day)) == 3, 30,
                 "three resting children")
        started = time.monotonic()
        desk.queue.halt(actor="ops", reason="drill")
        wait_for(lambda: not any(o.active for o in desk.broker().orders(desk.day)), 5,
                 "every child cancelled")
        assert time.monotonic() - started < 1.0
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(30)


def test_nothing_becomes_working_during_a_halt_and_what_waited_starts_at_the_lift(
        desk: Desk) -> None:
    """The halt is raised before the service takes an approved order (its bell waits on
    the bus): the start is refused while halted; lifting it starts the order."""
    symbol, price = liquid_symbols(desk, 1)[0]
    order = make_order("wait0", 1_000, symbol=symbol, reference=str(price), end=dtime(11, 0)
                       ).model_copy(update={"trade_date": desk.day})
    desk.queue.ingest(order, actor="model")
    desk.queue.apply("wait0", Action.APPROVE, actor="trader")
    desk.queue.halt(actor="ops", reason="drill")
    service = desk.start_service()
    try:
        wait_until_up(desk, service)
        wait_for(lambda: desk.sim_now().time() > dtime(9, 32), 30, "the open")
        time.sleep(1.0)  # several steps of the service, its bell long consumed
        assert desk.queue.require("wait0").state is OrderState.APPROVED
        assert desk.broker().orders(desk.day) == []
        desk.queue.halt(actor="admin", reason="drill over", halted=False)
        wait_for(lambda: desk.queue.require("wait0").state in {
            OrderState.WORKING, OrderState.PARTIALLY_FILLED, OrderState.FILLED}, 10,
            "the waiting order started after the lift")
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(30)
