"""From a put notional to MO orders: roll, resize, unwind, let worthless puts expire.

Pure, like `risk.hedge_plan` for futures. Held puts cover lots x |delta| x S x 100 of
the book. `roll_days_before_expiry` trading days before expiry a held put is sold back
at its bid, unless it is out of the money and bid at or below `worthless_bid`: then it
is left to expire (its value at settlement, max(K - S, 0) x 100 per lot, is nil or
next to it) and no longer counted as protection. Additions go into the largest held
series while it is still eligible, else into the put `risk.hedge_choice.choose_put`
picked; reductions sell back the nearest expiry first. Between ladder moves the daily
check only rolls: puts are sized by delta when bought and then left alone, whatever
their delta does, so a rebound does not buy more protection each day. A step up only
buys (to the new rung's delta-equivalent target), a step down only sells back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from exchange import Side
from orders.order import Offset
from risk.config import RiskConfig
from risk.contracts import ExpiryCalendar, must_roll
from risk.hedge_choice import MO_MULTIPLIER, PutCost, PutQuote, eligible, put_lots
from risk.hedge_plan import HedgeLeg
from risk.sizing import split_lots


@dataclass(frozen=True)
class PutPlan:
    target_notional: Decimal
    legs: tuple[HedgeLeg, ...] = ()
    expiring: tuple[str, ...] = ()  # held puts left to expire worthless
    reason: str = ""


def coverage(held: Mapping[str, int], quotes: Mapping[str, PutQuote], index: float) -> Decimal:
    """CNY of beta-weighted exposure the held puts cover now (delta-equivalent)."""
    total = Decimal(0)
    for symbol, lots in held.items():
        total += Decimal(str(abs(quotes[symbol].delta) * index)) * lots * MO_MULTIPLIER
    return total


def left_to_expire(put: PutQuote, index: float, worthless_bid: Decimal) -> bool:
    return float(put.strike) <= index and put.bid <= worthless_bid


def plan_puts(day: date, notional: Decimal, held: Mapping[str, int], quotes: Sequence[PutQuote],
              index: float, chosen: PutCost | None, cfg: RiskConfig, calendar: ExpiryCalendar,
              force: bool, rising: bool = True) -> PutPlan:
    """`force`: the ladder moved (`rising`: up). Up only buys, down only sells, the daily
    check (neither) only rolls; with nothing held the target is bought."""
    opt = cfg.hedge
    by_symbol = {q.symbol: q for q in quotes}
    held = {s: n for s, n in held.items() if n > 0}
    missing = sorted(set(held) - set(by_symbol))
    if missing:
        raise ValueError(f"put plan on {day}: no quote for the held put(s) {', '.join(missing)}")
    rolling = {s for s in held
               if must_roll(by_symbol[s].expiry, day, calendar, opt.roll_days_before_expiry)}
    expiring = sorted(s for s in rolling if left_to_expire(by_symbol[s], index, opt.worthless_bid))
    legs: list[HedgeLeg] = []
    parts: list[str] = []
    for symbol in sorted(rolling - set(expiring)):
        sold = _sell(symbol, held[symbol], by_symbol[symbol], opt.max_lots_per_order)
        legs += sold
        expires = by_symbol[symbol].expiry.expiry
        parts.append(f"sell back {held[symbol]} {symbol} (expires {expires})" if sold else
                     f"hold {held[symbol]} {symbol} to expiry {expires} (no bid)")
    parts += [f"leave {held[s]} {s} to expire worthless (bid {by_symbol[s].bid})" for s in expiring]
    kept = {s: n for s, n in held.items() if s not in rolling}
    gap = notional - coverage(kept, by_symbol, index)
    # Between ladder moves the puts held are left alone (sized by delta when bought): a
    # falling index raises their delta, a rally lowers it, and topping them up daily would
    # buy more protection into every rebound. Rolls are replaced at once.
    buy = gap > 0 and (not kept or bool(rolling) or (force and rising))
    sell = gap < 0 and (notional == 0 or (force and not rising))
    if buy:
        into = _addition_series(kept, by_symbol, chosen, index, day, cfg)
        if into is None:
            parts.append("no eligible put to add")
        else:
            lots = put_lots(gap, into.delta, index)
            legs += [HedgeLeg(into.symbol, Side.BUY, Offset.OPEN, n, into.buy_price)
                     for n in split_lots(lots, opt.max_lots_per_order)]
            if lots:
                parts.append(f"buy {lots} {into.symbol} for CNY {gap:,.0f} of protection")
    elif sell:
        legs += _reduce(kept, -gap, by_symbol, index, opt.max_lots_per_order, parts)
    return PutPlan(notional, tuple(legs), tuple(expiring), "; ".join(parts))


def _addition_series(kept: Mapping[str, int], quotes: Mapping[str, PutQuote],
                     chosen: PutCost | None, index: float, day: date,
                     cfg: RiskConfig) -> PutQuote | None:
    if kept:
        largest = quotes[max(kept, key=lambda s: (kept[s], s))]
        if eligible(largest, index, day, cfg.hedge):
            return largest
    return quotes.get(chosen.symbol) if chosen is not None else None


def _reduce(kept: Mapping[str, int], notional: Decimal, quotes: Mapping[str, PutQuote],
            index: float, cap: int, parts: list[str]) -> list[HedgeLeg]:
    legs: list[HedgeLeg] = []
    for symbol in sorted(kept, key=lambda s: (quotes[s].expiry, s)):
        if notional <= 0:
            break
        put = quotes[symbol]
        lots = min(kept[symbol], put_lots(notional, put.delta, index))
        if lots <= 0:
            continue
        sold = _sell(symbol, lots, put, cap)
        legs += sold
        parts.append(f"sell back {lots} {symbol}" if sold else f"{symbol}: no bid to sell into")
        notional -= Decimal(str(abs(put.delta) * index)) * lots * MO_MULTIPLIER
    return legs


def _sell(symbol: str, lots: int, put: PutQuote, cap: int) -> list[HedgeLeg]:
    if put.sell_price <= 0:  # no bid: nothing to sell into; it stays held
        return []
    return [HedgeLeg(symbol, Side.SELL, Offset.CLOSE, n, put.sell_price)
            for n in split_lots(lots, cap)]
