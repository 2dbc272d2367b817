"""Approval policies that act on their own: expiry, auto-approval, urgent-hedge approval.

Each rule is a small class that looks at one order record and says what is due (or
None). `run_policies` applies what is due through the queue, so every automatic
decision is an audited transition whose actor names the rule and whose reason says
why. Four eyes and price re-confirmation are gates inside the queue itself
(`OrderQueue`), so they hold for people and rules alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from loguru import logger

from bus import streams
from exchange import Side
from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.clock import EXCHANGE_TZ, Clock
from orders.order import OrderKind, OrderRecord, OrderState

OPEN_STATES = frozenset({OrderState.PROPOSED, OrderState.PENDING_APPROVAL, OrderState.APPROVED})
# Orders from earlier trade dates are still looked at for this long, so a desk that
# was down over a holiday expires what it left open.
LOOKBACK_DAYS = 14


@dataclass(frozen=True)
class PolicyView:
    """What the rules may look at."""

    now: datetime
    policy: ApprovalConfig
    prices: Mapping[str, Decimal]
    st_symbols: Collection[str]


@dataclass(frozen=True)
class Due:
    """An action a rule wants applied, and the reason written to the audit."""

    action: Action
    reason: str
    confirmed_move: bool = False
    completes_approval: bool = False


class Rule(Protocol):
    actor: str

    def due(self, record: OrderRecord, view: PolicyView) -> Due | None: ...


class ExpiryRule:
    """Orders not yet working expire at `expire_at` on their trade date."""

    actor = "policy:expiry"

    def due(self, record: OrderRecord, view: PolicyView) -> Due | None:
        deadline = datetime.combine(record.order.trade_date, view.policy.expire_at,
                                    tzinfo=EXCHANGE_TZ)
        if view.now < deadline:
            return None
        return Due(Action.EXPIRE, f"not working by {deadline:%Y-%m-%d %H:%M} (approval expired)")


class UrgentHedgeRule:
    """An urgent hedge nobody decided on in N minutes is approved, if configured."""

    actor = "policy:hedge-auto"

    def due(self, record: OrderRecord, view: PolicyView) -> Due | None:
        minutes = view.policy.hedge_auto_approve_minutes
        order = record.order
        if minutes is None or order.kind is not OrderKind.HEDGE or not order.urgent:
            return None
        if record.state is not OrderState.PENDING_APPROVAL:
            return None
        waiting_since = record.updated_at or order.created_at or view.now
        if view.now - waiting_since < timedelta(minutes=minutes):
            return None
        reason = (f"urgent hedge auto-approved after {minutes:g} min without a decision "
                  f"(rule hedge_auto_approve_minutes; completes four eyes)")
        return Due(Action.APPROVE, reason, confirmed_move=True, completes_approval=True)


class AutoApproveRule:
    """Small model orders, or sells of stocks that became ST, if configured.

    Never for manual orders (their author must not release them alone), orders that
    need two approvers, or orders whose price moved past the re-confirmation threshold.
    """

    actor = "policy:auto-approve"

    def due(self, record: OrderRecord, view: PolicyView) -> Due | None:
        order = record.order
        if record.state is not OrderState.PENDING_APPROVAL or order.kind is not OrderKind.STOCK:
            return None
        if order.created_by != "model" or record.approvals_needed > 1:
            return None
        if view.policy.price_move(order.reference_price, view.prices.get(order.symbol)):
            return None
        return _auto_reason(record, view)


def _auto_reason(record: OrderRecord, view: PolicyView) -> Due | None:
    order, policy = record.order, view.policy
    if policy.auto_approve_st_sells and order.side is Side.SELL and _is_st(order.symbol,
                                                                         order.name, view):
        return Due(Action.APPROVE, "sell of a risk-warning (ST) stock (rule auto_approve_st_sells)")
    limit = policy.auto_approve_below_value
    if limit is not None and order.estimated_value < limit:
        value = f"{order.estimated_value:.2f}"
        return Due(Action.APPROVE, f"value {value} below {limit} (rule auto_approve_below_value)")
    return None


def _is_st(symbol: str, name: str, view: PolicyView) -> bool:
    # The data's Chinese name carries the warning ("ST", "*ST") as a prefix.
    return symbol in view.st_symbols or name.lstrip("*").upper().startswith("ST")


DEFAULT_RULES: tuple[Rule, ...] = (ExpiryRule(), UrgentHedgeRule(), AutoApproveRule())


def run_policies(
    queue: OrderQueue,
    clock: Clock,
    policy: ApprovalConfig,
    prices: Mapping[str, Decimal] | None = None,
    *,
    st_symbols: Collection[str] = (),
    rules: tuple[Rule, ...] = DEFAULT_RULES,
) -> list[str]:
    """Apply every action that is due now; returns one line per action taken.

    `prices` are last prices by symbol; None reads them from Redis
    (`streams.LAST_PRICES`). The first rule with something due wins for an order.
    """
    now = clock.now()
    view = PolicyView(now, policy, prices if prices is not None else _last_prices(queue),
                      st_symbols)
    done: list[str] = []
    for record in open_records(queue, now.date()):
        for rule in rules:
            due = rule.due(record, view)
            if due is not None:
                done.extend(_apply(queue, record, rule.actor, due))
                break
    return done


def _apply(queue: OrderQueue, record: OrderRecord, actor: str, due: Due) -> list[str]:
    try:
        after = queue.apply(record.order_id, due.action, actor=actor, reason=due.reason,
                            confirmed_move=due.confirmed_move,
                            completes_approval=due.completes_approval)
    except IllegalTransition as exc:  # changed meanwhile, or a gate said no: leave it
        logger.info("{} skipped {}: {}", actor, record.order_id, exc)
        return []
    return [f"{actor}: {due.action.value} {record.order_id} -> {after.state.value} ({due.reason})"]


def open_records(queue: OrderQueue, today: date) -> list[OrderRecord]:
    """Orders not yet working, from today's batch and recent earlier trade dates."""
    records: list[OrderRecord] = []
    for day in _recent_dates(queue, today):
        records.extend(queue.list_orders(day, states=OPEN_STATES))
    return records


def _recent_dates(queue: OrderQueue, today: date) -> list[date]:
    pattern = streams.ORDERS_BY_DATE.format(trade_date="*")
    prefix = pattern[:-1]
    days: set[date] = set()
    for key in queue.client.scan_iter(match=pattern, count=500):
        try:
            day = date.fromisoformat(str(key)[len(prefix):])
        except ValueError:
            continue
        if day >= today - timedelta(days=LOOKBACK_DAYS):
            days.add(day)
    return sorted(days)


def _last_prices(queue: OrderQueue) -> dict[str, Decimal]:
    raw: Mapping[str, str] = queue.client.hgetall(streams.LAST_PRICES)  # type: ignore[assignment]
    return {symbol: Decimal(str(price)) for symbol, price in raw.items()}
