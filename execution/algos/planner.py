"""One decision for one parent: the next child (quantity and price) or why it waits.

Pure: everything it needs is passed in, so every schedule and rule is testable
without Redis, vnpy or a clock. The worker calls it at each decision time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from exchange.prices import tick_size
from execution.algos.curves import Curve, PovCurve, TwapCurve, VwapCurve
from execution.algos.market import Quote
from execution.algos.pricing import PriceInputs, child_price
from execution.algos.profile import VolumeProfile
from execution.algos.sizing import SizeInputs, size_child
from execution.algos.window import TradingWindow
from execution.config import AlgoConfig, EndBehaviour
from marketdata.sessions import Market
from orders.order import Algo, Order, OrderKind


@dataclass(frozen=True)
class Child:
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Wait:
    reason: str


@dataclass(frozen=True)
class Position:
    """The account's position in the parent's symbol, net of sells already working."""

    holding: int = 0
    sellable: int = 0


@dataclass(frozen=True)
class Progress:
    filled: int
    open_quantity: int
    slice_no: int  # the number the next child will carry
    market_volume: int  # market volume since the window started
    recent_volume: int | None  # market volume over the last slice interval
    slot: int | None = None  # the schedule's slot now (`slot_at`); None: the slice number


def market_of(order: Order) -> Market:
    return Market.INDEX_FUTURE if order.kind is OrderKind.HEDGE else Market.STOCK


def build_curve(order: Order, cfg: AlgoConfig, lead_s: int, profile: VolumeProfile) -> Curve:
    window = TradingWindow.build(order.trade_date, order.start_time, order.end_time,
                                 market_of(order))
    if order.algo is Algo.TWAP:
        return TwapCurve(window, order.quantity, lead_s)
    if order.algo is Algo.VWAP:
        return VwapCurve(window, order.quantity, lead_s, profile)
    return PovCurve(order.quantity, cfg.pov_rate)


def min_child(order: Order, cfg: AlgoConfig) -> int:
    """The minimum child in shares for stocks; one lot for futures."""
    return 1 if order.kind is OrderKind.HEDGE else cfg.min_child


@lru_cache(maxsize=4096)  # seeding a Random from text hashes it: once per child is enough
def jitter(key: str, slice_no: int) -> float:
    """A number in [-1, 1], the same for the same child after a restart."""
    return random.Random(f"{key}:{slice_no}").uniform(-1.0, 1.0)


def schedule_key(order: Order) -> str:
    """Fair execution across accounts (docs/accounts.md): the orders of several accounts
    in one stock, side and window share one schedule, so none trades systematically
    earlier (or at other sizes, in proportion) than another."""
    return (f"{order.trade_date}:{order.symbol}:{order.side.value}:"
            f"{order.start_time:%H%M}-{order.end_time:%H%M}")


def slot_at(order: Order, at: datetime, interval_s: int) -> int:
    """The slot of the schedule nearest `at`: slots are `interval_s` apart from the
    window's start, the same for every account whenever its parent was approved."""
    start = datetime.combine(order.trade_date, order.start_time, tzinfo=at.tzinfo)
    return max(round((at - start).total_seconds() / interval_s), 0)


def next_decision(order: Order, cfg: AlgoConfig, interval_s: int, sent_at: datetime,
                  slice_no: int) -> datetime:
    """When to look again after a child was sent at `sent_at`: the next slot of the
    shared schedule, moved by that slot's jitter (less than half an interval)."""
    slot = slot_at(order, sent_at, interval_s) + 1
    start = datetime.combine(order.trade_date, order.start_time, tzinfo=sent_at.tzinfo)
    shift = jitter(schedule_key(order), slot) * min(cfg.randomise_time_s, interval_s // 2)
    return start + timedelta(seconds=slot * interval_s + shift)


def finishing(order: Order, cfg: AlgoConfig, now: datetime) -> bool:
    if cfg.end_behaviour is not EndBehaviour.CROSS:
        return False
    window = TradingWindow.build(order.trade_date, order.start_time, order.end_time,
                                 market_of(order))
    return not window.empty and window.remaining_seconds(now) <= cfg.cross_minutes * 60


def plan(order: Order, cfg: AlgoConfig, curve: Curve, now: datetime, quote: Quote,
         progress: Progress, position: Position) -> Child | Wait:
    """The next child for `order` at `now` (continuous trading), or why it waits."""
    side = order.side.value
    locked = quote.locked_for(side)
    if locked:
        return Wait(locked)
    crossing = finishing(order, cfg, now)
    sized = size_child(SizeInputs(
        symbol=order.symbol, side=side, total=order.quantity, filled=progress.filled,
        open_quantity=progress.open_quantity,
        target=curve.target(now, progress.market_volume),
        min_child=min_child(order, cfg), max_child=cfg.max_child, finishing=crossing,
        randomise=float(cfg.randomise_size) * jitter(
            schedule_key(order), -(progress.slice_no if progress.slot is None else progress.slot)),
        market_cap=_participation_cap(cfg, progress.recent_volume, order),
        holding=position.holding, sellable=position.sellable,
    ))
    if sized.quantity <= 0:
        return Wait(sized.reason)
    price = child_price(quote, _price_inputs(order, cfg, now, crossing, continuous=True))
    if price is None:
        return Wait(f"no legal price for {order.symbol} inside the order's and today's limits")
    return Child(sized.quantity, price)


def plan_auction(order: Order, cfg: AlgoConfig, now: datetime, quote: Quote,
                 progress: Progress, position: Position, *, closing: bool) -> Child | Wait:
    """A child for the opening auction (a share of the parent) or the closing one (the rest)."""
    share = order.quantity if closing else int(
        (cfg.auction_fraction * order.quantity).to_integral_value(ROUND_FLOOR))
    sized = size_child(SizeInputs(
        symbol=order.symbol, side=order.side.value, total=order.quantity,
        filled=progress.filled, open_quantity=progress.open_quantity, target=share,
        min_child=min_child(order, cfg), max_child=cfg.max_child, finishing=closing,
        holding=position.holding, sellable=position.sellable,
    ))
    if sized.quantity <= 0:
        return Wait(sized.reason)
    price = child_price(quote, _price_inputs(order, cfg, now, False, continuous=False))
    if price is None:
        return Wait(f"no legal auction price for {order.symbol}")
    return Child(sized.quantity, price)


def _participation_cap(cfg: AlgoConfig, recent_volume: int | None, order: Order) -> int | None:
    """The desk's share of the market volume, split between the accounts trading this
    stock and side pro rata to their parents (`Order.desk_quantity`)."""
    if not recent_volume:
        return None
    desk_cap = int((cfg.max_participation * recent_volume).to_integral_value(ROUND_FLOOR))
    if order.desk_quantity <= order.quantity:
        return desk_cap
    share = Decimal(order.quantity) / Decimal(order.desk_quantity)
    own = int((desk_cap * share).to_integral_value(ROUND_FLOOR))
    # A small account's share may be under one child: it may still send one when the
    # desk's cap allows it, or it would start behind the others every time.
    return max(own, min(min_child(order, cfg), desk_cap))


def _price_inputs(order: Order, cfg: AlgoConfig, now: datetime, crossing: bool,
                  *, continuous: bool) -> PriceInputs:
    return PriceInputs(
        symbol=order.symbol, side=order.side.value, day=now.date(),
        tick=tick_size(order.symbol), reference=order.reference_price,
        limit=order.limit_price, band=cfg.band, style=cfg.price_style, crossing=crossing,
        cross_ticks=cfg.cross_ticks, continuous=continuous,
    )
