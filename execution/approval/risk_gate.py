"""The risk daemon's word on the order path: no new buys while the desk is reducing.

The risk daemon publishes its stance at `desk:risk:state:<account>` (`reducing`,
`blocked_symbols`). An approval that would add risk against that stance is refused
with the reason; sells and hedges always pass, because they reduce risk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bus import streams
from exchange import Side
from orders.order import Order, OrderKind


@dataclass(frozen=True)
class RiskStance:
    reducing: bool = False
    blocked: frozenset[str] = frozenset()

    def refusal(self, order: Order) -> str | None:
        """Why this order may not be approved now, or None."""
        if order.kind is not OrderKind.STOCK or order.side is not Side.BUY:
            return None
        if self.reducing:
            return (f"order {order.order_id}: the desk is reducing (hard drawdown limit): "
                    "no new buys")
        if order.symbol in self.blocked:
            return (f"order {order.order_id}: {order.symbol} is over a portfolio limit "
                    "(weight, industry or turnover): buys blocked by the risk daemon")
        return None


def read_stance(client: Any, account: str) -> RiskStance:
    """Read the stance: advisory, read outside the order's transaction."""
    raw = client.get(streams.RISK_STATE.format(account=account))
    if not raw:
        return RiskStance()
    data = json.loads(raw)
    return RiskStance(reducing=bool(data.get("reducing", False)),
                      blocked=frozenset(data.get("blocked_symbols") or ()))
