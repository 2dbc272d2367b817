"""How many Redis round trips an approval costs before its first child is at the
gateway: counted on a real Redis, so a change that adds one fails here."""

import tempfile
from collections.abc import Iterator
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from redis.connection import AbstractConnection

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="trips-vnpy-")))

from bus import streams  # noqa: E402
from bus.bus import Prefetching, StreamConsumer  # noqa: E402
from bus.messages import Decision  # noqa: E402
from exchange import Side  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.approval.queue import OrderQueue  # noqa: E402
from execution.approval.work_check import WorkCheck  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.scenario import random_day, scenario  # noqa: E402
from execution.worker.desk import DeskDeps, ExecutionDesk  # noqa: E402
from execution.worker.keys import SLICE_COUNTER  # noqa: E402
from execution.worker.parents import ParentLifecycle  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from orders.order import Algo, Order, OrderState  # noqa: E402
from services.execution_service import ExecutionService  # noqa: E402

pytestmark = pytest.mark.integration

DAY = datetime(2026, 11, 23, tzinfo=EXCHANGE_TZ).date()
SYMBOL = "600000.SSE"
# Counted: every packet sent to Redis from the start of the approval's `apply` until the
# first child reaches the gateway, with the consumer polled after the approval (so its
# XREADGROUP counts; in the service it is usually already blocked, sent before):
#   approval 2 (WATCH + record, halt, stance and the price sent together; MULTI/EXEC),
#   consumer 2 (XREADGROUP; the SISMEMBER dedupe), work check 1 (record + newest audit;
#   0 when the decision handler is `Prefetching`: it goes out with the dedupe check),
#   START 2 (WATCH + reads; MULTI/EXEC, which brings the parent's children back too),
#   the child's record 1 (written before the child is sent).
# As the service wires it now (`Prefetching` with `watch`): the approval 2, XREADGROUP 1,
# one packet of WATCH (order, halt) + SISMEMBER + the work check's and the START's reads
# (halt, the parent's children) 1, one MULTI/EXEC holding the START and the first
# child's record 1.
# The approving queue has read this order before (it ingested it; the console shows it
# before a trader approves): it knows the symbol, so the price comes with the record;
# a queue that never saw the order needs one round trip more.
# Was 19, then 17 before the reads went out with WATCH, the work check read the audit
# with the record, the START brought the children, and the stale-entry claim left the
# hot path.
MOST_ROUND_TRIPS = 8  # a plain decision handler
# The work check's reads go with the dedupe check (the service's wiring before this).
MOST_ROUND_TRIPS_PREFETCHING = 7
# As services/execution_service.py wires it: the START's WATCH and reads go with them too,
# and the first child's record with the START.
MOST_ROUND_TRIPS_SERVICE = 5


class Trips:
    """Counts what is sent to Redis (one send = one round trip, a pipeline included)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counting, self.count, self.at_gateway = False, 0, -1
        original = AbstractConnection.send_packed_command

        def send(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
            self.count += self.counting
            original(conn, command, check_health)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", send)
        sent = SimGateway.send_order

        def arrive(gateway: SimGateway, req: Any) -> str:
            if self.counting:
                self.at_gateway, self.counting = self.count, False
            return sent(gateway, req)

        monkeypatch.setattr(SimGateway, "send_order", arrive)


def parent(order_id: str, reference: Decimal) -> Order:
    limit = (reference * Decimal("1.05")).quantize(Decimal("0.01"))
    return Order(order_id=order_id, trade_date=DAY, symbol=SYMBOL, side=Side.BUY,
                 quantity=100_000, reference_price=reference, limit_price=limit,
                 algo=Algo.TWAP, start_time=dtime(9, 30), end_time=dtime(11, 30))


def service_handler(queue: OrderQueue, desk: ExecutionDesk) -> Prefetching:
    """The decision handler exactly as `ExecutionService` registers it (its own methods),
    on a service holding only what that path uses."""
    service = object.__new__(ExecutionService)
    service.ctx = SimpleNamespace(queue=queue, settings=SimpleNamespace(  # type: ignore[assignment]
        execution=SimpleNamespace(account=queue.account)))
    service.desk = desk
    service.work_check = WorkCheck(queue)
    return Prefetching(service._decision_reads, service._decision,
                       watch=service._decision_watch)


def handler_for(wiring: str, queue: OrderQueue, desk: ExecutionDesk) -> Any:
    if wiring == "service":
        return service_handler(queue, desk)
    check = WorkCheck(queue)

    def work(env: Any) -> None:
        assert isinstance(env.body, Decision)
        desk.parents.work(check.verified(env.body))

    def reads(env: Any) -> list[Any]:
        assert isinstance(env.body, Decision)
        return check.reads(env.body)

    def work_read(env: Any, replies: list[Any]) -> None:
        desk.parents.work(check.verified_from(env.body, replies))

    return Prefetching(reads, work_read) if wiring == "prefetching" else work


@pytest.fixture
def desk_on(redis_client: redis.Redis, tmp_path: Path) -> Iterator[tuple[OrderQueue, Any, Any]]:
    clock = FixedClock(datetime.combine(DAY, dtime(10, 0), tzinfo=EXCHANGE_TZ))
    bars = random_day(DAY, [SYMBOL])
    cfg = ExecutionConfig()
    queue = OrderQueue(redis_client, clock)
    sim = SimDeps(redis_client, clock, scenario(DAY, bars), cfg.sim, cfg.initial_cash,
                  auto_match=False)
    desk = ExecutionDesk(DeskDeps(redis_client, clock, queue, cfg, tmp_path, sim))
    desk.start()
    try:
        desk.bridge.gateway("SIM").advance()
        yield queue, desk, Decimal(str(bars[SYMBOL].prev_close))
    finally:
        desk.stop()


@pytest.mark.parametrize(("wiring", "most"), [("plain", MOST_ROUND_TRIPS),
                                              ("prefetching", MOST_ROUND_TRIPS_PREFETCHING),
                                              ("service", MOST_ROUND_TRIPS_SERVICE)])
def test_an_approval_reaches_the_gateway_in_few_round_trips(
    redis_client: redis.Redis, desk_on: tuple[OrderQueue, Any, Any],
    monkeypatch: pytest.MonkeyPatch, wiring: str, most: int,
) -> None:
    queue, desk, reference = desk_on
    trips = Trips(monkeypatch)
    consumer = StreamConsumer(redis_client, streams.DECISIONS, streams.GROUP_EXECUTION,
                              "trips", {"decision": handler_for(wiring, queue, desk)},
                              block_ms=50)
    consumer.poll(block=False)
    for i in range(3):  # the first warms the symbol's quote; the last is counted
        queue.ingest(parent(f"trip{i}", reference), actor="model")
        trips.counting, trips.count = i == 2, 0
        queue.apply(f"trip{i}", Action.APPROVE, actor="trader")
        consumer.poll(block=True)
        desk.step()
        # The gateway's ack comes back on vnpy's event thread: apply every event sent
        # before this (uncounted: counting stopped when the child reached the gateway).
        desk.step(desk.bridge.barrier())
        assert queue.require(f"trip{i}").state is OrderState.WORKING
        assert [c.state.value for c in desk.book.of(f"trip{i}")] == ["working"]
    assert 0 < trips.at_gateway <= most, trips.at_gateway


def change_between_read_and_exec(queue: OrderQueue, change: str, order_id: str) -> None:
    """Another process's change, made on its own connection."""
    other = OrderQueue(redis.Redis(connection_pool=queue.client.connection_pool), queue.clock)
    if change == "cancel":
        other.apply(order_id, Action.CANCEL, actor="trader", reason="changed my mind")
    elif change == "edit":
        other.apply(order_id, Action.EDIT, actor="trader", edit={"quantity": 50_000})
    else:
        other.halt(actor="admin", reason="stop everything")
        if change == "halt and lift":
            other.halt(actor="admin", reason="all clear", halted=False)


