"""Fills at the trade day's open: what trades, at what price, for what fee.

An order does not fill when its stock is suspended, or opens at the limit against
it (limit-up for a buy, limit-down for a sell). A fill pays the slippage model and
the dated fee table; a buy the cash cannot cover is cut to the largest legal lot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from exchange import Side, limit_prices, price_band, round_buy_quantity
from marketdata.schema import RiskFlag
from strategies.backtest.ledger import SimulatedBook
from strategies.batch import OrderProposal
from strategies.config import CostConfig
from strategies.costs import fill_price, slippage_fraction, to_price, trade_cost
from strategies.rolling import FloatArray


@dataclass(frozen=True)
class OpenMarket:
    """The trade day's opening facts, arrays over the panel's symbols."""

    day: date
    column: Mapping[str, int]  # vt_symbol -> position in the arrays
    open: FloatArray
    prev_close: FloatArray
    suspended: np.ndarray
    risk_flag: FloatArray
    adv: FloatArray  # the signal day's average amount, for the impact model


@dataclass(frozen=True)
class Fill:
    symbol: str
    side: str
    quantity: int
    price: Decimal
    fees: Decimal


@dataclass(frozen=True)
class Miss:
    symbol: str
    side: str
    quantity: int
    why: str


def _limits(symbol: str, market: OpenMarket, index: int) -> tuple[Decimal | None, ...]:
    """(limit-up, limit-down) of the trade day, (None, None) without a usable reference."""
    prev_close = float(market.prev_close[index])
    if not math.isfinite(prev_close) or prev_close <= 0:
        return None, None
    warned = int(market.risk_flag[index]) in (RiskFlag.ST, RiskFlag.STAR_ST)
    band = price_band(symbol, market.day, st=warned)
    return limit_prices(to_price(prev_close, f"prev_close of {symbol}"), band)


def blocked(order: OrderProposal, market: OpenMarket, index: int,
            limits: tuple[Decimal | None, ...]) -> str | None:
    """Why the order cannot trade at the open, or None."""
    open_ = float(market.open[index])
    if bool(market.suspended[index]) or not math.isfinite(open_) or open_ <= 0:
        return "suspended"
    up, down = limits
    price = to_price(open_, f"open of {order.symbol}")
    if order.side is Side.BUY and up is not None and price >= up:
        return "opened limit-up"
    if order.side is Side.SELL and down is not None and price <= down:
        return "opened limit-down"
    return None


def _price(order: OrderProposal, market: OpenMarket, index: int, config: CostConfig,
           limits: tuple[Decimal | None, ...]) -> Decimal:
    """The open moved against us by the slippage model, but never past the day's limit."""
    reference = to_price(float(market.open[index]), f"open of {order.symbol}")
    value = float(reference) * order.quantity
    slip = slippage_fraction(value, float(market.adv[index]), config)
    price = fill_price(order.symbol, order.side, reference, slip)
    up, down = limits
    if order.side is Side.BUY and up is not None:
        return min(price, up)
    if order.side is Side.SELL and down is not None:
        return max(price, down)
    return price


def execute_open(orders: list[OrderProposal], market: OpenMarket, ledger: SimulatedBook,
                 config: CostConfig) -> tuple[list[Fill], list[Miss]]:
    """Fill the batch at the open, sells first so their cash funds the buys."""
    fills: list[Fill] = []
    misses: list[Miss] = []
    for order in sorted(orders, key=lambda o: o.side is not Side.SELL):
        index = market.column[order.symbol]
        limits = _limits(order.symbol, market, index)
        why = blocked(order, market, index, limits)
        if why is not None:
            misses.append(Miss(order.symbol, order.side.value, order.quantity, why))
            continue
        price = _price(order, market, index, config, limits)
        if order.side is Side.SELL:
            quantity = min(order.quantity, ledger.sellable(order.symbol))
            fee = trade_cost(order.symbol, "sell", quantity, price, market.day, config) \
                if quantity else Decimal(0)
        else:
            quantity, fee = _affordable(order.symbol, order.quantity, price, ledger.cash,
                                        market.day, config)
        if quantity == 0:
            why = "no cash" if order.side is Side.BUY else "nothing sellable"
            misses.append(Miss(order.symbol, order.side.value, order.quantity, why))
            continue
        if order.side is Side.SELL:
            ledger.sell(order.symbol, quantity, price, fee)
        else:
            ledger.buy(order.symbol, quantity, price, fee)
        fills.append(Fill(order.symbol, order.side.value, quantity, price, fee))
    return fills, misses


def _affordable(symbol: str, quantity: int, price: Decimal, cash: Decimal, on: date,
                config: CostConfig) -> tuple[int, Decimal]:
    """The largest legal quantity <= `quantity` the cash pays for, and its fee."""
    while quantity > 0:
        fee = trade_cost(symbol, "buy", quantity, price, on, config)
        if price * quantity + fee <= cash:
            return quantity, fee
        quantity = round_buy_quantity(symbol, min(quantity - 1, int(cash / price)))
    return 0, Decimal(0)
