"""One execution desk per broker account: the fencing lease through a real desk
(MainEngine, the simulated broker, a real Redis). A standby waits in start(); once the
holder goes silent past its lease the standby takes over, and the old holder's sends
are refused by the fencing check before they reach the broker."""

import tempfile
import threading
import time
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from bus.messages import decode  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.fencing import lease_key  # noqa: E402
from execution.worker.children import ChildState  # noqa: E402
from execution.worker.desk import ExecutionDesk  # noqa: E402
from execution.worker.lease import LeaseLost  # noqa: E402
from tests.unit.execution.deskkit import SimDay, approve, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration
TTL_MS = 600
LEASED = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": TTL_MS}})


def alert_titles(client: redis.Redis) -> list[str]:
    return [getattr(decode(f).body, "title", "") for _, f in client.xrange(streams.ALERTS)]


def work_without_renewing(day: SimDay, desk: ExecutionDesk, minutes: int) -> None:
    """What a step does, but the lease renewal: a holder back from a freeze."""
    for _ in range(minutes * 3):
        day.clock.advance(timedelta(seconds=20))
        day.gateway.advance()
        desk.parents.after_events(desk._handle(desk.bridge.barrier()))
        desk.parents.advance_all(day.clock.now())


def test_a_standby_waits_takes_over_a_lapsed_lease_and_the_old_holder_cannot_send(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path, cfg=LEASED) as day:
        holder = day.desk
        day.run(dtime(9, 31))
        holder.parents.work(approve(day.queue, make_order("p1", 200_000)))
        day.run(dtime(9, 40))
        assert day.broker_orders(), "the holder sent nothing while it held the lease"
        standby = day.new_desk()
        taking = threading.Thread(target=standby.start, daemon=True)
        taking.start()
        until = time.monotonic() + 2 * TTL_MS / 1000
        while time.monotonic() < until:  # the holder keeps working and renewing
            day.settle()
            time.sleep(0.05)
        assert taking.is_alive(), "the standby started while the lease was held"
        taking.join(timeout=10 * TTL_MS / 1000)  # the holder is silent now: it lapses
        assert not taking.is_alive(), "the standby never took over the lapsed lease"
        assert standby.lease.fence.token is not None and holder.lease.fence.token is not None
        assert standby.lease.fence.token > holder.lease.fence.token
        assert redis_client.get(lease_key("paper")) == str(standby.lease.fence.token)
        sent_by_holder = len(day.broker_orders())
        try:
            # The old holder comes back mid-step: its next child is refused, not sent.
            work_without_renewing(day, holder, minutes=5)
            assert len(day.broker_orders()) == sent_by_holder
            assert any("order send refused" in t for t in alert_titles(redis_client))
            assert all(c.state is not ChildState.RECORDED for c in holder.book.open())
            with pytest.raises(LeaseLost, match="taken over"):
                holder.step()
            assert any("lost the lease" in t for t in alert_titles(redis_client))
        finally:
            standby.stop()


def test_a_clean_stop_hands_the_lease_on_at_once(redis_client: redis.Redis,
                                                  tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path, cfg=LEASED) as day:
        first = day.desk.lease.fence.token
        day.desk.stop()
        assert redis_client.get(lease_key("paper")) is None
        day.desk = day.new_desk()
        started = time.monotonic()
        day.desk.start()
        assert time.monotonic() - started < TTL_MS / 1000  # no wait for a lapse
        assert first is not None and day.desk.lease.fence.token == first + 1


def test_without_the_setting_no_lease_is_taken(redis_client: redis.Redis,
                                               tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path) as day:
        assert day.desk.lease.fence.token is None
        assert redis_client.get(lease_key("paper")) is None
        assert day.desk.lease.refusal() is None


def test_a_standby_waits_through_the_desks_wait_hook(redis_client: redis.Redis,
                                                     tmp_path: Path) -> None:
    """The service gives the desk its wait (a heartbeat, the stop flag): used each time
    the standby finds the lease held, until it lapses."""
    redis_client.set(lease_key(LEASED.account), 999, px=60_000)  # another desk holds it
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            redis_client.delete(lease_key(LEASED.account))  # the other lease lapsed

    day = SimDay(redis_client, tmp_path, cfg=LEASED, wait=wait)
    try:
        day.desk.start()  # returns once the lease is taken
        assert len(waits) == 3 and day.desk.lease.fence.token is not None
    finally:
        day.desk.stop()
