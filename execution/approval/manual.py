"""Orders a trader adds by hand (e.g. to sell a stock on news).

A manual order passes the same pre-trade checks as the model's orders
(`exchange.check_order`), carries its author, and enters the approval queue
pending like any other: its author's entry is not an approval.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import redis
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bus import streams
from errors import Refused
from exchange import OrderFacts, RulesError, RuleViolation, Side, check_order
from exchange.violations import Rule
from execution.approval.queue import OrderQueue
from marketdata.clock import EXCHANGE_TZ, exchange_date
from orders.factory import new_order
from orders.order import Algo, Order, OrderRecord

CENT = Decimal("0.01")


class ManualOrderRequest(BaseModel):
    """What a trader types in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[0-9]{6}\.(SSE|SZSE|BSE)$")
    side: Side
    quantity: int = Field(gt=0)
    limit_price: Decimal | None = Field(default=None, gt=0)
    reason: str = Field(min_length=3, max_length=500)
    algo: Algo = Algo.TWAP
    start_time: time = time(9, 30)
    end_time: time = time(14, 55)
    name: str = Field(default="", max_length=40)

    @model_validator(mode="after")
    def _window_in_order(self) -> ManualOrderRequest:
        if self.start_time >= self.end_time:
            raise ValueError(
                f"start_time {self.start_time} must be before end_time {self.end_time}"
            )
        return self


class ManualOrderRefused(ValueError, Refused):
    """The order breaks a rule; `violations` says which and why."""

    def __init__(self, symbol: str, violations: list[RuleViolation]) -> None:
        self.violations = violations
        reasons = "; ".join(f"{v.rule.value}: {v.reason}" for v in violations)
        super().__init__(f"manual order for {symbol} refused: {reasons}")


class TradingHalted(ManualOrderRefused):
    """No manual order is taken while the kill switch is on."""

    def __init__(self, symbol: str, halted: str) -> None:
        self.violations = []
        ValueError.__init__(self, f"manual order for {symbol} refused: trading is halted "
                                  f"({halted}); add it after an admin lifts the halt")


def facts_for(client: redis.Redis, order: Order, *, account: str,
              prev_close: Decimal | None = None, st: bool = False) -> OrderFacts:
    """What the checks need: holdings from the ledger, the previous close when known.

    A model order's reference price is the signal day's close, i.e. the trade date's
    previous close; for other orders pass `prev_close` or the limit check is skipped.
    """
    if prev_close is None and order.created_by == "model":
        prev_close = order.reference_price
    holding, sellable = _position(client, account, order.symbol)
    return OrderFacts(prev_close=prev_close, holding=holding,
                      bought_today=max(holding - sellable, 0), st=st)


def pre_trade_checks(order: Order, facts: OrderFacts) -> list[RuleViolation]:
    """Every rule the order breaks when it starts trading (its start time, trade date).

    A parent order is sliced into children under the per-order maximum, so that
    maximum is not a rule for the parent. Without a limit price the reference price
    is checked, as the children are priced near it.
    """
    at = datetime.combine(order.trade_date, order.start_time, tzinfo=EXCHANGE_TZ)
    price = order.limit_price or order.reference_price
    try:
        found = check_order(order.symbol, order.side.value, order.quantity, price, at, facts)
    except RulesError as exc:
        return [RuleViolation(Rule.QUANTITY, str(exc))]
    return [v for v in found if v.rule is not Rule.MAX_ORDER]


def add_manual_order(queue: OrderQueue, request: ManualOrderRequest, *, author: str,
                     account: str, prev_close: Decimal | None = None,
                     st: bool = False) -> OrderRecord:
    """Check the order and add it to the queue pending approval, or raise ManualOrderRefused."""
    halted = queue.halted()
    if halted:
        raise TradingHalted(request.symbol, halted)
    order = build_order(queue, request, author=author, account=account)
    facts = facts_for(queue.client, order, account=account, prev_close=prev_close, st=st)
    violations = pre_trade_checks(order, facts)
    if violations:
        raise ManualOrderRefused(order.symbol, violations)
    return queue.ingest(order, actor=author)


def build_order(queue: OrderQueue, request: ManualOrderRequest, *, author: str,
                account: str = "") -> Order:
    """The order of `request` for `account` (empty: the desk's first)."""
    trade_date = manual_trade_date(queue)
    reference = _reference_price(queue.client, request)
    order_id = f"M-{trade_date:%Y%m%d}-{secrets.token_hex(4)}"
    return new_order(
        order_id=order_id, batch_id="manual", trade_date=trade_date, symbol=request.symbol,
        name=request.name, side=request.side, quantity=request.quantity,
        reference_price=reference, limit_price=request.limit_price, algo=request.algo,
        start_time=request.start_time, end_time=request.end_time, reason=request.reason,
        created_by=author, created_at=queue.clock.now(),
        account="" if account == queue.account else account,
    )


def manual_trade_date(queue: OrderQueue) -> date:
    """The current batch's trade date, or today (the next weekday at a weekend) when no
    later batch is pending. A Saturday's order dated Saturday would only be refused as
    'closed'; holidays are left to the session check, which knows no calendar here."""
    today = exchange_date(queue.clock)
    while today.weekday() >= 5:
        today += timedelta(days=1)
    batch_day = queue.current_trade_date()
    return batch_day if batch_day is not None and batch_day >= today else today


def _reference_price(client: redis.Redis, request: ManualOrderRequest) -> Decimal:
    last = client.hget(streams.LAST_PRICES, request.symbol)
    if last:
        return Decimal(str(last)).quantize(CENT, rounding=ROUND_HALF_UP)
    if request.limit_price is not None:
        return request.limit_price
    raise ManualOrderRefused(request.symbol, [RuleViolation(
        Rule.PRICE_TICK, f"no last price known for {request.symbol}: give a limit price")])


def _position(client: redis.Redis, account: str, symbol: str) -> tuple[int, int]:
    raw = client.get(streams.LEDGER.format(account=account))
    if not raw:
        return 0, 0
    position = json.loads(str(raw)).get("positions", {}).get(symbol) or {}
    quantity = int(position.get("quantity", 0))
    return quantity, int(position.get("sellable", quantity))
