"""A tick's price source: previous close before anything trades (also a real gateway's
pre-open tick without a price), the opening auction's indicative price, then trades."""

from datetime import datetime
from decimal import Decimal

import pytest
from vnpy.trader.constant import Exchange
from vnpy.trader.object import TickData

from execution.worker.market import MarketState
from marketdata.clock import EXCHANGE_TZ


def tick(hh: int, mm: int, last: float, volume: float = 0) -> TickData:
    return TickData(gateway_name="X", symbol="600000", exchange=Exchange.SSE,
                    datetime=datetime(2026, 11, 23, hh, mm, tzinfo=EXCHANGE_TZ),
                    last_price=last, pre_close=10.0, volume=volume)


@pytest.mark.parametrize(("moment", "last", "volume", "price", "source"), [
    ((9, 0), 0.0, 0, "10.00", "prev_close"),  # XTP before the open: no price at all
    ((9, 0), 10.0, 0, "10.00", "prev_close"),  # the simulator: last = previous close
    ((9, 18), 10.12, 0, "10.12", "auction"),  # indicative price, nothing matched
    ((9, 25), 10.12, 120_000, "10.12", "last"),  # the auction matched: the open
    ((10, 5), 10.30, 900_000, "10.30", "last"),
    ((10, 5), 10.0, 0, "10.00", "prev_close"),  # suspended all day: still yesterday's
])
def test_the_source_travels_with_the_price(moment: tuple[int, int], last: float, volume: float,
                                           price: str, source: str) -> None:
    market = MarketState()
    quote = market.on_tick(tick(*moment, last, volume))
    assert quote is not None and quote.last == Decimal(price)
    assert market.sources["600000.SSE"].value == source
