"""The broker line drops with a child working at the broker: nothing is sent while the
child's fate is unknown, the broker's replay matches it at reconnect (it is not LOST),
and a halt or a cancel given during the outage is carried out at reconnect.

Real vnpy MainEngine, the simulated gateway (the exchange keeps matching while the desk
hears nothing), a real embedded Redis. Run with `-s` to see the measured figures.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from execution.config import AlgoConfig, ExecutionConfig, ReconnectConfig  # noqa: E402
from execution.gateway.sim.gateway import SimGateway  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.worker import routing  # noqa: E402
from execution.worker.children import ChildState  # noqa: E402
from orders.order import OrderState  # noqa: E402
from tests.unit.execution.deskkit import DAY, STOCK, SimDay, approve, make_order, sim_day  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLAT = scenario(DAY, {STOCK: DayBar(10.0, 10.0, 10.05, 9.95, 10.0, 5e6)})
CFG = ExecutionConfig(
    reconnect=ReconnectConfig(first_delay_s=0.2, max_delay_s=0.4), replay_settle_s=3.0,
    # One long-lived child, sized exactly: the outage catches it working.
    algo=AlgoConfig(child_ttl_s=900, max_participation=1, randomise_size=0,
                    randomise_time_s=0),
)


def alerts(client: redis.Redis) -> list[str]:
    return [f["body"] for _, f in client.xrange(streams.ALERTS)]


def reconnect(day: SimDay, timeout_s: float = 10.0) -> float:
    """Step the desk (clock still) until it says it reconnected; wall seconds taken."""
    started = time.monotonic()
    while not any("reconnected" in a for a in alerts(day.client)):
        assert time.monotonic() - started < timeout_s, "the desk never reconnected"
        time.sleep(0.05)
        day.settle()
    return time.monotonic() - started


def figures(day: SimDay, name: str, dropped_at: datetime, orders_at_drop: int) -> None:
    """The measured figures of one outage (docs/faults.md), shown with `pytest -s`."""
    report = day.desk.reconciled[-1]
    print(f"\nFIGURES {name}: outage simulated {(day.clock.now() - dropped_at).seconds} s "
          f"({report.outage_s:.2f} s wall); children sent during the outage: "
          f"{len(day.broker_orders()) - orders_at_drop}; reconnect to reconciled: "
          f"{report.reconcile_ms:.1f} ms; {report.summary()}")


def child(day: SimDay, reference: str) -> Any:
    found = day.desk.book.store.get(reference)
    assert found is not None, reference
    return found


def live_at_broker(day: SimDay) -> list[Any]:
    return [o for o in day.broker_orders() if o.active]


def traded(day: SimDay) -> int:
    return sum(t.volume for t in day.broker_trades())


@pytest.fixture
def day(redis_client: redis.Redis, tmp_path: Path) -> Iterator[SimDay]:
    with sim_day(redis_client, tmp_path, cfg=CFG, source=FLAT) as started:
        started.run(dtime(9, 31))
        yield started


def test_a_child_working_through_the_outage_is_matched_and_no_second_child_is_sent(
    day: SimDay,
) -> None:
    # Priced under the day's low: it works at the broker and never trades.
    day.desk.parents.work(approve(day.queue, make_order("w1", 100_000, start=dtime(9, 31),
                                                         end=dtime(9, 41), limit="9.90")))
    day.run(dtime(9, 32))
    assert [(o.reference, o.status) for o in day.broker_orders()] == [("w1#1", "NOTTRADED")]
    day.gateway.drop_connection()
    dropped_at = day.clock.now()
    day.run(dtime(9, 36))  # four minutes of the simulated day with the line down
    assert len(day.broker_orders()) == 1  # nothing sent while down
    reconnect(day)
    figures(day, "live child", dropped_at, 1)
    assert child(day, "w1#1").state is ChildState.WORKING  # matched by the replay, not LOST
    report = day.desk.reconciled[-1]
    assert (report.matched, report.lost, report.unknown) == (("w1#1",), (), ())
    assert any("1 children matched, 0 never received, 0 unknown" in a
               for a in alerts(day.client))
    day.run(dtime(9, 45))
    # The first child still works (long TTL): its parent never got a second one.
    assert [o.reference for o in day.broker_orders()] == ["w1#1"]


def test_a_halt_during_the_outage_is_carried_out_at_reconnect(day: SimDay) -> None:
    # A 60,000-share child that takes minutes to fill at 25% of each bar.
    day.desk.parents.work(approve(day.queue, make_order("h1", 600_000, start=dtime(9, 31),
                                                         end=dtime(9, 41))))
    day.run(dtime(9, 32))
    assert len(live_at_broker(day)) == 1
    day.gateway.drop_connection()
    day.settle()  # the desk notices the broken line
    day.desk.parents.halt(True, "risk: halt everything")
    assert any("queued" in a and "halt" in a for a in alerts(day.client))
    day.run(dtime(9, 33))  # the exchange keeps trading the child: the halt cannot reach it
    reconnect(day)
    assert live_at_broker(day) == []  # the halt's cancel went out at reconnect
    assert any("carried out at reconnect" in a for a in alerts(day.client))
    at_reconnect = traded(day)
    day.run(dtime(9, 45))
    assert traded(day) == at_reconnect  # nothing traded after the reconnect
    print(f"\nFIGURES halt: {at_reconnect} shares traded by the broker while the line was "
          f"down (the halt could not reach it), 0 after the reconnect; "
          f"{day.desk.reconciled[-1].summary()}")
    assert [o.reference for o in day.broker_orders()] == ["h1#1"]
    assert child(day, "h1#1").state is ChildState.CANCELLED


def test_a_cancel_during_the_outage_leaves_no_live_child(day: SimDay) -> None:
    day.desk.parents.work(approve(day.queue, make_order("c1", 100_000, start=dtime(9, 31),
                                                         end=dtime(9, 41), limit="9.90")))
    day.run(dtime(9, 32))
    day.gateway.drop_connection()
    day.settle()
    day.desk.parents.control("c1", "cancel", "trader", "changed my mind")
    day.run(dtime(9, 34))
    record = day.queue.get("c1")
    assert record is not None and record.state is OrderState.WORKING  # its child may be live
    assert any("queued" in a and "cancel" in a for a in alerts(day.client))
    reconnect(day)
    day.run(dtime(9, 35))
    assert live_at_broker(day) == []
    assert child(day, "c1#1").state is ChildState.CANCELLED
    record = day.queue.get("c1")
    assert record is not None and record.state is OrderState.CANCELLED
    assert [o.reference for o in day.broker_orders()] == ["c1#1"]


class LateReplayGateway(SimGateway):
    """A broker like CTP: logged in first, the day's orders replayed a little later."""

    replays_synchronously = False
    replay_delay_s = 0.4

    def _replay(self) -> None:
        timer = threading.Timer(self.replay_delay_s, super()._replay)
        timer.daemon = True
        timer.start()


