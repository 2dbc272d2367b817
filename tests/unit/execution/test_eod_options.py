"""The end of day with MO options: trades valued at 100 per point, option positions
compared as long lots (never as stocks or futures), the report's hedge slippage at the
option's multiplier, and the simulated broker's option positions read apart."""

from datetime import date, datetime
from decimal import Decimal

import redis
from vnpy.trader.constant import Direction, Exchange
from vnpy.trader.object import PositionData

from exchange import Side
from execution.eod.facts import order_line
from execution.eod.reconcile import BreakKind, reconcile
from execution.eod.sim_view import sim_broker_day
from execution.eod.views import BrokerDay, BrokerOrder, BrokerTrade, DeskDay, DeskFill
from execution.eod.vnpy_view import vnpy_broker_day
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.models import FuturePosition, SimOrder
from execution.ledger import Ledger, OptionHolding
from marketdata.clock import EXCHANGE_TZ
from orders.order import Offset, Order, OrderKind, OrderRecord, OrderState

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=EXCHANGE_TZ)
PUT = "MO2612-P-5700.CFFEX"


def hedge(filled: int = 19, value: str = "334780.0") -> OrderRecord:
    order = Order(order_id="h1", trade_date=DAY, symbol=PUT, side=Side.BUY, quantity=19,
                  reference_price=Decimal("176.0"), kind=OrderKind.HEDGE, offset=Offset.OPEN)
    return OrderRecord(order=order, state=OrderState.FILLED, filled_quantity=filled,
                       filled_value=Decimal(value), fees=Decimal("285.00"))


def desk(long: int = 19) -> DeskDay:
    ledger = Ledger("paper", Decimal("665935.00"), NOW,
                    options={PUT: OptionHolding(long, Decimal("176.2"))} if long else {})
    return DeskDay(day=DAY, account="paper", ledger=ledger, records=[hedge()],
                   fills=[DeskFill("SIM.t1", "h1", 19, Decimal("334780.0"), Decimal("285.00"))],
                   parent_of={"h1#1": "h1", "SIM.1": "h1"})


def broker(options: dict[str, int] | None = None) -> BrokerDay:
    return BrokerDay(day=DAY, source="test",
                     orders=[BrokerOrder("SIM.1", PUT, "buy", 19, 19, "ALLTRADED", "h1#1")],
                     trades=[BrokerTrade("SIM.t1", "SIM.1", PUT, "buy", 19, Decimal("176.2"),
                                         Decimal("285.00"))],
                     options={PUT: 19} if options is None else options,
                     cash=Decimal("665935.00"))


def test_an_option_day_that_matches_is_clean() -> None:
    result = reconcile(desk(), broker())
    assert result.clean, [b.line() for b in result.breaks]
    assert result.checked["options"] == 1


def test_a_different_option_position_is_an_options_break() -> None:
    result = reconcile(desk(), broker(options={PUT: 18}))
    assert [b.kind for b in result.breaks] == [BreakKind.OPTIONS]
    assert (result.breaks[0].ours, result.breaks[0].broker) == ("long 19 lots", "long 18 lots")
    gone = reconcile(desk(long=0), broker())  # e.g. the broker has not settled the expiry
    assert [b.line() for b in gone.breaks] == [
        f"options {PUT}: desk long 0 lots, broker long 19 lots"]


def test_the_hedge_report_measures_an_option_at_100_per_point() -> None:
    line = order_line(hedge())  # 176.2 filled against 176.0: 0.2 x 100 x 19 = 380 CNY
    assert line.slippage_cost == Decimal("380.0")
    assert line.slippage_bps is not None and round(line.slippage_bps, 2) == 11.36


def test_the_sim_broker_reports_option_lots_apart_from_futures(
        redis_client: redis.Redis) -> None:
    book = SimBook(redis_client, "paper", Decimal("1000000"))
    book.open_day(DAY)
    order = SimOrder(orderid="1", symbol=PUT, side="buy", offset="open", price=Decimal("176.2"),
                     volume=19, created_at=NOW)
    book.save(DAY, order, FuturePosition(long=19, long_today=19, long_avg=Decimal("176.2")))
    day = sim_broker_day(redis_client, "paper", DAY, Decimal("1000000"))
    assert day.options == {PUT: 19} and day.futures == {} and day.stocks == {}


class Engine:
    """What `vnpy_broker_day` asks of a MainEngine, holding real vnpy objects."""

    def __init__(self, positions: list[PositionData]) -> None:
        self.positions = positions

    def get_all_orders(self) -> list[object]:
        return []

    def get_all_trades(self) -> list[object]:
        return []

    def get_all_positions(self) -> list[PositionData]:
        return self.positions

    def get_all_accounts(self) -> list[object]:
        return []


def test_vnpy_positions_of_an_option_are_long_lots_not_futures_or_shares() -> None:
    def pos(symbol: str, direction: Direction, volume: int) -> PositionData:
        return PositionData(gateway_name="SIM", symbol=symbol, exchange=Exchange.CFFEX,
                            direction=direction, volume=volume)
    engine = Engine([pos("MO2612-P-5700", Direction.LONG, 19),
                     pos("MO2612-P-5700", Direction.SHORT, 0),
                     pos("MO2612-C-6400", Direction.SHORT, 2),
                     pos("IM2612", Direction.SHORT, 3), pos("IM2612", Direction.LONG, 0)])
    day = vnpy_broker_day(engine, DAY, ["SIM"])
    assert day.options == {PUT: 19, "MO2612-C-6400.CFFEX": -2}
    assert day.futures == {"IM2612.CFFEX": 3} and day.stocks == {}
