"""MO puts held into their expiry (real Redis, a real vnpy MainEngine, the simulated CFFEX
broker, the end-of-day run): bought on their last trading day through the desk, settled
by the broker at the close (in the money: max(K - S, 0) x 100 per lot less 2 CNY a lot;
out of the money: nothing), booked alike by the end of day, which then reconciles clean
and records a NAV without them. Running the end of day again settles nothing twice."""

import json
import tempfile
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from exchange import Side  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.approval.queue import OrderQueue  # noqa: E402
from execution.config import ExecutionConfig  # noqa: E402
from execution.eod.vnpy_view import vnpy_broker_day  # noqa: E402
from execution.gateway.sim.book import SimBook  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.gateway.sim.source import FrameSource  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402
from orders.order import Algo, Offset, Order, OrderKind, OrderState  # noqa: E402
from services.eod.trigger import run_eod  # noqa: E402
from services.runtime import ServiceContext  # noqa: E402
from services.settings_loader import DEFAULT_CONFIG, load_settings  # noqa: E402
from tests.integration.test_risk_service import messages  # noqa: E402
from tests.unit.execution.deskkit import SimDay  # noqa: E402

pytestmark = pytest.mark.integration
EXPIRY = date(2026, 12, 18)  # MO2612's last trading day
ITM, OTM = "MO2612-P-5700.CFFEX", "MO2612-P-5400.CFFEX"
SETTLEMENT = 5650.0  # the CSI 1000 at the close, for the broker and for the desk
CASH = Decimal(1_000_000)


def at(clock_time: dtime) -> datetime:
    return datetime.combine(EXPIRY, clock_time, tzinfo=EXCHANGE_TZ)


class ExpiryDay(SimDay):
    """`SimDay` on the expiry date."""

    def __init__(self, client: redis.Redis, data_dir: Path, source: FrameSource) -> None:
        self.client, self.data_dir, self.source = client, data_dir, source
        self.clock = FixedClock(at(dtime(9, 29)))
        self.queue = OrderQueue(client, self.clock)
        self.cfg = ExecutionConfig(initial_cash=CASH)
        self.desk = self.new_desk()

    def run(self, until: dtime, every_s: int = 20) -> None:
        while self.clock.now() < at(until):
            self.clock.advance(min(at(until) - self.clock.now(), timedelta(seconds=every_s)))
            self.gateway.advance()
            self.settle()


def put_order(order_id: str, symbol: str, lots: int, limit: str) -> Order:
    return Order(order_id=order_id, trade_date=EXPIRY, symbol=symbol, side=Side.BUY,
                 quantity=lots, reference_price=Decimal(limit), limit_price=Decimal(limit),
                 algo=Algo.TWAP, start_time=dtime(9, 30), end_time=dtime(10, 30),
                 kind=OrderKind.HEDGE, offset=Offset.OPEN, created_by="risk")


def context(day: SimDay, data_dir: Path) -> ServiceContext:
    settings = load_settings(DEFAULT_CONFIG, env={}).model_copy(update={"data_dir": data_dir})
    settings = settings.model_copy(update={"execution": settings.execution.model_copy(
        update={"initial_cash": CASH})})
    return ServiceContext(settings=settings, client=day.client, clock=day.clock,
                          data_dir=data_dir)


def test_puts_held_into_expiry_settle_alike_at_the_broker_and_the_desk(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    tape = scenario(EXPIRY, {
        ITM: DayBar(50.0, 50.0, 56.0, 44.0, 50.0, 3000, index_prev_close=5650.0),
        OTM: DayBar(1.0, 1.0, 1.2, 0.2, 0.2, 3000, index_prev_close=5650.0),
    }, index_settlement=SETTLEMENT)
    day = ExpiryDay(redis_client, tmp_path / "vnpy", tape)
    try:
        day.desk.start()
        day.run(dtime(9, 30))
        for order in (put_order("itm", ITM, 10, "60.0"), put_order("otm", OTM, 5, "2.0")):
            day.queue.ingest(order, actor="risk")
            day.desk.parents.work(day.queue.apply(order.order_id, Action.APPROVE, actor="wang"))
        day.run(dtime(10, 35))
        assert all(day.queue.get(o).state is OrderState.FILLED  # type: ignore[union-attr]
                   for o in ("itm", "otm"))
        ledger = json.loads(str(redis_client.get(streams.LEDGER.format(account="paper"))))
        assert set(ledger["options"]) == {ITM, OTM}
        paid = CASH - Decimal(ledger["cash"])
        day.gateway.query_position()
        day.desk.bridge.barrier()
        held = vnpy_broker_day(day.desk.bridge.main_engine, EXPIRY, ["SIM"]).options
        assert held == {ITM: 10, OTM: 5}
        day.clock.set(at(dtime(15, 31)))
        day.gateway.advance()  # the broker's close: expiry settled
        day.settle()
        redis_client.hset(streams.LAST_PRICES, "000852.SSE", f"{SETTLEMENT:.2f}")
        broker = SimBook(redis_client, "paper", CASH)
        assert [(e.symbol, e.value, e.fee) for e in broker.expiries(EXPIRY)] == [
            (OTM, Decimal("0.00"), Decimal("0.00")), (ITM, Decimal("50000.00"), Decimal("20.00"))]

        day.desk.bridge.barrier()
        via_vnpy = vnpy_broker_day(day.desk.bridge.main_engine, EXPIRY, ["SIM"])
        assert via_vnpy.options == {}  # the settled positions reached vnpy, empty
        result = run_eod(context(day, tmp_path / "desk"), EXPIRY)
        again = run_eod(context(day, tmp_path / "desk"), EXPIRY)
    finally:
        day.desk.stop()

    # (5700 - 5650) x 100 x 10 = 50,000 less 2 CNY a lot exercised; the 5400 puts lapse.
    after = json.loads(str(redis_client.get(streams.LEDGER.format(account="paper"))))
    assert after["options"] == {}
    assert Decimal(after["cash"]) == CASH - paid + Decimal("50000") - Decimal("20")
    assert Decimal(after["cash"]) == broker.cash()
    assert result.reconciliation.clean, [b.line() for b in result.reconciliation.breaks]
    assert again.reconciliation.clean and Decimal(json.loads(str(redis_client.get(
        streams.LEDGER.format(account="paper"))))["cash"]) == Decimal(after["cash"])
    assert result.nav is not None and result.nav.nav == Decimal(after["cash"])
    titles = [m.body.title for m in messages(redis_client, streams.ALERTS)
              if "expired" in m.body.title]
    assert titles == ["2 option position(s) expired on 2026-12-18"]  # once, not on the rerun
