"""The risk daemon's word on the order path: no new buys while the desk is reducing.

The risk daemon publishes its stance at `desk:risk:state:<account>` (`reducing`,
`blocked_symbols`). An approval that would add risk against that stance is refused
with the reason; sells and hedges always pass, because they reduce risk. A stance
that cannot be read (`risk.state_doc.read_risk_state` refuses it) refuses new buys with
the reason, rather than failing the approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bus import streams
from exchange import Side
from orders.order import Order, OrderKind
from risk.state_doc import RiskStateUnreadable, read_risk_state


@dataclass(frozen=True)
class RiskStance:
    reducing: bool = False
    blocked: frozenset[str] = frozenset()
    unreadable: str = ""  # why the stance could not be read: buys wait until it can

    def refusal(self, order: Order) -> str | None:
        """Why this order may not be approved now, or None."""
        if order.kind is not OrderKind.STOCK or order.side is not Side.BUY:
            return None
        if self.unreadable:
            return f"order {order.order_id}: no new buys while {self.unreadable}"
        if self.reducing:
            return (f"order {order.order_id}: the desk is reducing (hard drawdown limit): "
                    "no new buys")
        if order.symbol in self.blocked:
            return (f"order {order.order_id}: {order.symbol} is over a portfolio limit "
                    "(weight, industry, turnover or liquidity): buys blocked by the risk daemon")
        return None


@dataclass(frozen=True)
class AccountStances:
    """Each account's own stance: one product's drawdown never blocks another's buys.
    An order without an account is the default account's (`services/accounts.py`)."""

    by_account: dict[str, RiskStance]
    default: str

    def refusal(self, order: Order) -> str | None:
        stance = self.by_account.get(order.account or self.default)
        if stance is None:
            return (f"order {order.order_id}: account {order.account!r} is not one of the "
                    f"desk's ({sorted(self.by_account)})")
        return stance.refusal(order)


def stance_key(account: str) -> str:
    return streams.RISK_STATE.format(account=account)


def read_stance(client: Any, account: str) -> RiskStance:
    """Read the stance: advisory, read outside the order's transaction."""
    key = stance_key(account)
    return stance_of(client.get(key), key)


def stance_of(raw: bytes | str | None, key: str) -> RiskStance:
    """The stance from the key's value, already read (with the order, in one round trip)."""
    try:
        state = read_risk_state(raw, key)
    except RiskStateUnreadable as exc:  # refuse buys, never the approval path itself
        return RiskStance(unreadable=str(exc))
    if state is None:
        return RiskStance()
    return RiskStance(reducing=state.reducing, blocked=frozenset(state.blocked_symbols))
