"""Prices from the start of the day: the execution desk (real MainEngine, simulated
broker, real Redis) subscribes the batch's symbols before any order is approved, marks
the previous close as such, and switches to the last trade after the open; orders added
later (a manual order) are picked up too. With those prices the re-confirmation of a
moved price and a manual order without a limit work before the open."""

import tempfile
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.approval.manual import ManualOrderRequest, add_manual_order  # noqa: E402
from execution.approval.queue import NeedsReconfirmation  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.worker.price_source import PRICE_SOURCES  # noqa: E402
from execution.worker.watch import watch_for  # noqa: E402
from orders.order import OrderState  # noqa: E402
from tests.unit.execution.deskkit import DAY, STOCK, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration

OTHER, LATE = "000002.SZSE", "600036.SSE"
TAPE = scenario(DAY, {
    STOCK: DayBar(10.0, 10.2, 10.5, 10.1, 10.4, 5e6),
    OTHER: DayBar(16.8, 16.9, 17.2, 16.5, 17.0, 4e6),
    LATE: DayBar(35.0, 35.1, 35.5, 34.8, 35.2, 3e6),
})


def prices(client: redis.Redis, *symbols: str) -> list[tuple[str | None, str | None]]:
    return [(client.hget(streams.LAST_PRICES, s), client.hget(PRICE_SOURCES, s))
            for s in symbols]


def test_batch_symbols_are_priced_before_the_open_then_from_trades(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path, source=TAPE, start=dtime(9, 0)) as day:
        day.queue.client.set(streams.CURRENT_BATCH, DAY.isoformat())
        day.queue.ingest(make_order("b1", 1000), actor="model")
        day.queue.ingest(make_order("b2", 500, symbol=OTHER, reference="15.00"), actor="model")
        watch = watch_for(day.desk)
        day.settle()
        assert prices(redis_client, STOCK, OTHER) == [("10.00", "prev_close"),
                                                      ("16.80", "prev_close")]
        assert redis_client.hget(streams.LAST_PRICES, LATE) is None

        # Pre-open, pending: the moved price asks for re-confirmation (15.00 -> 16.80).
        with pytest.raises(NeedsReconfirmation, match="moved"):
            day.queue.apply("b2", Action.APPROVE, actor="trader")
        assert day.queue.require("b2").state is OrderState.PENDING_APPROVAL

        # A manual order without a limit is priced at the previous close of its symbol...
        record = add_manual_order(day.queue, ManualOrderRequest.model_validate(
            {"symbol": OTHER, "side": "buy", "quantity": 200, "reason": "news"}),
            author="alice", account="paper")
        assert record.order.reference_price == Decimal("16.80")
        # ...and one in a symbol nobody had subscribed is picked up by the watch.
        day.queue.ingest(make_order("m2", 100, symbol=LATE, reference="35.00"), actor="alice")
        assert watch.poll() == [LATE]
        day.settle()
        assert prices(redis_client, LATE) == [("35.00", "prev_close")]

        day.run(dtime(9, 32))  # the first minute bars: last trades
        last = prices(redis_client, STOCK, OTHER, LATE)
        assert [source for _price, source in last] == ["last", "last", "last"]
        assert all(price not in ("10.00", "16.80", "35.00") for price, _source in last), last
        assert not day.desk.parents.workers  # nothing was approved: prices only
