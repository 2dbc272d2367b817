"""A broker connection dropped mid-order: stop sending, reconnect, reconcile, resume."""

import tempfile
import time
from datetime import time as dtime
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from execution.config import ExecutionConfig, ReconnectConfig  # noqa: E402
from orders.order import OrderState  # noqa: E402
from tests.unit.execution.deskkit import approve, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration


def alerts(client: redis.Redis) -> list[str]:
    return [f["body"] for _, f in client.xrange(streams.ALERTS)]


def test_dropped_connection_recovers_without_losing_or_doubling_fills(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    cfg = ExecutionConfig(reconnect=ReconnectConfig(first_delay_s=0.2, max_delay_s=0.4))
    with sim_day(redis_client, tmp_path, cfg=cfg) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("d1", 60_000)))
        day.run(dtime(9, 45))
        before = len(day.broker_orders())
        day.gateway.drop_connection()
        day.run(dtime(9, 50))  # the broker keeps matching what it holds; the desk hears nothing
        assert len(day.broker_orders()) == before  # nothing sent while down
        assert any("disconnected" in a for a in alerts(redis_client))
        traded_while_down = sum(t.volume for t in day.broker_trades())
        time.sleep(0.25)  # the first backoff delay, in wall time
        day.settle()  # retry: connect again, the broker replays the day
        day.settle()  # the link is seen up: reconcile and resume
        assert any("reconnected" in a for a in alerts(redis_client))
        record = day.queue.get("d1")
        assert record is not None and record.filled_quantity == traded_while_down
        day.run(dtime(10, 35))
        final = day.queue.get("d1")
        assert final is not None and final.state is OrderState.FILLED
        trades = day.broker_trades()
        assert sum(t.volume for t in trades) == 60_000
        assert redis_client.scard(streams.FILLS_APPLIED) == len(trades)
        references = [o.reference for o in day.broker_orders()]
        assert len(references) == len(set(references))
