"""A manual order for one account, for the console's form and `desk order add`.

`execution.approval.manual.add_manual_order` checks the order against the ledger of the
account it is given but builds the order without it, so the order would belong to the
default account. This does the same steps with the account written on the order
(an order of the default account keeps an empty field, as the batch writes it).
"""

from __future__ import annotations

from decimal import Decimal

from execution.approval.manual import (
    ManualOrderRefused,
    ManualOrderRequest,
    TradingHalted,
    build_order,
    facts_for,
    pre_trade_checks,
)
from execution.approval.queue import OrderQueue
from orders.order import OrderRecord


def add_account_order(queue: OrderQueue, request: ManualOrderRequest, *, author: str,
                      account: str, prev_close: Decimal | None = None,
                      st: bool = False) -> OrderRecord:
    """Check the order against `account`'s sellable shares and add it pending approval,
    or raise ManualOrderRefused."""
    halted = queue.halted()
    if halted:
        raise TradingHalted(request.symbol, halted)
    order = build_order(queue, request, author=author)
    if account != queue.account:
        order = order.model_copy(update={"account": account})
    facts = facts_for(queue.client, order, account=account, prev_close=prev_close, st=st)
    violations = pre_trade_checks(order, facts)
    if violations:
        raise ManualOrderRefused(order.symbol, violations)
    return queue.ingest(order, actor=author)
