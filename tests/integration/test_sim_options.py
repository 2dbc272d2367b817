"""MO options through a real vnpy MainEngine and the simulated CFFEX broker (real Redis):
an order off the 0.2 tick or beyond the day's limit is refused, a good one fills at the
option's multiplier and fee, a written option holds the exchange's short margin, and the
contract reaches vnpy as an option."""

import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from vnpy.trader.constant import (  # noqa: E402
    Direction,
    Exchange,
    Offset,
    OptionType,
    OrderType,
    Product,
    Status,
)
from vnpy.trader.object import OrderRequest, SubscribeRequest  # noqa: E402

from exchange.options import option_fee, short_option_margin  # noqa: E402
from execution.config import SimConfig  # noqa: E402
from execution.engine.bridge import VnpyBridge  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.models import FuturePosition  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from marketdata.clock import EXCHANGE_TZ, FixedClock  # noqa: E402

pytestmark = pytest.mark.integration

DAY = date(2026, 12, 2)
PUT = "MO2612-P-6000.CFFEX"
CALL = "MO2612-C-6400.CFFEX"
INDEX = 6123.45
# prev settlement 119.2: limits 119.2 +/- 612.345 -> up 731.4, down 0.2 (one tick)
TAPE = scenario(DAY, {
    PUT: DayBar(119.2, 118.0, 126.0, 110.0, 121.0, 3000, index_prev_close=INDEX),
    CALL: DayBar(20.0, 20.0, 22.0, 18.0, 19.0, 3000, index_prev_close=INDEX),
})


def at(clock: dtime) -> datetime:
    return datetime.combine(DAY, clock, tzinfo=EXCHANGE_TZ)


class Broker:
    def __init__(self, bridge: VnpyBridge, gateway: SimGateway, clock: FixedClock) -> None:
        self.bridge, self.gateway, self.clock = bridge, gateway, clock

    def send(self, symbol: str, direction: Direction, offset: Offset, volume: int,
             price: str) -> str:
        code, _ = symbol.rsplit(".", 1)
        req = OrderRequest(symbol=code, exchange=Exchange.CFFEX, direction=direction,
                           type=OrderType.LIMIT, volume=volume, price=float(price),
                           offset=offset, reference=f"t-{code}-{price}")
        return self.bridge.send_order(req, "SIM")

    def run(self, until: dtime) -> None:
        while self.clock.now() < at(until):
            self.clock.advance(min(at(until) - self.clock.now(), timedelta(seconds=30)))
            self.gateway.advance()

    def status(self, vt_orderid: str) -> Status:
        orderid = vt_orderid.split(".", 1)[1]
        exchange = self.gateway.exchange
        assert exchange is not None
        order = next(o for o in exchange.book.orders(DAY) if o.orderid == orderid)
        return Status[order.status]

    def reason(self, vt_orderid: str) -> str:
        orderid = vt_orderid.split(".", 1)[1]
        exchange = self.gateway.exchange
        assert exchange is not None
        return next(o.reason for o in exchange.book.orders(DAY) if o.orderid == orderid)


@pytest.fixture
def broker(redis_client: redis.Redis, tmp_path: Path) -> Iterator[Broker]:
    clock = FixedClock(at(dtime(9, 31)))
    bridge = VnpyBridge(tmp_path / "vnpy")
    try:
        gateway: SimGateway = bridge.add_gateway(SimGateway, "SIM")
        gateway.bind(SimDeps(redis_client, clock, TAPE, SimConfig(participation=Decimal("0.5")),
                             Decimal("1000000"), auto_match=False))
        bridge.connect("SIM", {"account": "options"})
        yield Broker(bridge, gateway, clock)
    finally:
        bridge.close()


def test_off_tick_and_beyond_the_limit_are_rejected_a_good_one_fills(broker: Broker) -> None:
    off_tick = broker.send(PUT, Direction.LONG, Offset.OPEN, 2, "120.1")
    above = broker.send(PUT, Direction.LONG, Offset.OPEN, 2, "731.6")
    too_many = broker.send(PUT, Direction.LONG, Offset.OPEN, 21, "121.0")
    good = broker.send(PUT, Direction.LONG, Offset.OPEN, 2, "130.0")
    assert broker.status(off_tick) is Status.REJECTED
    assert "tick 0.2" in broker.reason(off_tick)
    assert broker.status(above) is Status.REJECTED
    assert "limit-up 731.4" in broker.reason(above)
    assert broker.status(too_many) is Status.REJECTED and "maximum of 20" in broker.reason(
        too_many)
    assert broker.status(good) is Status.NOTTRADED

    broker.run(dtime(9, 45))
    assert broker.status(good) is Status.ALLTRADED
    exchange = broker.gateway.exchange
    assert exchange is not None
    trades = exchange.book.trades(DAY)
    assert [(t.symbol, t.volume, t.offset) for t in trades] == [(PUT, 2, "open")]
    paid = trades[0].price * 100 * 2 + option_fee(2, DAY)
    assert trades[0].fees == Decimal("30.00")
    assert exchange.book.cash() == Decimal("1000000") - paid
    position = exchange.book.position(PUT)
    assert isinstance(position, FuturePosition)
    assert (position.long, position.long_today, position.margin) == (2, 2, Decimal(0))

    # Sold back the same day: premium received less the fee.
    back = broker.send(PUT, Direction.SHORT, Offset.CLOSETODAY, 2, "100.0")
    broker.run(dtime(10, 0))
    assert broker.status(back) is Status.ALLTRADED
    assert exchange.book.position(PUT).long == 0  # type: ignore[union-attr]


def test_a_written_option_holds_the_short_margin(broker: Broker) -> None:
    write = broker.send(CALL, Direction.SHORT, Offset.OPEN, 1, "18.0")
    exchange = broker.gateway.exchange
    assert exchange is not None
    assert broker.status(write) is Status.NOTTRADED
    working = next(o for o in exchange.book.orders(DAY) if o.reference.startswith("t-MO2612-C"))
    margin = short_option_margin(CALL, Decimal("18.0"), Decimal("6123.45"), DAY)
    assert working.frozen_cash == margin
    broker.run(dtime(9, 50))
    assert broker.status(write) is Status.ALLTRADED
    position = exchange.book.position(CALL)
    assert isinstance(position, FuturePosition) and position.short == 1
    trade = exchange.book.trades(DAY)[0]
    assert position.margin == short_option_margin(CALL, trade.price, Decimal("6123.45"), DAY)
    assert exchange.book.cash() == Decimal("1000000") + trade.price * 100 - Decimal("15.00")
    assert exchange.available_cash() == exchange.book.cash() - position.margin
    # No cash for a second, much larger write: refused by the broker's margin check.
    big = broker.send(CALL, Direction.SHORT, Offset.OPEN, 20, "18.0")
    assert broker.status(big) is Status.REJECTED
    assert "not enough margin" in broker.reason(big)

def test_the_contract_reaches_vnpy_as_an_option(broker: Broker) -> None:
    broker.bridge.subscribe(SubscribeRequest(symbol=PUT.split(".")[0], exchange=Exchange.CFFEX),
                            "SIM")
    broker.bridge.barrier()
    put = broker.bridge.main_engine.get_contract(PUT)
    assert put is not None
    assert (put.product, put.size, put.pricetick, put.max_volume) == (Product.OPTION, 100, 0.2,
                                                                       20)
    assert (put.option_type, put.option_strike) == (OptionType.PUT, 6000.0)
    assert put.option_underlying == "IM2612.CFFEX"
    assert put.option_expiry == datetime(2026, 12, 18, 15, 0, tzinfo=EXCHANGE_TZ)
