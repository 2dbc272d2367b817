"""Pre-trade check: every rule an order breaks, each with a reason a trader can read."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from exchange.bands import price_band
from exchange.days import TradingDays
from exchange.enums import parse_side
from exchange.sessions import SHANGHAI, SessionPhase, session_phase
from exchange.violations import (
    OrderFacts,
    Rule,
    RuleViolation,
    price_violations,
    quantity_violations,
)


def check_order(
    symbol: str,
    side: str,
    quantity: int,
    price: Decimal | None,
    at: datetime,
    facts: OrderFacts | None = None,
    calendar: TradingDays | None = None,
) -> list[RuleViolation]:
    """Every rule the order breaks (empty list: it may be sent). `price` None = market.

    `at` must be aware. Futures are checked for size, tick, limits and session; their
    holdings are not, because a futures sell may open a short.
    """
    facts = facts or OrderFacts()
    phase = session_phase(at, symbol, calendar)
    on = at.astimezone(SHANGHAI).date()
    band = price_band(
        symbol,
        on,
        st=facts.st,
        listed=facts.listed,
        delisting_day=facts.delisting_day,
        calendar=calendar,
        last_day=facts.last_day,
    )
    order_side = parse_side(side)
    found = _session_violations(symbol, price, phase, band)
    found += quantity_violations(symbol, order_side, quantity, price is None, facts)
    if price is not None:
        found += price_violations(symbol, order_side, price, on, band, phase, facts)
    return found


def check_cancel(
    symbol: str, at: datetime, calendar: TradingDays | None = None
) -> list[RuleViolation]:
    """Empty if a cancel is accepted at `at`; a SESSION violation otherwise."""
    phase = session_phase(at, symbol, calendar)
    if phase.allows_cancel:
        return []
    return [RuleViolation(Rule.SESSION, f"cancels are not accepted during {phase.name.value}")]


def _session_violations(
    symbol: str, price: Decimal | None, phase: SessionPhase, band: Decimal | None
) -> list[RuleViolation]:
    if price is not None:
        if phase.allows_order:
            return []
        text = f"limit orders are not accepted during {phase.name.value}"
        return [RuleViolation(Rule.SESSION, text)]
    found = []
    if not phase.allows_market_order:
        text = f"market orders only in continuous trading, not during {phase.name.value}"
        found.append(RuleViolation(Rule.MARKET_ORDER, text))
    if band is None:
        text = f"{symbol} has no price limit today, so market orders are refused"
        found.append(RuleViolation(Rule.MARKET_ORDER, text))
    return found
