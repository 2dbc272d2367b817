"""Reconciliation rules on plain data: each kind of break, and what is not compared."""

from datetime import date, datetime
from decimal import Decimal

from exchange import Side
from execution.eod.reconcile import BreakKind, reconcile
from execution.eod.views import BrokerDay, BrokerOrder, BrokerTrade, DeskDay, DeskFill
from execution.ledger import FutureHolding, Holding, Ledger
from marketdata.clock import EXCHANGE_TZ
from orders.order import Order, OrderRecord, OrderState

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=EXCHANGE_TZ)
STOCK, FUT = "600000.SSE", "IM2612.CFFEX"


def ledger(cash: str = "1000", shares: int = 300, short: int = 2) -> Ledger:
    return Ledger("paper", Decimal(cash), NOW, positions={STOCK: Holding(shares, 0, Decimal(10))},
                  futures={FUT: FutureHolding(short, Decimal("5800"))})


def record(filled: int, value: str) -> OrderRecord:
    order = Order(order_id="p1", trade_date=DAY, symbol=STOCK, side=Side.BUY, quantity=300,
                  reference_price=Decimal("10.00"))
    return OrderRecord(order=order, state=OrderState.FILLED, filled_quantity=filled,
                       filled_value=Decimal(value))


def desk(**kwargs: object) -> DeskDay:
    base = {"day": DAY, "account": "paper", "ledger": ledger(), "records": [record(300, "3003")],
            "fills": [DeskFill("SIM.t1", "p1", 300, Decimal("3003.00"), Decimal("5.00"))],
            "parent_of": {"p1#1": "p1", "SIM.1": "p1"}}
    return DeskDay(**{**base, **kwargs})  # type: ignore[arg-type]


def broker(**kwargs: object) -> BrokerDay:
    base = {"day": DAY, "source": "test",
            "orders": [BrokerOrder("SIM.1", STOCK, "buy", 300, 300, "ALLTRADED", "p1#1")],
            "trades": [BrokerTrade("SIM.t1", "SIM.1", STOCK, "buy", 300, Decimal("10.01"),
                                   Decimal("5.00"))],
            "stocks": {STOCK: 300}, "futures": {FUT: 2}, "cash": Decimal("1000")}
    return BrokerDay(**{**base, **kwargs})  # type: ignore[arg-type]


def kinds(result_desk: DeskDay, result_broker: BrokerDay) -> list[BreakKind]:
    return [b.kind for b in reconcile(result_desk, result_broker).breaks]


def test_matching_books_are_clean() -> None:
    assert reconcile(desk(), broker()).clean


def test_futures_short_and_fees_differences_are_breaks() -> None:
    trade = BrokerTrade("SIM.t1", "SIM.1", STOCK, "buy", 300, Decimal("10.01"), Decimal("5.30"))
    result = reconcile(desk(), broker(futures={FUT: 3}, trades=[trade]))
    assert [b.kind for b in result.breaks] == [BreakKind.FUTURES, BreakKind.FEES]
    assert result.breaks[0].ours == "short 2 lots" and result.breaks[0].broker == "short 3 lots"
    assert (result.breaks[1].ours, result.breaks[1].broker) == ("5.00", "5.30")


def test_a_parent_whose_filled_figures_disagree_with_its_trades() -> None:
    result = reconcile(desk(records=[record(200, "2002")]), broker())
    assert [b.kind for b in result.breaks] == [BreakKind.ORDER_FILLED]
    assert result.breaks[0].broker == "300 for 3003.00"


def test_a_fill_the_broker_does_not_have_and_a_price_that_differs() -> None:
    other = BrokerTrade("SIM.t1", "SIM.1", STOCK, "buy", 300, Decimal("10.02"), Decimal("5.00"))
    assert kinds(desk(), broker(trades=[])) == [BreakKind.FILL_UNKNOWN, BreakKind.ORDER_FILLED]
    assert kinds(desk(), broker(trades=[other])) == [BreakKind.FILL_DIFFERS,
                                                     BreakKind.ORDER_FILLED]


def test_an_order_matched_by_broker_id_when_the_gateway_drops_the_reference() -> None:
    order = BrokerOrder("SIM.1", STOCK, "buy", 300, 300, "ALLTRADED", "")
    assert reconcile(desk(), broker(orders=[order])).clean


def test_cash_is_not_compared_when_the_broker_gives_none_and_the_note_says_why() -> None:
    result = reconcile(desk(ledger=ledger(cash="999")),
                       broker(cash=None, cash_note="cash not compared: 2 accounts"))
    assert result.clean and result.notes == ["cash not compared: 2 accounts"]
    assert kinds(desk(ledger=ledger(cash="999")), broker()) == [BreakKind.CASH]
