"""End-of-day reconciliation on a real simulated day: desk, MainEngine, sim broker, Redis."""

import json
import tempfile
from collections.abc import Iterator
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from exchange import Side  # noqa: E402
from execution.engine.bridge import VnpyBridge  # noqa: E402
from execution.eod.desk_view import load_desk_day  # noqa: E402
from execution.eod.reconcile import BreakKind, reconcile  # noqa: E402
from execution.eod.sim_view import sim_broker_day  # noqa: E402
from execution.eod.views import BrokerDay, DeskDay  # noqa: E402
from execution.eod.vnpy_view import vnpy_broker_day  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.models import SimOrder  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.worker.keys import FILL_JOURNAL  # noqa: E402
from orders.order import Offset, OrderKind  # noqa: E402
from tests.unit.execution.deskkit import (  # noqa: E402
    DAY,
    STOCK,
    SimDay,
    approve,
    at,
    make_order,
    sim_day,
)

pytestmark = pytest.mark.integration

HEDGE = "IM2612.CFFEX"
TAPE = {STOCK: DayBar(10.0, 10.0, 10.3, 9.8, 10.1, 5e6),
        HEDGE: DayBar(5800.0, 5790.0, 5850.0, 5750.0, 5810.0, 2e5)}


@pytest.fixture
def traded(redis_client: redis.Redis, tmp_path: Path) -> Iterator[SimDay]:
    """A morning with a filled stock buy, a filled IM short and an unfilled buy."""
    with sim_day(redis_client, tmp_path, source=scenario(DAY, TAPE)) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("buy", 20_000)))
        hedge = make_order("hedge", 4, symbol=HEDGE, side=Side.SELL, kind=OrderKind.HEDGE,
                           offset=Offset.OPEN, reference="5800.00")
        day.desk.parents.work(approve(day.queue, hedge))
        day.desk.parents.work(approve(day.queue, make_order("low", 5_000, limit="9.00")))
        day.run(dtime(10, 35))
        yield day


def desk_books(day: SimDay) -> DeskDay:
    return load_desk_day(day.client, day.queue, "paper", DAY, day.cfg.initial_cash,
                         day.clock.now())


def broker_books(day: SimDay) -> BrokerDay:
    return sim_broker_day(day.client, "paper", DAY, day.cfg.initial_cash)


def test_a_day_the_desk_booked_right_reconciles_clean(traded: SimDay) -> None:
    desk, broker = desk_books(traded), broker_books(traded)
    assert broker.stocks == {STOCK: 20_000} and broker.futures == {HEDGE: 4}
    result = reconcile(desk, broker)
    assert result.clean, [b.line() for b in result.breaks]
    trades = traded.broker_trades()
    assert result.checked["trades"] == len(trades) == result.checked["fills"] > 2
    assert result.checked["orders"] == 3


def test_a_changed_ledger_is_reported_with_both_figures(traded: SimDay) -> None:
    key = streams.LEDGER.format(account="paper")
    ledger = json.loads(traded.client.get(key))
    ledger["positions"][STOCK]["quantity"] = "19900"
    ledger["cash"] = str(Decimal(ledger["cash"]) + Decimal("12.34"))
    traded.client.set(key, json.dumps(ledger))
    result = reconcile(desk_books(traded), broker_books(traded))
    kinds = {b.kind: b for b in result.breaks}
    assert set(kinds) == {BreakKind.POSITION, BreakKind.CASH}
    position = kinds[BreakKind.POSITION]
    assert (position.subject, position.ours, position.broker) == \
        (STOCK, "19900 shares", "20000 shares")
    assert "+12.34" in kinds[BreakKind.CASH].detail


def test_a_trade_the_desk_never_booked_and_an_order_it_never_sent(traded: SimDay) -> None:
    journal = FILL_JOURNAL.format(order_id="buy")
    dropped = json.loads(traded.client.lindex(journal, -1))
    traded.client.rpop(journal)
    stranger = SimOrder(orderid="999999", symbol=STOCK, side="sell", offset="none",
                        price=Decimal("10.10"), volume=300, status="NOTTRADED",
                        created_at=at(dtime(10, 0)))
    traded.client.hset(f"desk:sim:paper:orders:{DAY.isoformat()}", "999999",
                       stranger.model_dump_json())
    result = reconcile(desk_books(traded), broker_books(traded))
    found = {(b.kind, b.subject) for b in result.breaks}
    assert (BreakKind.FILL_MISSING, dropped["trade_id"]) in found
    assert (BreakKind.UNKNOWN_ORDER, "SIM.999999") in found
    assert (BreakKind.OPEN_ORDER, "SIM.999999") in found
    assert len(result.breaks) == 3


def test_a_fresh_vnpy_login_sees_what_the_sim_books_hold(traded: SimDay, tmp_path: Path) -> None:
    """As `desk eod` reads a real broker: its own MainEngine, a login, the replay."""
    bridge = VnpyBridge(tmp_path / "eod")
    try:
        gateway = bridge.add_gateway(SimGateway, "SIM")
        gateway.bind(SimDeps(traded.client, traded.clock, traded.source, traded.cfg.sim,
                             traded.cfg.initial_cash, auto_match=False))
        bridge.connect("SIM", {"account": "paper"})
        bridge.barrier()
        via_vnpy = vnpy_broker_day(bridge.main_engine, DAY, ["SIM"])
    finally:
        bridge.close()
    direct = broker_books(traded)
    assert via_vnpy.stocks == direct.stocks == {STOCK: 20_000}
    assert via_vnpy.futures == direct.futures and via_vnpy.cash == direct.cash
    assert sorted(via_vnpy.orders, key=lambda o: o.vt_orderid) == \
        sorted(direct.orders, key=lambda o: o.vt_orderid)
    assert sorted((t.vt_tradeid, t.quantity, t.price) for t in via_vnpy.trades) == \
        sorted((t.vt_tradeid, t.quantity, t.price) for t in direct.trades)
    assert all(t.fees is None for t in via_vnpy.trades)  # vnpy trades carry no fees
    assert reconcile(desk_books(traded), via_vnpy).clean
