"""The rotation: which holdings to sell (and why) and which names to buy.

Hold N names. Buy from the top of the ranking; sell a holding only when it leaves
the universe, its rank falls past the buffer M, or a constraint forces it. An
optional cap on daily turnover defers rank-driven swaps (never forced sells).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from strategies.config import ModelConfig
from strategies.constraints import (
    IndustryBook,
    describe_breach,
    limit_locked_up,
    may_be_limit_locked,
    position_cap,
    position_caps,
    too_illiquid,
)
from strategies.holdings import Classified, Position, SellIntent
from strategies.signals import DaySignals


@dataclass(frozen=True)
class BuyIntent:
    index: int
    symbol: str
    rank: int
    weight: float
    reason: str


@dataclass
class Plan:
    sells: list[SellIntent] = field(default_factory=list)
    buys: list[BuyIntent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class TurnoverBudget:
    """Two-sided traded value still allowed today (unlimited without a cap)."""

    def __init__(self, cap: float | None, nav: float) -> None:
        self.left = math.inf if cap is None else 2.0 * cap * nav

    def spend(self, value: float) -> None:
        self.left -= value

    def allows(self, value: float) -> bool:
        return value <= self.left


def trim_positions(day: DaySignals, kept: list[Position], nav: float, target: float,
                   config: ModelConfig) -> list[SellIntent]:
    """Trims of holdings above their cap, down to min(target weight, cap)."""
    trims: list[SellIntent] = []
    if not kept:
        return trims
    caps = position_caps(day, np.array([p.index for p in kept]), nav, config.constraints)
    for position, weight_cap in zip(kept, caps.tolist(), strict=True):
        if position.weight <= weight_cap:  # the usual holding: no cap object made
            continue
        cap = position_cap(day, position.index, nav, config.constraints)
        if position.weight > cap.weight:
            reason = describe_breach(cap, position.weight, day, position.index, nav,
                                     config.constraints)
            trims.append(SellIntent(position, min(target, cap.weight), reason))
    return trims


def industry_exits(day: DaySignals, kept: list[Position], trims: list[SellIntent],
                   industries: IndustryBook) -> list[SellIntent]:
    """Whole exits of the weakest-ranked holdings of any industry above its cap.

    Fills `industries` with the weights of what stays.
    """
    after_trim = {t.position.symbol: t.keep_weight for t in trims}
    weights = {p.symbol: after_trim.get(p.symbol, p.weight) for p in kept}
    for position in kept:
        industries.add(str(day.industries[position.index]), weights[position.symbol])
    exits: list[SellIntent] = []
    for industry in industries.over_cap():
        members = [p for p in kept if day.industries[p.index] == industry]
        members.sort(key=lambda p: (-(p.rank or 10**9), p.symbol))  # unranked first
        for position in members:
            if industries.fits(industry, 0.0):
                break
            share = industries.weights[industry]
            exits.append(SellIntent(position, 0.0, f"industry cap: {industry} at {share:.1%} "
                                    f"> {industries.cap:.1%}"))
            industries.remove(industry, weights[position.symbol])
    return exits


def members_by_rank(ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The indexes of the ranked stocks, best rank first (ties by index)."""
    members = np.flatnonzero(ranks > 0)
    places = ranks[members] - 1
    seen = np.zeros(len(members), dtype=bool)
    if len(members) and places.max() < len(members):
        seen[places] = True
    if not seen.all():  # not the ranks 1..n once each (`rank_members`' own): sort them
        return members[np.argsort(ranks[members], kind="stable")]
    ordered = np.empty_like(members)
    ordered[places] = members  # rank r at place r - 1: the order without a sort
    return ordered


def buy_candidates(day: DaySignals, ranks: npt.NDArray[np.int64], held: set[str],
                   position_value: float, config: ModelConfig) -> Iterator[tuple[int, int]]:
    """(index, rank) of names that may be bought, best rank first."""
    ordered = members_by_rank(ranks)
    taken = np.zeros(len(ranks), dtype=bool)
    taken[[day.column[s] for s in held if s in day.column]] = True
    # The array screens for every member at once; the limit check (exact prices) only
    # for the few names reached before the buys are found, and of those only the ones
    # that closed up.
    ordered = ordered[~taken[ordered] & ~too_illiquid(day, ordered, position_value,
                                                      config.constraints)]
    check = may_be_limit_locked(day, ordered) if config.universe.exclude_limit_locked \
        else np.zeros(len(ordered), dtype=bool)
    for index, exact in zip(ordered.tolist(), check.tolist(), strict=True):
        if exact and limit_locked_up(day, index):
            continue
        yield index, int(ranks[index])


def entry_reason(rank: int, holdings: int) -> str:
    if rank <= holdings:
        return f"enters top {holdings} (rank {rank})"
    return f"best rank not yet held (rank {rank}; top {holdings} held or excluded)"


def plan_rotation(day: DaySignals, classified: Classified, ranks: npt.NDArray[np.int64],
                  nav: float, config: ModelConfig) -> Plan:
    target = config.target_weight()
    plan = Plan(sells=list(classified.forced))
    trims = trim_positions(day, classified.kept, nav, target, config)
    industries = IndustryBook(config.constraints.industry_cap)
    forced_industry = industry_exits(day, classified.kept, trims, industries)
    exited = {s.position.symbol for s in forced_industry}
    plan.sells += forced_industry + [t for t in trims if t.position.symbol not in exited]
    budget = TurnoverBudget(config.rotation.max_daily_turnover, nav)
    for sell in plan.sells:
        budget.spend((sell.position.weight - sell.keep_weight) * nav)
    count = len(classified.kept) - len(forced_industry) + len(classified.rank_sells)
    wanted = 0
    while count + wanted < config.rotation.holdings and budget.allows(target * nav):
        budget.spend(target * nav)
        wanted += 1
    for sell in classified.rank_sells:
        replace = count - 1 + wanted < config.rotation.holdings
        cost = sell.position.weight * nav + (target * nav if replace else 0.0)
        if not budget.allows(cost):
            plan.warnings.append(f"{sell.position.symbol}: {sell.reason}; sale deferred by "
                                 "the daily turnover cap")
            # Deferred, it stays: its caps still hold (a trim is forced, not budgeted).
            trim = trim_positions(day, [sell.position], nav, target, config)
            plan.sells += trim
            kept_weight = trim[0].keep_weight if trim else sell.position.weight
            industries.add(str(day.industries[sell.position.index]), kept_weight)
            continue
        budget.spend(cost)
        plan.sells.append(sell)
        count -= 1
        wanted += int(replace)
    held = {p.symbol for p in classified.kept}
    held |= {s.position.symbol for s in classified.forced + classified.rank_sells}
    plan.buys = _pick_entries(day, ranks, held, wanted, target, nav, industries, config)
    return plan


def _pick_entries(day: DaySignals, ranks: npt.NDArray[np.int64], held: set[str], wanted: int,
                  target: float, nav: float, industries: IndustryBook,
                  config: ModelConfig) -> list[BuyIntent]:
    buys: list[BuyIntent] = []
    if wanted <= 0:
        return buys
    for index, rank in buy_candidates(day, ranks, held, target * nav, config):
        industry = str(day.industries[index])
        if not industries.fits(industry, target):
            continue
        industries.add(industry, target)
        buys.append(BuyIntent(index, str(day.symbols[index]), rank, target,
                              entry_reason(rank, config.rotation.holdings)))
        if len(buys) == wanted:
            break
    return buys