def test_a_broker_that_replays_after_login_is_waited_for(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routing, "gateway_class", lambda name: LateReplayGateway)
    with sim_day(redis_client, tmp_path, cfg=CFG, source=FLAT) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order(
            "r1", 100_000, start=dtime(9, 31), end=dtime(9, 41), limit="9.90")))
        day.run(dtime(9, 32))
        day.gateway.drop_connection()
        dropped_at = day.clock.now()
        day.run(dtime(9, 34))
        reconnect(day)
        figures(day, "late replay", dropped_at, 1)
        assert child(day, "r1#1").state is ChildState.WORKING
        assert day.desk.reconciled[-1].reconcile_ms >= LateReplayGateway.replay_delay_s * 1000
        day.run(dtime(9, 40))
        assert [o.reference for o in day.broker_orders()] == ["r1#1"]


class NeverReplayedGateway(LateReplayGateway):
    replay_delay_s = 1.5  # longer than the desk waits (replay_settle_s)


def test_a_child_missing_from_a_late_replay_is_unknown_and_blocks_its_parent(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routing, "gateway_class", lambda name: NeverReplayedGateway)
    cfg = CFG.model_copy(update={"replay_settle_s": 0.3})
    with sim_day(redis_client, tmp_path, cfg=cfg, source=FLAT) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order(
            "u1", 100_000, start=dtime(9, 31), end=dtime(9, 41), limit="9.90")))
        day.run(dtime(9, 32))
        day.gateway.drop_connection()
        day.run(dtime(9, 33))
        reconnect(day)
        assert child(day, "u1#1").state is ChildState.UNKNOWN  # not LOST: it may be live
        assert any("children of unknown state" in a for a in alerts(day.client))
        day.run(dtime(9, 35))
        assert [o.reference for o in day.broker_orders()] == ["u1#1"]  # blocked
        time.sleep(NeverReplayedGateway.replay_delay_s)  # the broker speaks at last
        day.settle()
        assert child(day, "u1#1").state is ChildState.WORKING
        day.run(dtime(9, 40))
        assert [o.reference for o in day.broker_orders()] == ["u1#1"]
