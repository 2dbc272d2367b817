"""From a rotation plan to legal orders: lots, T+1 sellable shares, funding, costs.

Sells come first; buys are funded by the cash and the sells' proceeds, keeping the
cash buffer, in rank order until the money runs out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from exchange import Side, is_legal_sell_quantity, round_buy_quantity, round_sell_quantity
from strategies.batch import ModelBatch, OrderProposal
from strategies.config import ModelConfig
from strategies.costs import expected_cost, to_price
from strategies.cross_section import percentiles_of
from strategies.holdings import SellIntent
from strategies.rotation import BuyIntent, Plan
from strategies.signals import DaySignals
from strategies.universe import Exclusion


@dataclass
class Orders:
    orders: list[OrderProposal] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)  # each order's column in the day
    costs: list[Decimal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def attach_ranks(orders: list[OrderProposal], indexes: list[int], day: DaySignals,
                 config: ModelConfig) -> list[OrderProposal]:
    """The orders with their factor percentiles (0-100], 100 = most favoured by the
    weight, filled into each order's ranks (empty until now: `_proposal` makes a new
    dict per order, so filling it in place spares a copy of every order)."""
    if not orders:
        return orders
    members = day.exclusion == Exclusion.NONE
    names = [*day.factor_z, "score"]
    rows = np.stack([-z if math.copysign(1.0, config.factors.weights[name]) < 0 else z
                     for name, z in day.factor_z.items()] + [day.score])
    percentiles = percentiles_of(rows, members, np.asarray(indexes))
    # One conversion to Python floats for the whole batch, rounded as before.
    table: list[list[float]] = percentiles.T.tolist()
    complete: list[bool] = np.isfinite(percentiles).all(axis=0).astype(bool).tolist()
    one_place = [1] * len(names)  # round(value, 1) by map
    for order, values, whole in zip(orders, table, complete, strict=True):
        if whole:  # the usual order: every factor has a value
            order.ranks.update(zip(names, map(round, values, one_place), strict=True))
        else:
            order.ranks.update((name, round(value, 1)) for name, value
                               in zip(names, values, strict=True) if math.isfinite(value))
    return orders


def smallest_legal_sell(symbol: str, needed: int, holding: int) -> int:
    """The smallest legal sell of at least `needed` shares (the whole holding at most)."""
    for quantity in range(max(needed, 1), holding + 1):
        if is_legal_sell_quantity(symbol, quantity, holding):
            return quantity
    return holding


def sell_quantity(intent: SellIntent, nav: Decimal, warnings: list[str]) -> int:
    position, holding = intent.position, intent.position.holding
    wanted = holding.quantity
    if intent.keep_weight > 0:
        keep = math.floor(intent.keep_weight * float(nav) / float(position.price))
        wanted = smallest_legal_sell(position.symbol, holding.quantity - keep, holding.quantity)
    quantity = round_sell_quantity(position.symbol, min(wanted, holding.sellable),
                                   holding.quantity)
    if quantity < wanted:
        warnings.append(f"{position.symbol}: {intent.reason}; only {quantity} of {wanted} "
                        f"shares can be sold (sellable {holding.sellable}, T+1)")
    return quantity


def add_sells(out: Orders, day: DaySignals, plan: Plan, nav: Decimal, trade_date: date,
              config: ModelConfig) -> Decimal:
    """Append the sell orders; return their expected net proceeds."""
    proceeds = Decimal(0)
    for intent in plan.sells:
        position = intent.position
        quantity = sell_quantity(intent, nav, out.warnings)
        if quantity == 0:
            continue
        value = position.price * quantity
        cost = expected_cost(position.symbol, "sell", quantity, position.price, trade_date,
                             float(day.adv[position.index]), config.costs)
        remaining = position.price * (position.holding.quantity - quantity)
        out.orders.append(_proposal(day, position.index, Side.SELL, quantity, position.price,
                                    float(remaining / nav), position.weight, intent.reason))
        out.indexes.append(position.index)
        out.costs.append(cost)
        proceeds += value - cost
    return proceeds


def _affordable(symbol: str, quantity: int, price: Decimal, budget: Decimal, trade_date: date,
                adv: float, config: ModelConfig) -> tuple[int, Decimal]:
    """The largest legal quantity <= `quantity` whose value plus cost fits `budget`."""
    while quantity > 0:
        cost = expected_cost(symbol, "buy", quantity, price, trade_date, adv, config.costs)
        if price * quantity + cost <= budget:
            return quantity, cost
        shrink = int((budget - cost) / price) if budget > cost else 0
        quantity = round_buy_quantity(symbol, max(min(quantity - 1, shrink), 0))
    return 0, Decimal(0)


def add_buys(out: Orders, day: DaySignals, buys: list[BuyIntent], nav: Decimal,
             cash: Decimal, trade_date: date, config: ModelConfig) -> None:
    budget = cash - nav * Decimal(repr(config.constraints.cash_buffer))
    for intent in buys:
        price = to_price(float(day.close[intent.index]), f"close of {intent.symbol}")
        wanted = round_buy_quantity(intent.symbol,
                                    math.floor(intent.weight * float(nav) / float(price)))
        if wanted == 0:
            out.warnings.append(f"{intent.symbol}: one lot at {price} exceeds the target "
                                "position; not bought")
            continue
        quantity, cost = _affordable(intent.symbol, wanted, price, budget, trade_date,
                                     float(day.adv[intent.index]), config)
        if quantity == 0:
            out.warnings.append(f"{intent.symbol}: not funded (cash after the buffer "
                                f"{max(budget, Decimal(0)):.2f}); later buys skipped")
            return
        out.orders.append(_proposal(day, intent.index, Side.BUY, quantity, price,
                                    float(price * quantity / nav), 0.0, intent.reason))
        out.indexes.append(intent.index)
        out.costs.append(cost)
        budget -= price * quantity + cost


def _proposal(day: DaySignals, index: int, side: Side, quantity: int, price: Decimal,
              target: float, current: float, reason: str) -> OrderProposal:
    return OrderProposal(
        symbol=str(day.symbols[index]), name=str(day.names[index]), side=side,
        quantity=quantity, reference_price=price, est_value=price * quantity,
        target_weight=target, current_weight=current,
        ranks={}, score=float(day.score[index]), reason=reason,
    )


def batch_from_plan(day: DaySignals, plan: Plan, cash: Decimal, nav: Decimal,
                    ranks: npt.NDArray[np.int64], trade_date: date, config: ModelConfig,
                    adjust: Callable[[OrderProposal], OrderProposal] | None = None,
                    ) -> ModelBatch:
    """A plan's legal orders (sells first, then buys funded by `cash` and the sells)
    with their ranks and the batch's totals; `adjust` touches each order last."""
    out = Orders(warnings=list(plan.warnings))
    proceeds = add_sells(out, day, plan, nav, trade_date, config)
    add_buys(out, day, plan.buys, nav, cash + proceeds, trade_date, config)
    orders = attach_ranks(out.orders, out.indexes, day, config)
    if adjust is not None:
        orders = [adjust(order) for order in orders]
    gross = sum((o.est_value for o in orders), Decimal(0))
    return ModelBatch(
        signal_date=day.signal_date, trade_date=trade_date, orders=orders,
        buys=sum(o.side is Side.BUY for o in orders),
        sells=sum(o.side is Side.SELL for o in orders),
        gross_value=gross, turnover=float(gross / nav) / 2.0,
        expected_cost=sum(out.costs, Decimal(0)), nav=nav,
        universe_size=int((ranks > 0).sum()), warnings=out.warnings,
    )
