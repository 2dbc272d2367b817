"""Several accounts, one model: every account follows the first account's target weights.

The model decides once, on the first (lead) account's book: which names to hold and
at what weight after tomorrow's trades. Every other account gets the orders that bring
its own book to those weights, sized on its own NAV and cash, lots rounded for it and
T+1 sellable shares respected (`strategies.orders`). So products of any size hold the
same portfolio and differ only by rounding, and a product that starts later (or with
other holdings) converges to it. docs/accounts.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from exchange import Side
from strategies.batch import ModelBatch, OrderProposal
from strategies.config import ModelConfig
from strategies.constraints import limit_locked_up
from strategies.holdings import Position, SellIntent, rank_members, value_book
from strategies.orders import batch_from_plan
from strategies.portfolio_state import Book
from strategies.rotation import BuyIntent, Plan
from strategies.signals import DaySignals

# A name the lead does not trade today is rebalanced only when the account is this far
# (share of NAV) from its target: rounding differences do not make daily orders.
FOLLOW_TOLERANCE = 0.002


def target_weights(day: DaySignals, lead: ModelBatch, lead_book: Book) -> dict[str, float]:
    """The lead's weights after its orders: what every account should hold."""
    positions, _nav = value_book(day, lead_book, rank_members(day))
    weights = {p.symbol: p.weight for p in positions}
    for order in lead.orders:
        weights[order.symbol] = order.target_weight
    return {symbol: weight for symbol, weight in weights.items() if weight > 0}


def follow_plan(day: DaySignals, positions: list[Position], targets: dict[str, float],
                traded: dict[str, int], ranks: npt.NDArray[np.int64],
                config: ModelConfig) -> Plan:
    """Sells and buys that bring `positions` to `targets`; `traded`: the names the lead
    trades, in its order (buys go in that order, so a short purse buys what it buys)."""
    plan = Plan()
    held = {p.symbol: p for p in positions}
    for position in positions:
        target = targets.get(position.symbol, 0.0)
        if target == 0.0:
            plan.sells.append(SellIntent(position, 0.0, "not in the model's target portfolio"))
        elif _needs_trade(position.symbol, position.weight - target, traded):
            plan.sells.append(SellIntent(position, target,
                                         f"down to the model's target weight {target:.2%}"))
    last = len(traded)
    for symbol, target in sorted(targets.items(),
                                 key=lambda item: (traded.get(item[0], last), -item[1])):
        weight = held[symbol].weight if symbol in held else 0.0
        if not _needs_trade(symbol, target - weight, traded) or symbol not in day.column:
            continue
        index = day.column[symbol]
        if config.universe.exclude_limit_locked and limit_locked_up(day, index):
            plan.warnings.append(f"{symbol}: locked at its limit-up, not bought to the target")
            continue
        reason = (f"up to the model's target weight {target:.2%}" if weight
                  else f"in the model's target portfolio at {target:.2%}")
        plan.buys.append(BuyIntent(index, symbol, int(ranks[index]), target - weight, reason))
    return plan


def _needs_trade(symbol: str, excess: float, traded: dict[str, int]) -> bool:
    """A name the lead trades follows it exactly; any other only past the tolerance."""
    return excess > 0 and (symbol in traded or excess > FOLLOW_TOLERANCE)


def follow_batch(day: DaySignals, lead: ModelBatch, lead_book: Book, book: Book,
                 trade_date: date, config: ModelConfig) -> ModelBatch:
    """This account's orders for `trade_date`: its book moved to the lead's targets."""
    ranks = rank_members(day)
    positions, nav = value_book(day, book, ranks)
    targets = target_weights(day, lead, lead_book)
    traded = {order.symbol: i for i, order in enumerate(lead.orders)}
    plan = follow_plan(day, positions, targets, traded, ranks, config)
    weights = {p.symbol: p.weight for p in positions}
    return batch_from_plan(day, plan, book.cash, nav, ranks, trade_date, config,
                           adjust=lambda order: _with_weights(order, weights, nav))


def _with_weights(order: OrderProposal, weights: dict[str, float],
                  nav: Decimal) -> OrderProposal:
    """A top-up of a held name: its weights before and after (the buy step assumes a
    new name, so it gives the bought value alone)."""
    current = weights.get(order.symbol, 0.0)
    if order.side is not Side.BUY or current == 0.0:
        return order
    return replace(order, current_weight=current,
                   target_weight=current + float(order.est_value / nav))
