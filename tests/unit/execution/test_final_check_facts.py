"""The facts the live final check (`ChildSender`) gives `check_order`.

IM limits are ±10% of the previous *settlement*; a gateway tick carries the exchange's
own limit prices, so the final check must use those, and never compute a band from the
tick's previous close (the wrong base for a future). The cage reference falls back
through the book as the exchange defines it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from exchange import Side, check_order
from execution.algos.market import Quote
from execution.algos.planner import Position
from execution.worker.sender import final_check_facts
from marketdata.clock import EXCHANGE_TZ
from orders.order import Offset, Order, OrderKind

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=EXCHANGE_TZ)


def _hedge() -> Order:
    return Order(order_id="H-1", trade_date=date(2026, 12, 2), symbol="IM2612.CFFEX",
                 side=Side.SELL, quantity=2, reference_price=Decimal("6000"),
                 kind=OrderKind.HEDGE, offset=Offset.OPEN)


def _stock(side: Side) -> Order:
    return Order(order_id="S-1", trade_date=date(2026, 12, 2), symbol="600000.SSE",
                 side=side, quantity=100, reference_price=Decimal("10.00"))


def _quote(symbol: str, **kw: Decimal | None) -> Quote:
    values: dict = {"last": Decimal("10.00"), "bid": None, "ask": None, "limit_up": None,
                    "limit_down": None, "prev_close": Decimal("10.00")}
    values.update(kw)
    return Quote(symbol=symbol, at=NOW, **values)


def test_a_hedge_is_checked_against_the_exchanges_own_limits() -> None:
    # Settlement 6123.5 -> limits 6735.8 / 5511.2; the previous close (5600) would give
    # 5040.0 / 6160.0 and refuse a legal 6500.0 sell.
    quote = _quote("IM2612.CFFEX", last=Decimal("6500.0"), bid=Decimal("6499.8"),
                   ask=Decimal("6500.2"), limit_up=Decimal("6735.8"),
                   limit_down=Decimal("5511.2"), prev_close=Decimal("5600.0"))
    facts = final_check_facts(_hedge(), quote, Position(), "continuous")
    assert (facts.limit_up, facts.limit_down) == (Decimal("6735.8"), Decimal("5511.2"))
    assert check_order("IM2612.CFFEX", "sell", 2, Decimal("6500.0"), NOW, facts) == []
    refused = check_order("IM2612.CFFEX", "sell", 2, Decimal("5511.0"), NOW, facts)
    assert [v.rule.value for v in refused] == ["limit_down"]


def test_a_hedge_without_exchange_limits_never_uses_the_close_as_the_base() -> None:
    quote = _quote("IM2612.CFFEX", last=Decimal("6500.0"), prev_close=Decimal("5600.0"))
    facts = final_check_facts(_hedge(), quote, Position(), "continuous")
    assert facts.prev_close is None and not facts.exchange_limits
    assert check_order("IM2612.CFFEX", "sell", 2, Decimal("6500.0"), NOW, facts) == []


def test_the_cage_reference_falls_back_through_the_book() -> None:
    only_bid = _quote("600000.SSE", bid=Decimal("10.50"), last=Decimal("10.00"))
    assert final_check_facts(_stock(Side.BUY), only_bid, Position(), "continuous"
                             ).reference == Decimal("10.50")  # no ask: the best bid
    empty = _quote("600000.SSE", last=Decimal("10.20"))
    assert final_check_facts(_stock(Side.SELL), empty, Position(1000, 1000), "continuous"
                             ).reference == Decimal("10.20")  # no book: the last price
    assert final_check_facts(_stock(Side.BUY), empty, Position(), "call_auction"
                             ).reference is None  # the cage binds in continuous trading only


def test_stock_limits_still_come_from_the_tick_when_it_has_them() -> None:
    quote = _quote("600000.SSE", ask=Decimal("10.01"), limit_up=Decimal("11.00"),
                   limit_down=Decimal("9.00"))
    facts = final_check_facts(_stock(Side.BUY), quote, Position(), "continuous")
    assert facts.limit_up == Decimal("11.00") and facts.prev_close == Decimal("10.00")
