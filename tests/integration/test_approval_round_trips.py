"""How many Redis round trips an approval costs before its first child is at the
gateway: counted on a real Redis, so a change that adds one fails here."""

import tempfile
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
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
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from orders.order import Algo, Order  # noqa: E402

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
# The approving queue has read this order before (it ingested it; the console shows it
# before a trader approves): it knows the symbol, so the price comes with the record;
# a queue that never saw the order needs one round trip more.
# Was 19, then 17 before the reads went out with WATCH, the work check read the audit
# with the record, the START brought the children, and the stale-entry claim left the
# hot path.
MOST_ROUND_TRIPS = 8  # a plain decision handler
# As services/execution_service.py wires it: the work check's reads go with the dedupe check.
MOST_ROUND_TRIPS_PREFETCHING = 7


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


@pytest.mark.parametrize(("prefetching", "most"), [(False, MOST_ROUND_TRIPS),
                                                  (True, MOST_ROUND_TRIPS_PREFETCHING)])
def test_an_approval_reaches_the_gateway_in_few_round_trips(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    prefetching: bool, most: int,
) -> None:
    trips = Trips(monkeypatch)
    clock = FixedClock(datetime.combine(DAY, dtime(10, 0), tzinfo=EXCHANGE_TZ))
    bars = random_day(DAY, [SYMBOL])
    cfg = ExecutionConfig()
    queue = OrderQueue(redis_client, clock)
    sim = SimDeps(redis_client, clock, scenario(DAY, bars), cfg.sim, cfg.initial_cash,
                  auto_match=False)
    desk = ExecutionDesk(DeskDeps(redis_client, clock, queue, cfg, tmp_path, sim))
    desk.start()
    try:
        check = WorkCheck(queue)

        def work(env: Any) -> None:
            assert isinstance(env.body, Decision)
            desk.parents.work(check.verified(env.body))

        def reads(env: Any) -> list[Any]:
            assert isinstance(env.body, Decision)
            return check.reads(env.body)

        def work_read(env: Any, replies: list[Any]) -> None:
            desk.parents.work(check.verified_from(env.body, replies))

        handler = Prefetching(reads, work_read) if prefetching else work
        consumer = StreamConsumer(redis_client, streams.DECISIONS, streams.GROUP_EXECUTION,
                                  "trips", {"decision": handler}, block_ms=50)
        desk.bridge.gateway("SIM").advance()
        consumer.poll(block=False)
        reference = Decimal(str(bars[SYMBOL].prev_close))
        for i in range(3):  # the first warms the symbol's quote; the last is counted
            queue.ingest(parent(f"trip{i}", reference), actor="model")
            trips.counting, trips.count = i == 2, 0
            queue.apply(f"trip{i}", Action.APPROVE, actor="trader")
            consumer.poll(block=True)
            desk.step()
        assert 0 < trips.at_gateway <= most, trips.at_gateway
    finally:
        desk.stop()
