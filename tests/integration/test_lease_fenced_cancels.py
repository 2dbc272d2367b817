"""Cancels are fenced like sends (issue 16, item 3): a desk whose account lease lapsed
and was taken by a standby cancels nothing at the broker — the account is the new
holder's now. Through a real desk (MainEngine, the simulated broker, a real Redis)."""

import tempfile
import time
from datetime import time as dtime
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from bus.messages import decode  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.fencing import FencingLease  # noqa: E402
from execution.worker.lease import LeaseLost  # noqa: E402
from tests.unit.execution.deskkit import SimDay, approve, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration
TTL_MS = 600
LEASED = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": TTL_MS}})
WORKING = {"NOTTRADED", "PARTTRADED", "SUBMITTING"}


def working_at_broker(day: SimDay) -> set[str]:
    return {o.orderid for o in day.broker_orders() if o.status in WORKING}


def alert_titles(client: redis.Redis) -> list[str]:
    return [getattr(decode(f).body, "title", "") for _, f in client.xrange(streams.ALERTS)]


def holder_with_working_children(day: SimDay) -> set[str]:
    day.run(dtime(9, 31))
    day.desk.parents.work(approve(day.queue, make_order("p1", 200_000)))
    day.run(dtime(9, 40))
    working = working_at_broker(day)
    assert working, "the holder has no child working at the broker"
    return working


def test_a_desk_that_lost_its_lease_cancels_nothing(redis_client: redis.Redis,
                                                    tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path, cfg=LEASED) as day:
        holder = day.desk
        working = holder_with_working_children(day)
        time.sleep(TTL_MS / 1000)  # the holder froze past its lease ...
        other = FencingLease(redis_client, LEASED.account, TTL_MS * 100)
        assert other.acquire(), "... and another desk took the account"
        holder.parents.halt(True, "kill switch")  # every working child: a cancel
        assert working_at_broker(day) == working, "a desk without the lease cancelled"
        assert all(c.open for c in holder.book.open())
        assert any("refused: no lease" in t for t in alert_titles(redis_client))
        with pytest.raises(LeaseLost):
            holder.step()


def test_the_holder_cancels_as_before(redis_client: redis.Redis, tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path, cfg=LEASED) as day:
        working = holder_with_working_children(day)
        day.desk.parents.halt(True, "kill switch")
        day.settle()
        assert working and not working_at_broker(day) & working


def test_a_cancel_refused_while_the_lease_was_late_goes_once_it_is_renewed(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    """A renewal late (Redis slow, a replica not confirming) refuses cancels as sends;
    the kill switch's cancels then wait and go with the next renewal, not never."""
    slow = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": 20_000}})
    with sim_day(redis_client, tmp_path, cfg=slow) as day:
        holder = day.desk
        working = holder_with_working_children(day)
        holder.lease.fence.deadline = 0.0  # the local deadline passed: renewal late
        holder.parents.halt(True, "kill switch")
        assert working_at_broker(day) == working
        holder.lease.renewed_at = float("-inf")  # the renewal due now succeeds
        day.settle()
        day.settle()
        assert holder.lease.refusal() is None
        assert not working_at_broker(day) & working, "the halt never reached the broker"
