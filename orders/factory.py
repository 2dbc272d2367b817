"""Where every order is born: the model's batch, the risk daemon's hedge and a trader's
manual entry all make their `Order` here, and nowhere else.

`new_order` takes what every order needs (identity, instrument, side, size, reference
price, author and time) and the details its origin adds (limit, algo, window, hedge
offset, reason, ranks ...). It takes a `Side` or its value and returns a validated,
immutable `Order` pending approval; nothing is checked against the exchange's rules
here (that is approval's job, `execution.approval`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from exchange import Side
from orders.order import Order


def new_order(*, order_id: str, batch_id: str, trade_date: date, symbol: str, name: str,
              side: Side | str, quantity: int, reference_price: Decimal, created_by: str,
              created_at: datetime, **details: Any) -> Order:
    """A new order (version 1); `details` are any other `Order` fields."""
    return Order(order_id=order_id, batch_id=batch_id, trade_date=trade_date, symbol=symbol,
                 name=name, side=Side(side), quantity=quantity,
                 reference_price=reference_price, created_by=created_by,
                 created_at=created_at, **details)
