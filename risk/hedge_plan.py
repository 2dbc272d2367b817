"""From a target hedge ratio to futures orders: roll, resize, margin, cost note.

Pure: the caller gives the day, the ratio the ladder wants, the book's beta and stock
exposure, the short lots held, contract quotes, the index level and free cash; the
plan says which legs to trade and what the hedge costs. The daemon turns legs into
urgent `Order`s; the replay fills them at the quoted price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from exchange import Side
from orders.order import Offset
from risk.basis import BasisView, Quote, basis_views, choose_contract, cost_to_expiry, monthly_cost
from risk.config import RiskConfig
from risk.contracts import ExpiryCalendar, must_roll, parse_contract
from risk.sizing import affordable_lots, hedge_lots, margin_for, split_lots


@dataclass(frozen=True)
class HedgeLeg:
    symbol: str
    side: Side
    offset: Offset
    lots: int  # at most max_lots_per_order
    price: Decimal  # reference price, on the tick


@dataclass(frozen=True)
class AlertNote:
    severity: str  # info / warning / critical
    title: str
    detail: str = ""


@dataclass(frozen=True)
class HedgeInputs:
    day: date
    ratio: float  # from the ladder
    beta: float
    exposure: Decimal  # stock value
    held: Mapping[str, int]  # symbol -> short lots
    quotes: Sequence[Quote]
    index: float  # CSI 1000 level
    free_cash: Decimal  # cash not blocked as margin
    force: bool = False  # the ladder moved: trade even inside the resize tolerance
    rising: bool = True  # with `force`: the ladder moved up (puts: up buys, down sells)


@dataclass(frozen=True)
class HedgePlan:
    target_lots: int
    legs: tuple[HedgeLeg, ...] = ()
    chosen: BasisView | None = None
    cost_note: str = ""
    alerts: tuple[AlertNote, ...] = field(default=())
    reason: str = ""  # why these legs (roll, resize, close); the ladder's reason comes first


def plan_hedge(
    inp: HedgeInputs, cfg: RiskConfig, calendar: ExpiryCalendar, multiplier: int
) -> HedgePlan:
    fut = cfg.futures
    prices = {q.contract.symbol: q.price for q in inp.quotes}
    held = {s: lots for s, lots in inp.held.items() if lots > 0}
    if inp.ratio <= 0:
        close_all = _reduce(held, sum(held.values()), prices, fut.max_lots_per_order)
        return HedgePlan(target_lots=0, legs=tuple(close_all), reason="no hedge wanted: close")
    rolling = {s for s in held if must_roll(parse_contract(s, calendar), inp.day, calendar,
                                            fut.roll_days_before_expiry)}
    kept = {s: lots for s, lots in held.items() if s not in rolling}
    chosen = hold_view(kept, inp, cfg, calendar)
    target = hedge_lots(inp.exposure, inp.beta, inp.ratio, chosen.quote.price, multiplier)
    delta = target - sum(kept.values())
    worth = _worth_trading(delta, target, sum(kept.values()), inp.force, fut.resize_tolerance)
    if not rolling and not worth:
        return HedgePlan(target_lots=target, chosen=chosen)
    alerts: list[AlertNote] = []
    roll_out = {s: held[s] for s in rolling}
    legs = _reduce(roll_out, sum(roll_out.values()), prices, fut.max_lots_per_order)
    if delta < 0:
        legs += _reduce(kept, -delta, prices, fut.max_lots_per_order)
    elif delta > 0:
        released = sum((margin_for(leg.lots, leg.price, multiplier, cfg.margin_total_rate)
                        for leg in legs), Decimal(0))
        delta = _within_margin(delta, inp.free_cash + released, chosen, cfg, multiplier, alerts)
        legs += _legs(chosen.symbol, Side.SELL, Offset.OPEN, delta, chosen.quote.price,
                      fut.max_lots_per_order)
    alerts += _discount_alert(chosen, fut.discount_alert)
    note = cost_note(chosen, target, inp.beta, cfg, multiplier)
    why = _why(sorted(rolling), chosen.symbol, target, sum(held.values()), inp, calendar)
    return HedgePlan(target, tuple(legs), chosen, note, tuple(alerts), why)


def _why(rolling: list[str], into: str, target: int, held: int, inp: HedgeInputs,
         calendar: ExpiryCalendar) -> str:
    parts = [f"roll {s} (expires {parse_contract(s, calendar).expiry}) into {into}"
             for s in rolling]
    if target != held:
        parts.append(f"resize {held} -> {target} lots for a {inp.ratio:.0%} hedge "
                     f"(beta {inp.beta:.2f}, exposure CNY {inp.exposure:,.0f})")
    return "; ".join(parts)


def _discount_alert(view: BasisView, level: float) -> list[AlertNote]:
    if -view.annual_basis <= level:
        return []
    return [AlertNote(
        "warning", f"{view.symbol} discount {-view.annual_basis:.1%} a year",
        f"above the {level:.0%} alert level: a short hedge opened now pays that discount",
    )]


def cost_note(view: BasisView, lots: int, beta: float, cfg: RiskConfig, multiplier: int) -> str:
    """What the trader sees with the order: basis, cost per month and to expiry, margin."""
    price = view.quote.price
    notional = price * lots * multiplier
    monthly = monthly_cost(notional, view.annual_basis)
    to_expiry = cost_to_expiry(lots, price, view.index, multiplier)
    margin = margin_for(lots, price, multiplier, cfg.margin_total_rate)
    return (
        f"{view.symbol} at {price} vs CSI 1000 {view.index:.1f}: "
        f"basis {view.annual_basis:+.1%}/yr, "
        f"{view.days_to_expiry} days to expiry. {lots} lots (CNY {notional:,.0f}, beta {beta:.2f}) "
        f"cost about CNY {monthly:,}/month at this basis, CNY {to_expiry:,} if it converges by "
        f"expiry; margin CNY {margin:,.0f} at {cfg.margin_total_rate:.0%}"
    )


def hold_view(kept: Mapping[str, int], inp: HedgeInputs, cfg: RiskConfig,
               calendar: ExpiryCalendar) -> BasisView:
    """The contract already held (largest position) or, if none, the best one to open."""
    if kept:
        symbol = max(kept, key=lambda s: (kept[s], s))
        views = {v.symbol: v for v in basis_views(inp.quotes, inp.index, inp.day, cfg.futures)}
        if symbol not in views:
            raise ValueError(f"hedge plan on {inp.day}: no quote for the held contract {symbol}")
        return views[symbol]
    return choose_contract(inp.quotes, inp.index, inp.day, cfg.futures, calendar)


def _worth_trading(delta: int, target: int, kept: int, force: bool, tolerance: float) -> bool:
    if delta == 0:
        return False
    if force or target == 0 or kept == 0:
        return True
    return abs(delta) > tolerance * max(target, kept)


def _within_margin(lots: int, cash: Decimal, view: BasisView, cfg: RiskConfig, multiplier: int,
                   alerts: list[AlertNote]) -> int:
    rate = cfg.margin_total_rate
    needed = margin_for(lots, view.quote.price, multiplier, rate)
    if needed <= cash:
        return lots
    affordable = affordable_lots(cash, view.quote.price, multiplier, rate)
    alerts.append(AlertNote(
        "critical", f"margin short for the {view.symbol} hedge",
        f"{lots} lots need CNY {needed:,.0f} margin at {rate:.0%}; free cash is CNY {cash:,.0f}: "
        f"proposing {affordable} lots",
    ))
    return affordable


def _reduce(
    kept: Mapping[str, int], lots: int, prices: Mapping[str, Decimal], cap: int
) -> list[HedgeLeg]:
    """Buy back `lots`, nearest expiry (lowest symbol) first."""
    legs: list[HedgeLeg] = []
    for symbol in sorted(kept):
        take = min(lots, kept[symbol])
        legs += _legs(symbol, Side.BUY, Offset.CLOSE, take, _price(prices, symbol), cap)
        lots -= take
        if lots == 0:
            break
    return legs


def _legs(
    symbol: str, side: Side, offset: Offset, lots: int, price: Decimal, cap: int
) -> list[HedgeLeg]:
    return [HedgeLeg(symbol, side, offset, part, price) for part in split_lots(lots, cap)]


def _price(prices: Mapping[str, Decimal], symbol: str) -> Decimal:
    if symbol not in prices:
        raise ValueError(f"hedge plan: no quote for {symbol}, which is held")
    return prices[symbol]
