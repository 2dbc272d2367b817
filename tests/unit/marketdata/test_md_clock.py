from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from marketdata.clock import EXCHANGE_TZ, FixedClock, SimulatedClock, WallClock, exchange_date


def test_wall_clock_is_aware_in_exchange_time() -> None:
    now = WallClock().now()
    assert now.tzinfo is EXCHANGE_TZ
    assert abs((now - datetime.now(tz=UTC)).total_seconds()) < 5


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 11, 20, 9, 30, tzinfo=EXCHANGE_TZ))
    assert clock.now() == clock.now()
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 11, 20, 9, 35, tzinfo=EXCHANGE_TZ)
    clock.set(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    assert clock.now().hour == 15 and clock.now().tzinfo is EXCHANGE_TZ


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2026, 11, 20, 9, 30))
    with pytest.raises(ValueError, match="sim_start"):
        SimulatedClock(datetime(2026, 11, 20, 9, 30), time.time(), 60.0)


def test_exchange_date_uses_shanghai_date() -> None:
    late_utc = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # 01:00 on the 20th in Shanghai
    assert exchange_date(FixedClock(late_utc)).isoformat() == "2026-11-20"


def test_simulated_clock_runs_speed_times_faster() -> None:
    start = datetime(2026, 11, 20, 9, 25, tzinfo=EXCHANGE_TZ)
    clock = SimulatedClock(start, wall_start=time.time() - 10.0, speed=60.0)
    elapsed = (clock.now() - start).total_seconds()
    assert 600.0 <= elapsed < 600.0 + 60.0  # 10 wall seconds, plus a second of slack


def test_simulated_clocks_sharing_numbers_agree() -> None:
    start = datetime(2026, 11, 20, 9, 25, tzinfo=EXCHANGE_TZ)
    first = SimulatedClock.starting_now(start, 120.0)
    second = SimulatedClock.from_dict(first.to_dict())
    assert second == first
    assert abs((second.now() - first.now()).total_seconds()) < 1.0


def test_simulated_clock_from_dict_names_bad_keys() -> None:
    with pytest.raises(ValueError, match=r"missing keys \['speed'\]"):
        SimulatedClock.from_dict({"sim_start": "2026-11-20T09:25:00+08:00", "wall_start": 1.0})
    with pytest.raises(ValueError, match="speed must be a number"):
        SimulatedClock.from_dict({"sim_start": "2026-11-20T09:25:00+08:00", "wall_start": 1.0,
                                  "speed": "fast"})
    with pytest.raises(ValueError, match="speed must be > 0"):
        SimulatedClock(datetime(2026, 11, 20, tzinfo=EXCHANGE_TZ), 0.0, 0.0)
