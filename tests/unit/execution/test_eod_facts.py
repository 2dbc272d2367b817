"""The report's order figures: slippage signs, stock and hedge totals, why an order is left."""

from datetime import date
from decimal import Decimal

import pytest

from exchange import Side
from execution.eod.facts import order_line, totals, why_left
from orders.order import Offset, Order, OrderKind, OrderRecord, OrderState

DAY = date(2026, 11, 23)


def record(order_id: str, side: Side, filled: int, value: str, *, quantity: int = 1000,
           state: OrderState = OrderState.FILLED, note: str = "",
           kind: OrderKind = OrderKind.STOCK, reference: str = "10.00") -> OrderRecord:
    symbol = "IM2612.CFFEX" if kind is OrderKind.HEDGE else "600000.SSE"
    order = Order(order_id=order_id, trade_date=DAY, symbol=symbol, side=side,
                  quantity=quantity, reference_price=Decimal(reference), kind=kind,
                  offset=Offset.OPEN if kind is OrderKind.HEDGE else Offset.NONE)
    return OrderRecord(order=order, state=state, filled_quantity=filled,
                       filled_value=Decimal(value), note=note)


def test_slippage_is_a_cost_when_buying_above_or_selling_below_the_reference() -> None:
    buy = order_line(record("b", Side.BUY, 1000, "10050"))  # 10.05 vs 10.00
    sell = order_line(record("s", Side.SELL, 1000, "9980"))  # 9.98 vs 10.00
    assert (buy.slippage_cost, buy.slippage_bps) == (Decimal(50), pytest.approx(50.0))
    assert (sell.slippage_cost, sell.slippage_bps) == (Decimal(20), pytest.approx(20.0))
    assert order_line(record("n", Side.BUY, 0, "0")).slippage_bps is None


def test_totals_keep_hedges_apart_and_weight_slippage_by_value() -> None:
    records = [record("b", Side.BUY, 1000, "10050"),
               record("s", Side.SELL, 3000, "29940", quantity=3000),  # 9.98: 60 CNY cost
               record("h", Side.SELL, 2, "2300000", quantity=2, kind=OrderKind.HEDGE,
                      reference="5800.00"),
               record("r", Side.BUY, 0, "0", state=OrderState.REJECTED, note="too late")]
    t = totals(records)
    assert (t.proposed, t.approved, t.rejected, t.filled) == (4, 3, 1, 3)
    assert (t.bought_shares, t.sold_shares, t.hedge_lots) == (1000, 3000, 2)
    assert t.hedge_value == Decimal(2300000) and t.sold_value == Decimal(29940)
    assert t.slippage_cost == Decimal(110)
    assert t.slippage_bps == pytest.approx(110 / 40_000 * 10_000)


def test_why_an_order_was_left() -> None:
    assert why_left(record("f", Side.BUY, 1000, "10000")) == ""
    assert why_left(record("r", Side.BUY, 0, "0", state=OrderState.REJECTED,
                           note="too late")) == "rejected: too late"
    assert why_left(record("p", Side.BUY, 0, "0",
                           state=OrderState.PENDING_APPROVAL)) == "never approved"
    done = record("d", Side.BUY, 400, "4000", state=OrderState.DONE_FOR_DAY,
                  note="600 of 1000 left at the end of day")
    assert order_line(done).left == 600
    assert why_left(done) == "done_for_day: 600 of 1000 left at the end of day"
