"""`MarketState.volume_since`: the newest tick at or before the moment, however the
history is ordered (a gateway may deliver a late tick), as a full scan would find it."""

from __future__ import annotations

import random
from collections import deque
from datetime import datetime, timedelta

from execution.worker.market import HISTORY, MarketState
from marketdata.clock import EXCHANGE_TZ

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=EXCHANGE_TZ)


def full_scan(history: list[tuple[datetime, int]], moment: datetime) -> int:
    before = [v for at, v in history if at <= moment]
    return history[-1][1] - (before[-1] if before else 0)


def test_volume_since_matches_a_full_scan_of_a_shuffled_history() -> None:
    rng = random.Random(15)
    ticks = [(T0 + timedelta(seconds=3 * i + rng.choice([-7, 0, 0, 5])), 100 * i)
             for i in range(HISTORY)]
    market = MarketState()
    market._volumes["600000.SSE"] = deque(ticks, maxlen=HISTORY)
    for seconds in [-60, 0, 1, 59, 600, 1199, 1200, 5000]:
        moment = T0 + timedelta(seconds=seconds)
        assert market.volume_since("600000.SSE", moment) == full_scan(ticks, moment)


def test_volume_since_before_any_tick_is_the_whole_volume() -> None:
    market = MarketState()
    market._volumes["600000.SSE"] = deque([(T0, 500), (T0 + timedelta(minutes=1), 900)])
    assert market.volume_since("600000.SSE", T0 - timedelta(seconds=1)) == 900
    assert market.volume_since("600000.SSE", T0) == 400
    assert market.volume_since("000001.SZSE", T0) == 0
    assert market.recent_volume("600000.SSE", T0 + timedelta(minutes=1), 60) == 400
