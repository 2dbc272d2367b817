"""Fair execution across accounts (docs/accounts.md): parents of several accounts in one
stock, side and window share one schedule and split the participation cap pro rata."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from exchange import Side
from execution.algos.market import Quote
from execution.algos.planner import (
    Child,
    Position,
    Progress,
    Wait,
    build_curve,
    next_decision,
    plan,
    schedule_key,
    slot_at,
)
from execution.algos.profile import VolumeProfile
from execution.config import AlgoConfig
from marketdata.clock import EXCHANGE_TZ
from orders.order import Order

DAY = date(2026, 11, 23)
SYMBOL = "600000.SSE"
INTERVAL_S = 60
CFG = AlgoConfig()
A_APPROVED, B_APPROVED = time(9, 31, 7), time(9, 44, 23)
Sent = dict[int, tuple[datetime, int]]  # slot -> (when, shares)


def at(clock: time) -> datetime:
    return datetime.combine(DAY, clock, EXCHANGE_TZ)


def parent(account: str, quantity: int, desk_quantity: int = 40_000, *,
           side: Side = Side.BUY, end: time = time(10, 30)) -> Order:
    return Order(order_id=f"{account}-1", trade_date=DAY, symbol=SYMBOL, side=side,
                 quantity=quantity, reference_price=Decimal("10.00"), start_time=time(9, 30),
                 end_time=end, account=account, desk_quantity=desk_quantity)


def quote(now: datetime) -> Quote:
    return Quote(SYMBOL, now, Decimal("10.00"), Decimal("9.99"), Decimal("10.01"),
                 Decimal("11.00"), Decimal("9.00"))


def decide(order: Order, now: datetime, filled: int, slice_no: int,
           recent_volume: int | None = None) -> Child | Wait:
    curve = build_curve(order, CFG, INTERVAL_S, VolumeProfile())
    progress = Progress(filled=filled, open_quantity=0, slice_no=slice_no, market_volume=0,
                        recent_volume=recent_volume, slot=slot_at(order, now, INTERVAL_S))
    return plan(order, CFG, curve, now, quote(now), progress, Position())


def work(order: Order, approved: time, until: time = time(10, 30)) -> Sent:
    """The parent worked as the worker does: a child whenever the plan gives one (each
    filled at once), then nothing before `next_decision`; after a wait, a look every
    second."""
    now, filled = at(approved), 0
    sent: Sent = {}
    while now < at(until) and filled < order.quantity:
        result = decide(order, now, filled, len(sent) + 1)
        if isinstance(result, Child):
            filled += result.quantity
            sent[slot_at(order, now, INTERVAL_S)] = (now, result.quantity)
            now = next_decision(order, CFG, INTERVAL_S, now, len(sent))
        else:
            now += timedelta(seconds=1)
    return sent


def test_the_accounts_share_one_schedule() -> None:
    a, b = parent("A", 30_000), parent("B", 10_000)
    assert schedule_key(a) == schedule_key(b) == f"{DAY}:{SYMBOL}:buy:0930-1030"
    assert schedule_key(parent("A", 30_000, side=Side.SELL)) != schedule_key(a)
    assert schedule_key(parent("A", 30_000, end=time(11, 0))) != schedule_key(a)


def test_decisions_after_the_first_child_land_on_the_same_slots() -> None:
    a, b = parent("A", 30_000), parent("B", 10_000)
    # Whenever each was approved, the next decision after a child is the schedule's next
    # slot, from the window's start, moved by that slot's jitter (the same for both).
    b_next = next_decision(b, CFG, INTERVAL_S, at(B_APPROVED), 1)
    a_sent = work(a, A_APPROVED)
    slot = slot_at(b, at(B_APPROVED), INTERVAL_S) + 1
    assert slot == 15 and b_next == next_decision(a, CFG, INTERVAL_S, a_sent[slot - 1][0], 1)
    assert abs(b_next - (at(time(9, 30)) + timedelta(seconds=slot * INTERVAL_S))) \
        <= timedelta(seconds=CFG.randomise_time_s)
    b_sent = work(b, B_APPROVED)
    # B's first child catches up with its curve, then it may wait a slot out; from the
    # slot after, both parents send at the very same moments.
    common = [s for s in b_sent if s > slot]
    assert len(common) >= 35
    assert all(b_sent[s][0] == a_sent[s][0] for s in common)


def test_child_sizes_follow_each_parent_so_about_three_to_one() -> None:
    a_sent = work(parent("A", 30_000), A_APPROVED)
    b_sent = work(parent("B", 10_000), B_APPROVED)
    common = [s for s in b_sent if s > 15 and s in a_sent][:-1]  # not the last catch-up
    a_lots = [a_sent[s][1] // 100 for s in common]
    b_lots = [b_sent[s][1] // 100 for s in common]
    # Each child: three times the other's to within the lot rounding of both.
    assert all(abs(x - 3 * y) <= 3 for x, y in zip(a_lots, b_lots, strict=True)), \
        list(zip(a_lots, b_lots, strict=True))
    assert 2.7 <= sum(a_lots) / sum(b_lots) <= 3.3


def test_the_participation_cap_is_split_pro_rata() -> None:
    # Approved late, each parent is far behind its curve: the market cap decides the size.
    late, volume = at(time(10, 15)), 20_000  # 20% of it: 4,000 shares for the desk
    sizes = {name: decide(order, late, 0, 1, recent_volume=volume)
             for name, order in (("A", parent("A", 30_000)), ("B", parent("B", 10_000)),
                                 ("alone", parent("C", 30_000, desk_quantity=0)),
                                 ("whole", parent("D", 30_000, desk_quantity=30_000)))}
    shares = {name: child.quantity for name, child in sizes.items() if isinstance(child, Child)}
    assert shares == {"A": 3_000, "B": 1_000, "alone": 4_000, "whole": 4_000}


def test_a_small_accounts_share_below_one_child_still_sends_one() -> None:
    """With the desk's cap at 400 shares, a parent of 5% of the desk's quantity (20
    shares of cap) may still send the minimum child, as long as the desk's cap allows it;
    else it would start behind the others every time."""
    late, volume = at(time(10, 15)), 2_000  # 20%: 400 shares for the desk
    small = decide(parent("S", 2_000, desk_quantity=40_000), late, 0, 1, recent_volume=volume)
    assert isinstance(small, Child) and small.quantity == CFG.min_child
    tiny_market = decide(parent("S", 2_000, desk_quantity=40_000), late, 0, 1,
                         recent_volume=250)  # the desk's cap is 50 shares: no child
    assert isinstance(tiny_market, Wait)
