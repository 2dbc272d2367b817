"""The simulated broker's view of the day, read from its own books in Redis.

The simulator keeps its state under `desk:sim:<account>:` (see
`execution.gateway.sim.book`); this reads it without touching it, as a broker
statement would be read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import redis

from exchange import classify
from execution.eod.views import BrokerDay, BrokerOrder, BrokerTrade
from execution.gateway.factory import gateway_spec
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.models import FuturePosition, StockPosition


def sim_broker_day(client: redis.Redis, account: str, day: date,
                   initial_cash: Decimal) -> BrokerDay:
    book = SimBook(client, account, initial_cash)
    gateway = gateway_spec("sim").vnpy_name
    orders = [BrokerOrder(vt_orderid=f"{gateway}.{o.orderid}", symbol=o.symbol, side=o.side,
                          volume=o.volume, traded=o.traded, status=o.status,
                          reference=o.reference) for o in book.orders(day)]
    trades = [BrokerTrade(vt_tradeid=f"{gateway}.{t.tradeid}",
                          vt_orderid=f"{gateway}.{t.orderid}", symbol=t.symbol, side=t.side,
                          quantity=t.volume, price=t.price, fees=t.fees)
              for t in book.trades(day)]
    stocks: dict[str, int] = {}
    futures: dict[str, int] = {}
    options: dict[str, int] = {}
    for symbol, position in book.positions().items():
        if isinstance(position, StockPosition) and position.quantity:
            stocks[symbol] = position.quantity
        elif isinstance(position, FuturePosition) and position.short != position.long:
            if classify(symbol).is_option:  # the simulator keeps options as lots too
                options[symbol] = position.long - position.short
            else:
                futures[symbol] = position.short - position.long
    return BrokerDay(day=day, source=f"sim:{account}", orders=orders, trades=trades,
                     stocks=stocks, futures=futures, options=options, cash=book.cash(),
                     receivables={k: e.net_cash for k, e in book.entitlements().items()
                                  if not e.paid and e.net_cash})