@pytest.mark.parametrize("change", ["cancel", "edit", "halt", "halt and lift"])
def test_a_change_between_the_read_and_the_start_sends_nothing(
    redis_client: redis.Redis, desk_on: tuple[OrderQueue, Any, Any],
    monkeypatch: pytest.MonkeyPatch, change: str,
) -> None:
    """The first child is decided after the watched read: a cancel, an edit or a halt
    landing then (as late as possible: the child is decided, its START not written)
    fails the EXEC; the order is read again and nothing is started, recorded or sent."""
    queue, desk, reference = desk_on
    consumer = StreamConsumer(redis_client, streams.DECISIONS, streams.GROUP_EXECUTION,
                              "trips", {"decision": service_handler(queue, desk)}, block_ms=50)
    consumer.poll(block=False)
    queue.ingest(parent("warm", reference), actor="model")  # the symbol's quote arrives
    queue.apply("warm", Action.APPROVE, actor="trader")
    consumer.poll(block=True)
    desk.step()
    sent: list[Any] = []
    original_send = SimGateway.send_order

    def send_order(gateway: SimGateway, req: Any) -> str:
        sent.append(req)
        return original_send(gateway, req)

    monkeypatch.setattr(SimGateway, "send_order", send_order)
    decided = ParentLifecycle._first_wanted
    landed: list[str] = []

    def first_then_change(self: ParentLifecycle, worker: Any, now: Any) -> Any:
        wanted = decided(self, worker, now)
        assert wanted is not None, "the first child is decided before the EXEC"
        if not landed:
            landed.append(change)
            change_between_read_and_exec(queue, change, worker.order_id)
        return wanted

    monkeypatch.setattr(ParentLifecycle, "_first_wanted", first_then_change)
    queue.ingest(parent("late", reference), actor="model")
    queue.apply("late", Action.APPROVE, actor="trader")
    consumer.poll(block=True)
    desk.step()
    assert landed == [change]
    if change == "halt and lift":  # read again: still approved, so started, sent once
        assert queue.require("late").state is OrderState.WORKING
        assert [(r.reference, r.volume) for r in sent] == [("late#1", sent[0].volume)]
        assert redis_client.smembers(streams.CHILDREN_OF.format(order_id="late")) == {"late#1"}
        return
    assert sent == []
    assert "late" not in desk.parents.workers
    assert redis_client.smembers(streams.CHILDREN_OF.format(order_id="late")) == set()
    assert redis_client.get(SLICE_COUNTER.format(order_id="late")) is None
    record = queue.require("late")
    expected = {"cancel": OrderState.CANCELLED, "edit": OrderState.PENDING_APPROVAL,
                "halt": OrderState.APPROVED}
    assert record.state is expected[change]
    # Read again and found not to start (cancelled, edited, halted): acknowledged.
    assert redis_client.xpending(streams.DECISIONS, streams.GROUP_EXECUTION)["pending"] == 0
