"""Fills of a trade day: what trades, how much, at what price, for what fee.

The live desk works each approved order as a TWAP over the whole session (09:30-14:55,
`orders.order.Order`'s default window) with no child above `max_participation` of the
market volume, and leaves what is not done at the close (DONE_FOR_DAY). On daily data
the backtest does the same in one step (`FillStyle.WINDOW`):

- price: the day's VWAP (amount / volume), the price a full-day TWAP or VWAP earns
  before costs; then the slippage model moves it against us, never past the limit;
- quantity: at most `participation` x the day's volume, rounded down to a legal lot;
  the rest is not carried: the next night's model sees the smaller holding;
- a day locked at the limit all day (low at limit-up for a buy, high at limit-down for
  a sell) fills nothing, nor does a suspended day.

`FillStyle.OPEN` is the old, optimistic rule kept to quote the difference: the whole
order at the open, no volume cap, blocked only when the stock opens at the limit.
Bands include the delisting period's (day 1 free from the 2020 reform, `exchange`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from exchange import Side, limit_prices, price_band, round_buy_quantity, round_sell_quantity
from marketdata.schema import RiskFlag
from orders.algo_defaults import MAX_PARTICIPATION
from strategies.backtest.ledger import SimulatedBook
from strategies.batch import OrderProposal
from strategies.config import CostConfig
from strategies.costs import fill_price, slippage_fraction, to_price, trade_cost
from strategies.rolling import FloatArray

Limits = tuple[Decimal | None, Decimal | None]


class FillStyle(StrEnum):
    WINDOW = "window"  # the live algorithm on daily data: VWAP, participation cap
    OPEN = "open"  # the old optimistic rule: the whole order at the open


# Enum members bound once: reading one from its class costs as much as a comparison
# of Decimals on Python 3.11, and every order asks several times.
_BUY, _SELL = Side.BUY, Side.SELL
_WINDOW, _OPEN = FillStyle.WINDOW, FillStyle.OPEN
_WARNED = (RiskFlag.ST, RiskFlag.STAR_ST)


@dataclass(frozen=True)
class FillRules:
    style: FillStyle = FillStyle.WINDOW
    # The execution service's `execution.algo.max_participation` (services pass the
    # configured value; the default is the same shared constant).
    participation: Decimal = MAX_PARTICIPATION


@dataclass(frozen=True)
class DayMarket:
    """The trade day's facts, arrays over the panel's symbols."""

    day: date
    column: Mapping[str, int]  # vt_symbol -> position in the arrays
    open: FloatArray
    high: FloatArray
    low: FloatArray
    volume: FloatArray  # shares
    amount: FloatArray  # CNY
    prev_close: FloatArray
    suspended: np.ndarray
    risk_flag: FloatArray
    delisting_day: np.ndarray  # 1, 2, ... inside a delisting period, else 0
    adv: FloatArray  # the signal day's average amount, for the impact model


@dataclass(frozen=True)
class Fill:
    symbol: str
    side: str
    quantity: int
    price: Decimal
    fees: Decimal
    ordered: int  # the order's quantity (a fill below it was cut)


@dataclass(frozen=True)
class Miss:
    symbol: str
    side: str
    quantity: int  # not filled
    why: str


class Quote(NamedTuple):
    """One stock's trade-day facts from `DayMarket`, as Python numbers: read once per
    order (one numpy gather per day) instead of field by field."""

    open: float
    high: float
    low: float
    volume: float
    amount: float
    prev_close: float
    suspended: float
    risk_flag: float
    delisting_day: float
    adv: float


def quotes(market: DayMarket, indexes: list[int]) -> list[Quote]:
    """The rows `indexes` of the day's arrays."""
    at = np.asarray(indexes, dtype=np.intp)
    table = np.column_stack([np.asarray(getattr(market, name), dtype=np.float64)[at]
                             for name in Quote._fields])
    return [Quote._make(row) for row in table.tolist()]


def day_limits(symbol: str, market: DayMarket, index: int) -> Limits:
    """(limit-up, limit-down) of the trade day, (None, None) without a band or reference."""
    return limits_of(symbol, market.day, float(market.prev_close[index]),
                     float(market.risk_flag[index]), float(market.delisting_day[index]))


def limits_of(symbol: str, day: date, prev_close: float, risk_flag: float,
              delisting_day: float) -> Limits:
    """`day_limits` from the stock's numbers of the day."""
    if not math.isfinite(prev_close) or prev_close <= 0:
        return None, None
    warned = int(risk_flag) in _WARNED
    delisting = int(delisting_day) or None
    return _limits_at(prev_close, price_band(symbol, day, st=warned, delisting_day=delisting))


@lru_cache(maxsize=65536)  # 7 in 10 orders of a 5,400 x 750 run meet a (close, band) again
def _limits_at(prev_close: float, band: Decimal | None) -> Limits:
    """The limit prices of a (positive, finite) previous close under `band`."""
    return limit_prices(to_price(prev_close, "prev_close"), band)


def _positive(value: float) -> float:
    return value if math.isfinite(value) and value > 0 else math.nan


