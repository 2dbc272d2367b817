"""Cash and position arithmetic of the simulated broker (pure, exact Decimal).

Stocks: a buy pays value + fees and is not sellable until the next day (T+1); a sell
receives value - fees. IM futures: opening holds margin (price x 200 x lots x rate)
and pays the open fee; closing takes today's lots first (as CFFEX does), pays the
close or close-today fee and realises the P&L against the average open price. MO
options: premium changes hands (price x 100 x lots) with the exchange's fee per lot; a
buy pays it, a sell receives it; a short (sell to open) also holds the exchange's
short-option margin (`exchange.options.short_option_margin`, from the order price and the
index's previous close), released pro rata when bought back. At the close of its last
trading day an option is cash settled (`settle_option`): max(K - S, 0) (put) or
max(S - K, 0) (call) x 100 per lot at the index's settlement price, paid to the long,
who pays the exercise fee per lot exercised, and by the short, whose margin is freed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from errors import FixData
from exchange import CommissionConfig, classify, fees, future_fee, future_spec
from exchange.instruments import contract_multiplier
from exchange.options import option_fee, option_intrinsic, short_option_margin
from execution.config import SimConfig
from execution.gateway.sim.corporate import after_buy, after_sell
from execution.gateway.sim.models import (
    FuturePosition,
    Position,
    SimExpiry,
    SimOrder,
    StockPosition,
)

CENT = Decimal("0.01")
AVG = Decimal("0.0001")


@lru_cache(maxsize=16)
def commission_of(cfg: SimConfig) -> CommissionConfig:
    return CommissionConfig(rate=cfg.commission_rate, minimum=cfg.min_commission)


@lru_cache(maxsize=4096)
def _buy_fees(symbol: str, quantity: int, price: Decimal, day: date,
              commission: CommissionConfig) -> Decimal:
    """A buy's fees, pure in its arguments: every submit and fill asks, and a parent's
    children mostly repeat a size and a price."""
    return fees(symbol, "buy", quantity, price, day, commission).total


def multiplier(symbol: str, position: Position) -> int:
    return contract_multiplier(symbol) if isinstance(position, FuturePosition) else 1


def cash_to_freeze(order: SimOrder, position: Position, cfg: SimConfig, day: date,
                   index_prev_close: Decimal | None = None) -> Decimal:
    """Cash held while `order`'s unfilled part works: buy value + fees, futures margin, an
    option's premium + fee, or a written option's margin (needs `index_prev_close`)."""
    if order.remaining <= 0:
        return Decimal(0)
    if classify(order.symbol).is_option:
        return _option_freeze(order, day, index_prev_close)
    if isinstance(position, StockPosition):
        if order.side != "buy":
            return Decimal(0)
        cost = _buy_fees(order.symbol, order.remaining, order.price, day, commission_of(cfg))
        return order.price * order.remaining + cost
    if order.offset != "open":
        return Decimal(0)
    notional = order.price * future_spec(order.symbol).multiplier * order.remaining
    return (notional * cfg.futures_margin_rate).quantize(CENT, ROUND_HALF_UP)


def _option_freeze(order: SimOrder, day: date, index_prev_close: Decimal | None) -> Decimal:
    lots = order.remaining
    if order.side == "buy":
        premium = order.price * contract_multiplier(order.symbol) * lots
        return premium + option_fee(lots, day)
    if order.offset != "open":
        return Decimal(0)
    if index_prev_close is None:
        raise OptionMarginUnknown(
            f"{order.symbol}: writing an option needs its margin, and the index's previous "
            "close is not known to the simulated broker today")
    return short_option_margin(order.symbol, order.price, index_prev_close, day) * lots


class OptionMarginUnknown(ValueError, FixData):
    """A sell-to-open of an option without the index level its margin is computed from."""


def hold_shares(position: Position, order: SimOrder, sign: int) -> Position:
    """Freeze (+1) or release (-1) the shares / lots a sell or close order holds."""
    amount = sign * order.remaining
    if isinstance(position, StockPosition) and order.side == "sell":
        return position.model_copy(update={"frozen": max(position.frozen + amount, 0)})
    if isinstance(position, FuturePosition) and order.offset in ("close", "close_today"):
        return position.model_copy(update={"frozen_close": max(position.frozen_close + amount, 0)})
    return position


@dataclass(frozen=True)
class FillResult:
    position: Position
    cash_delta: Decimal
    fees: Decimal
    offset: str = "none"  # close_today when the lots closed were all opened today


def apply_fill(position: Position, order: SimOrder, qty: int, price: Decimal,
               cfg: SimConfig, day: date, index_prev_close: Decimal | None = None) -> FillResult:
    if isinstance(position, StockPosition):
        return _stock_fill(position, order, qty, price, cfg, day)
    if classify(order.symbol).is_option:
        return _option_fill(position, order, qty, price, day, index_prev_close)
    return _future_fill(position, order, qty, price, cfg, day)


def _stock_fill(pos: StockPosition, order: SimOrder, qty: int, price: Decimal,
                cfg: SimConfig, day: date) -> FillResult:
    cost = fees(order.symbol, order.side, qty, price, day, commission_of(cfg)).total
    value = price * qty
    if order.side == "buy":
        held = pos.quantity + qty
        avg = ((pos.avg_cost * pos.quantity + value) / held).quantize(AVG, ROUND_HALF_UP)
        new = pos.model_copy(update={"quantity": held, "avg_cost": avg,
                                     "lots": after_buy(pos.lots, day, qty)})
        return FillResult(new, -(value + cost), cost)
    held = pos.quantity - qty
    new = pos.model_copy(update={
        "quantity": held, "sellable": pos.sellable - qty, "frozen": max(pos.frozen - qty, 0),
        "avg_cost": pos.avg_cost if held else Decimal(0), "lots": after_sell(pos.lots, qty),
    })
    return FillResult(new, value - cost, cost)


def _future_fill(pos: FuturePosition, order: SimOrder, qty: int, price: Decimal,
                 cfg: SimConfig, day: date) -> FillResult:
    mult = future_spec(order.symbol).multiplier
    short = order.side == "sell"
    if order.offset == "open":
        cost = future_fee(order.symbol, "open", qty, price, day)
        margin = (price * mult * qty * cfg.futures_margin_rate).quantize(CENT, ROUND_HALF_UP)
        side = "short" if short else "long"
        held = getattr(pos, side) + qty
        avg = ((getattr(pos, f"{side}_avg") * getattr(pos, side) + price * qty) / held)
        new = pos.model_copy(update={
            side: held, f"{side}_today": getattr(pos, f"{side}_today") + qty,
            f"{side}_avg": avg.quantize(AVG, ROUND_HALF_UP), "margin": pos.margin + margin,
        })
        return FillResult(new, -cost, cost, "open")
    side = "long" if short else "short"  # a sell closes a long, a buy closes a short
    held, today = getattr(pos, side), getattr(pos, f"{side}_today")
    from_today = min(qty, today)
    cost = Decimal(0)
    if from_today:
        cost += future_fee(order.symbol, "close_today", from_today, price, day)
    if qty - from_today:
        cost += future_fee(order.symbol, "close", qty - from_today, price, day)
    avg = getattr(pos, f"{side}_avg")
    pnl = (avg - price if side == "short" else price - avg) * mult * qty
    released = (pos.margin * qty / held).quantize(CENT, ROUND_HALF_UP) if held else pos.margin
    new = pos.model_copy(update={
        side: held - qty, f"{side}_today": today - from_today,
        f"{side}_avg": avg if held - qty else Decimal(0), "margin": pos.margin - released,
        "frozen_close": max(pos.frozen_close - qty, 0),
    })
    offset = "close_today" if from_today == qty else "close"
    return FillResult(new, (pnl - cost).quantize(CENT, ROUND_HALF_UP), cost, offset)


def _option_fill(pos: FuturePosition, order: SimOrder, qty: int, price: Decimal, day: date,
                 index_prev_close: Decimal | None) -> FillResult:
    """Premium for cash: a buy pays price x 100 x lots + fee, a sell receives it - fee.
    Opening adds lots at an average premium; a short holds margin, released when closed."""
    premium = price * contract_multiplier(order.symbol) * qty
    cost = option_fee(qty, day)
    cash = (-premium if order.side == "buy" else premium) - cost
    if order.offset == "open":
        side = "short" if order.side == "sell" else "long"
        held = getattr(pos, side) + qty
        avg = (getattr(pos, f"{side}_avg") * getattr(pos, side) + price * qty) / held
        margin = Decimal(0)
        if side == "short":
            if index_prev_close is None:
                raise OptionMarginUnknown(f"{order.symbol}: no index level for the margin")
            margin = short_option_margin(order.symbol, price, index_prev_close, day) * qty
        new = pos.model_copy(update={
            side: held, f"{side}_today": getattr(pos, f"{side}_today") + qty,
            f"{side}_avg": avg.quantize(AVG, ROUND_HALF_UP), "margin": pos.margin + margin,
        })
        return FillResult(new, cash, cost, "open")
    side = "long" if order.side == "sell" else "short"
    held, today = getattr(pos, side), getattr(pos, f"{side}_today")
    from_today = min(qty, today)
    released = Decimal(0)
    if side == "short" and held:
        released = (pos.margin * qty / held).quantize(CENT, ROUND_HALF_UP)
    new = pos.model_copy(update={
        side: held - qty, f"{side}_today": today - from_today,
        f"{side}_avg": getattr(pos, f"{side}_avg") if held - qty else Decimal(0),
        "margin": pos.margin - released, "frozen_close": max(pos.frozen_close - qty, 0),
    })
    offset = "close_today" if from_today == qty else "close"
    return FillResult(new, cash.quantize(CENT, ROUND_HALF_UP), cost, offset)


def settle_option(symbol: str, position: FuturePosition, settlement: Decimal, day: date,
                  at: datetime) -> SimExpiry:
    """The cash one option position settles for at expiry (the position then is empty)."""
    points = option_intrinsic(symbol, settlement)
    value = points * contract_multiplier(symbol) * (position.long - position.short)
    exercised = position.long if points > 0 else 0  # automatic exercise in the money
    fee = option_fee(exercised, day, exercise=True) if exercised else Decimal(0)
    return SimExpiry(symbol=symbol, long=position.long, short=position.short,
                     settlement=settlement, value=value.quantize(CENT, ROUND_HALF_UP),
                     fee=fee.quantize(CENT), at=at)
