"""The standby server's fault test: a primary, a replica and three sentinels on loopback
(services/redis_ha.py); approvals acknowledged with WAIT 1; the primary SIGKILLed right
after them; the sentinels promote the replica and the desk — its client made by
`connect()` from Sentinel settings — carries on against the new primary: no approval
lost, no order sent twice, each approval's decision handled once; then a second
execution holder whose lease expired is refused by the fencing check.

The simulated broker keeps its books in its own Redis (the session's embedded one), as a
real broker is not in the desk's Redis and does not fail over with it.
"""

import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import time as dtime
from functools import partial
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from bus.bus import StreamConsumer  # noqa: E402
from bus.messages import Decision, Envelope  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.approval.queue import OrderQueue  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.gateway.sim.gateway import SimDeps  # noqa: E402
from execution.worker.desk import DeskDeps, ExecutionDesk  # noqa: E402
from execution.worker.lease import LeaseLost  # noqa: E402
from orders.order import OrderRecord, OrderState  # noqa: E402
from services.connect import connect  # noqa: E402
from services.redis_ha import RedisHA  # noqa: E402
from services.replicated_ack import AckPolicy, decide  # noqa: E402
from tests.integration.ha_kit import ha_settings, log_in_as, running_ha  # noqa: E402
from tests.unit.execution.deskkit import SimDay, make_order  # noqa: E402

pytestmark = pytest.mark.integration
LEASE_MS = 4000
CFG = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": LEASE_MS}})
ORDERS = [f"f{i:02d}" for i in range(8)]
QUANTITY = 20_000


class BrokerApartDay(SimDay):
    """A simulated day whose broker keeps its books in another Redis than the desk's."""

    def __init__(self, desk_client: redis.Redis, broker_client: redis.Redis,
                 data_dir: Path) -> None:
        self.broker_client = broker_client
        super().__init__(desk_client, data_dir, cfg=CFG)

    def new_desk(self) -> ExecutionDesk:
        sim = SimDeps(self.broker_client, self.clock, self.source, self.cfg.sim,
                      self.cfg.initial_cash, auto_match=False)
        return ExecutionDesk(DeskDeps(self.client, self.clock, self.queue, self.cfg,
                                      self.data_dir, sim))


class Bell:
    """The execution service's part: each decision on the bus starts its stored order."""

    def __init__(self, day: SimDay) -> None:
        self.day, self.heard = day, Counter[str]()
        self.consumer = StreamConsumer(day.client, streams.DECISIONS, streams.GROUP_EXECUTION,
                                       "execution-1", {"decision": self._decision})

    def _decision(self, env: Envelope) -> None:
        assert isinstance(env.body, Decision)
        self.heard[env.body.order_id] += 1
        record = self.day.queue.get(env.body.order_id)
        assert record is not None and record.state is OrderState.APPROVED
        self.day.desk.parents.work(record)

    def ring(self) -> None:
        self.consumer.poll(block=False)


@pytest.fixture
def ha(tmp_path: Path) -> Iterator[RedisHA]:
    with running_ha(tmp_path / "ha") as started:
        yield started


def approve_on(order_id: str, queue: OrderQueue) -> OrderRecord:
    return queue.apply(order_id, Action.APPROVE, actor="alice")


def approve_acknowledged(day: SimDay, order_ids: list[str]) -> None:
    for order_id in order_ids:
        day.queue.ingest(make_order(order_id, QUANTITY), actor="model")
        outcome = decide(day.queue, AckPolicy(1, 2000), f"approval of {order_id}",
                         partial(approve_on, order_id))
        assert outcome.problem is None, outcome.problem


def test_a_failover_loses_no_approval_and_doubles_no_order(
    ha: RedisHA, redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    log_in_as(monkeypatch, ha, "desk")
    desk_client = connect(ha_settings(ha, tmp_path))
    day = BrokerApartDay(desk_client, redis_client, tmp_path / "desk")
    day.desk.start()
    bell = Bell(day)
    try:
        day.run(dtime(9, 31))
        approve_acknowledged(day, ORDERS[:4])
        bell.ring()
        day.run(dtime(9, 40))
        approve_acknowledged(day, ORDERS[4:])
        old = ha.kill_primary().port  # right after the last acknowledgement
        killed = time.monotonic()
        bell.ring()  # through the failover: connect()'s client retries until promoted
        carried_on_s = time.monotonic() - killed
        assert ha.wait_for_failover(old) != old
        day.run(dtime(10, 45))
        records = {oid: day.queue.get(oid) for oid in ORDERS}
        assert all(r is not None and r.approvals for r in records.values()), "approval lost"
        assert {oid: r.state for oid, r in records.items() if r} == dict.fromkeys(
            ORDERS, OrderState.FILLED)
        assert bell.heard == Counter(dict.fromkeys(ORDERS, 1))
        orders = day.broker_orders()
        assert len({o.reference for o in orders}) == len(orders), "an order sent twice"
        parent_of = {o.orderid: o.reference.split("#")[0] for o in orders}
        traded = Counter[str]()
        for trade in day.broker_trades():
            traded[parent_of[trade.orderid]] += trade.volume
        assert traded == Counter(dict.fromkeys(ORDERS, QUANTITY))
        assert carried_on_s < 20
        second_holder_with_an_expired_lease_is_refused(day)
    finally:
        day.desk.stop()


def second_holder_with_an_expired_lease_is_refused(day: BrokerApartDay) -> None:
    """The desk goes silent past its lease on the new primary; a standby takes over; the
    old holder's next send is refused by the fencing check and its next step stops it."""
    holder, standby = day.desk, day.new_desk()
    time.sleep(LEASE_MS / 1000)
    standby.start()
    try:
        assert holder.lease.refusal() is not None
        assert standby.lease.refusal() is None
        with pytest.raises(LeaseLost):
            holder.step()
    finally:
        standby.stop()
