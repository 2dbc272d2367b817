from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from risk.config import RiskConfig, UnhedgeRule
from risk.ladder import NO_HEDGE, LadderState, on_close, on_drawdown, rung_for
from risk.unhedge import Evidence, stabilised

DAY = date(2026, 3, 2)


def days(n: int) -> list[date]:
    return [DAY + timedelta(days=i) for i in range(n)]


def test_rung_for_picks_the_highest_reached(cfg: RiskConfig) -> None:
    assert rung_for(cfg.ladder, 0.19) == NO_HEDGE
    assert rung_for(cfg.ladder, 0.20) == 0
    assert rung_for(cfg.ladder, 0.27) == 1
    assert rung_for(cfg.ladder, 0.45) == 2


def test_climbs_at_once_and_can_skip_rungs(cfg: RiskConfig) -> None:
    state = on_drawdown(LadderState(), cfg, 0.21, DAY)
    assert state.level == 0 and state.hedge_ratio(cfg.ladder) == 0.3
    assert "21.0%" in state.reason and "30%" in state.reason
    state = on_drawdown(state, cfg, 0.33, DAY)
    assert state.level == 2 and state.hedge_ratio(cfg.ladder) == 1.0
    assert on_drawdown(state, cfg, 0.25, DAY).level == 2  # recovering is not stabilising


def test_flapping_around_a_rung_changes_the_hedge_once(cfg: RiskConfig) -> None:
    """Drawdown wobbling 19.5% / 20.5% every close for 60 days, index flat."""
    state, changes, closes = LadderState(), [], []
    for i, day in enumerate(days(60)):
        closes.append(1000.0 + (i % 2))  # flat market: never above mean by a rebound
        drawdown = 0.205 if i % 2 else 0.195
        before = state.level
        state = on_close(state, cfg, drawdown, day, closes)
        if state.level != before:
            changes.append((day, state.level))
    # Hedged on the first 20.5%, taken off once after 20 closes without a new index
    # low, then kept off: re-arming needs 19.5% + 3% hysteresis.
    assert [level for _, level in changes] == [0, NO_HEDGE]
    assert state.rearm == pytest.approx(0.195 + cfg.hysteresis)
    assert on_close(state, cfg, 0.21, DAY + timedelta(days=61), [*closes, 1000.0]).level == NO_HEDGE
    assert on_close(state, cfg, 0.226, DAY + timedelta(days=61), [*closes, 1000.0]).level == 0


def test_steps_down_one_rung_per_stabilisation(cfg: RiskConfig) -> None:
    state = on_drawdown(LadderState(), cfg, 0.32, DAY)
    closes = [1000.0] * 19 + [900.0]  # the low
    state = on_close(state, cfg, 0.32, DAY, closes)
    assert state.level == 2
    levels = []
    for day in days(40)[1:]:
        closes.append(closes[-1] * 1.01)  # steady rebound: above the mean, up from the low
        state = on_close(state, cfg, 0.30, day, closes)
        levels.append(state.level)
    # Each step needs a fresh 5% rebound from the index low since the last change.
    first_steps = [lv for i, lv in enumerate(levels) if i == 0 or levels[i - 1] != lv]
    assert first_steps[:4] == [2, 1, 0, NO_HEDGE]
    assert "reduce the hedge to 0%" in state.reason


def test_no_step_down_on_the_day_it_climbed(cfg: RiskConfig) -> None:
    closes = [float(x) for x in range(900, 1000, 5)] + [1200.0]  # far above its mean
    state = on_close(LadderState(), cfg, 0.22, DAY, closes)
    assert state.level == 0


def test_nav_based_rule(cfg: RiskConfig) -> None:
    nav_cfg = cfg.model_copy(update={"unhedge": (UnhedgeRule(recovered_points=0.05,
                                                              days_without_new_low=3),)})
    state = on_close(LadderState(), nav_cfg, 0.30, DAY, [1000.0])
    for i, day in enumerate(days(5)[1:]):
        state = on_close(state, nav_cfg, 0.24, day, [1000.0] * (i + 2))
    assert state.level == 1  # 3 closes without a new low and 6 points recovered


def test_evidence_counts_each_close_once() -> None:
    ev = Evidence.fresh(0.2, DAY).with_close(DAY, 1000.0)
    assert ev.nav_closes_since_low == 0 and ev.index_closes_since_low == 0
    nxt = DAY + timedelta(days=1)
    ev = ev.with_close(nxt, 1010.0).with_close(nxt, 1010.0)
    assert ev.nav_closes_since_low == 1 and ev.index_closes_since_low == 1
    ev = ev.with_close(nxt + timedelta(days=1), 990.0)
    assert ev.index_low == 990.0 and ev.index_closes_since_low == 0


def test_stabilised_explains_itself() -> None:
    rule = UnhedgeRule(index_above_ma_days=3, index_rebound=0.05)
    ev = Evidence(index_low=100.0)
    assert stabilised(rule, ev, 0.2, [100.0, 101.0, 106.0]) == (
        "CSI 1000 106.0 above its 3-day mean 102.3; CSI 1000 up 6.0% from its low 100.0")
    assert stabilised(rule, ev, 0.2, [100.0, 101.0, 104.0]) is None  # only 4% up
    assert stabilised(rule, ev, 0.2, [101.0, 104.0]) is None  # not enough history


