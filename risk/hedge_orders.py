"""A hedge plan's legs as urgent `Order`s for the approval queue."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from orders.factory import new_order
from orders.order import Order, OrderKind
from risk.hedge_plan import HedgePlan
from risk.protection import ProtectionPlan

PRODUCT_NAME = "CSI 1000 futures hedge"
PUT_NAME = "CSI 1000 put hedge"


def hedge_orders(plan: HedgePlan | ProtectionPlan, *, reason: str, trade_date: date,
                 now: datetime, account: str) -> list[Order]:
    """One order per leg (each at most the per-order lot cap), sharing one batch id; each
    carries the plan's cost note (with options: both alternatives' costs)."""
    batch = f"hedge-{account}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    orders = []
    for number, leg in enumerate(plan.legs, start=1):
        orders.append(new_order(
            order_id=f"{batch}-{number}",
            batch_id=batch,
            trade_date=trade_date,
            symbol=leg.symbol,
            name=f"{PUT_NAME if '-' in leg.symbol else PRODUCT_NAME} ({leg.offset.value})",
            side=leg.side,
            quantity=leg.lots,
            reference_price=leg.price,
            kind=OrderKind.HEDGE,
            offset=leg.offset,
            urgent=True,
            reason=reason,
            cost_note=plan.cost_note,
            created_by="risk",
            created_at=now,
            account=account,  # this product's hedge: it never nets against another's
        ))
    return orders
