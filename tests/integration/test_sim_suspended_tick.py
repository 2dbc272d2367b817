"""A held stock suspended today has minute bars but no reference at the simulated
exchange. Matching used to raise on its bar (KeyError in the tick push), which in the
matcher thread silently stopped every fill of the day, and on the stepped clock
stopped the execution service. Now it gets no tick and the others trade on."""

from __future__ import annotations

import tempfile
from datetime import time as dtime
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="suspended-vnpy-")))

from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.gateway.sim.source import FrameSource  # noqa: E402
from orders.order import OrderState  # noqa: E402
from tests.unit.execution.deskkit import DAY, STOCK, approve, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration

SUSPENDED = "000001.SZSE"


def _tape_with_a_suspended_stock() -> FrameSource:
    source = scenario(DAY, {STOCK: DayBar(10.0, 10.0, 10.3, 9.8, 10.1, 5e6),
                            SUSPENDED: DayBar(12.0, 12.0, 12.1, 11.9, 12.0, 1e6)})
    del source.references[SUSPENDED]  # suspended: the source gives no limits for it
    return source


def test_a_suspended_stocks_bar_neither_ticks_nor_stops_matching(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path, source=_tape_with_a_suspended_stock()) as day:
        day.desk.parents.subscribe(SUSPENDED, "SIM")
        record = approve(day.queue, make_order("s1", 1_000, start=dtime(9, 30),
                                               end=dtime(9, 40)))
        day.desk.parents.work(record)
        day.run(dtime(9, 45))  # raised KeyError on the first bar of the suspended stock
        done = day.queue.get("s1")
        assert done is not None and done.state is OrderState.FILLED
        assert SUSPENDED in day.gateway.subscribed
        assert day.desk.market.quote(SUSPENDED) is None  # never a tick without a reference
