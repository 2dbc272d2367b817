"""The rules an order can break, and the checks of its quantity and price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from exchange.data import RISK_WARNING_DAILY_BUY_CAP
from exchange.enums import Side
from exchange.futures_limits import future_limit_prices
from exchange.options import option_limit_prices
from exchange.prices import limit_prices, price_cage, tick_size
from exchange.quantity import (
    is_legal_buy_quantity,
    is_legal_sell_quantity,
    max_order_quantity,
    quantity_rule,
    sellable_quantity,
)
from exchange.securities import classify
from exchange.sessions import SessionPhase


class Rule(StrEnum):
    QUANTITY = "quantity"
    MAX_ORDER = "max_order"
    HOLDING = "holding"
    RISK_WARNING_CAP = "risk_warning_cap"
    PRICE_TICK = "price_tick"
    LIMIT_UP = "limit_up"
    LIMIT_DOWN = "limit_down"
    PRICE_CAGE = "price_cage"
    SESSION = "session"
    MARKET_ORDER = "market_order"


@dataclass(frozen=True)
class RuleViolation:
    rule: Rule
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderFacts:
    """What the desk knows about the security and the account when it checks an order.

    `prev_close`: previous close (previous settlement for futures; a new contract's
    listing benchmark price on its first day); None skips the computed limit check.
    `limit_up` / `limit_down`: the exchange's own limit prices (a gateway tick's), checked
    instead of the computed ones when given. `reference`: the cage reference price
    (`cage_reference`); None skips the cage. `holding` / `bought_today`: shares of this
    stock held / bought today (stocks only). `last_day`: a contract's last trading day
    as the exchange listed it (futures, options; computed from the calendar when None).
    `underlying_prev_close`: options only, the CSI 1000's previous close, which sets the
    width of an option's limits around its previous settlement (`prev_close`); without
    it (and without the exchange's limits) an option's limits are not checked.
    """

    prev_close: Decimal | None = None
    limit_up: Decimal | None = None
    limit_down: Decimal | None = None
    reference: Decimal | None = None
    holding: int = 0
    bought_today: int = 0
    st: bool = False
    listed: date | None = None
    delisting_day: int | None = None
    risk_warning_daily_buy_cap: int = RISK_WARNING_DAILY_BUY_CAP
    last_day: date | None = None
    underlying_prev_close: Decimal | None = None

    @property
    def exchange_limits(self) -> bool:
        return self.limit_up is not None or self.limit_down is not None


def quantity_violations(
    symbol: str, side: Side, quantity: int, market: bool, facts: OrderFacts
) -> list[RuleViolation]:
    """Size rules: per-order maximum, lots/minimums, T+1 holding, risk-warning cap."""
    found = _max_order_violations(symbol, quantity, market)
    if side is Side.BUY:
        return found + _buy_violations(symbol, quantity, facts)
    if classify(symbol).is_derivative:
        if quantity <= 0:
            found.append(RuleViolation(Rule.QUANTITY, f"{quantity} lots: expected at least 1"))
        return found
    return found + _sell_violations(symbol, quantity, facts)


def _max_order_violations(symbol: str, quantity: int, market: bool) -> list[RuleViolation]:
    cap = max_order_quantity(symbol, market=market)
    if quantity <= cap:
        return []
    kind = "market" if market else "limit"
    board = classify(symbol).board.value
    text = f"{quantity} is above the {kind}-order maximum of {cap} on {board}"
    return [RuleViolation(Rule.MAX_ORDER, text)]


def _buy_violations(symbol: str, quantity: int, facts: OrderFacts) -> list[RuleViolation]:
    info = classify(symbol)
    rule = quantity_rule(symbol)
    found = []
    if not is_legal_buy_quantity(symbol, quantity):
        how = _buy_rule_text(rule.buy_min, rule.buy_step)
        text = f"buy of {quantity}: {info.board.value} buys {how}"
        found.append(RuleViolation(Rule.QUANTITY, text))
    risk_warning = facts.st or facts.delisting_day is not None
    after = facts.bought_today + quantity
    if risk_warning and not info.is_future and after > facts.risk_warning_daily_buy_cap:
        text = (
            f"risk-warning stock: {facts.bought_today} bought today + {quantity} is above "
            f"the daily cap of {facts.risk_warning_daily_buy_cap}"
        )
        found.append(RuleViolation(Rule.RISK_WARNING_CAP, text))
    return found


def _sell_violations(symbol: str, quantity: int, facts: OrderFacts) -> list[RuleViolation]:
    sellable = sellable_quantity(facts.holding, facts.bought_today)
    if quantity > sellable:
        text = (
            f"sell of {quantity} but only {sellable} sellable (holding {facts.holding}, "
            f"bought today {facts.bought_today}, T+1)"
        )
        return [RuleViolation(Rule.HOLDING, text)]
    if is_legal_sell_quantity(symbol, quantity, sellable):
        return []
    rule = quantity_rule(symbol)
    text = f"sell of {quantity} out of {sellable}: {_sell_rule_text(rule.lot, rule.buy_step)}"
    return [RuleViolation(Rule.QUANTITY, text)]


def price_violations(
    symbol: str,
    side: Side,
    price: Decimal,
    on: date,
    band: Decimal | None,
    phase: SessionPhase,
    facts: OrderFacts,
) -> list[RuleViolation]:
    """Price rules: the tick, the daily limits, the continuous-trading cage."""
    tick = tick_size(symbol)
    if not price.is_finite() or price <= 0 or price % tick != 0:
        text = f"price {price} is not a positive multiple of the tick {tick}"
        return [RuleViolation(Rule.PRICE_TICK, text)]
    found = []
    if facts.exchange_limits:
        found += _outside(price, facts.limit_up, facts.limit_down)
    elif facts.prev_close is not None and band is not None:
        found += _limit_violations(symbol, price, facts, band, on)
    if facts.reference is not None and phase.continuous:
        found += _cage_violations(symbol, side, price, on, facts.reference)
    return found


def _limit_violations(
    symbol: str, price: Decimal, facts: OrderFacts, band: Decimal, on: date
) -> list[RuleViolation]:
    reference = facts.prev_close
    if reference is None:
        return []
    if classify(symbol).is_option:
        if facts.underlying_prev_close is None:
            return []
        up, down = option_limit_prices(symbol, reference, facts.underlying_prev_close, on)
        return _outside(price, up, down)
    up_or_none, down_or_none = _limits(symbol, reference, band)
    return _outside(price, up_or_none, down_or_none)


def _outside(price: Decimal, up: Decimal | None, down: Decimal | None) -> list[RuleViolation]:
    if up is not None and price > up:
        return [RuleViolation(Rule.LIMIT_UP, f"price {price} is above limit-up {up}")]
    if down is not None and price < down:
        return [RuleViolation(Rule.LIMIT_DOWN, f"price {price} is below limit-down {down}")]
    return []


def _cage_violations(
    symbol: str, side: Side, price: Decimal, on: date, reference: Decimal
) -> list[RuleViolation]:
    low, high = price_cage(symbol, side.value, reference, on)
    if high is not None and price > high:
        bound = f"<= {high}"
    elif low is not None and price < low:
        bound = f">= {low}"
    else:
        return []
    text = f"price {price} is outside the cage: a {side.value} must be {bound} (ref {reference})"
    return [RuleViolation(Rule.PRICE_CAGE, text)]


def _limits(
    symbol: str, prev_close: Decimal, band: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    if classify(symbol).is_future:
        return future_limit_prices(symbol, prev_close, band)
    return limit_prices(prev_close, band)


def _buy_rule_text(buy_min: int, buy_step: int) -> str:
    if buy_min == buy_step:
        return f"whole lots of {buy_step}"
    return f"at least {buy_min}, then steps of {buy_step}"


def _sell_rule_text(lot: int, buy_step: int) -> str:
    if lot == buy_step:
        return f"sell whole lots of {lot}, plus the whole odd remainder below {lot} if any"
    return f"sell at least {lot}, or everything when less than {lot} is sellable"