def test_state_round_trips_through_json(cfg: RiskConfig) -> None:
    state = on_close(LadderState(), cfg, 0.26, DAY, [1000.0])
    restored = LadderState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    fresh = LadderState()
    assert LadderState.from_dict(json.loads(json.dumps(fresh.to_dict()))) == fresh


def test_a_late_close_from_before_the_climb_is_no_evidence(cfg: RiskConfig) -> None:
    """The daemon may process Friday's close on Monday morning, after Monday's climb."""
    monday, friday = DAY, DAY - timedelta(days=3)
    state = on_drawdown(LadderState(), cfg, 0.22, monday)
    rallied = [1000.0] * 19 + [1200.0]  # would satisfy the index rules
    after = on_close(state, cfg, 0.22, friday, rallied)
    assert after.level == 0
    assert after.evidence.nav_closes_since_low == 0 and after.evidence.last_close is None


def _episode(state: LadderState, cfg: RiskConfig, start: date, path: list[float],
             closes: list[float]) -> tuple[LadderState, list[int]]:
    """Run daily closes along a drawdown path; return the state and the levels seen."""
    levels = []
    for i, drawdown in enumerate(path):
        closes.append(closes[-1] * (1.01 if drawdown < path[max(i - 1, 0)] else 0.99))
        state = on_close(state, cfg, drawdown, start + timedelta(days=i), closes)
        levels.append(state.level)
    return state, levels


def test_a_new_high_water_mark_rearms_the_ladder_for_the_next_episode(cfg: RiskConfig) -> None:
    """Two drawdown episodes in a row: each is hedged at the configured rungs.

    Episode 1 falls to 27%, stabilises and is un-hedged step by step (leaving a re-arm
    level). NAV then makes a new peak: a new episode starts, and a fresh 22%, then 26%,
    drawdown must hedge at the 20% and 25% rungs again, not wait for the old re-arm level.
    """
    closes = [1000.0]
    fall = [0.05, 0.12, 0.21, 0.27]
    recovery = [0.26 - 0.01 * i for i in range(26)] + [0.0]  # a new peak at the end
    state, first = _episode(LadderState(), cfg, DAY, fall + recovery, closes)
    assert first[2:4] == [0, 1]  # 21% -> 20% rung; 27% -> 25% rung
    assert first[-1] == NO_HEDGE
    assert state.rearm == 0.0  # the new peak cleared it
    second_start = DAY + timedelta(days=len(first))
    state, second = _episode(state, cfg, second_start, [0.08, 0.15, 0.22, 0.26], closes)
    assert second == [NO_HEDGE, NO_HEDGE, 0, 1]


def test_the_rearm_level_holds_within_an_episode(cfg: RiskConfig) -> None:
    """Without a new peak a step down keeps its hysteresis (the flapping guard)."""
    stepped = LadderState(level=NO_HEDGE, changed_on=DAY, rearm=0.23)
    assert on_drawdown(stepped, cfg, 0.01, DAY).rearm == 0.23  # near the peak, not at it
    assert on_drawdown(stepped, cfg, 0.22, DAY).level == NO_HEDGE
    assert on_drawdown(stepped, cfg, 0.0, DAY).rearm == 0.0  # at a new high-water mark


def test_two_episodes_through_the_monitor_hedge_at_the_rungs_each_time(cfg: RiskConfig) -> None:
    """The same, end to end through `observe_nav`/`close_day` and a real high-water mark."""
    from datetime import datetime
    from decimal import Decimal

    from marketdata.clock import EXCHANGE_TZ
    from risk.monitor import MonitorState, close_day, observe_nav

    first_fall = [100.0, 90.0, 85.0, 79.0, 78.0]  # 21%, 22%: the 20% rung
    # The index rallies while NAV still sits near its trough: the hedge comes off at
    # about 21-22% (re-arm about 24-25%); then NAV climbs to a new peak of 101.
    recovery = [79.0] * 25 + [85.0, 92.0, 101.0]
    second_fall = [90.0, 85.0, 78.0, 74.0]  # 22.8% then 26.7% from 101
    state, hwm, closes, climbs, off_levels = MonitorState(), None, [1000.0], [], []
    for i, nav in enumerate(first_fall + recovery + second_fall):
        day = DAY + timedelta(days=i)
        closes.append(closes[-1] * (0.97 if nav < 90 and i < 5 else 1.02))
        at = datetime(day.year, day.month, day.day, 15, 0, tzinfo=EXCHANGE_TZ)
        before = state.ladder.level
        obs = observe_nav(state, hwm, cfg, Decimal(str(nav)) * 1_000_000, at, 1.0)
        hwm = obs.hwm
        if obs.state.ladder.level > before:
            climbs.append((i, round(obs.drawdown, 3), obs.state.ladder.level))
        state = close_day(obs.state, hwm, cfg, day, closes)
        off_levels.append(state.ladder.level)
    assert hwm is not None and hwm.value == Decimal("101000000")  # the second peak
    assert state.ladder.level == 1
    assert any(level == NO_HEDGE for level in off_levels)  # episode 1 was un-hedged
    second = len(first_fall) + len(recovery)
    assert climbs[0] == (3, 0.21, 0)  # first episode at the 20% rung
    assert climbs[-2:] == [(second + 2, 0.228, 0), (second + 3, 0.267, 1)]
