"""The simulated exchange's working orders: frozen cash summed as they change, each
symbol's orders in time priority (a replaced order keeps its place)."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from execution.gateway.sim.active import ActiveOrders
from execution.gateway.sim.models import SimOrder
from marketdata.clock import EXCHANGE_TZ

AT = datetime(2026, 12, 31, 10, 0, tzinfo=EXCHANGE_TZ)


def order(orderid: str, symbol: str, frozen: str) -> SimOrder:
    return SimOrder(orderid=orderid, symbol=symbol, side="buy", offset="none",
                    price=Decimal("10"), volume=100, created_at=AT, frozen_cash=Decimal(frozen))


def test_frozen_cash_is_the_sum_of_the_working_orders_whatever_happens() -> None:
    rng = random.Random(7)
    active, model = ActiveOrders(), dict[str, SimOrder]()
    for step in range(2_000):
        orderid = f"o{rng.randrange(300)}"
        if rng.random() < 0.6:
            symbol = model[orderid].symbol if orderid in model else f"s{rng.randrange(20)}"
            new = order(orderid, symbol, f"{rng.randrange(0, 10_000)}.{rng.randrange(100):02d}")
            active.put(new)
            model[orderid] = new
        else:
            assert active.pop(orderid) == model.pop(orderid, None)
        assert active.frozen == sum((o.frozen_cash for o in model.values()), Decimal(0)), step
        assert len(active) == len(model)
    assert active.symbols() == {o.symbol for o in model.values()}


def test_a_symbols_orders_keep_their_time_priority() -> None:
    active = ActiveOrders([order("a", "600000.SSE", "100"), order("b", "000001.SZSE", "5"),
                           order("c", "600000.SSE", "50")])
    active.put(order("a", "600000.SSE", "40"))  # partly filled: less cash held, same place
    assert [o.orderid for o in active.of("600000.SSE")] == ["a", "c"]
    assert active.frozen == Decimal("95")
    active.pop("a")
    active.put(order("d", "600000.SSE", "1"))
    assert [o.orderid for o in active.of("600000.SSE")] == ["c", "d"]
    assert active.pop("nope") is None and active.of("300750.SZSE") == []
    assert list(active) == ["b", "c", "d"] and "c" in active and "a" not in active
