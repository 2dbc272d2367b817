"""The array screens in front of the per-name checks skip only what the exact check would
reject or pass anyway: the limit-lock pre-screen never hides a locked stock, the caps of
all holdings at once are each one's cap, and the candidates' rank order is the sorted one."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.constraints import (
    limit_locked_up,
    may_be_limit_locked,
    position_cap,
    position_caps,
)
from strategies.holdings import rank_members
from strategies.rotation import members_by_rank
from strategies.signals import compute_signals
from tests.unit.strategies.panel_kit import make_panel, small_config

PANEL = make_panel(n_stocks=60, n_days=160, seed=4)
DAY = compute_signals(PANEL, small_config(), first_row=len(PANEL.dates) - 1).day(0)
prices = st.one_of(st.floats(0.001, 200.0), st.sampled_from([np.nan, np.inf, 0.0, -1.0]))


def _tick(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))


@settings(max_examples=200, deadline=None)
@given(prev=prices, move=st.floats(-0.3, 0.3), on_tick=st.booleans(), column=st.integers(0, 59))
def test_the_pre_screen_never_hides_a_locked_stock(prev: float, move: float, on_tick: bool,
                                                   column: int) -> None:
    close = prev * (1.0 + move) if np.isfinite(prev) else 10.0
    if on_tick and np.isfinite(close) and close > 0:
        close = _tick(close)  # closes at the limit price itself are the ones that lock
    day = replace(DAY, close=DAY.close.copy(), prev_close=DAY.prev_close.copy())
    day.close[column], day.prev_close[column] = close, prev
    screened = bool(may_be_limit_locked(day, np.array([column]))[0])
    try:
        locked = limit_locked_up(day, column)
    except ValueError:  # prices the exact check refuses: only where the screen asks it
        assert screened
        return
    assert screened or not locked


def test_locked_up_closes_are_asked_and_down_closes_are_not() -> None:
    day = replace(DAY, close=DAY.close.copy(), prev_close=DAY.prev_close.copy())
    day.prev_close[:3] = 10.0
    day.close[:3] = [11.0, 10.0, 9.5]  # at the 10% limit, flat, down
    assert limit_locked_up(day, 0)
    assert may_be_limit_locked(day, np.arange(3)).tolist() == [True, False, False]


def test_members_by_rank_is_the_sorted_order() -> None:
    ranks = rank_members(DAY)
    members = np.flatnonzero(ranks > 0)
    expected = members[np.argsort(ranks[members], kind="stable")]
    assert len(members) > 10
    np.testing.assert_array_equal(members_by_rank(ranks), expected)
    tied = np.where(ranks > 5, 5, ranks)  # not 1..n once each: sorted, ties by index
    np.testing.assert_array_equal(members_by_rank(tied),
                                  members[np.argsort(tied[members], kind="stable")])
    assert members_by_rank(np.zeros(4, dtype=np.int64)).tolist() == []


@given(nav=st.floats(1e5, 1e10), share=st.sampled_from([0.01, 0.1, 1.0]),
       max_weight=st.sampled_from([0.01, 0.05, 0.2]))
@settings(max_examples=50, deadline=None)
def test_the_caps_of_all_holdings_are_each_ones_cap(nav: float, share: float,
                                                    max_weight: float) -> None:
    adv = DAY.adv.copy()
    adv[[1, 2, 3]] = [np.nan, 0.0, np.inf]  # no ADV, none traded, no limit
    adv[4] = nav * max_weight / share / 3.0  # liquidity binds
    day = replace(DAY, adv=adv)
    config = small_config().constraints.model_copy(
        update={"max_adv_share": share, "max_weight": max_weight})
    indexes = np.arange(len(adv))
    each = [position_cap(day, int(i), nav, config).weight for i in indexes]
    assert position_caps(day, indexes, nav, config).tolist() == each
    assert each[1] == each[3] == max_weight and each[2] == 0.0 and 0 < each[4] < max_weight
