"""MO options are watched on the futures (CFFEX) gateway, where their hedge orders go
(`Routes.for_order`): held puts and a proposed put alike, never on the stock gateway."""

from datetime import date, datetime
from decimal import Decimal

import redis

from execution.approval.queue import OrderQueue
from execution.worker.sender import Routes
from execution.worker.watch import MarketWatch
from marketdata.clock import EXCHANGE_TZ, FixedClock
from tests.unit.queue.queue_kit import make_hedge

TODAY = date(2026, 11, 23)
HELD, PROPOSED = "MO2612-P-5700.CFFEX", "MO2701-P-5600.CFFEX"


def test_options_are_subscribed_on_the_hedge_gateway(redis_client: redis.Redis) -> None:
    queue = OrderQueue(redis_client, FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ)))
    routes = Routes(stock="XTP", hedge="CTP")
    asked: list[tuple[str, str]] = []
    watch = MarketWatch(redis_client, queue, TODAY, routes,
                        lambda symbol, gateway: asked.append((symbol, gateway)))
    put = make_hedge("P").model_copy(update={"symbol": PROPOSED,
                                             "reference_price": Decimal("120.2")})
    queue.ingest(put, actor="risk")
    watch.poll(held=[HELD, "000002.SZSE"])
    assert sorted(asked) == [("000002.SZSE", "XTP"), (HELD, "CTP"), (PROPOSED, "CTP")]
    assert routes.for_order(put) == "CTP"  # orders and prices on the same gateway