def blocked(order: OrderProposal, quote: Quote, limits: Limits,
            style: FillStyle) -> str | None:
    """Why the order cannot trade that day, or None."""
    open_ = _positive(quote.open)
    if bool(quote.suspended) or math.isnan(open_):
        return "suspended"
    up, down = limits
    buying = order.side is _BUY
    if style is _OPEN:
        price = to_price(open_, f"open of {order.symbol}")
        if buying and up is not None and price >= up:
            return "opened limit-up"
        if not buying and down is not None and price <= down:
            return "opened limit-down"
        return None
    if not quote.volume > 0:
        return "no volume"
    if buying and up is not None and to_price(_positive(quote.low), "low") >= up:
        return "locked limit-up"
    if not buying and down is not None and to_price(_positive(quote.high), "high") <= down:
        return "locked limit-down"
    return None


def window_price(quote: Quote, symbol: str) -> Decimal:
    """The day's VWAP, inside the day's range (what a full-day TWAP/VWAP earns)."""
    vwap = quote.amount / quote.volume
    low, high = _positive(quote.low), _positive(quote.high)
    if math.isfinite(low) and math.isfinite(high):
        vwap = min(max(vwap, low), high)
    return to_price(vwap, f"VWAP of {symbol}")


def volume_cap(volume: float, participation: Decimal) -> int:
    """Shares the participation limit allows over a day of `volume` shares."""
    return int((participation * Decimal(repr(volume))).to_integral_value(ROUND_FLOOR))


def _slipped(order: OrderProposal, reference: Decimal, quantity: int, adv: float,
             config: CostConfig, limits: Limits) -> Decimal:
    """The reference moved against us by the slippage model, never past the day's limit."""
    value = float(reference) * quantity
    slip = slippage_fraction(value, adv, config)
    price = fill_price(order.symbol, order.side, reference, slip)
    up, down = limits
    if order.side is _BUY:
        return price if up is None else min(price, up)
    return price if down is None else max(price, down)


def _wanted(order: OrderProposal, quote: Quote, ledger: SimulatedBook,
            rules: FillRules) -> tuple[int, str]:
    """What the day's volume (WINDOW) and T+1 let the order trade, in legal lots, and
    what cut it ("" when nothing did)."""
    quantity, why = order.quantity, ""
    if rules.style is _WINDOW:
        cap = volume_cap(quote.volume, rules.participation)
        if cap < quantity:
            quantity, why = cap, "volume cap"
    if order.side is _SELL:
        sellable = ledger.sellable(order.symbol)
        if sellable < quantity:
            why = "nothing sellable" if sellable == 0 else "T+1"
        return round_sell_quantity(order.symbol, quantity, sellable), why
    return round_buy_quantity(order.symbol, quantity), why


def _fill_one(order: OrderProposal, quote: Quote, day: date, ledger: SimulatedBook,
              config: CostConfig, rules: FillRules) -> tuple[Fill | None, str]:
    """The order's fill (None if nothing traded) and why it is short of the order."""
    limits = limits_of(order.symbol, day, quote.prev_close, quote.risk_flag,
                       quote.delisting_day)
    why = blocked(order, quote, limits, rules.style)
    if why is not None:
        return None, why
    wanted, why = _wanted(order, quote, ledger, rules)
    if wanted == 0:
        return None, why or "volume cap"
    reference = window_price(quote, order.symbol) if rules.style is _WINDOW \
        else to_price(quote.open, f"open of {order.symbol}")
    price = _slipped(order, reference, wanted, quote.adv, config, limits)
    if order.side is _SELL:
        fee = trade_cost(order.symbol, "sell", wanted, price, day, config)
        ledger.sell(order.symbol, wanted, price, fee)
        return Fill(order.symbol, "sell", wanted, price, fee, order.quantity), why
    quantity, fee = _affordable(order.symbol, wanted, price, ledger.cash, day, config)
    if quantity == 0:
        return None, "no cash"
    ledger.buy(order.symbol, quantity, price, fee)
    return Fill(order.symbol, "buy", quantity, price, fee, order.quantity), \
        why if quantity == wanted else "no cash"


def execute_day(orders: list[OrderProposal], market: DayMarket, ledger: SimulatedBook,
                config: CostConfig,
                rules: FillRules = FillRules()) -> tuple[list[Fill], list[Miss]]:
    """Fill the batch, sells first so their cash funds the buys.

    An order cut short also leaves a Miss for its remainder, with the reason; nothing
    of it is carried to the next day (live ends it DONE_FOR_DAY).
    """
    fills: list[Fill] = []
    misses: list[Miss] = []
    ordered = sorted(orders, key=_buys_last)
    day_quotes = quotes(market, [market.column[order.symbol] for order in ordered])
    for order, quote in zip(ordered, day_quotes, strict=True):
        fill, why = _fill_one(order, quote, market.day, ledger, config, rules)
        done = 0 if fill is None else fill.quantity
        if fill is not None:
            fills.append(fill)
        if done < order.quantity:
            misses.append(Miss(order.symbol, order.side.value, order.quantity - done,
                               why or "lot rounding"))
    return fills, misses


def _buys_last(order: OrderProposal) -> bool:
    return order.side is not _SELL


def _affordable(symbol: str, quantity: int, price: Decimal, cash: Decimal, on: date,
                config: CostConfig) -> tuple[int, Decimal]:
    """The largest legal quantity <= `quantity` the cash pays for, and its fee."""
    while quantity > 0:
        fee = trade_cost(symbol, "buy", quantity, price, on, config)
        if price * quantity + fee <= cash:
            return quantity, fee
        quantity = round_buy_quantity(symbol, min(quantity - 1, int(cash / price)))
    return 0, Decimal(0)
